"""`rigport catalog list | show MODEL`."""

from __future__ import annotations

import typer

from rigport.entrypoints.cli.output import print_json, print_key_values, print_table
from rigport.services.catalog import get_catalog

app = typer.Typer(
    help="ASIC miner models: specs, chip supplier, origin, reference price, source.", no_args_is_help=True
)
JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


@app.command("list")
def list_models(as_json: bool = JSON) -> None:
    """Every model in the catalog (bundled plus your own file)."""
    models = get_catalog().all()
    if as_json:
        print_json([m.to_dict() for m in models])
        return
    print_table(
        "ASIC catalog",
        ["id", "maker", "model", "TH/s", "W", "J/TH", "Sophgo", "origin", "ref. price"],
        [
            (
                m.id,
                m.maker,
                m.model,
                f"{m.hashrate_th:g}",
                f"{m.power_w:,g}",
                f"{m.efficiency_j_th:.1f}",
                m.sophgo_content,
                m.origin,
                f"${m.reference_price_usd:,}" if m.reference_price_usd else "",
            )
            for m in models
        ],
        keep=["id", "TH/s", "W", "J/TH", "origin", "ref. price"],
        optional=["maker", "ref. price", "W"],
    )


@app.command()
def show(model: str = typer.Argument(..., help="Model id, e.g. antminer-s21."), as_json: bool = JSON) -> None:
    """One model with its source."""
    m = get_catalog().get(model)
    if as_json:
        print_json(m.to_dict())
    else:
        print_key_values(m.model, m.to_dict().items())
