"""Turning results into the formats users receive: JSON-ready values (every entry point), documents and plots."""
