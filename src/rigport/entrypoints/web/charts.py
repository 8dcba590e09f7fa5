"""Plotly figures as plain JSON-able dicts (the page's vendored plotly.js draws them; no Python plotly needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

GROUP_LABELS = {
    "at_port": "At port",
    "detained": "Detained",
    "seized": "Seized",
    "released": "Released",
    "closed": "Closed (forfeited, re-exported, abandoned)",
}
GROUP_COLORS = {
    "at_port": "#4c78a8",
    "detained": "#f58518",
    "seized": "#e45756",
    "released": "#54a24b",
    "closed": "#9d9d9d",
}
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 40, "b": 50}, "height": 320, "font": {"size": 12}}


def units_by_state(history: Mapping[str, Any]) -> dict[str, Any]:
    dates = [d.isoformat() for d in history["dates"]]
    data = [
        {"type": "scatter", "mode": "lines", "stackgroup": "units", "name": GROUP_LABELS[group], "x": dates,
         "y": values, "line": {"color": GROUP_COLORS[group], "shape": "hv"}}
        for group, values in history["series"].items()
        if any(values)
    ]  # fmt: skip
    layout = {**LAYOUT, "title": {"text": "Units by state over time"}, "yaxis": {"title": {"text": "units"}}}
    return {"data": data, "layout": layout}


def cost_by_shipment(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    refs = [r["reference"] for r in rows]
    data = [
        {"type": "bar", "name": "Margin and capital forgone", "x": refs,
         "y": [float(r["cost_to_date_usd"] - r["storage_accrued_usd"]) for r in rows]},
        {"type": "bar", "name": "Storage accrued", "x": refs, "y": [float(r["storage_accrued_usd"]) for r in rows]},
    ]  # fmt: skip
    layout = {**LAYOUT, "barmode": "stack", "title": {"text": "Cost of delay to date by shipment (USD)"},
              "yaxis": {"title": {"text": "USD"}}, "xaxis": {"tickangle": -30, "automargin": True},
              "legend": {"orientation": "h", "y": 1.12}}  # fmt: skip
    return {"data": data, "layout": layout}


def npv_histogram(report: Mapping[str, Any]) -> dict[str, Any]:
    hist = report["npv_histogram"]
    centers = [(a + b) / 2 for a, b in zip(hist["edges"][:-1], hist["edges"][1:], strict=True)]
    data = [{"type": "bar", "name": "paths", "x": centers, "y": hist["counts"], "marker": {"color": "#4c78a8"}}]
    layout = {**LAYOUT, "title": {"text": "NPV distribution (USD)"}, "bargap": 0.02,
              "xaxis": {"title": {"text": "NPV USD"}}, "yaxis": {"title": {"text": "paths"}}}  # fmt: skip
    return {"data": data, "layout": layout}


def fan(report: Mapping[str, Any], key: str, title: str) -> dict[str, Any]:
    band = report["fan_chart"][key]
    days = list(range(len(band["p50"])))
    data = [
        {"type": "scatter", "x": days, "y": band["p95"], "line": {"width": 0}, "showlegend": False,
         "hoverinfo": "skip"},
        {"type": "scatter", "x": days, "y": band["p5"], "fill": "tonexty", "line": {"width": 0},
         "name": "P5-P95", "fillcolor": "rgba(76,120,168,0.25)"},
        {"type": "scatter", "x": days, "y": band["p50"], "name": "P50", "line": {"color": "#4c78a8"}},
    ]  # fmt: skip
    layout = {**LAYOUT, "title": {"text": title}, "xaxis": {"title": {"text": "day"}}}
    return {"data": data, "layout": layout}


def compare_options(result: Mapping[str, Any]) -> dict[str, Any]:
    names = [o["name"] for o in result["options"]]
    data = [
        {"type": "bar", "name": label, "x": names, "y": [o["npv_usd"][key] for o in result["options"]]}
        for key, label in (("p5", "NPV P5"), ("p50", "NPV P50"), ("p95", "NPV P95"))
    ]
    layout = {**LAYOUT, "barmode": "group", "title": {"text": "Sourcing options: NPV percentiles (USD)"}}
    return {"data": data, "layout": layout}


def data_table(figure: dict[str, Any], limit: int = 60) -> dict[str, Any]:
    """The figure's numbers as a table: what a reader without JavaScript (or with a screen reader) gets instead
    of the drawing (issue #30). One row per x value, one column per trace; for a step chart over days only the
    days something changed are kept, and at most `limit` rows (the latest ones) are shown."""
    traces = [t for t in figure["data"] if t.get("x") is not None]
    xs: list[Any] = []
    for trace in traces:
        xs.extend(x for x in trace["x"] if x not in xs)
    values = [{x: y for x, y in zip(t["x"], t["y"], strict=True)} for t in traces]
    rows: list[list[Any]] = []
    for x in xs:
        row = [v.get(x) for v in values]
        if figure["data"] and figure["data"][0].get("stackgroup") and rows and rows[-1][1:] == row:
            continue  # a step chart: unchanged since the last row
        rows.append([x, *row])
    title = figure.get("layout", {}).get("title", {}).get("text", "")
    x_title = figure.get("layout", {}).get("xaxis", {}).get("title", {}).get("text", "")
    return {"title": title, "columns": [x_title or "", *[t.get("name", "") for t in traces]],
            "rows": rows[-limit:], "cut": max(0, len(rows) - limit)}  # fmt: skip
