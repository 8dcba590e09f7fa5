"""Scoring two names: token alignment with fuzzy token similarity, weighted by how distinctive each token is.

Why not one rapidfuzz ratio on the whole string: a whole-string ratio lets shared generic words
("Technologies Co., Ltd.") carry a match and cannot say which words matched. Here each token is
aligned one-to-one with its best partner, distinctive words weigh 1, generic business words and
particles weigh little, legal forms nothing; the score is the weighted share of both names that
was matched. Entity type and country adjust the score as supporting evidence only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from rigport.screening.model import Explanation
from rigport.screening.normalize import GENERIC, HONORIFICS, NUMBER_WORDS, NormalName, normalize

DEFAULT_THRESHOLD = 0.75
TOKEN_MIN_SIMILARITY = 0.8  # below this two tokens are different words (bitmain/bitmax 0.77, kanan/canaan 0.73)
INITIAL_SIMILARITY = 0.6
GENERIC_WEIGHT = 0.35
INITIAL_WEIGHT = 0.5
CONFLICT_WEIGHT = 0.5
HONORIFIC_WEIGHT = 0.05
TYPE_MISMATCH_FACTOR = 0.7
GENERIC_ONLY_CAP = 0.5
PARTIAL_FLOOR = 0.65
LEGAL_MISMATCH_FACTOR = 0.92
SUBSET_BLEND = 0.5

ORG_KINDS = {"org", "component", "vessel", "aircraft"}


def token_weight(token: str) -> float:
    """Distinctive words 1, initials 0.5, generic business words and particles 0.35, honorifics 0.05."""
    if len(token) == 1:
        return INITIAL_WEIGHT
    if token in HONORIFICS:
        return HONORIFIC_WEIGHT
    if token in NUMBER_WORDS:  # "Snow Storm 1" / "Snow Storm 2": numbering is weak evidence
        return GENERIC_WEIGHT
    if token in GENERIC:
        return GENERIC_WEIGHT
    return 1.0


# Common given-name short forms (hypocorisms) and cross-language equivalents, each group one person name.
_NAME_GROUPS = (
    "william bill billy will willy", "robert bob bobby rob robbie", "richard rick dick rich", "edward ed ted eddie ned",
    "theodore ted theo", "james jim jimmy jamie", "john jack johnny juan jon johann jean ivan ioannis",
    "michael mike mikey mikhail miguel michel", "benjamin ben benny bibi", "joseph joe joey jose giuseppe iosif",
    "alexander alex sasha aleksandr alexandre alejandro", "thomas tom tommy", "charles charlie chuck carlos karl",
    "elizabeth liz beth betty eliza", "margaret maggie meg peggy", "catherine kate cathy katie ekaterina",
    "anthony tony antonio anton", "nicholas nick nikolai nicolas", "peter pete pedro pyotr pierre",
    "paul pablo pavel paolo", "stephen steve steven stefan esteban", "daniel dan danny", "david dave",
    "andrew andy andrei andres", "george georgy jorge", "henry harry hank enrique heinrich",
    "francis frank francisco",
    "samuel sam", "matthew matt matvei mateo", "gregory greg grigory", "patrick pat paddy", "lawrence larry",
    "sergey sergei serge sergio", "bin ben ibn",
    "dmitry dmitri dima", "vladimir vova volodymyr", "muhammad mohammed mohamed mohammad",
)  # fmt: skip
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NAME_GROUPS:
    _names = frozenset(_group.split())
    for _n in _names:
        NICKNAMES[_n] = NICKNAMES.get(_n, frozenset()) | _names
NICKNAME_SIMILARITY = 0.85


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str) -> float:
    """1 for equal tokens, 0.6 for an initial against a word it starts, Indel ratio when close enough, else 0."""
    if a == b:
        return 1.0
    if b in NICKNAMES.get(a, ()):
        return NICKNAME_SIMILARITY
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SIMILARITY if a[0] == b[0] else 0.0
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 3:
        return 0.0
    sim = Indel.normalized_similarity(a, b)
    if sim >= TOKEN_MIN_SIMILARITY:
        return sim
    if sim >= PARTIAL_FLOOR:
        # Close spelling (Schulze/Scholz, Ssad/Asad): partial credit, never a distinctive hit alone.
        return sim * (sim - PARTIAL_FLOOR) / (TOKEN_MIN_SIMILARITY - PARTIAL_FLOOR)
    return 0.0


def _merge_joined(a: list[str], b: list[str]) -> list[str]:
    """Join adjacent tokens of `a` that are written as one word in `b` (Jan Daniel / JanDaniel)."""
    bset = set(b)
    out: list[str] = []
    i = 0
    while i < len(a):
        if i + 1 < len(a) and a[i] not in bset and a[i] + a[i + 1] in bset:
            out.append(a[i] + a[i + 1])
            i += 2
        else:
            out.append(a[i])
            i += 1
    return out


def _acronym(a: list[str], b: list[str]) -> list[str]:
    """When `a` holds the initials of every word of `b` (PLA / People's Liberation Army), `b` collapses to them."""
    if len(b) >= 3:
        initials = "".join(t[0] for t in b)
        if initials in a:
            return [initials]
    return b


@dataclass(frozen=True)
class Comparison:
    score: float
    explanation: Explanation


def align(query: NormalName, candidate: NormalName) -> Comparison:
    """Symmetric weighted alignment score of two normalized names, 0..1, with the evidence."""
    qa = list(query.tokens)
    cb = list(candidate.tokens)
    qa, cb = _acronym(cb, qa), _acronym(qa, cb)
    qa = _merge_joined(qa, cb)
    cb = _merge_joined(cb, qa)
    if not qa or not cb:
        return Comparison(0.0, Explanation((), tuple(qa), tuple(cb), ("nothing to compare",)))
    wqa = [token_weight(t) for t in qa]
    wcb = [token_weight(t) for t in cb]
    pairs = []
    for i, x in enumerate(qa):
        for j, y in enumerate(cb):
            s = token_similarity(x, y)
            if s > 0:
                pairs.append((s, wqa[i] + wcb[j], i, j))
    pairs.sort(key=lambda p: (-p[0], -p[1]))
    wq, wc = sum(wqa), sum(wcb)
    query_smaller = wq <= wc
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[tuple[str, str, float]] = []
    gained = half = 0.0
    distinctive_hit = False
    for s, w, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((qa[i], cb[j], s))
        gained += s * w
        half += s * (wqa[i] if query_smaller else wcb[j])
        if s >= TOKEN_MIN_SIMILARITY and wqa[i] == 1.0 and wcb[j] == 1.0:
            distinctive_hit = True
    score = gained / (wq + wc) if wq + wc else 0.0
    # A name contained in the other (Erdogan / Recep Tayyip Erdogan) is half-way credited, unless both
    # names keep words of their own (William G. Frost / William W. Frost): that is conflicting evidence.
    smaller = min(wq, wc)
    left_q = sum(w for i, w in enumerate(wqa) if i not in used_q)
    left_c = sum(w for j, w in enumerate(wcb) if j not in used_c)
    conflict = left_q >= CONFLICT_WEIGHT and left_c >= CONFLICT_WEIGHT
    if conflict:  # words left over on both sides count twice against the match
        score = gained / (wq + wc + left_q + left_c)
    elif smaller:
        score = (1 - SUBSET_BLEND) * score + SUBSET_BLEND * min(1.0, half / smaller)
    notes: list[str] = []
    # Word-joining and spacing differences: compare the names written as one word.
    jq, jc = "".join(qa), "".join(cb)
    if len(jq) >= 6 and score < 1.0:
        joined = Indel.normalized_similarity(jq, jc, score_cutoff=0.9)
        if joined > score:
            score = joined
            distinctive_hit = distinctive_hit or bool(query.distinctive or candidate.distinctive)
            notes.append(f"names written as one word agree {joined:.2f}")
    if query.legal and candidate.legal and not set(query.legal) & set(candidate.legal):
        score *= LEGAL_MISMATCH_FACTOR
        notes.append(f"legal form differs ({'/'.join(query.legal)} vs {'/'.join(candidate.legal)})")
    if not distinctive_hit:
        if score > GENERIC_ONLY_CAP:
            notes.append("only generic words matched")
        score = min(score, GENERIC_ONLY_CAP)
    unmatched_q = tuple(t for i, t in enumerate(qa) if i not in used_q)
    unmatched_c = tuple(t for j, t in enumerate(cb) if j not in used_c)
    return Comparison(score, Explanation(tuple(matched), unmatched_q, unmatched_c, tuple(notes)))


def infer_kind(name: NormalName, given: str | None) -> str:
    """The query's type: as given, else an organisation when it carries a legal form, else unknown."""
    if given:
        return "org" if given in ORG_KINDS else given
    return "org" if name.is_org else ""


def adjust(
    comparison: Comparison,
    query_kind: str,
    entry_kind: str,
    query_country: str | None = None,
    entry_countries: tuple[str, ...] = (),
) -> Comparison:
    """Type and country as supporting evidence: a person never fully matches a company; a country nudges."""
    score = comparison.score
    notes = list(comparison.explanation.notes)
    qk = "org" if query_kind in ORG_KINDS else query_kind
    ek = "org" if entry_kind in ORG_KINDS else entry_kind
    if qk and ek and qk != ek:
        score *= TYPE_MISMATCH_FACTOR
        notes.append(f"type differs (query {qk}, list {ek})")
    if query_country and entry_countries:
        from rigport.screening.countries import same_country

        if any(same_country(query_country, c) for c in entry_countries):
            score = min(1.0, score + 0.03)
            notes.append(f"country {query_country.upper()} matches")
        else:
            score = max(0.0, score - 0.05)
            notes.append(f"country {query_country.upper()} not among {', '.join(entry_countries[:3])}")
    e = comparison.explanation
    return Comparison(
        score, Explanation(e.matched_tokens, e.unmatched_query_tokens, e.unmatched_list_tokens, tuple(notes))
    )


def compare(left: str, right: str, *, threshold: float = DEFAULT_THRESHOLD) -> tuple[float, bool]:
    """Similarity of two free-text names, 0..1, and whether it reaches the threshold."""
    a, b = normalize(left), normalize(right)
    c = align(a, b)
    ka, kb = infer_kind(a, None), infer_kind(b, None)
    c = adjust(c, ka, kb)
    return round(c.score, 4), c.score >= threshold
