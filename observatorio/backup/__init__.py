"""Backup and restore of the whole instance: ``create_backup`` / ``restore_backup`` (see :mod:`.run`).

One tar file holds the database's own dump (SQLite's online backup, gzip-compressed; PostgreSQL's
``pg_dump --format=custom``) and a manifest (:mod:`.manifest`) that restore checks first. docs/backup.md.
"""

from .run import create_backup, restore_backup

__all__ = ["create_backup", "restore_backup"]
