"""Issue #30: /docs is served from installed files (no CDN) and reads a 3.0 form of the API description."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.entrypoints.api.docs import as_openapi_30


def test_docs_page_and_assets_come_from_the_server() -> None:
    with TestClient(create_app()) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert urls and all(u.startswith("/") for u in urls)  # nothing from another host
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for url in urls:
            assert client.get(url).status_code == 200, url
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        assert "SwaggerUIBundle" in bundle.text[:200_000]
        spec = client.get("/docs/openapi-3.0.json").json()
        assert spec["openapi"] == "3.0.3" and spec["paths"].keys() == client.get("/openapi.json").json()["paths"].keys()
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")  # the contract stays 3.1
        moved = client.get("/redoc", follow_redirects=False)
        assert moved.status_code == 307 and moved.headers["location"] == "/docs"


def test_openapi_31_forms_become_30() -> None:
    spec = {"openapi": "3.1.0", "components": {"schemas": {"S": {"properties": {
        "note": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}], "title": "Note"},
        "ref": {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]},
        "kind": {"const": "a"},
        "n": {"type": "integer", "exclusiveMinimum": 0, "examples": [3, 4]},
        "both": {"type": ["string", "null"]},
    }}}}}
    props = as_openapi_30(spec)["components"]["schemas"]["S"]["properties"]
    assert props["note"] == {"type": "string", "maxLength": 5, "title": "Note", "nullable": True}
    assert props["ref"] == {"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": True}
    assert props["kind"] == {"enum": ["a"]}
    assert props["n"] == {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "example": 3}
    assert props["both"] == {"type": "string", "nullable": True}
    assert spec["openapi"] == "3.1.0" and "anyOf" in spec["components"]["schemas"]["S"]["properties"]["note"]
