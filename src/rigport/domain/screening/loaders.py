"""Parsers for the list formats rigport screens against.

Every loader takes the bytes it was handed (never opens a file itself), validates every row and
either returns a complete ScreeningList or raises InputError naming the file and line: a list is
never half-loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from rigport.domain.screening.model import Alias, EntryKind, ListEntry, ListVersion, ScreeningList
from rigport.errors import InputError

OFAC_NULL = "-0-"
CSL_COLUMNS = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement",
    "license_policy", "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage",
    "vessel_flag", "vessel_owner", "remarks", "source_list_url", "alt_names", "citizenships",
    "dates_of_birth", "nationalities", "places_of_birth", "source_information_url", "ids",
)  # fmt: skip


def sha256_of(*blobs: bytes) -> str:
    h = hashlib.sha256()
    for blob in blobs:
        h.update(blob)
    return h.hexdigest()


def _decode(data: bytes, label: str) -> str:
    """Official files are UTF-8 today; the legacy OFAC files are Latin-1 compatible."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{label}: truncated or corrupt gzip data ({exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.rstrip("\x1a\r\n ")


def _rows(text: str, label: str, width: int | None) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if width is not None and len(row) != width:
                raise InputError(f"{label}, line {line}: expected {width} columns, found {len(row)}")
            yield line, row
    except csv.Error as exc:
        raise InputError(f"{label}, line {reader.line_num}: malformed CSV ({exc})") from None


def _ofac(value: str) -> str:
    value = value.strip()
    return "" if value == OFAC_NULL else value


def _ent_num(value: str, label: str, line: int) -> str:
    value = value.strip()
    if not value.isdigit():
        raise InputError(f"{label}, line {line}: ent_num must be a whole number, got {value!r}")
    return value


_OFAC_KIND: dict[str, EntryKind] = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "org"}

# In the legacy files OFAC prints its "weak" aliases ("relatively broad or generic", OFAC FAQ 122; their place
# differs per file format, FAQ 123: https://ofac.treasury.gov/faqs/122 and /123, read 2026-12-07) in the Remarks
# field, each in single quotes after a.k.a., f.k.a. or n.k.a.; alt.csv carries the other aliases (none of the
# 2,438 remark aliases of the mid-2021 set in tests/data/ofac-2021 is repeated in its alt.csv). A name may itself
# hold apostrophes ('SHA'BI', 'ABU AL-WAFA''), so an alias ends at the first quote followed by the separator that
# closes a remark (`;`, `.`, `,` or `)`) or by the end of the field.
_REMARK_ALIAS = re.compile(r"\b([afn])\.k\.a\.\s*'", re.IGNORECASE)
_REMARK_ALIAS_END = re.compile(r"'(?=\s*(?:[;.,)]|$))")
# Countries the remarks state for the party itself: "nationality Russia", "alt. citizen Mexico", and for a
# vessel or an aircraft "Nationality of Registration Korea, North". A POB or an ID's issuing country is not
# the party's country and is left out; "nationality possibly Palestinian" (a guess) is left out too.
_REMARK_COUNTRY = re.compile(r"^(?:alt\.\s+)?(?:nationality of registration|nationality|citizen)\s+([A-Z].*)$", re.I)


def remark_aliases(remarks: str) -> list[Alias]:
    """The a.k.a./f.k.a./n.k.a. names quoted in an SDN Remarks field, all weak, in printed order.

    An alias cut off by the 1,000-character limit of the legacy Remarks field (no closing quote) is left out: a
    truncated name is not a name the party uses.
    """
    out: list[Alias] = []
    for m in _REMARK_ALIAS.finditer(remarks):
        end = _REMARK_ALIAS_END.search(remarks, m.end() + 1)
        if end is None:
            continue
        name = remarks[m.end() : end.start()].strip()
        if len(name) >= 2 and name[0] == name[-1] == "'":  # ''FUPI'': the quotes doubled around the name
            name = name[1:-1].strip()
        if name:
            out.append(Alias(name, f"{m.group(1).lower()}ka", weak=True))
    return out


def remark_countries(remarks: str) -> list[str]:
    """Nationality, citizenship and registration countries stated in an SDN Remarks field, as printed."""
    out: list[str] = []
    for part in remarks.split(";"):
        m = _REMARK_COUNTRY.match(part.strip().rstrip("."))
        if m is None:
            continue
        country = m.group(1).strip()
        if ":" not in country and not country.lower().startswith("possibly") and country not in out:
            out.append(country)
    return out


def _alias_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _merge_aliases(name: str, listed: Iterable[Alias], remarks: Iterable[Alias]) -> tuple[Alias, ...]:
    """alt.csv aliases first, then the remarks' weak ones that neither repeat the name nor an alias."""
    seen = {_alias_key(name)}
    out: list[Alias] = []
    for alias in (*listed, *remarks):
        key = _alias_key(alias.name)
        if key not in seen:
            seen.add(key)
            out.append(alias)
    return tuple(out)


def load_ofac(
    sdn: bytes,
    add: bytes | None = None,
    alt: bytes | None = None,
    *,
    labels: tuple[str, str, str] = ("sdn.csv", "add.csv", "alt.csv"),
    source: str = "https://www.treasury.gov/ofac/downloads/sdn.csv",
    published: dt.date | None = None,
    loaded: dt.date | None = None,
    date_note: str = "",
) -> ScreeningList:
    """OFAC SDN legacy CSV: sdn.csv joined with add.csv (countries) and alt.csv (aliases) by ent_num.

    The weak aliases and the nationalities printed in sdn.csv's Remarks are always read, so sdn.csv alone (OFAC
    publishes no dated add/alt next to an archived sdn.csv) still gives every name OFAC prints for an entry.
    """
    sdn_label, add_label, alt_label = labels
    countries: dict[str, list[str]] = {}
    if add is not None:
        for line, row in _rows(_decode(add, add_label), add_label, 6):
            ent = _ent_num(row[0], add_label, line)
            country = _ofac(row[4])
            if country and country not in countries.setdefault(ent, []):
                countries[ent].append(country)
    aliases: dict[str, list[Alias]] = {}
    if alt is not None:
        for line, row in _rows(_decode(alt, alt_label), alt_label, 5):
            ent = _ent_num(row[0], alt_label, line)
            name = _ofac(row[3])
            if not name:
                raise InputError(f"{alt_label}, line {line}: alt_name is empty")
            remarks = _ofac(row[4]).lower()
            aliases.setdefault(ent, []).append(Alias(name, _ofac(row[2]).lower() or "aka", weak="weak" in remarks))
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for line, row in _rows(_decode(sdn, sdn_label), sdn_label, 12):
        ent = _ent_num(row[0], sdn_label, line)
        name = _ofac(row[1])
        if not name:
            raise InputError(f"{sdn_label}, line {line}: SDN_Name is empty")
        if ent in seen:
            raise InputError(f"{sdn_label}, line {line}: ent_num {ent} appears twice")
        seen.add(ent)
        sdn_type = _ofac(row[2]).lower()
        if sdn_type not in _OFAC_KIND:
            raise InputError(
                f"{sdn_label}, line {line}: SDN_Type must be individual, vessel, aircraft or -0-, got {row[2]!r}"
            )
        programs = tuple(p.strip(" []") for p in _ofac(row[3]).split("] [") if p.strip(" []"))
        remarks = _ofac(row[11])
        entry_countries = list(countries.get(ent, ()))
        entry_countries += [c for c in remark_countries(remarks) if c not in entry_countries]
        entries.append(
            ListEntry(
                list_id="ofac-sdn",
                entry_id=ent,
                name=name,
                kind=_OFAC_KIND[sdn_type],
                aliases=_merge_aliases(name, aliases.get(ent, ()), remark_aliases(remarks)),
                programs=programs,
                source_list="Specially Designated Nationals (SDN) - Treasury Department",
                countries=tuple(entry_countries),
                remarks=remarks,
                source_url=source,
            )
        )
    if not entries:
        raise InputError(f"{sdn_label}: no SDN records found")
    blobs = [sdn, *(b for b in (add, alt) if b is not None)]
    version = ListVersion(
        list_id="ofac-sdn",
        title="OFAC Specially Designated Nationals (legacy CSV)",
        source=source,
        sha256=sha256_of(*blobs),
        published=published,
        loaded=loaded or dt.date.today(),
        entries=len(entries),
        names=sum(1 + len(e.aliases) for e in entries),
        counts=dict(Counter(e.kind or "org" for e in entries)),
        date_note=date_note,
    )
    return ScreeningList(version, tuple(entries))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


_CSL_KIND: dict[str, EntryKind] = {
    "individual": "person",
    "entity": "org",
    "vessel": "vessel",
    "aircraft": "aircraft",
    "": "",
}


def _csl_entry(record: Mapping[str, Any], label: str, line: int, source: str) -> ListEntry:
    def text(key: str) -> str:
        value = record.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return str(value).strip()

    name = text("name")
    if not name:
        raise InputError(f"{label}, line {line}: name is empty")
    kind_text = text("type").lower()
    if kind_text not in _CSL_KIND:
        raise InputError(
            f"{label}, line {line}: type must be Individual, Entity, Vessel or Aircraft, got {kind_text!r}"
        )
    alt_names = record.get("alt_names")
    alts = (
        tuple(str(a).strip() for a in alt_names if str(a).strip())
        if isinstance(alt_names, list)
        else _split(text("alt_names"))
    )
    countries: list[str] = []
    for key in ("nationalities", "citizenships"):
        for c in _split(text(key)):
            if c not in countries:
                countries.append(c)
    addresses = record.get("addresses")
    if isinstance(addresses, list):
        for a in addresses:
            c = str(a.get("country", "")).strip() if isinstance(a, dict) else ""
            if c and c not in countries:
                countries.append(c)
    else:
        for a in _split(text("addresses")):
            c = a.rsplit(",", 1)[-1].strip()
            if len(c) == 2 and c.isalpha() and c.isupper() and c not in countries:
                countries.append(c)
    source_list = text("source")
    list_id = "csl"
    return ListEntry(
        list_id=list_id,
        entry_id=text("_id") or text("id") or text("entity_number"),
        name=name,
        kind=_CSL_KIND[kind_text],
        aliases=tuple(Alias(a, "aka", weak=False) for a in alts),
        programs=_split(text("programs")),
        source_list=source_list,
        countries=tuple(countries),
        federal_register_notice=text("federal_register_notice"),
        license_requirement=text("license_requirement"),
        license_policy=text("license_policy"),
        start_date=text("start_date"),
        remarks=text("remarks"),
        source_url=text("source_list_url") or source,
    )


def _csl_version(
    entries: list[ListEntry], blob: bytes, source: str, published: dt.date | None, loaded: dt.date | None, note: str
) -> ListVersion:
    if published is None:
        starts = [e.start_date[:10] for e in entries if len(e.start_date) >= 10]
        dates = []
        for s in starts:
            try:
                dates.append(dt.date.fromisoformat(s))
            except ValueError:
                continue
        loaded_day = loaded or dt.date.today()
        past = [d for d in dates if d <= loaded_day]
        if past:
            published = max(past)
            note = note or "as of the latest start_date in the file"
    return ListVersion(
        list_id="csl",
        title="Consolidated Screening List (trade.gov)",
        source=source,
        sha256=sha256_of(blob),
        published=published,
        loaded=loaded or dt.date.today(),
        entries=len(entries),
        names=sum(1 + len(e.aliases) for e in entries),
        counts=dict(Counter(_short_source(e.source_list) for e in entries)),
        date_note=note,
    )


def _short_source(source: str) -> str:
    return source.split(" - ")[0].strip() or "unknown"


def load_csl_csv(
    data: bytes,
    *,
    label: str = "consolidated.csv",
    source: str = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
    published: dt.date | None = None,
    loaded: dt.date | None = None,
    date_note: str = "",
) -> ScreeningList:
    """trade.gov CSL CSV: a header row of 29 columns, `;`-separated multi-values."""
    text = _decode(data, label)
    rows = iter(_rows(text, label, None))
    try:
        _, header = next(rows)
    except StopIteration:
        raise InputError(f"{label}: empty file, expected a CSV header with {len(CSL_COLUMNS)} columns") from None
    header = [h.strip() for h in header]
    missing = [c for c in ("name", "source", "type", "alt_names") if c not in header]
    if missing:
        raise InputError(f"{label}, line 1: header lacks column(s) {', '.join(missing)}")
    entries = []
    for line, row in rows:
        if len(row) != len(header):
            raise InputError(f"{label}, line {line}: expected {len(header)} columns, found {len(row)}")
        entries.append(_csl_entry(dict(zip(header, row, strict=True)), label, line, source))
    if not entries:
        raise InputError(f"{label}: no entries found")
    return ScreeningList(_csl_version(entries, data, source, published, loaded, date_note), tuple(entries))


def load_csl_json(
    data: bytes,
    *,
    label: str = "consolidated.json",
    source: str = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json",
    published: dt.date | None = None,
    loaded: dt.date | None = None,
    date_note: str = "",
) -> ScreeningList:
    """trade.gov CSL JSON: {"results": [...]} (or a bare list) with list-valued alt_names/addresses."""
    try:
        doc = json.loads(_decode(data, label))
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}, line {exc.lineno}: invalid JSON ({exc.msg})") from None
    records = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise InputError(f"{label}: expected a list of results")
    entries = []
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InputError(f"{label}, result {i}: expected an object")
        entries.append(_csl_entry(record, label, i, source))
    if not entries:
        raise InputError(f"{label}: no entries found")
    return ScreeningList(_csl_version(entries, data, source, published, loaded, date_note), tuple(entries))


_USER_KINDS = {"entity": "org", "org": "org", "component": "component", "person": "person"}


def _text_list(value: Any, label: str, where: str, field: str) -> tuple[str, ...]:
    """`a; b` or a YAML list of names; anything else (a number, true, a mapping) is the user's mistake to name."""
    if not value:
        return ()
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise InputError(f"{label}, {where}: {field} must be text or a list, got {type(value).__name__}")


def _user_record(rec: Mapping[str, Any], label: str, where: str, list_id: str, index: int) -> tuple[ListEntry, str]:
    name = str(rec.get("name") or "").strip()
    if not name:
        raise InputError(f"{label}, {where}: name is empty")
    kind = str(rec.get("kind") or "entity").strip().lower()
    if kind not in _USER_KINDS:
        raise InputError(f"{label}, {where}: kind must be entity or component, got {kind!r}")
    aliases = _text_list(rec.get("aliases"), label, where, "aliases")
    date_value = rec.get("date") or ""
    date_text = date_value.isoformat() if isinstance(date_value, dt.date) else str(date_value).strip()
    if date_text:
        try:
            dt.date.fromisoformat(date_text)
        except ValueError:
            raise InputError(f"{label}, {where}: date must be YYYY-MM-DD, got {date_text!r}") from None
    program_list = _text_list(rec.get("programs") or rec.get("program"), label, where, "programs")
    entry = ListEntry(
        list_id=list_id,
        entry_id=str(rec.get("id") or f"{list_id}-{index}").strip(),
        name=name,
        kind=_USER_KINDS[kind],  # type: ignore[arg-type]
        aliases=tuple(Alias(a) for a in aliases),
        programs=program_list,
        source_list=str(rec.get("list") or "User restricted list"),
        countries=_split(str(rec.get("country") or "")),
        federal_register_notice=str(rec.get("federal_register_notice") or rec.get("source") or "").strip(),
        license_requirement=str(rec.get("license_requirement") or "").strip(),
        start_date=date_text,
        remarks=str(rec.get("reason") or "").strip(),
        source_url=str(rec.get("source_url") or rec.get("source") or "").strip(),
    )
    return entry, date_text


def load_user_list(
    data: bytes,
    *,
    label: str,
    list_id: str = "user",
    title: str = "User restricted list",
    source: str | None = None,
    loaded: dt.date | None = None,
) -> ScreeningList:
    """The user's own list as CSV (header: name, aliases, kind, reason, source, date) or YAML (a list of mappings)."""
    text = _decode(data, label)
    records: list[tuple[str, Mapping[str, Any]]] = []
    if label.lower().endswith((".yaml", ".yml")):
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            raise InputError(f"{label}{where}: invalid YAML") from None
        items = doc.get("entries") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise InputError(f"{label}: expected a YAML list of entries (name, aliases, kind, reason, source, date)")
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise InputError(
                    f"{label}, entry {i}: expected a mapping with name, aliases, kind, reason, source, date"
                )
            records.append((f"entry {i}", item))
    else:
        rows = iter(_rows(text, label, None))
        try:
            _, header = next(rows)
        except StopIteration:
            raise InputError(
                f"{label}: empty file, expected a header with name, aliases, kind, reason, source, date"
            ) from None
        header = [h.strip().lower() for h in header]
        if "name" not in header:
            raise InputError(f"{label}, line 1: header must have a 'name' column")
        for line, row in rows:
            if len(row) != len(header):
                raise InputError(f"{label}, line {line}: expected {len(header)} columns, found {len(row)}")
            records.append((f"line {line}", dict(zip(header, row, strict=True))))
    entries, dates = [], []
    for index, (where, rec) in enumerate(records, start=1):
        entry, date_text = _user_record(rec, label, where, list_id, index)
        entries.append(entry)
        if date_text:
            dates.append(dt.date.fromisoformat(date_text))
    if not entries:
        raise InputError(f"{label}: no entries found")
    version = ListVersion(
        list_id=list_id,
        title=title,
        source=source or label,
        sha256=sha256_of(data),
        published=max(dates) if dates else None,
        loaded=loaded or dt.date.today(),
        entries=len(entries),
        names=sum(1 + len(e.aliases) for e in entries),
        counts=dict(Counter(e.kind for e in entries)),
        date_note="latest entry date" if dates else "",
    )
    return ScreeningList(version, tuple(entries))
