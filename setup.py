"""Build hook: compile the screening hot path with mypyc; everything else is declared in pyproject.toml.

Batch screening spends its time in many small Python steps (token pairing, candidate scoring); mypyc
compiles those typed modules to C extensions from the same source, about 1.4x faster (docs/screening.md).
The Python files stay the reference and are shipped too: set RIGPORT_PURE_PYTHON=1 to install without
compiling, and where no C compiler is found the extensions are skipped (they are marked optional) and the
pure Python modules run instead. After editing a compiled module, reinstall (`make install` does it).
"""

from __future__ import annotations

import os

from setuptools import setup

COMPILED = [
    "src/rigport/domain/screening/frequency.py",
    "src/rigport/domain/screening/normalize.py",
    "src/rigport/domain/screening/match.py",
    "src/rigport/domain/screening/index.py",
]


def _extensions() -> list[object]:
    if os.environ.get("RIGPORT_PURE_PYTHON", "").strip() not in ("", "0"):
        return []
    from mypyc.build import mypycify

    # The build environment holds only the build requirements: imports of third-party packages are typed
    # as Any here (mypy --strict in CI checks them against the real packages), and the project's mypy
    # configuration (which loads the pydantic plugin) is not read.
    extensions = mypycify(
        ["--config-file=", "--ignore-missing-imports", *COMPILED], opt_level="3", group_name="rigport_screening"
    )
    for extension in extensions:
        extension.optional = True  # no compiler: install the pure Python modules rather than fail
    return extensions


setup(ext_modules=_extensions())
