"""Backups: the database and the stored files in one verified archive; `flask backup`."""
