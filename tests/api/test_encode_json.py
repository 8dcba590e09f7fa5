"""`encode_json` lets the json module walk plain data and converts only the rest: the bytes must be exactly
those of converting the whole tree first (`to_jsonable`, then `json.dumps`), the way it was done before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rigport.adapters.render.jsonable import to_jsonable
from rigport.entrypoints.api.cache import encode_json


class Mode(enum.StrEnum):
    AIR = "air"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass(frozen=True)
class Money:
    amount: Decimal
    on: dt.date


def converted_first(content: Any) -> bytes:
    return json.dumps(to_jsonable(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates(), st.datetimes(timezones=st.just(dt.UTC)),
    st.sampled_from([Mode.AIR, Level.HIGH, Path("/tmp/x")]),
    st.builds(Money, st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates()),
)  # fmt: skip
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.tuples(children, children),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), children, max_size=4),
    ),  # fmt: skip
    max_leaves=20,
)


@given(trees)
def test_same_bytes_as_converting_first(content: Any) -> None:
    assert encode_json(content) == converted_first(content)


def test_keys_json_cannot_write_are_converted_first() -> None:
    content = {dt.date(2025, 2, 1): Decimal("1.50"), "nested": {dt.date(2025, 2, 2): [Mode.AIR]}}
    assert encode_json(content) == converted_first(content) == b'{"2025-02-01":1.5,"nested":{"2025-02-02":["air"]}}'


def test_what_cannot_be_written_is_still_refused() -> None:
    with pytest.raises(ValueError):
        encode_json({"ratio": float("nan")})
    with pytest.raises(TypeError):
        encode_json({"thing": object()})
