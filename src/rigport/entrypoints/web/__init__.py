"""The web dashboard: Jinja2 pages and htmx partials over `rigport.services` (see routes.py)."""
