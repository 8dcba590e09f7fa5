"""The charts of a simulation report as a file: a self-contained HTML page (works offline) or a PNG."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rigport.errors import InputError


def check_plot_path(path: Path) -> str:
    """The plot format from the file name (.html or .png); PNG also needs kaleido installed."""
    import importlib.util

    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".png"):
        raise InputError(f"expected a .html or .png file, got {path.name}", field="plot")
    if suffix == ".png" and importlib.util.find_spec("kaleido") is None:
        raise InputError(f"{path.name}: {PNG_HINT}; kaleido is not installed (or use a .html file)", field="plot")
    return suffix


def write_plot(report: Mapping[str, Any], path: Path) -> Path:
    """NPV histogram and price/difficulty fan charts: a self-contained HTML page (works offline) or a PNG."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]
    from plotly.subplots import make_subplots  # type: ignore[import-untyped]

    suffix = check_plot_path(path)
    fig = make_subplots(rows=1, cols=3, subplot_titles=("NPV (USD)", "BTC price fan (USD)", "Difficulty fan"))
    hist = report["npv_histogram"]
    centers = [(a + b) / 2 for a, b in zip(hist["edges"][:-1], hist["edges"][1:], strict=True)]
    fig.add_trace(go.Bar(x=centers, y=hist["counts"], name="NPV paths"), row=1, col=1)
    for col, key in ((2, "price_usd"), (3, "difficulty")):
        fan = report["fan_chart"][key]
        days = list(range(len(fan["p50"])))
        fig.add_trace(go.Scatter(x=days, y=fan["p95"], line={"width": 0}, showlegend=False), row=1, col=col)
        fig.add_trace(go.Scatter(x=days, y=fan["p5"], fill="tonexty", line={"width": 0}, name=f"{key} P5-P95"),
                      row=1, col=col)  # fmt: skip
        fig.add_trace(go.Scatter(x=days, y=fan["p50"], name=f"{key} P50"), row=1, col=col)
    fig.update_layout(
        title=f"rigport simulation: {report['paths']:,} paths x {report['days']} days, seed {report['seed']}"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {path.parent} ({exc.strerror or exc})", field="plot") from None
    if suffix == ".png":
        _write_png(fig, path)
    else:
        fig.write_html(str(path), include_plotlyjs=True)
    return path


PNG_HINT = "PNG export needs the kaleido package and a Chrome/Chromium browser (Debian: apt install chromium)"


def _write_png(fig: Any, path: Path) -> None:
    """Static PNG through kaleido (>= 1 drives a local Chromium); a clear exit-2 error when it cannot."""
    tmp = path.with_name(f".{path.name}.tmp.png")
    try:
        fig.write_image(str(tmp), format="png", width=1500, height=500)
        if not tmp.read_bytes().startswith(b"\x89PNG"):
            raise InputError(f"{path.name}: the PNG export produced no image; {PNG_HINT}", field="plot")
        tmp.replace(path)
    except InputError:
        raise
    except Exception as exc:  # kaleido/choreographer raise their own types when no browser can be started
        raise InputError(f"{path.name}: {PNG_HINT} ({type(exc).__name__}: {exc})", field="plot") from None
    finally:
        tmp.unlink(missing_ok=True)


# ---- hold length and probability fitted to the user's own records ----
