"""Media files: their safe names, what each post uses, attachments, and fetching them into a site."""
