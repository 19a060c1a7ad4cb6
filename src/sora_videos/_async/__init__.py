"""The async API, written by hand; ``scripts/unasync.py`` generates ``_sync/`` from it."""
