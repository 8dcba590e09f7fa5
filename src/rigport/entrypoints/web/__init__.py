"""The web dashboard: Jinja2 pages and htmx partials over `rigport.services`.

`app.install()` mounts it; `routers/` holds one router per page group; `pages.py` renders (templates,
filters, security headers); `security.py` says who is looking and checks forms (CSRF, operator role).
"""
