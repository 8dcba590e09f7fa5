"""Fixtures for the screening tests: a local HTTP server standing in for the list publishers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.helpers.lists import ADD, ALT, CSL_HEADER, SDN, ListFiles, csl_row


@pytest.fixture
def list_server() -> Iterator[tuple[str, type[ListFiles]]]:
    csl = f"{CSL_HEADER}\n{csl_row(_id='n1', source='Entity List (EL) - Bureau of Industry and Security', type='Entity', name='NEWCO SEMICONDUCTOR LTD', start_date='2026-11-20')}\n"  # noqa: E501
    files = {"sdn.csv": SDN, "add.csv": ADD, "alt.csv": ALT, "consolidated.csv": csl.encode()}
    handler = type("H", (ListFiles,), {"files": files,
                                    "truncate": set()})  # fmt: skip
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/lists", handler
    httpd.shutdown()
