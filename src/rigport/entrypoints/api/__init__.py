"""REST API under /api/v1 (FastAPI). Build it with `create_app()`."""
