"""`rigport clients ...` and `--client` from the terminal (issue #28): JSON shapes, exit codes, scoped tokens."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli

CREATE = ("shipments", "create", "--mode", "air", "--port", "Detroit", "--arrival", "2025-02-01", "--units", "10",
          "--value", "1000")  # fmt: skip


def test_clients_from_the_terminal(isolated_data_dir: Path) -> None:
    made = run_cli("clients", "create", "Ridgeline Digital Mining Inc.", "--json")
    assert made.returncode == 0, made.stderr
    client = json.loads(made.stdout)
    assert set(client) == {"id", "name", "created_at", "archived_at", "shipments"} and client["shipments"] == 0
    assert run_cli("clients", "create", "ridgeline digital mining inc.").returncode == 1  # taken, in any case
    for bad in ("", "12345", "x" * 121):
        refused = run_cli("clients", "create", bad)
        assert refused.returncode == 2 and "NAME:" in refused.stderr and "Traceback" not in refused.stderr, bad
    shipped = run_cli(*CREATE[:2], "R-1", *CREATE[2:], "--client", "ridgeline digital mining inc.", "--json")
    assert shipped.returncode == 0 and json.loads(shipped.stdout)["client"] == "Ridgeline Digital Mining Inc."
    unknown = run_cli(*CREATE[:2], "R-2", *CREATE[2:], "--client", "Nobody")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: --client: no client 'Nobody'")
    default = run_cli(*CREATE[:2], "D-1", *CREATE[2:], "--json")  # broker-wide, no client: Default
    assert json.loads(default.stdout)["client"] == "Default"
    renamed = run_cli("clients", "rename", str(client["id"]), "Ridgeline", "--json")
    assert json.loads(renamed.stdout)["name"] == "Ridgeline" and json.loads(renamed.stdout)["shipments"] == 1
    listed = json.loads(run_cli("shipments", "list", "--client", "Ridgeline", "--json").stdout)
    assert [r["reference"] for r in listed] == ["R-1"]
    archived = json.loads(run_cli("clients", "archive", "Ridgeline", "--json").stdout)
    assert archived["archived_at"] is not None
    assert [c["name"] for c in json.loads(run_cli("clients", "list", "--json").stdout)] == ["Default"]
    assert len(json.loads(run_cli("clients", "list", "--all", "--json").stdout)) == 2
    closed = run_cli(*CREATE[:2], "R-3", *CREATE[2:], "--client", "Ridgeline")
    assert closed.returncode == 2 and "archived" in closed.stderr
    token = run_cli("tokens", "create", "--role", "viewer", "--client", "Ridgeline", "--client", "Default", "--json")
    assert sorted(json.loads(token.stdout)["client_ids"]) == [1, client["id"]]
    broker = json.loads(run_cli("tokens", "create", "--role", "viewer", "--json").stdout)
    assert broker["client_ids"] is None
    assert run_cli("tokens", "create", "--role", "viewer", "--client", "Nobody").returncode == 2
    moved = run_cli("shipments", "update", "D-1", "--client", "Default", "--json")
    assert moved.returncode == 0 and json.loads(moved.stdout)["client"] == "Default"
    shown = json.loads(run_cli("clients", "show", "default", "--json").stdout)
    assert shown["id"] == 1 and shown["shipments"] == 1
