"""isops's Alembic migrations, shipped in the wheel as a package of their own.

Alembic reads `env.py`, `script.py.mako` and `versions/*.py` as files; `isops.migrate` finds
this directory through `importlib.resources`, so it works from a checkout and from an
installed wheel alike. Importing this package runs nothing.
"""
