"""Renderers: turn plain values into file formats other programs read (calendars)."""
