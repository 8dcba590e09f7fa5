"""Scale-out of a simulation's chunks on Dask (a scheduler address, or a local cluster of worker processes).

dask.distributed ships without full annotations; this is the only module that calls it (mypy override in
pyproject.toml). Dask is imported when a run asks for it, so a local run never loads it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rigport.domain.simulate.engine import ChunkResult, SimulationParams, run_chunk
from rigport.errors import UnavailableError


def run_chunks(params: SimulationParams, plan: list[tuple[int, np.random.SeedSequence]], scheduler: str | None,
              workers: int | None, progress: Callable[[int, int], None] | None) -> list[ChunkResult]:  # fmt: skip
    """Every chunk of the plan on a Dask cluster (the given scheduler, or a local one of `workers` processes),
    in plan order: the same seed gives the same numbers wherever the chunks ran."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None)  # fmt: skip
            client = Client(cluster)
    except OSError as exc:
        raise UnavailableError(f"Dask scheduler {scheduler or 'local'}: {exc}") from None
    try:
        futures = [client.submit(run_chunk, params, size, chunk_seed, pure=False) for size, chunk_seed in plan]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(done, len(plan))
        return list(client.gather(futures))  # in chunk order, whatever order they finished in
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
