"""How far each bundled fact reaches: its as-of date, horizon, source and age, and the warnings a result
carries when it leans on a fact past its horizon.

Every dated table knows the last date its source was read (`verified_through`); the network snapshot and a
catalog price are pictures of one day, so they go stale with age instead (older than STALE_AFTER_DAYS).
`rigport data status` and `GET /api/v1/data` list them all, the way `lists status` does for screening lists.
"""

from __future__ import annotations

import datetime as dt
from typing import NotRequired

from typing_extensions import TypedDict  # pydantic reads TypedDicts for the API schemas only from here on 3.11

from rigport.domain.catalog.models import AsicModel
from rigport.domain.chain.snapshot import NetworkSnapshot
from rigport.settings import Settings, get_settings

STALE_AFTER_DAYS = 30
# A warning names the inputs that would avoid it by field, in parentheses: "(unit_price_usd)". The API shows that
# as is; the CLI says its flags instead (`entrypoints/cli/errors.py`, `worded_warning`).
REFRESH_HINT = "refresh it with `rigport network refresh` (or give difficulty, price_usd and fees_btc_per_block)"
PRICE_HINT = "give the price you pay (unit_price_usd)"


def snapshot_warnings(snap: NetworkSnapshot, today: dt.date | None = None) -> list[str]:
    """Why figures built on the network snapshot may be off: it is older than STALE_AFTER_DAYS."""
    today = today or dt.date.today()
    age = (today - snap.as_of).days
    if age <= STALE_AFTER_DAYS:
        return []
    return [
        f"network snapshot of {snap.as_of} is {age} days old (more than {STALE_AFTER_DAYS}): difficulty, BTC price "
        f"and fees behind revenue, hashprice, hold cost and payback are from that day; {REFRESH_HINT}"
    ]


def price_warnings(model: AsicModel, today: dt.date | None = None) -> list[str]:
    """Why a payback built on the catalog's reference price may be off: the price is older than the limit."""
    today = today or dt.date.today()
    if model.reference_price_usd is None or model.reference_price_date is None:
        return []
    age = (today - model.reference_price_date).days
    if age <= STALE_AFTER_DAYS:
        return []
    return [
        f"catalog price of {model.id} (${model.reference_price_usd:,}) is from {model.reference_price_date}, "
        f"{age} days ago: {PRICE_HINT}"
    ]


class Dataset(TypedDict):
    """One bundled (or user-replaced) dataset: its as-of date, how far it was verified, its source and age."""

    dataset: str
    as_of: dt.date | None
    verified_through: dt.date | None
    source: str
    age_days: int | None
    stale: bool
    note: str
    rows: NotRequired[int]  # rows or entries, for the tables and lists


class DataStatus(TypedDict):
    as_of: dt.date
    stale_after_days: int
    datasets: list[Dataset]
    warnings: list[str]


def _dataset(name: str, as_of: dt.date | None, horizon: dt.date | None, source: str, today: dt.date,
             stale: bool, note: str = "", rows: int | None = None) -> Dataset:  # fmt: skip
    out: Dataset = {
        "dataset": name,
        "as_of": as_of,
        "verified_through": horizon,
        "source": source,
        "age_days": (today - as_of).days if as_of else None,
        "stale": stale,
        "note": note,
    }
    if rows is not None:
        out["rows"] = rows
    return out


def _tariffs(settings: Settings, today: dt.date) -> Dataset:
    from rigport.domain.customs.tariffs import horizon, rate_table

    rows = rate_table()
    short = sorted({(r.code, r.verified_through) for r in rows if r.verified_through < horizon() and r.end is None})
    note = "; ".join(f"{code} rows verified through {day} only" for code, day in short)
    source = (f"your file {settings.tariff_file} (RIGPORT_TARIFF_FILE)" if settings.tariff_file else
              "rigport/data/tariffs.csv: Federal Register, CBP CSMS, HTSUS, CBP rulings (public source on every row)")
    return _dataset("tariffs", horizon(), horizon(), source, today, today > horizon(), note,
                    rows=len(rows))  # fmt: skip


def _clocks(settings: Settings, today: dt.date) -> Dataset:
    from rigport.domain.customs.clocks import horizon, rules

    source = (f"your file {settings.clock_file} (RIGPORT_CLOCK_FILE)" if settings.clock_file else
              "rigport/data/clocks.csv: 19 USC, 19 CFR (eCFR), 28 USC (public source on every row)")
    return _dataset("clocks", horizon(), horizon(), source, today, today > horizon(), rows=len(rules()))


def _catalog(settings: Settings, today: dt.date) -> Dataset:
    from rigport.services.catalog import get_catalog, user_catalog_path

    models = get_catalog(settings).all()
    dates = [m.reference_price_date for m in models if m.reference_price_date is not None]
    newest = max(dates) if dates else None
    user = user_catalog_path(settings)
    return _dataset(
        "catalog_prices", newest, newest,
        f"reference prices in {'rigport/data/catalog.csv' if user is None else user} (source on every row)",
        today, newest is None or (today - newest).days > STALE_AFTER_DAYS,
        f"{len(dates)} of {len(models)} models have a dated reference price",
        rows=len(models),
    )  # fmt: skip


def _snapshot(settings: Settings, today: dt.date) -> Dataset:
    from rigport.services.network import current_snapshot

    snap = current_snapshot(settings)
    return _dataset("network_snapshot", snap.as_of, snap.as_of, snap.source, today,
                    (today - snap.as_of).days > STALE_AFTER_DAYS, REFRESH_HINT)  # fmt: skip


def _lists(settings: Settings, today: dt.date) -> list[Dataset]:
    from rigport.services.screening import list_status

    out = []
    for v in list_status(settings, today)["lists"]:
        as_of = v["as_of"] if isinstance(v["as_of"], dt.date) else dt.date.fromisoformat(str(v["as_of"]))
        out.append(_dataset(f"list:{v['list']}", as_of, as_of, str(v["source"]), today, bool(v["warning"]),
                            str(v["date_note"] or ""), rows=v["entries"]))  # fmt: skip
    return out


def data_status(settings: Settings | None = None, today: dt.date | None = None) -> DataStatus:
    """Every bundled (or user-replaced) dataset with its as-of date, horizon, source and age.

    `{"as_of": today, "stale_after_days", "datasets": [...], "warnings": [...]}`; a dataset is `stale` when today is
    past its horizon (tables) or it is older than STALE_AFTER_DAYS (snapshot, prices, lists).
    """
    settings = settings or get_settings()
    today = today or dt.date.today()
    datasets = [_tariffs(settings, today), _clocks(settings, today), _catalog(settings, today),
                _snapshot(settings, today), *_lists(settings, today)]  # fmt: skip
    warnings = [
        f"{d['dataset']}: as of {d['as_of']}, {d['age_days']} days old" + (f" ({d['note']})" if d["note"] else "")
        for d in datasets
        if d["stale"]
    ]
    return {"as_of": today, "stale_after_days": STALE_AFTER_DAYS, "datasets": datasets, "warnings": warnings}
