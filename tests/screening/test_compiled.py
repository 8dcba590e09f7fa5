"""The screening modules compiled by mypyc (setup.py) are current and score exactly as the Python source does.

The compiled extensions sit beside their sources and are imported first. Two things could go wrong: an
edited source shadowed by an extension built before the edit, and a compiled module that computes
differently from the Python it was built from. The second is checked by running the pure Python modules
(a copy of the package without extensions) in a subprocess on the same names and comparing every score.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rigport
from rigport.domain.screening.index import ScreeningIndex
from rigport.services.screening import get_index

COMPILED = ("frequency", "normalize", "match", "index")


def _compiled() -> list[str]:
    modules = [importlib.import_module(f"rigport.domain.screening.{name}") for name in COMPILED]
    return [str(m.__file__) for m in modules if not str(m.__file__).endswith(".py")]


def test_compiled_modules_are_built_from_the_current_source() -> None:
    for extension in _compiled():
        built = Path(extension)  # name.cpython-311-x86_64-linux-gnu.so; the directories may hold dots (mktemp -d)
        source = built.with_name(built.name.split(".", 1)[0] + ".py")
        assert os.path.getmtime(extension) >= os.path.getmtime(source), (
            f"{extension} is older than {source.name}: reinstall (make install) to rebuild it"
        )


_PURE_SCRIPT = """
import json, sys
from rigport.domain.screening.match import compare
from rigport.services.screening import get_index
pairs, queries = json.load(sys.stdin)
index = get_index()
print(json.dumps({
    "compare": [compare(a, b) for a, b in pairs],
    "screen": [[(h.entry.list_id, h.entry.entry_id, h.matched_name, h.score) for h in index.screen(q)]
               for q in queries],
}))
"""


def _names(index: ScreeningIndex) -> tuple[list[tuple[str, str]], list[str]]:
    rng = random.Random(7)
    names = [index.name_text[i] for i in rng.sample(range(index.size), 400)]
    pairs = []
    for a, b in zip(names, names[1:], strict=False):
        words = a.split()
        pairs.append((a, " ".join(reversed(words))))
        pairs.append((a, a.lower().replace("a", "e", 1)))
        pairs.append((a, b))
    queries = names[:150] + [a.replace("o", "0", 1) + " Co., Ltd." for a in names[150:250]]
    return pairs, queries


@pytest.mark.slow
def test_compiled_and_pure_python_score_alike(tmp_path: Path) -> None:
    if not _compiled():
        pytest.skip("the screening modules run as pure Python here (RIGPORT_PURE_PYTHON or no compiler)")
    package = Path(rigport.__file__).parent
    shutil.copytree(package, tmp_path / "src" / "rigport", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    index = get_index()
    pairs, queries = _names(index)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src"), "RIGPORT_DATA_DIR": str(tmp_path / "data")}
    probe = subprocess.run(
        [sys.executable, "-c", "import rigport.domain.screening.match as m; print(m.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.strip().endswith(".py")  # the subprocess really runs the Python source
    done = subprocess.run(
        [sys.executable, "-c", _PURE_SCRIPT], input=json.dumps([pairs, queries]),
        env=env, capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    pure = json.loads(done.stdout)
    compiled_compare = [list(compare_pair) for compare_pair in (_compare(a, b) for a, b in pairs)]
    assert compiled_compare == pure["compare"]
    compiled_screen = [
        [[h.entry.list_id, h.entry.entry_id, h.matched_name, h.score] for h in index.screen(q)] for q in queries
    ]
    assert compiled_screen == pure["screen"]
    assert sum(map(bool, compiled_screen)) >= 100  # most queries are list names: hits to compare


def _compare(a: str, b: str) -> tuple[float, bool]:
    from rigport.domain.screening.match import compare

    return compare(a, b)
