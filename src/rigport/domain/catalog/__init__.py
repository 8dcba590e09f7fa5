"""ASIC miner catalog: bundled models with a source per row, plus the user's own additions.

The bundled table lives in rigport/data/catalog.csv; users add or override models with a CSV or
TOML file of the same columns (RIGPORT_CATALOG_FILE or <data dir>/catalog.csv).
"""

from rigport.domain.catalog.models import AsicModel, Catalog, load_bundled, parse_catalog_csv, parse_catalog_toml

__all__ = ["AsicModel", "Catalog", "load_bundled", "parse_catalog_csv", "parse_catalog_toml"]
