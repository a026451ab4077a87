"""Who may see what and what they did: roles and access, the audit log, small-number disclosure,
escaping of text from files, safe exports."""
