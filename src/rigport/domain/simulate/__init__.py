"""Monte Carlo of mining payback under price, difficulty, fee and customs-hold uncertainty (numpy)."""

from rigport.domain.simulate.engine import ChunkResult, SimulationParams, run_chunk, summarize

__all__ = ["ChunkResult", "SimulationParams", "run_chunk", "summarize"]
