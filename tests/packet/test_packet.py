"""Entry packet: rendered content from the demo record, the petition worksheet only under seizure, escaping,
safe file names, PDF when a browser exists (and a note when none does), CLI exit codes and the API route."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from rigport.adapters.db.engine import get_engine
from rigport.adapters.render import packet as document
from rigport.entrypoints.api.app import create_app
from rigport.errors import InputError, NotFoundError
from rigport.services import demo, packet, shipments
from rigport.services.auth import create_token
from rigport.services.screening import screen_shipment
from rigport.settings import Settings
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("packet-data"))
    demo.seed(settings)
    return settings


@pytest.fixture(scope="module")
def seized_html(seeded: Settings) -> str:
    return packet.render_packet_html("DEMO-SFO-S21", seeded)


def test_seized_packet_has_summary_line_items_values_and_citations(seized_html: str) -> None:
    html = seized_html
    assert "Entry packet: DEMO-SFO-S21" in html
    assert "2,500 units / $8,500,000.00" in html  # 2,500 x $3,400 declared
    assert "RELEASED 1,500; SEIZED 1,000" in html
    assert html.count("<td>antminer-s21</td>") >= 25  # 25 invoice lines of 100 units each
    assert "SFO-S21-000001 … SFO-S21-000100 (100)" in html  # serial range of line 1
    assert "$340,000.00" in html  # line value 100 x $3,400
    assert '<th class="num">2,500</th><th></th>\n      <th class="num">$8,500,000.00</th>' in html  # line totals
    # evidence checklist from services.assess: the demo shipment has an SDoC but no compliance statement
    assert "Compliance information statement</td><td class=\"status-missing\">missing" in html
    assert "FCC Supplier&#39;s Declaration of Conformity</td><td class=\"status-present\">present" in html
    # landed cost on the entry-filed date: 2.6% MFN and 25% Section 301 on $8.5M, with their citations
    assert "$221,000.00" in html and "$2,125,000.00" in html
    assert "Section 301 List 2 (83 FR 40823; 9903.88.02)" in html
    assert "date of the recorded entry-filed event" in html
    # deadlines with citations
    assert "petition_for_relief" in html and "19 CFR 171.2(b)(1); 19 USC 1618" in html
    # screening with list versions (no stored run yet: screened, not stored)
    assert "No stored screening run" in html
    for list_id in ("ofac-sdn", "csl", "restricted-components"):
        assert f"<td>{list_id}</td>" in html
    assert "Bitmain Technologies Ltd." in html
    # no external assets: prints the same offline
    assert "http://" not in html.split("<body>")[0] and "<script" not in html and "<link" not in html


def test_petition_worksheet_prefilled_from_the_record(seized_html: str) -> None:
    html = seized_html
    assert 'id="petition"' in html
    section = html.split('id="petition"')[1]
    assert "19 CFR 171.1 (petition for relief" in section and "19 CFR 171.2(a), (b)(1), (d)" in section
    assert "1,000 units are under seizure (SEIZED 1,000)" in section
    assert "$3,400,000.00 (1,000 × $3,400.00)" in section  # value of the seized units
    assert "judicial" in section and "19 USC 1607(a)(1)" in section  # over $500,000: judicial route
    assert "$5,000.00" in section  # claim and cost bond capped at $5,000 (19 USC 1608)
    assert "San Francisco, San Francisco CES" in section  # place of seizure
    assert "seizure-notice-mailed" in section and "detention" in section  # chronology from recorded events
    assert "1,500 units of the same shipment were released by CBP." in section
    assert "which serial numbers were seized" in section  # partial seizure: a blank to fill
    assert section.count("TO ADD") >= 10
    due = dt.date.today() + dt.timedelta(days=21)  # demo: notice mailed 9 days ago, 30-day clock
    assert f"Petition due {due.isoformat()}" in section


def test_no_petition_worksheet_when_only_detained(seeded: Settings) -> None:
    html = packet.render_packet_html("DEMO-SFO-M60S", seeded)
    assert "DETAINED 1,500" in html
    assert 'id="petition"' not in html and "Petition worksheet" not in html
    assert "19 CFR 151.16" in html  # detention clocks keep their citations


def test_petitioned_units_still_get_the_worksheet(seeded: Settings) -> None:
    html = packet.render_packet_html("DEMO-SFO-S21PRO", seeded)
    section = html.split('id="petition"')[1]
    assert "PETITIONED 1,200" in section
    assert "A petition was recorded as filed on" in section and "19 CFR 171.61" in section
    assert "which serial numbers were seized" not in section  # the whole shipment: no partial-seizure blank
    assert "$5,040,000.00" in section  # 1,200 x $4,200


def test_stored_screening_run_is_shown_with_its_list_versions(seeded: Settings) -> None:
    run = screen_shipment("DEMO-DTW-T21", actor="tester", settings=seeded)
    html = packet.render_packet_html("DEMO-DTW-T21", seeded)
    assert f"Stored screening run #{run['run_id']}" in html and "by tester" in html
    assert "No stored screening run" not in html


def test_user_data_is_escaped_and_file_names_are_safe(seeded: Settings, tmp_path: Path) -> None:
    draft = shipments.ShipmentDraft(
        reference="EVIL-X", mode="air", port="Detroit", arrival_date=dt.date(2025, 2, 1), total_units=5,
        declared_value_usd=Decimal("17000"), importer_of_record="Acme & Sons",
        parties=[{"role": "seller", "name": "<script>alert(1)</script>", "country": "CN"}],
    )  # fmt: skip
    shipments.create_shipment(draft, "test", seeded)
    with pytest.raises(InputError, match="reference"):  # new references have an alphabet (issue #26) ...
        shipments.create_shipment(shipments.ShipmentDraft(**{**draft.__dict__, "reference": "../../evil <x>"}),
                                  "test", seeded)  # fmt: skip
    with get_engine(seeded).begin() as conn:  # ... but a row stored before the rule may hold anything
        conn.execute(text("UPDATE shipments SET reference = :r WHERE reference = 'EVIL-X'"), {"r": "../../evil <x>"})
    result = packet.write_packet("../../evil <x>", tmp_path / "out", seeded, pdf=False)
    html_path = Path(result["html"])
    assert html_path.parent == tmp_path / "out" and html_path.name == "packet-evil_x.html"
    html = html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Acme &amp; Sons" in html and "../../evil &lt;x&gt;" in html
    assert result["pdf"] is None and result["petition_worksheet"] is False
    assert packet.safe_filename("...") == "shipment" and packet.safe_filename("A/B\\C") == "A_B_C"


def test_pdf_is_skipped_with_a_note_when_no_browser(
    seeded: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document, "PDF_BROWSERS", ("no-such-browser-rigport",))
    result = packet.write_packet("DEMO-DTW-T21", tmp_path, seeded)
    assert Path(result["html"]).is_file() and result["pdf"] is None
    assert "no headless browser found" in result["note"]
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*tmp"))


@pytest.mark.skipif(document.find_pdf_browser() is None, reason="no headless Chromium on this machine")
def test_pdf_written_when_chromium_exists(seeded: Settings, tmp_path: Path) -> None:
    result = packet.write_packet("DEMO-SFO-S21", tmp_path, seeded)
    assert result["note"] is None and result["petition_worksheet"] is True
    pdf = Path(result["pdf"])
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_unknown_shipment_and_unusable_directory(seeded: Settings, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="'NOPE' not found"):
        packet.write_packet("NOPE", tmp_path / "never", seeded)
    assert not (tmp_path / "never").exists()  # nothing created for a bad reference
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="^output: ") as not_a_dir:
        packet.write_packet("DEMO-DTW-T21", blocker, seeded, pdf=False)
    assert not_a_dir.value.field == "output"  # the field, in domain terms: the CLI says --output (see below)
    with pytest.raises(InputError, match="^output: cannot create directory"):
        packet.write_packet("DEMO-DTW-T21", blocker / "sub", seeded, pdf=False)


def test_cli_packet_json_and_exit_codes(tmp_path: Path) -> None:
    env = {"RIGPORT_DATA_DIR": str(tmp_path / "data")}
    assert run_cli("demo", "--no-serve", env=env).returncode == 0
    out = tmp_path / "out"
    done = run_cli("packet", "DEMO-SFO-S21", "--output", str(out), "--no-pdf", "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["html"] == str(out / "packet-DEMO-SFO-S21.html") and result["petition_worksheet"] is True
    assert "Petition worksheet" in (out / "packet-DEMO-SFO-S21.html").read_text(encoding="utf-8")
    missing = run_cli("packet", "NOPE", "--output", str(out), env=env)
    assert missing.returncode == 2 and "shipment 'NOPE' not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    (tmp_path / "file").write_text("x")
    unwritable = run_cli("packet", "DEMO-SFO-S21", "--output", str(tmp_path / "file"), env=env)
    assert unwritable.returncode == 2 and "--output" in unwritable.stderr


@pytest.fixture
def api(seeded: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    token, _ = create_token("viewer", settings=seeded)
    yield TestClient(create_app(seeded)), {"Authorization": f"Bearer {token}"}


def test_api_packet_route(api: tuple[TestClient, dict[str, str]]) -> None:
    client, viewer = api
    response = client.get("/api/v1/shipments/DEMO-SFO-S21/packet", headers=viewer)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "Petition worksheet" in response.text and "$8,500,000.00" in response.text
    assert "No stored screening run" in response.text  # earlier renders screened without writing a run
    assert client.get("/api/v1/shipments/DEMO-SFO-S21/packet").status_code == 401
    missing = client.get("/api/v1/shipments/NOPE/packet", headers=viewer)
    assert missing.status_code == 404 and missing.json()["detail"] == "shipment 'NOPE' not found"


def test_template_ships_with_the_package() -> None:
    from importlib import resources

    assert resources.files("rigport.adapters.render").joinpath("templates/packet.html.j2").is_file()


def test_packet_marks_the_fcc_hold_clocks_and_shows_horizon_warnings(seeded: Settings) -> None:
    """19 CFR 151.16(a): the demo's FCC hold (DEMO-SFO-M60S, detained) shows its 151.16 clocks as MAY NOT APPLY,
    never OVERDUE; the cost figures rest on the bundled snapshot of 2025-02-15, so the packet says it is stale."""
    html = packet.render_packet_html("DEMO-SFO-M60S", seeded)
    assert "MAY NOT APPLY: other agency's hold, 19 CFR 151.16(a)" in html
    assert "(OVERDUE)" not in html
    assert "the 19 CFR 151.16 clocks may not apply (151.16(a))" in html
    assert "Data past its horizon: network snapshot of 2025-02-15" in html
