"""`rigport chain ...`: consensus arithmetic from the command line."""

from __future__ import annotations

import typer

from rigport.domain.chain import (
    block_subsidy_sat,
    decode_compact,
    difficulty_from_bits,
    hashprice,
    next_bits,
    parse_bits,
)
from rigport.domain.chain.compact import format_bits, format_target
from rigport.domain.chain.subsidy import sat_to_btc
from rigport.entrypoints.cli.output import console, print_json, print_key_values
from rigport.entrypoints.cli.params import parse_int, parse_number
from rigport.services.network import current_snapshot

app = typer.Typer(help="Bitcoin consensus math: difficulty, retargets, subsidy, hashprice.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Machine-readable output on stdout.")


@app.command()
def difficulty(bits: str = typer.Argument(..., help="Compact target, e.g. 0x1d00ffff."), as_json: bool = JSON) -> None:
    """Difficulty of a compact target, as Bitcoin Core's GetDifficulty computes it."""
    value = difficulty_from_bits(parse_bits(bits))
    if as_json:
        print_json({"bits": format_bits(parse_bits(bits)), "difficulty": value})
    else:
        console.print(repr(value))


@app.command("next-bits")
def next_bits_command(
    bits: str = typer.Option(..., "--bits", help="Compact target of the period's last block."),
    first_time: str = typer.Option(..., "--first-time", help="Unix time of the period's first block."),
    last_time: str = typer.Option(..., "--last-time", help="Unix time of the period's last block."),
    as_json: bool = JSON,
) -> None:
    """Compact target for the next 2016-block period (mainnet rules)."""
    new_bits = next_bits(parse_bits(bits), parse_int(first_time, "--first-time"), parse_int(last_time, "--last-time"))
    if as_json:
        print_json(
            {
                "bits": format_bits(new_bits),
                "target": format_target(decode_compact(new_bits).target),
                "difficulty": difficulty_from_bits(new_bits),
            }
        )
    else:
        console.print(format_bits(new_bits))


@app.command()
def subsidy(height: str = typer.Argument(..., help="Block height."), as_json: bool = JSON) -> None:
    """Block subsidy at a height (halvings every 210,000 blocks)."""
    h = parse_int(height, "HEIGHT", minimum=0)
    sat = block_subsidy_sat(h)
    if as_json:
        print_json({"height": h, "subsidy_sat": sat, "subsidy_btc": sat_to_btc(sat)})
    else:
        console.print(f"{sat_to_btc(sat):.8f} BTC ({sat:,} sat) at height {h:,}")


@app.command("hashprice")
def hashprice_command(
    difficulty: str | None = typer.Option(None, "--difficulty", help="Network difficulty (114e12 form ok)."),
    price: str | None = typer.Option(None, "--price", help="BTC price in USD."),
    fees_btc: str | None = typer.Option(None, "--fees-btc", help="Average fees per block in BTC."),
    height: str | None = typer.Option(None, "--height", help="Block height, for the subsidy."),
    as_json: bool = JSON,
) -> None:
    """Revenue per PH/s per day; values not given come from the network snapshot."""
    snap = current_snapshot()
    d = parse_number(difficulty, "--difficulty", positive=True) if difficulty else snap.difficulty
    p = parse_number(price, "--price", non_negative=True) if price else snap.price_usd
    f = parse_number(fees_btc, "--fees-btc", non_negative=True) if fees_btc else snap.fees_btc_per_block
    h = parse_int(height, "--height", minimum=0) if height else snap.height
    hp = hashprice(d, p, f, h)
    result = {
        "hashprice_btc_per_ph_day": hp.btc_per_ph_day,
        "hashprice_usd_per_ph_day": hp.usd_per_ph_day,
        "network_hashrate_eh_s": hp.network_hashrate_eh_s,
        "difficulty": d,
        "price_usd": p,
        "fees_btc_per_block": f,
        "height": h,
    }
    if as_json:
        print_json(result)
    else:
        print_key_values("Hashprice", [(k, f"{v:,.6g}" if isinstance(v, float) else v) for k, v in result.items()])
