"""The entry packet as a document: HTML from the Jinja2 template, and PDF printed by a headless Chromium.

`services.packet` gathers what the packet says; this module only lays it out and writes the files.
The template (`templates/packet.html.j2`) ships with the package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

# Browsers that can print HTML to PDF headless, tried in order (Debian ships /usr/bin/chromium).
PDF_BROWSERS: Sequence[str] = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 90
CENT = Decimal("0.01")


def _money(value: Decimal | float | int | None) -> str:
    if value is None:
        return "-"
    return f"${Decimal(str(value)).quantize(CENT, ROUND_HALF_UP):,.2f}"


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("rigport.adapters.render", "templates"),
        autoescape=select_autoescape(("html", "j2"), default=True),  # names and notes are user data
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["pct"] = lambda r: f"{(Decimal(str(r)) * 100).normalize():f}%"
    return env


def render_html(data: Mapping[str, Any]) -> str:
    return str(_environment().get_template("packet.html.j2").render(**data))


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a packet."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a packet is meant to be shared and printed
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_pdf_browser() -> str | None:
    for name in PDF_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html_path: Path, pdf_path: Path) -> str | None:
    """Print the HTML with a headless Chromium; return None on success or the reason there is no PDF."""
    browser = find_pdf_browser()
    if browser is None:
        return f"no PDF written: no headless browser found (tried {', '.join(PDF_BROWSERS)}); print the HTML instead"
    with tempfile.TemporaryDirectory(prefix="rigport-pdf-") as profile:
        tmp_pdf = Path(profile) / "packet.pdf"
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={profile}", f"--print-to-pdf={tmp_pdf}", html_path.resolve().as_uri()]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"no PDF written: {Path(browser).name} failed ({type(exc).__name__}); print the HTML instead"
        if not tmp_pdf.exists() or not tmp_pdf.read_bytes().startswith(b"%PDF"):
            return f"no PDF written: {Path(browser).name} produced no PDF; print the HTML instead"
        atomic_write(pdf_path, tmp_pdf.read_bytes())
    return None
