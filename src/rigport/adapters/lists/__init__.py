"""Screening lists on disk and on the wire: the copies in force, their download, and the cached index."""
