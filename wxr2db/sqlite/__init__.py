"""The SQLite sink: schema, rows, saving, checks, census, the background writer and the staged --db."""
