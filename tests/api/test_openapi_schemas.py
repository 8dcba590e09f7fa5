"""/openapi.json documents what each route answers: a schema, not `{}`, for every 2xx JSON response.

The routes return the services' typed views (TypedDicts) through `to_jsonable`; `schemas.answers` names the view
in the route's `responses`. Every route does: there is no list of exceptions.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from rigport.entrypoints.api.app import create_app
from rigport.settings import Settings


def _openapi(settings: Settings) -> dict[str, Any]:
    with TestClient(create_app(settings)) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _json_answers(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status.startswith("2") and "application/json" in content:
                    found.append((method, path, status, content["application/json"].get("schema", {})))
    return found


def test_every_json_answer_has_a_schema(tmp_path: Any) -> None:
    document = _openapi(Settings(data_dir=tmp_path))
    answers = _json_answers(document)
    assert len(answers) > 20
    missing = sorted(
        f"{method.upper()} {path} {status}" for method, path, status, schema in answers
        if not set(schema) - {"title", "description"}  # FastAPI titles even an untyped answer
    )
    assert missing == []


def test_the_shipment_schema_names_its_fields_and_money_as_a_number(tmp_path: Any) -> None:
    document = _openapi(Settings(data_dir=tmp_path))
    schemas = document["components"]["schemas"]
    detail = schemas["ShipmentDetail"]
    assert {"reference", "storage_pallets", "clocks", "cost_of_delay", "events"} <= set(detail["properties"])
    assert set(detail["required"]) == set(detail["properties"])
    cost = schemas["CostOfDelay"]["properties"]["cost_to_date_usd"]
    assert {"type": "number"} in cost["anyOf"]  # to_jsonable writes money as a JSON number
    created = document["paths"]["/api/v1/shipments"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"] == "#/components/schemas/ShipmentDetail"
