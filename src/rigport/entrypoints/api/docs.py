"""The interactive API reference at /docs, served from installed files: no CDN (issue #30).

FastAPI's own /docs page loads Swagger UI from a CDN, so it is blank offline or behind a firewall that lets
only the server through. Here the page, its script and its styles come from the server: Swagger UI from the
`swagger-ui-bundle` package (as plotly.js comes from the `plotly` package), a two-line start script from
rigport itself, so the page runs under a strict Content-Security-Policy with no inline script.

The packaged Swagger UI (4.15) reads OpenAPI 3.0 only, and FastAPI describes the API in OpenAPI 3.1, so the
page reads /docs/openapi-3.0.json: the same description with the few 3.1 forms FastAPI emits rewritten as
their 3.0 equivalents (`as_openapi_30`). /openapi.json itself stays 3.1.

ReDoc is not published as a Python package this project can depend on, so /redoc redirects to /docs rather
than loading it from a CDN.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")  # fmt: skip

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} API reference</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <style>
    /* a phone (issue #30): long schema names and paths wrap, wide tables scroll in place */
    body {{ margin: 0; }}
    .swagger-ui .wrapper {{ padding: 0 8px; box-sizing: border-box; }}
    .swagger-ui .model-box, .swagger-ui .model-title, .swagger-ui .models h4 span, .swagger-ui .model,
    .swagger-ui .opblock-summary-path, .swagger-ui .opblock-summary-description, .swagger-ui .info {{
      overflow-wrap: anywhere; word-break: break-word; min-width: 0; }}
    .swagger-ui table {{ display: block; overflow-x: auto; }}
    /* contrast of at least 4.5:1 (axe-core, WCAG 1.4.3) for Swagger UI's badges, link and Authorize button */
    .swagger-ui .info .title small {{ background: #4d5562; }}
    .swagger-ui .info .title small.version-stamp {{ background: #2f6b00; }}
    .swagger-ui .info .base-url, .swagger-ui .info a, .swagger-ui .info .url {{ color: #1f5fa8; }}
    .swagger-ui .btn.authorize {{ color: #1e6b32; border-color: #1e6b32; }}
    .swagger-ui .btn.authorize svg {{ fill: #1e6b32; }}
    .swagger-ui .opblock.opblock-get .opblock-summary-method {{ background: #1f5fa8; }}
    .swagger-ui .opblock.opblock-post .opblock-summary-method {{ background: #1e6b32; }}
    .swagger-ui .opblock.opblock-put .opblock-summary-method {{ background: #8a5a00; }}
    .swagger-ui .opblock.opblock-patch .opblock-summary-method {{ background: #0b6b60; }}
    .swagger-ui .opblock.opblock-delete .opblock-summary-method {{ background: #b3261e; }}
  </style>
</head>
<body>
  <main id="swagger-ui" aria-label="API reference"><p>Loading the API reference (needs JavaScript);
  the machine-readable description is at <a href="{openapi_url}">{openapi_url}</a>.</p></main>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/start.js" data-openapi-url="{openapi_url}"></script>
</body>
</html>
"""

# Starts Swagger UI against the server's own OpenAPI description; a file of its own (not inline) for the CSP.
# deepLinking is off: with it Swagger UI 4 puts a link inside each operation's summary button (nested
# interactive controls, which screen readers cannot use; axe-core "nested-interactive").
START_JS = """
(function () {
  "use strict";
  var url = document.currentScript.getAttribute("data-openapi-url") || "/openapi.json";
  window.addEventListener("DOMContentLoaded", function () {
    window.ui = SwaggerUIBundle({
      url: url,
      dom_id: "#swagger-ui",
      deepLinking: false,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  });
})();
"""


def swagger_ui_dir() -> Path:
    """The Swagger UI distribution inside the installed swagger-ui-bundle package."""
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return Path(str(swagger_ui_bundle.swagger_ui_path))


def install(app: FastAPI) -> None:
    """Add /docs (page, assets, start script) and the /redoc redirect; the app is built with docs_url=None."""
    headers = {"Content-Security-Policy": DOCS_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin"}  # fmt: skip

    @app.get("/docs", include_in_schema=False)
    def docs_page() -> HTMLResponse:
        html = PAGE.format(title=app.title, openapi_url="/docs/openapi-3.0.json")
        return HTMLResponse(html, headers=headers)

    @app.get("/docs/start.js", include_in_schema=False)
    def docs_start() -> Response:
        return Response(START_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})

    @app.get("/docs/openapi-3.0.json", include_in_schema=False)
    def docs_openapi() -> JSONResponse:
        return JSONResponse(as_openapi_30(app.openapi()))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> Response:
        return RedirectResponse("/docs", status_code=307)

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_dir())), name="swagger-ui")


def as_openapi_30(spec: dict[str, Any]) -> dict[str, Any]:
    """The description in OpenAPI 3.0 form, for a reader that knows only 3.0 (a copy; `spec` is not changed).

    FastAPI's 3.1 output differs from 3.0 in a few schema forms, each rewritten here: a nullable value
    (`anyOf: [X, {type: null}]` becomes X with `nullable: true`), `examples: [...]` in a schema (3.0 has one
    `example`), `const` (an `enum` of one), numeric `exclusiveMinimum`/`exclusiveMaximum` (3.0's boolean
    form), and `type: [t, "null"]`.
    """
    converted = _schema_30(copy.deepcopy(spec))
    converted["openapi"] = "3.0.3"
    return cast(dict[str, Any], converted)


def _schema_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_schema_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _schema_30(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            node.pop(key)
            if len(rest) == 1:
                node = {**rest[0], **node} if "$ref" not in rest[0] else {"allOf": rest, **node}
            else:
                node[key] = rest
            node["nullable"] = True
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        node["type"] = kinds[0] if len(kinds) == 1 else kinds
        if "null" in kind:
            node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), int | float) and not isinstance(node.get(bound), bool):
            node[plain] = node[bound]
            node[bound] = True
    if isinstance(node.get("examples"), list) and "schema" not in node and "content" not in node:
        examples = node.pop("examples")  # a schema's list of examples; a parameter's `examples` is a map
        if examples:
            node.setdefault("example", examples[0])
    return node
