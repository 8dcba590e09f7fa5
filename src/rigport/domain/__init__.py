"""The pure core: chain math, catalog, economics, customs law, screening and simulation.

No framework, database or network imports (import-linter checks it, pyproject.toml).
"""
