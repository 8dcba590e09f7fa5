"""Adapters to the outside: the database (db), list files (lists) and rendering (render)."""
