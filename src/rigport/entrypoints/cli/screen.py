"""`rigport screen NAME | --input FILE --output FILE`, `rigport screen compare ...`, `rigport screen review ...`.

`screen` is a group whose first word may be a name to screen: a small click Group subclass routes
anything that is not a known subcommand to the hidden default command `name`, so
`rigport screen "Huawei"` and `rigport screen compare A B` both work.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from rigport.entrypoints.cli.output import console, err_console, print_json, print_table, spreadsheet_safe
from rigport.errors import InputError

DEFAULT_THRESHOLD = 0.75  # mirrors rigport.domain.screening.match.DEFAULT_THRESHOLD (kept literal for fast startup)


class _ScreenGroup(TyperGroup):
    """Route `screen NAME ...` and `screen --input ...` to the default `name` command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        if args and args[0] in ("--help", "-h"):
            return super().parse_args(ctx, args)
        if not args or args[0] not in self.commands:
            args = ["name", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_ScreenGroup,
    help="Screen parties and components against OFAC SDN, the Consolidated Screening List and your restricted list.\n\n"
    "rigport screen NAME [--type org|person] [--country CC] [--threshold X] [--json]\n\n"
    "rigport screen --input names.csv|names.txt --output hits.csv",
    no_args_is_help=False,
)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)


def _atomic_write_text(path: Path, text: str) -> None:
    path = path.resolve()
    if not path.parent.is_dir():
        raise InputError(f"--output: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_text(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{flag} {path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{flag} {path}: expected UTF-8 text") from None


def read_names(path: Path) -> list[tuple[str, str | None, str | None]]:
    """A CSV with a `name` column (optional type, country) or a text file with one name a line."""
    text = _read_text(path, "--input")
    rows: list[tuple[str, str | None, str | None]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "name" not in fields:
            raise InputError(f"--input {path}, line 1: expected a header with a 'name' column, got {fields}")
        reader.fieldnames = fields
        for rec in reader:
            line = reader.line_num
            if None in rec:
                raise InputError(
                    f"--input {path}, line {line}: more columns than the {len(fields)} in the header (quote commas)"
                )
            name = (rec.get("name") or "").strip()
            if not name:
                raise InputError(f"--input {path}, line {line}: column 'name' is empty")
            kind = (rec.get("type") or "").strip().lower() or None
            if kind not in (None, "org", "person"):
                raise InputError(f"--input {path}, line {line}: column 'type' must be org or person, got {kind!r}")
            rows.append((name, kind, (rec.get("country") or "").strip() or None))
    else:
        rows = [(line.strip(), None, None) for line in text.splitlines() if line.strip()]
    if not rows:
        raise InputError(f"--input {path}: no names found")
    return rows


@app.command("name", hidden=True)
def screen_cmd(
    name: str | None = typer.Argument(None, help="Name of a party or component to screen."),
    kind: str | None = typer.Option(None, "--type", help="org or person (supporting evidence)."),
    country: str | None = typer.Option(None, "--country", help="Two-letter country code (supporting evidence)."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="Minimum score 0..1 for a hit."),
    input_file: Path | None = typer.Option(
        None, "--input", help="CSV with a name column (type, country optional) or TXT."
    ),
    output_file: Path | None = typer.Option(
        None, "--output", help="CSV: query,list,entry_id,matched_name,score,relation,... (one row per listed party)."
    ),
    as_json: bool = JSON,
) -> None:
    """Screen NAME (or every name of --input) against every list in force."""
    from rigport.services import screening

    if input_file is not None or output_file is not None:
        if input_file is None or output_file is None or name is not None:
            raise InputError("batch mode needs both --input FILE and --output FILE and no NAME")
        _batch(input_file, output_file, kind, country, threshold, as_json)
        return
    if name is None:
        raise InputError("give a NAME to screen, or --input FILE --output FILE (see rigport screen --help)")
    result = screening.screen_name(name, kind=kind, country=country, threshold=threshold)
    if as_json:
        print_json(result)
        return
    _warn(result["warnings"])
    if not result["matches"]:
        console.print(f"[green]clear[/]: no list entry scores {threshold} or more for {name!r}")
    else:
        print_hit_sections(name, result["matches"])
    for d in result["dismissed"]:
        console.print(
            f"dismissed as false positive: {d['list']}/{', '.join(d['entry_ids'])} {d['name']} "
            f"({d['review']['reason']})",
            highlight=False,
            markup=False,
        )
    console.print("lists: " + "; ".join(f"{v['list']} as of {v['as_of']}" for v in result["lists"]))


SECTIONS = (
    ("same", "Same party", "the listed party itself, under its name or an alias"),
    ("possible-affiliate", "Possible affiliates", "the listed name plus a qualifier (a country, city, 'Holdings'): "
     "check whether the listed party owns or controls it"),
)  # fmt: skip


def print_hit_sections(query: str, matches: Sequence[Mapping[str, Any]]) -> None:
    """Same-party hits, then possible affiliates: one block per listed party, every field wrapped, never cut.

    A block of label/value lines reads at 80 columns where a table of ten columns would cut names and ids.
    """
    from rich.text import Text

    for relation, title, meaning in SECTIONS:
        rows = [m for m in matches if m["relation"] == relation]
        console.print()
        console.print(Text.assemble((f"{title} ({len(rows)})", "bold"), f" for {query!r}: {meaning}"))
        if not rows:
            console.print("  none")
        for n, m in enumerate(rows, start=1):
            console.print(_hit_block(n, m))


def _hit_block(n: int, m: Mapping[str, Any]) -> Any:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=11, no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    ids = m.get("entry_ids") or [m["entry_id"]]
    for label, value in (
        ("list", _list_words(m)),
        ("entry id" if len(ids) == 1 else f"{len(ids)} entries", ", ".join(ids)),
        ("matched", f"{m['matched_name']} ({_alias(m)}{m['relation']}, score {m['score']:.2f})"),
        ("countries", ", ".join(m["countries"])),
        ("programs", ", ".join(m["programs"])),
        ("FR notice", m["federal_register_notice"]),
        ("licence pol", m["license_policy"]),
        ("licence req", m["license_requirement"]),
        ("words", m["explanation"]),
        ("review", _review_note(m)),
    ):
        if value:
            grid.add_row(label, Text(value))
    head = Table.grid(padding=(0, 1))
    head.add_column(width=3, justify="right")
    head.add_column()
    head.add_row(Text(f"{n}."), Text(m["name"], style="bold"))
    head.add_row("", grid)
    return head


def _alias(m: Mapping[str, Any]) -> str:
    same = " ".join(m["matched_name"].split()).casefold() == " ".join(m["name"].split()).casefold()
    return "" if same else "alias; "


def _list_words(m: Mapping[str, Any]) -> str:
    """ "Entity List (EL), Bureau of Industry and Security [csl]": the list inside the CSL and its agency."""
    sub, agency = m.get("sub_list") or m["source_list"] or m["list"], m.get("agency", "")
    words = f"{sub}, {agency}" if agency else sub
    return f"{words} [{m['list']}]" if m["list"] != sub else words


def _review_note(m: Mapping[str, Any]) -> str:
    review = m.get("review")
    if not review:
        return ""
    note = review.get("note") or review.get("reason", "")
    return f"{review['status']}: {note}" if note else str(review["status"])


# the first five columns are the contract; one row per listed party, its entry ids in entry_ids
BATCH_COLUMNS = (
    "query", "list", "entry_id", "matched_name", "score", "relation", "source_list", "entry_ids", "name",
    "countries", "programs", "federal_register_notice", "license_policy", "license_requirement", "explanation",
)  # fmt: skip


def _batch_row(query: str, m: Mapping[str, Any]) -> list[str]:
    return [
        query, m["list"], m["entry_id"], m["matched_name"], f"{m['score']:.4f}", m["relation"], m["source_list"],
        "; ".join(m["entry_ids"]), m["name"], "; ".join(m["countries"]), "; ".join(m["programs"]),
        m["federal_register_notice"], m["license_policy"], m["license_requirement"], m["explanation"],
    ]  # fmt: skip


def _batch(
    input_file: Path, output_file: Path, kind: str | None, country: str | None, threshold: float, as_json: bool
) -> None:
    from rich.progress import Progress

    from rigport.services import screening

    rows = [(n, k or kind, c or country) for n, k, c in read_names(input_file)]
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold: expected a number in (0, 1], got {threshold}")
    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("screening", total=len(rows))
        results = screening.screen_many(
            rows, threshold=threshold, progress=lambda i: progress.update(task, completed=i)
        )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(BATCH_COLUMNS)
    hits_total = 0
    for query, parties in results:
        if not parties:
            writer.writerow([spreadsheet_safe(query), *[""] * (len(BATCH_COLUMNS) - 1)])
        for party in parties:
            hits_total += 1
            writer.writerow([spreadsheet_safe(c) for c in _batch_row(query, party.to_dict())])
    _atomic_write_text(output_file, buf.getvalue())
    summary: dict[str, Any] = {
        "input": str(input_file),
        "output": str(output_file),
        "names": len(results),
        "names_with_hits": sum(1 for _, h in results if h),
        "hits": hits_total,
        "lists": screening.list_versions(),
    }
    if as_json:
        print_json(summary)
    else:
        _warn([v["warning"] for v in summary["lists"] if v["warning"]])
        console.print(
            f"{summary['names']} names screened, {summary['names_with_hits']} with hits "
            f"({hits_total} rows) -> {output_file}"
        )


@app.command("compare")
def compare_cmd(
    left: str | None = typer.Argument(None, help="First name."),
    right: str | None = typer.Argument(None, help="Second name."),
    pairs: Path | None = typer.Option(None, "--pairs", help="CSV with columns left,right."),
    output_file: Path | None = typer.Option(None, "--output", help="CSV: the input columns plus score,match."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="Score needed for match=true."),
    as_json: bool = JSON,
) -> None:
    """Score how alike two names are (0..1), or every left,right pair of a CSV."""
    from rigport.services.screening import compare_names

    if pairs is not None or output_file is not None:
        if pairs is None or output_file is None or left is not None:
            raise InputError("pairs mode needs both --pairs FILE and --output FILE and no names")
        _compare_pairs(pairs, output_file, threshold, as_json)
        return
    if left is None or right is None:
        raise InputError("give two names: rigport screen compare NAME1 NAME2 (or --pairs FILE --output FILE)")
    result = compare_names(left, right, threshold)
    if as_json:
        print_json(
            {
                "score": result["score"],
                "match": result["match"],
                "relation": result["relation"],
                "left": left,
                "right": right,
                "threshold": threshold,
            }
        )
    else:
        verdict = "[red]match[/]" if result["match"] else "[green]no match[/]"
        if result["relation"] != "same":
            verdict += f" ([yellow]{result['relation']}[/]: another company of the group)"
        console.print(f"{result['score']:.4f} {verdict} (threshold {threshold})")


def _compare_pairs(pairs: Path, output_file: Path, threshold: float, as_json: bool) -> None:
    from rigport.services.screening import compare_names

    text = _read_text(pairs, "--pairs")
    reader = csv.DictReader(io.StringIO(text))
    fields = list(reader.fieldnames or [])
    if not {"left", "right"} <= set(fields):
        raise InputError(f"--pairs {pairs}, line 1: expected columns left,right, got {fields}")
    out_fields = [*fields, *(f for f in ("score", "match", "relation") if f not in fields)]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=out_fields, lineterminator="\n")
    writer.writerow({f: spreadsheet_safe(f) for f in out_fields})
    n = matches = 0
    for rec in reader:
        if rec.get("left") is None or rec.get("right") is None:
            raise InputError(f"--pairs {pairs}, line {reader.line_num}: expected values for left and right")
        r = compare_names(rec["left"], rec["right"], threshold)
        match = "true" if r["match"] else "false"
        row = {**rec, "score": f"{r['score']:.4f}", "match": match, "relation": r["relation"]}
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
        n += 1
        matches += bool(r["match"])
    _atomic_write_text(output_file, buf.getvalue())
    if as_json:
        print_json({"pairs": n, "matches": matches, "output": str(output_file), "threshold": threshold})
    else:
        console.print(f"{n} pairs scored, {matches} matches -> {output_file}")


@app.command("review")
def review_cmd(
    name: str = typer.Argument(..., help="The screened name."),
    list_id: str = typer.Option(..., "--list", help="List id of the hit (ofac-sdn, csl, restricted-components, ...)."),
    entry_ids: list[str] = typer.Option(
        ..., "--entry-id", help="Entry id of the hit; repeat it for every id of a listed party (its entry_ids)."
    ),
    reason: str = typer.Option(..., "--reason", help="Why the hit is a false positive."),
    reviewer: str = typer.Option("", "--reviewer", help="Who decided."),
    as_json: bool = JSON,
) -> None:
    """Mark a hit as a false positive; reopened automatically if the list entry changes.

    A listed party leaves the matches once every one of its entry ids is dismissed; all ids given are checked
    before any is recorded. With one id, --json prints its decision; with several, a list of them.
    """
    from rigport.services.screening import mark_false_positives

    records = mark_false_positives(name, list_id, entry_ids, reason, reviewer=reviewer)
    if as_json:
        print_json(records[0] if len(entry_ids) == 1 else records)
        return
    for record in records:
        console.print(
            f"remembered: {name!r} is not {list_id}/{record['entry_id']} ({record['entry_name']}): {reason}",
            highlight=False,
            markup=False,
        )


@app.command("shipment")
def shipment_cmd(
    reference: str = typer.Argument(..., help="Shipment reference."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="Minimum score 0..1 for a hit."),
    actor: str = typer.Option("cli", "--actor", help="Who ran the screening (audit log)."),
    as_json: bool = JSON,
) -> None:
    """Screen every party, importer, carrier and chip supplier of a stored shipment; results are stored."""
    from rigport.services.screening import screen_shipment

    if not 0 < threshold <= 1:
        raise InputError(f"--threshold: expected a number in (0, 1], got {threshold}")
    result = screen_shipment(reference, actor=actor, threshold=threshold)
    if as_json:
        print_json(result)
        return
    _warn(result["warnings"])
    print_table(
        f"Shipment {reference}: {result['hits']} hit(s) (run {result['run_id']})",
        ["subject", "role", "status", "same party", "possible affiliates"],
        [(s["subject"], s["role"], s["status"], s["same_party"], s["possible_affiliates"]) for s in result["subjects"]],
    )
    for s in result["subjects"]:
        if s["matches"]:
            print_hit_sections(f"{s['subject']} ({s['role']})", s["matches"])
