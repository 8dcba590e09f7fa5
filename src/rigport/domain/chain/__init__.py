"""Bitcoin consensus arithmetic (as Bitcoin Core computes it) and mining revenue per hash."""

from rigport.domain.chain.compact import (
    CompactTarget,
    decode_compact,
    encode_compact,
    parse_bits,
)
from rigport.domain.chain.difficulty import difficulty_from_bits, target_to_difficulty
from rigport.domain.chain.hashprice import Hashprice, hashprice, network_hashrate_hs
from rigport.domain.chain.retarget import next_bits
from rigport.domain.chain.subsidy import block_subsidy_sat, total_supply_sat

__all__ = [
    "CompactTarget",
    "Hashprice",
    "block_subsidy_sat",
    "decode_compact",
    "difficulty_from_bits",
    "encode_compact",
    "hashprice",
    "network_hashrate_hs",
    "next_bits",
    "parse_bits",
    "target_to_difficulty",
    "total_supply_sat",
]
