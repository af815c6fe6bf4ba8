"""Revision scripts. A package so that every file here ships in the wheel; Alembic skips
this `__init__.py` when it scans the directory for revisions."""
