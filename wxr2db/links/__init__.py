"""Links from the export: the one rule deciding which URLs may reach the written site (safe.py)."""
