"""Hold-risk assessment: factors with configured weights, an evidence checklist, the expected cost.

Probability = logistic(logit(base) + sum of the weights of the factors present). Each factor says
why it counts (with its citation); weights live in rigport/data/risk_weights.toml.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

EVIDENCE = {
    "commercial_invoice": ("Commercial invoice", "19 CFR 141.86", "Get the seller's commercial invoice for the entry."),
    "packing_list": (
        "Packing list with serial numbers",
        "19 CFR 141.86(e)",
        "Ask the seller for a packing list with serials.",
    ),
    "fcc_sdoc": (
        "FCC Supplier's Declaration of Conformity",
        "47 CFR 2.906; 2.1204",
        "Have the responsible party issue an SDoC for the model (Part 15 Class A).",
    ),
    "compliance_statement": (
        "Compliance information statement",
        "47 CFR 2.1077",
        "Ship the compliance statement (product id, compliance text, US party contact).",
    ),
    "us_responsible_party": (
        "US responsible party",
        "47 CFR 2.909",
        "Name a US-based responsible party (often the importer).",
    ),
    "test_report": (
        "EMC test report from a recognised lab",
        "90 FR 38045",
        "Get a test report from an FCC-recognised lab outside covered countries.",
    ),
    "certificate_of_origin": (
        "Certificate of origin",
        "19 CFR 102",
        "Document the country of origin (where the hash boards were made).",
    ),
}


@dataclass(frozen=True)
class LineFacts:
    model_id: str | None
    family: str
    maker: str
    model_origin: str  # where the catalog says the model is made
    declared_origin: str
    sophgo_content: str  # yes | no | unknown (catalog, or the line's chip supplier)
    chip_supplier: str
    units: int
    value_usd: Decimal


@dataclass(frozen=True)
class RiskFacts:
    lines: list[LineFacts]
    documents: dict[str, str]  # kind -> lab name (for test reports) or ""
    us_responsible_party: bool
    restricted_hits: list[str] = field(default_factory=list)  # chip suppliers / parties on restricted lists
    party_hits: list[str] = field(default_factory=list)
    prior_holds: int = 0
    prior_shipments: int = 0


@dataclass(frozen=True)
class Factor:
    code: str
    weight: float
    reason: str
    detail: str


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def factors(facts: RiskFacts, config: Mapping[str, Any]) -> list[Factor]:
    cfg = config["factors"]
    found: list[Factor] = []

    def add(code: str, detail: str) -> None:
        found.append(Factor(code, float(cfg[code]["weight"]), str(cfg[code]["reason"]), detail))

    if facts.restricted_hits:
        add("restricted_chip_supplier", ", ".join(sorted(set(facts.restricted_hits))))
    elif any(line.sophgo_content == "unknown" for line in facts.lines):
        add(
            "sophgo_content_unknown",
            ", ".join(sorted({ln.model_id or "?" for ln in facts.lines if ln.sophgo_content == "unknown"})),
        )
    first = [
        ln.model_id or ln.family for ln in facts.lines if ln.family in cfg["enforcement_family_first_wave"]["families"]
    ]
    if first:
        add("enforcement_family_first_wave", ", ".join(sorted(set(first))))
    second = [
        ln.model_id or ln.maker for ln in facts.lines if ln.maker in cfg["enforcement_family_second_wave"]["makers"]
    ]
    if second:
        add("enforcement_family_second_wave", ", ".join(sorted(set(second))))
    if "fcc_sdoc" not in facts.documents:
        add("missing_sdoc", "no fcc_sdoc document")
    if "compliance_statement" not in facts.documents:
        add("missing_compliance_statement", "no compliance_statement document")
    if not facts.us_responsible_party:
        add("no_us_responsible_party", "no importer/consignee party in the US")
    weak = _weak_lab(facts.documents.get("test_report"), config)
    if weak:
        add("weak_test_report", weak)
    shipped = [
        f"{ln.model_id}: declared {ln.declared_origin}, made in {ln.model_origin}"
        for ln in facts.lines
        if ln.model_origin == "CN" and ln.declared_origin not in ("CN", "")
    ]
    if shipped:
        add("transshipment_signal", "; ".join(shipped))
    if facts.party_hits:
        add("party_screening_hit", ", ".join(sorted(set(facts.party_hits))))
    if facts.prior_holds:
        add("prior_holds", f"{facts.prior_holds} of {facts.prior_shipments} comparable shipments held")
    return found


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, so punctuation and spacing never hide a lab's name."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _weak_lab(lab: str | None, config: Mapping[str, Any]) -> str | None:
    if lab is None:
        return None
    for name in config.get("withdrawn_labs", []):
        if lab and _words(str(name)).strip() and _words(str(name)) in _words(lab):
            return f"lab {lab!r} lost (or is losing) its FCC recognition: listed as {name!r}"
    covered = config.get("covered_lab_countries", [])
    if lab and any(lab.upper().endswith(f"({c})") or f" {c} " in f" {lab.upper()} " for c in covered):
        return f"lab {lab!r} is in a covered country: check its recognition status"
    return None


def checklist(facts: RiskFacts, config: Mapping[str, Any]) -> list[dict[str, str]]:
    items = []
    for code, (label, citation, action) in EVIDENCE.items():
        if code == "us_responsible_party":
            status = "present" if facts.us_responsible_party else "missing"
        elif code == "test_report":
            status = (
                "missing"
                if code not in facts.documents
                else ("weak" if _weak_lab(facts.documents[code], config) else "present")
            )
        else:
            status = "present" if code in facts.documents else "missing"
        items.append(
            {
                "item": code,
                "label": label,
                "status": status,
                "citation": citation,
                "action": "" if status == "present" else action,
            }
        )
    return items


def assess(
    facts: RiskFacts,
    config: Mapping[str, Any],
    cost_per_day_usd: Decimal,
    storage_per_day_usd: Decimal,
    value_usd: Decimal,
) -> dict[str, Any]:
    """Probability, level, reasons, checklist and the expected cost of a hold."""
    found = factors(facts, config)
    base = float(config["base_probability"])
    probability = round(1 / (1 + math.exp(-(_logit(base) + sum(f.weight for f in found)))), 4)
    level = "high" if probability >= 0.5 else "medium" if probability >= 0.2 else "low"
    days = Decimal(str(config["hold_days_mean"]))
    bond = min(Decimal(5000), max(Decimal(250), value_usd * Decimal("0.10")))
    cost_if_held = days * (cost_per_day_usd + storage_per_day_usd) + Decimal(str(config["petition_cost_usd"])) + bond
    observed = (facts.prior_holds / facts.prior_shipments) if facts.prior_shipments >= 5 else None
    return {
        "probability": round(probability, 4),
        "level": level,
        "base_probability": base,
        "observed_hold_rate": round(observed, 4) if observed is not None else None,
        "factors": [{"code": f.code, "weight": f.weight, "reason": f.reason, "detail": f.detail} for f in found],
        "evidence": checklist(facts, config),
        "cost_if_held_usd": cost_if_held.quantize(Decimal("0.01"), ROUND_HALF_UP),
        "expected_hold_cost_usd": (cost_if_held * Decimal(str(probability))).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "assumptions": {
            "hold_days_mean": float(days),
            "petition_cost_usd": config["petition_cost_usd"],
            "bond_usd": bond,
        },
    }
