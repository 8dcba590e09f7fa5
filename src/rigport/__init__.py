"""rigport: ASIC miner imports through US customs, supply-chain screening and the cost of delay."""

__version__ = "0.1.0"
