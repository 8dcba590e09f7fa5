"""The catalog domain: ASIC models and lookups with helpful errors."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

from rigport.errors import InputError, NotFoundError

COLUMNS = (
    "id", "maker", "model", "family", "hashrate_th", "power_w", "chip", "chip_supplier", "sophgo_content",
    "origin", "release_date", "reference_price_usd", "reference_price_date", "source",
)  # fmt: skip
REQUIRED = ("id", "maker", "model", "hashrate_th", "power_w", "source")
SOPHGO_VALUES = ("yes", "no", "unknown")


@dataclass(frozen=True)
class AsicModel:
    """One miner model as sold; specs are the maker's nameplate figures, with where they come from."""

    id: str
    maker: str
    model: str
    family: str
    hashrate_th: float
    power_w: float
    chip: str
    chip_supplier: str
    sophgo_content: str
    origin: str
    release_date: dt.date | None
    reference_price_usd: Decimal | None
    reference_price_date: dt.date | None
    source: str

    @property
    def efficiency_j_th(self) -> float:
        """Joules per terahash: watts divided by TH/s."""
        return self.power_w / self.hashrate_th

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "maker": self.maker,
            "model": self.model,
            "family": self.family,
            "hashrate_th": self.hashrate_th,
            "power_w": self.power_w,
            "efficiency_j_th": round(self.efficiency_j_th, 2),
            "chip": self.chip,
            "chip_supplier": self.chip_supplier,
            "sophgo_content": self.sophgo_content,
            "origin": self.origin,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "reference_price_usd": float(self.reference_price_usd) if self.reference_price_usd is not None else None,
            "reference_price_date": self.reference_price_date.isoformat() if self.reference_price_date else None,
            "source": self.source,
        }


class Catalog:
    """An immutable set of models keyed by id."""

    def __init__(self, models: Iterable[AsicModel]) -> None:
        self._models = {m.id: m for m in models}

    def all(self) -> list[AsicModel]:
        return sorted(self._models.values(), key=lambda m: (m.maker, m.model))

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and model_id.lower() in self._models

    def get(self, model_id: str) -> AsicModel:
        """Look a model up by id (case-insensitive); unknown ids name the closest matches."""
        key = model_id.strip().lower()
        if key in self._models:
            return self._models[key]
        close = difflib.get_close_matches(key, list(self._models), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known models: {', '.join(sorted(self._models))}"
        raise NotFoundError(f"unknown model {model_id!r}{hint}")

    def with_overrides(self, models: Iterable[AsicModel]) -> Catalog:
        """User models replace bundled ones with the same id and add the rest."""
        merged = dict(self._models)
        merged.update({m.id: m for m in models})
        return Catalog(merged.values())


def _field(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _number(where: str, name: str, text: str, *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}, column {name}: expected a number, got {text!r}") from None
    if positive and not value > 0:
        raise InputError(f"{where}, column {name}: expected a number greater than 0, got {text!r}")
    return value


def _date(where: str, name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}, column {name}: expected a date YYYY-MM-DD, got {text!r}") from None


def model_from_row(row: Mapping[str, Any], where: str) -> AsicModel:
    """Validate one row; every problem names the row and column."""
    for name in REQUIRED:
        if not _field(row, name):
            raise InputError(f"{where}, column {name}: expected a value, got nothing")
    price_text = _field(row, "reference_price_usd")
    try:
        price = Decimal(price_text) if price_text else None
    except InvalidOperation:
        raise InputError(f"{where}, column reference_price_usd: expected a USD amount, got {price_text!r}") from None
    sophgo = _field(row, "sophgo_content").lower() or "unknown"
    if sophgo not in SOPHGO_VALUES:
        raise InputError(f"{where}, column sophgo_content: expected one of yes/no/unknown, got {sophgo!r}")
    origin = _field(row, "origin").upper()
    if origin and (len(origin) != 2 or not origin.isalpha()):
        raise InputError(f"{where}, column origin: expected a 2-letter country code such as CN, got {origin!r}")
    return AsicModel(
        id=_field(row, "id").lower(),
        maker=_field(row, "maker"),
        model=_field(row, "model"),
        family=_field(row, "family"),
        hashrate_th=_number(where, "hashrate_th", _field(row, "hashrate_th"), positive=True),
        power_w=_number(where, "power_w", _field(row, "power_w"), positive=True),
        chip=_field(row, "chip"),
        chip_supplier=_field(row, "chip_supplier"),
        sophgo_content=sophgo,
        origin=origin,
        release_date=_date(where, "release_date", _field(row, "release_date")),
        reference_price_usd=price,
        reference_price_date=_date(where, "reference_price_date", _field(row, "reference_price_date")),
        source=_field(row, "source"),
    )


def parse_catalog_csv(text: str, origin: str) -> list[AsicModel]:
    """Models from CSV text with the catalog's header; the header row is row 1."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{origin}: missing header column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    return _unique([model_from_row(row, f"{origin}: row {n}") for n, row in enumerate(reader, start=2)], origin)


def parse_catalog_toml(text: str, origin: str) -> list[AsicModel]:
    """Models from TOML: one [[model]] table per model with the catalog's column names as keys."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{origin}: not valid TOML ({exc})") from None
    tables = data.get("model")
    if not isinstance(tables, list):
        raise InputError(f"{origin}: expected [[model]] tables")
    return _unique([model_from_row(t, f"{origin}: model {n}") for n, t in enumerate(tables, start=1)], origin)


def _unique(models: list[AsicModel], origin: str) -> list[AsicModel]:
    seen: set[str] = set()
    for m in models:
        if m.id in seen:
            raise InputError(f"{origin}: model id {m.id!r} appears twice")
        seen.add(m.id)
    return models


@lru_cache(maxsize=1)
def load_bundled() -> Catalog:
    """Parsed once per process: the bundled file cannot change while it runs, and Catalog is immutable."""
    text = resources.files("rigport.data").joinpath("catalog.csv").read_text(encoding="utf-8")
    return Catalog(parse_catalog_csv(text, "bundled catalog.csv"))


def override(model: AsicModel, **changes: Any) -> AsicModel:
    """A copy with some fields changed (e.g. a line item's own Sophgo content)."""
    return replace(model, **changes)
