"""Name normalization: one canonical token form per name, so spelling noise does not hide a party.

Steps: Chinese/Japanese legal suffixes mapped first (有限公司 -> ltd), then transliteration of every
script to ASCII (anyascii), lower case, apostrophes and dots dropped (A.B.C. -> abc, KAN'AN -> kanan),
other punctuation split, numbers to words, common abbreviations expanded (TECH -> technology),
legal forms recognised (kept aside, down-weighted; misspelt or cut-off business and legal words
repaired first), generic business words and honorifics marked so they can never make a hit on their
own, East Slavic patronymics marked, names in Arabic or Hebrew script flagged.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache
from typing import Final

from anyascii import anyascii
from rapidfuzz.distance import OSA

# Chinese legal forms (longest first) before transliteration glues the syllables together.
_CJK_LEGAL: Final = (
    ("股份有限公司", " co ltd "),
    ("有限责任公司", " co ltd "),
    ("有限公司", " co ltd "),
    ("集团", " group "),
    ("公司", " company "),
    ("株式会社", " kk "),
    ("科技", " technology "),
    ("技术", " technology "),
    ("国际", " international "),
    ("贸易", " trading "),
    ("电子", " electronics "),
    ("北京", " beijing "),
    ("上海", " shanghai "),
    ("深圳", " shenzhen "),
)

# Multi-word legal forms (after normalisation) collapsed to one token.
# Legal forms of other languages written out (ISO 20275 entity legal forms, in the transliterated spelling the
# lists use), collapsed to their usual abbreviation before the phrases below. Their words are not marked as
# legal words (Societe Generale, Capital, Variable name companies too): only the whole phrase is a form.
_SPELLED_OUT_FORMS: Final = (
    ("gesellschaft mit beschrankter haftung and compagnie kommanditgesellschaft", "gmbhcokg"),
    ("gesellschaft mit beschraenkter haftung and compagnie kommanditgesellschaft", "gmbhcokg"),
    ("gesellschaft mit beschraenkter haftung", "gmbh"),
    ("gmbh and co kg", "gmbhcokg"),
    ("gmbh and cie kg", "gmbhcokg"),
    ("gmbh co kg", "gmbhcokg"),
    ("ag and co kg", "agcokg"),
    ("zartkoruen mukodo reszvenytarsasag", "zrt"),
    ("nyilvanosan mukodo reszvenytarsasag", "nyrt"),
    ("korlatolt felelossegu tarsasag", "kft"),
    ("sociedad anonima de capital variable", "sadecv"),
    ("sociedad de responsabilidad limitada de capital variable", "sdeRLdecv"),
    ("sociedad anonima", "sa"),
    ("sociedad de responsabilidad limitada", "srl"),
    ("sociedad limitada", "sl"),
    ("sociedade anonima", "sa"),
    ("sociedade limitada", "ltda"),
    ("societa per azioni", "spa"),
    ("s p a", "spa"),
    ("societa a responsabilita limitata", "srl"),
    ("societe anonyme", "sa"),
    ("societe a responsabilite limitee", "sarl"),
    ("societe par actions simplifiee", "sas"),
    ("spolka z ograniczona odpowiedzialnoscia", "spzoo"),
    ("spolka akcyjna", "sa"),
    ("spolecnost s rucenim omezenym", "sro"),
    ("s r o", "sro"),
    ("akciova spolecnost", "as"),
    ("kabushiki kaisha", "kk"),
    ("k k", "kk"),
    ("godo kaisha", "gk"),
    ("yugen kaisha", "yk"),
    ("anonim sirketi", "as"),
    ("limited sirketi", "ltdsti"),
    ("perseroan terbatas", "pt"),
    ("sendirian berhad", "sdn bhd"),
    ("private limited company", "ltd"),
    ("osakeyhtio", "oy"),
    ("aksjeselskap", "as"),
    ("aktieselskab", "as"),
    ("allmennaksjeselskap", "asa"),
)

_LEGAL_PHRASES: Final = (
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    # Written out in full, as registers and lists often do (German, Dutch, Swedish forms; the Romance ones
    # begin with words that also name companies, Societe Generale, and every phrase word weighs as generic).
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("g m b h", "gmbh"),
    ("kommanditgesellschaft auf aktien", "kgaa"),
    ("kommanditgesellschaft", "kg"),
    ("s a r l", "sarl"),
    ("besloten vennootschap", "bv"),
    ("naamloze vennootschap", "nv"),
    ("aktiebolag", "ab"),
    ("a s", "as"),
    ("l p", "lp"),
    ("tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"),
    ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("avtonomnaya nekommercheskaya organizatsiya", "ano"),
    ("open joint stock company", "ojsc"),
    ("closed joint stock company", "cjsc"),
    ("public joint stock company", "pjsc"),
    ("joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("societatea cu raspundere limitata", "srl"),
    ("sp z o o", "spzoo"),
    ("sp z oo", "spzoo"),
    ("s de rl de cv", "sdeRLdecv"),
    ("sa de cv", "sadecv"),
    ("l l c", "llc"),
    ("s a", "sa"),
    ("s r l", "srl"),
    ("b v", "bv"),
    ("n v", "nv"),
    ("co ltd", "ltd"),
    ("pty ltd", "ltd"),
    ("pte ltd", "ltd"),
    ("private limited", "ltd"),
    ("public limited company", "plc"),
)

LEGAL_FORMS: Final = {
    "co": "company", "company": "company", "cos": "company", "companies": "company",
    "corp": "corporation", "corporation": "corporation", "inc": "incorporated", "incorporated": "incorporated",
    "ltd": "limited", "limited": "limited", "ltda": "limited", "llc": "llc", "llp": "llp", "lp": "lp", "plc": "plc",
    "gmbh": "gmbh", "ag": "ag", "aktiengesellschaft": "ag", "akg": "ag", "kg": "kg", "kgaa": "kgaa", "ug": "ug",
    "ev": "ev",
    "sa": "sa", "sas": "sas", "sarl": "sarl", "srl": "srl", "spa": "spa", "sl": "sl", "bv": "bv", "nv": "nv",
    "ab": "ab", "as": "as", "asa": "asa", "oy": "oy", "oyj": "oyj", "kft": "kft", "zrt": "zrt",
    "spzoo": "spzoo", "sadecv": "sadecv", "sdeRLdecv": "sdeRLdecv", "pte": "pte", "pty": "pty", "bhd": "bhd",
    "sdn": "sdn", "kk": "kk", "ano": "ano", "ooo": "llc", "oao": "ojsc", "zao": "cjsc", "pao": "pjsc", "ao": "jsc",
    "ojsc": "ojsc", "cjsc": "cjsc", "pjsc": "pjsc", "jsc": "jsc", "tov": "llc", "dd": "dd", "doo": "doo",
    "fze": "fze", "fzco": "fzco", "fzc": "fzc", "fzllc": "fzllc", "wll": "wll", "est": "establishment",
    "establishment": "establishment", "gie": "gie", "cv": "cv", "ltdco": "limited",
    "gmbhcokg": "gmbhcokg", "agcokg": "agcokg", "nyrt": "nyrt", "sro": "sro", "gk": "gk", "yk": "yk",
    "ltdsti": "ltdsti", "compania": "company", "compagnie": "company", "cia": "company", "cie": "company",
}  # fmt: skip

ABBREVIATIONS: Final = {
    "tech": "technology", "techs": "technology", "technologies": "technology", "technological": "technology",
    "intl": "international", "int'l": "international", "internat": "international",
    "grp": "group", "hldgs": "holding", "hldg": "holding", "holdings": "holding",
    "mfg": "manufacturing", "mfr": "manufacturing", "ind": "industry", "inds": "industry", "industries": "industry",
    "industrial": "industry", "svc": "service", "svcs": "service", "services": "service", "sys": "system",
    "systems": "system", "elec": "electronics", "electronic": "electronics", "natl": "national",
    "assn": "association", "assoc": "association", "bros": "brothers", "dept": "department", "univ": "university",
    "ctr": "center", "centre": "center", "dev": "development", "eng": "engineering", "engg": "engineering",
    "trad": "trading", "tradings": "trading", "enterprises": "enterprise", "ent": "enterprise",
    "mgmt": "management", "invest": "investment", "investments": "investment", "products": "product",
    "abdul": "abd", "abdel": "abd", "abdal": "abd", "el": "al", "hnos": "hermanos", "hno": "hermano",
}  # fmt: skip

# Words that describe a business rather than name it: they can support a hit, never make one.
GENERIC: Final = {
    "technology", "trading", "company", "international", "group", "holding", "industry", "service", "system",
    "global", "import", "export", "general", "development", "investment", "science", "scientific", "electronics",
    "engineering", "product", "manufacturing", "logistics", "commercial", "enterprise", "management", "network",
    "solutions", "solution", "trade", "shipping", "energy", "power", "digital", "mining", "computer", "computing",
    "equipment", "machinery", "materials", "research", "institute", "national", "china", "chinese", "hong", "kong",
    "beijing", "shanghai", "shenzhen", "america", "american", "usa", "us", "europe", "asia", "world", "new",
    "bank", "the", "and", "of", "for", "de", "la", "le", "du", "des", "del", "da", "do", "y", "et", "und", "a",
    "center", "department", "university", "association", "brothers", "partners", "agency", "office", "factory",
    "bin", "bint", "binti", "ibn", "ould", "al", "abu", "abd", "van", "von", "der", "den", "ter", "di", "dos", "das",
    "mac", "mc",
    "no", "nr", "number", "keji", "youxian", "gongsi", "co", "ltd", "inc", "corp", "llc",
    "construction", "consulting", "design", "building", "supply", "supplies", "cargo", "freight", "transport", "marine",
    "hermanos", "hermano",
}  # fmt: skip

# Words of legal forms left among the name's words (a form written in an unusual place, "S.A. Unipapel",
# "Liability Company X Limited"): they describe the form, so they weigh like generic words.
LEGAL_WORDS: Final = frozenset(w for phrase, _ in _LEGAL_PHRASES for w in phrase.split() if len(w) >= 3) | frozenset(
    w for w in LEGAL_FORMS if w.isalpha() and w.islower()
)
GENERIC.update(LEGAL_WORDS)

HONORIFICS: Final = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sheikh", "shaikh", "sheik", "haji", "hajji", "mullah",
    "general", "gen", "col", "colonel", "maj", "major", "capt", "captain", "lt", "president", "minister", "hon",
}  # fmt: skip

_ONES: Final = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS: Final = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: Final = frozenset(_ONES) | frozenset(_TENS[2:])


def number_words(digits: str) -> list[str]:
    """Numbers under 100 as words (44 -> forty four) so "Brigade 44" meets "Brigade Forty-Four"."""
    n = int(digits)
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    return [digits]


_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g"})
_PREFIX_ONLY: Final = {"ooo", "oao", "zao", "pao", "ao", "tov", "ano"}  # Russian/Ukrainian forms are written first
_PREFIX_FORMS: Final = {
    "ano", "ooo", "oao", "zao", "pao", "ao", "ojsc", "cjsc", "pjsc", "jsc", "tov", "srl", "pt", "cv", "kk",
    "llc",  # "LLC Garant", "Limited Liability Company Garant": as the lists write Russian companies
}  # fmt: skip
_APOSTROPHES: Final = re.compile(r"['’‘`´ʼʻ\"“”«»]")
_DOTS: Final = re.compile(r"(?<=\w)\.(?=\w)|\.")
_NON_WORD: Final = re.compile(r"[^a-z0-9]+")
_CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Abjad scripts (Arabic, Persian, Urdu, Hebrew) write few or no short vowels: their transliteration is a
# consonant skeleton ("فرناندو" -> frnndw), to be compared with the skeleton of a Latin spelling.
_ABJAD: Final = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]")
# East Slavic patronymics (Viktorovich, Oleksandrovych, Ivanovna): a father's name, often left out.
_PATRONYMIC_SUFFIXES: Final = ("ovich", "evich", "ovych", "evych", "avich", "ovna", "evna", "ivna", "ichna", "ilyich")
PATRONYMIC_MIN_LENGTH: Final = 7


class NormalName:
    """A name reduced to comparable tokens, with the legal forms and generic words set aside.

    Read-only by convention (one instance is shared through the `normalize` cache). A plain class rather
    than a frozen dataclass: the dataclass `__init__` stays interpreted under mypyc (setup.py) and made up
    a tenth of a cold batch; this one compiles.
    """

    __slots__ = ("original", "tokens", "legal", "distinctive", "patronymics", "abjad", "syllables", "sinitic")

    def __init__(
        self,
        original: str,
        tokens: tuple[str, ...],
        legal: tuple[str, ...],
        distinctive: frozenset[str],
        patronymics: frozenset[str] = frozenset(),
        abjad: bool = False,
        syllables: tuple[str, ...] = (),
        sinitic: bool = False,
    ) -> None:
        self.original = original
        self.tokens = tokens  # every canonical token, in order (legal forms excluded)
        self.legal = legal  # canonical legal forms found
        self.distinctive = distinctive  # tokens that are neither generic nor honorific
        self.patronymics = patronymics  # middle tokens that are a father's name (Viktorovich)
        self.abjad = abjad  # written in Arabic or Hebrew script: tokens are consonant skeletons
        self.syllables = syllables  # a name written only in Chinese characters or Hangul: each one's reading
        self.sinitic = sinitic  # every word spells Chinese syllables (pinyin or Wade-Giles): Xi Jinping, Mao Tse-tung

    def __repr__(self) -> str:
        return f"NormalName({self.original!r}, tokens={self.tokens!r}, legal={self.legal!r})"

    @property
    def key(self) -> str:
        return " ".join(self.tokens)

    @property
    def is_org(self) -> bool:
        return bool(self.legal)


def transliterate(text: str) -> str:
    """Any script to ASCII; CJK syllables are spaced so each character stays a separate syllable group."""
    for src, dst in _CJK_LEGAL:
        text = text.replace(src, dst)
    text = unicodedata.normalize("NFKC", text)
    return anyascii(text)


def _split_words(text: str) -> list[str]:
    text = transliterate(text).lower()
    text = _APOSTROPHES.sub("", text)
    text = _DOTS.sub("", text)
    text = text.replace("&", " and ")
    return [w for w in _NON_WORD.split(text) if w]


# Long legal-form words get cut off by fixed-width fields ("JOINT STOCK COMPAN").
_LONG_FORMS: Final = tuple(w for w in LEGAL_FORMS if len(w) >= 7)
TRUNCATED_MIN: Final = 6  # "limit" is a word of its own; "limite", "compan" are cut off
TYPO_MIN_LENGTH: Final = 6
# Every cut-off form worth recognising (compan, corporat, aktienges ...) -> the full word.
_TRUNCATED: Final = {f[:n]: f for f in sorted(_LONG_FORMS, key=len, reverse=True) for n in range(TRUNCATED_MIN, len(f))}


def _vocabulary() -> dict[tuple[str, int], tuple[str, ...]]:
    """Known business and legal words of six letters or more, by first letter and length, for typo repair."""
    words = set(LEGAL_FORMS) | set(ABBREVIATIONS) | set(ABBREVIATIONS.values()) | GENERIC
    words |= {w for phrase, _ in _LEGAL_PHRASES for w in phrase.split()}
    table: dict[tuple[str, int], list[str]] = {}
    for w in sorted(words):
        if len(w) >= TYPO_MIN_LENGTH and w.isalpha() and w.islower():
            table.setdefault((w[0], len(w)), []).append(w)
    return {k: tuple(v) for k, v in table.items()}


_VOCABULARY: Final = _vocabulary()
_KNOWN_WORDS: Final = frozenset(w for group in _VOCABULARY.values() for w in group)


@lru_cache(maxsize=1 << 17)
def _repair_word(word: str, last: bool) -> str:
    """The business or legal word `word` was meant to be, when it is one typo away (Copmany, Indsutries,
    Aktiengeselschaft) or, last in the name, cut off (Compan); else `word` itself.

    One edit (a transposition counts as one) on a word of six letters or more, same first letter: a
    misspelt "Company" must not turn into a distinctive word that makes the name look like another one.
    """
    if len(word) < TYPO_MIN_LENGTH or word in _KNOWN_WORDS:
        return word
    if last and word in _TRUNCATED:
        return _TRUNCATED[word]
    for size in (len(word) - 1, len(word), len(word) + 1):
        for known in _VOCABULARY.get((word[0], size), ()):
            if OSA.distance(word, known, score_cutoff=1) <= 1:
                return known
    return word


# A phrase table made ready for `_collapse`: (first word, " phrase ", " token ", the token's words).
_PhraseTable = tuple[tuple[str, str, str, tuple[str, ...]], ...]


def _phrase_table(phrases: tuple[tuple[str, str], ...]) -> _PhraseTable:
    return tuple((phrase.split()[0], f" {phrase} ", f" {token} ", tuple(token.split())) for phrase, token in phrases)


_SPELLED_OUT_TABLE: Final = _phrase_table(_SPELLED_OUT_FORMS)
_ALL_PHRASES_TABLE: Final = _phrase_table((*_SPELLED_OUT_FORMS, *_LEGAL_PHRASES))


def _collapse(words: list[str], table: _PhraseTable) -> list[str]:
    """Each phrase of `table` found in `words` replaced by its token, in the table's order (a token may begin a
    later phrase: gmbh and co kg). A phrase is looked for only when its first word is present: most names hold
    none, and a string search per phrase and name made up a fifth of an index build."""
    present = set(words)
    joined = ""
    for first, phrase, token, token_words in table:
        if first in present:
            joined = joined or " " + " ".join(words) + " "
            if phrase in joined:
                joined = joined.replace(phrase, token)
                present.update(token_words)
    return joined.split() if joined else words


PHRASE_SLIP_MIN: Final = 4  # words of a legal phrase this long or longer may carry a slip (JOINT STOAK COMPANY, JONT)
_PHRASE_WORDS: Final = frozenset(w for phrase, _ in _LEGAL_PHRASES for w in phrase.split() if len(w) >= PHRASE_SLIP_MIN)


# Every word of a phrase of two words or more: a repaired word can only complete a phrase beside one of them.
_MULTI_PHRASE_WORDS: Final = frozenset(
    w for phrase, _ in (*_SPELLED_OUT_FORMS, *_LEGAL_PHRASES) if " " in phrase for w in phrase.split()
)


def one_letter_less(word: str) -> set[str]:
    """`word` with one letter deleted, every way: the keys of a symmetric-delete table (SymSpell), where two
    words one slip apart (a letter dropped, added, replaced or two swapped) share a key."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _phrase_slips() -> dict[str, frozenset[str]]:
    """Symmetric-delete table of the legal phrases' words: a word one slip away shares a key with it."""
    table: dict[str, set[str]] = {}
    for word in _PHRASE_WORDS:
        for key in one_letter_less(word) | {word}:
            table.setdefault(key, set()).add(word)
    return {k: frozenset(v) for k, v in table.items()}


_PHRASE_SLIPS: Final = _phrase_slips()


def _phrase_word_meant(word: str) -> str | None:
    """The word of a legal phrase `word` is one slip away from (a letter dropped, added, replaced, swapped)."""
    if len(word) < PHRASE_SLIP_MIN - 1 or word in _PHRASE_WORDS or not word.isalpha():
        return None
    found: set[str] = set()
    for key in one_letter_less(word) | {word}:
        found.update(_PHRASE_SLIPS.get(key, ()))
    for known in sorted(found):
        if OSA.distance(word, known, score_cutoff=1) <= 1:
            return known
    return None


def _collapse_phrases(words: list[str]) -> list[str]:
    """Multi-word legal forms collapsed to one token, also with one slip in one of their words (JOINT STOAK
    COMPANY, PUBLIC JONT STOCK COMPANY): the repaired word is kept only when it completes a phrase, so a name
    word that looks like one ("Stok") is left alone elsewhere. A repair is tried only beside another word of a
    phrase (a phrase of one word gives no shorter name)."""
    collapsed = _collapse(words, _ALL_PHRASES_TABLE)
    phrase_words = [i for i, word in enumerate(words) if word in _MULTI_PHRASE_WORDS]
    if not phrase_words:
        return collapsed
    for i, word in enumerate(words):
        if phrase_words == [i]:  # (the only phrase word is this one)
            continue
        meant = _phrase_word_meant(word)
        if meant is None:
            continue
        repaired = _collapse([*words[:i], meant, *words[i + 1 :]], _ALL_PHRASES_TABLE)
        if len(repaired) < len(collapsed):
            return repaired
    return collapsed


@lru_cache(maxsize=200_000)
def normalize(name: str, person: bool = False) -> NormalName:
    """Canonical tokens for one name (cached: batches repeat names and tokens).

    A person's name has no legal form: a word spelled like one is part of the name (PAO, Yu Liang; GHALI, Iyad
    ag), so with `person` every word is a token and no business word is repaired or collapsed.
    """
    words = list(_written(name))
    last = len(words) - 1
    if not person:
        words = _collapse(words, _SPELLED_OUT_TABLE)  # (before a repair reads "limitee" as "limited")
        last = len(words) - 1
        words = [_repair_word(w, i == last) if i and len(w) >= TYPO_MIN_LENGTH else w for i, w in enumerate(words)]
        words = _collapse_phrases(words)
    tokens: list[str] = []
    legal: list[str] = []
    expanded: list[str] = []
    for word in words:
        if word.isdigit():
            expanded.extend(number_words(word) if len(word) <= 2 else [word])
        elif not word.isalpha():  # digits typed for letters (Sech1n, I9or); words are [a-z0-9]+ here
            expanded.append(word.translate(_LEET))
        else:
            expanded.append(word)
    words = expanded
    for i, word in enumerate(words):
        word = ABBREVIATIONS.get(word, word)
        form = LEGAL_FORMS.get(word)
        # A legal form follows the name proper ("Co" first is a name), except forms written first (OOO, JSC).
        written_ok = (i > 0 and word not in _PREFIX_ONLY) or (i == 0 and word in _PREFIX_FORMS)
        if form is not None and len(words) > 1 and written_ok and not person:
            legal.append(form)
            continue
        tokens.append(word)
    if not tokens and legal:  # a name made only of legal words ("Company"): keep them as generic tokens
        tokens, legal = [LEGAL_FORMS.get(w, w) for w in words], []
    distinctive = frozenset(t for t in tokens if t not in GENERIC and t not in HONORIFICS)
    abjad = bool(_ABJAD.search(name))
    syllables = _syllables(name) if not legal and _CJK.search(name) else ()
    sinitic = not legal and 2 <= len(tokens) <= 4 and all(_SINITIC.fullmatch(t) for t in tokens)
    return NormalName(
        name, tuple(tokens), tuple(legal), distinctive, _patronymics(tokens, legal), abjad, syllables, sinitic
    )


# One or two Mandarin syllables in pinyin or in Wade-Giles (apostrophes dropped): an optional initial,
# then a final; the finals without an initial are those pinyin writes so (an, ou, er ...). A Chinese
# name is a one-syllable surname and a given name of one or two (Xi Jinping, Mao Tse-tung); most other
# words fail (Tim, Smith, Ian, Osama, Benjamin). Decides whether the two romanizations may be compared.
_SINITIC: Final = re.compile(
    r"(?:(?:zh|ch|sh|hs|ts|tz|ss|sz|[bpmfdtnlgkhjqxrzcsyw])"
    r"(?:iang|iong|uang|iung|ang|eng|ing|ong|ung|ian|ien|iao|ieh|uai|uan|uei|ueh|ai|ei|ao|ou|an|en|ih|ia|ie|iu"
    r"|in|ua|uo|ui|un|ue|a|o|e|i|u)"
    r"|(?:ang|eng|ai|ei|ao|ou|an|en|er|a|o|e)){1,2}"
)


_LATIN: Final = re.compile(r"[A-Za-z]")


def _syllables(name: str) -> tuple[str, ...]:
    """The reading of each character of a name written only in Chinese characters, kana or Hangul.

    Each character is a syllable and a morpheme of the name (习 近 平, 김 정 은): transliterated and glued
    together (xijinping), one changed character looks like a one-letter typo, yet it is another name.
    Kept for the comparison of two such names (match.align); empty for names with Latin letters.
    """
    if _LATIN.search(name):
        return ()
    return tuple(anyascii(c).lower() for c in unicodedata.normalize("NFKC", name) if _CJK.match(c))


def looks_patronymic(token: str) -> bool:
    """A token shaped like an East Slavic patronymic (-ovich, -evna, -ovych ...)."""
    return len(token) >= PATRONYMIC_MIN_LENGTH and token.endswith(_PATRONYMIC_SUFFIXES)


# Arabic and Malay nasab particles: "son of" / "daughter of" before a father's (or forefather's) name.
NASAB_PARTICLES: Final = frozenset({"bin", "ibn", "bint", "binti", "ould"})


def _patronymics(tokens: list[str], legal: list[str]) -> frozenset[str]:
    """Patronymics of a person name of three or more words.

    Surnames can share the shape (Abramovich), so a two-word name has none, and when several words
    look patronymic only those that are neither first nor last (given-patronymic-surname order) count.
    A nasab chain (Usama bin Muhammad ibn Awad ibn Ladin) names forefathers after each particle: every
    such name but the last word (the family name, often the only one written: Osama bin Laden) counts
    as a patronymic.
    """
    if legal or len(tokens) < 3:
        return frozenset()
    shaped = [i for i, t in enumerate(tokens) if looks_patronymic(t)]
    if len(shaped) > 1:
        shaped = [i for i in shaped if 0 < i < len(tokens) - 1]
    last = len(tokens) - 1
    nasab = [i + 1 for i, t in enumerate(tokens[:-2]) if t in NASAB_PARTICLES and i > 0]
    nasab = [i for i in nasab if i < last and tokens[i] not in GENERIC and tokens[i] not in HONORIFICS]
    return frozenset(tokens[i] for i in shaped + nasab)


# "Son of" / "daughter of" in Arabic, Hebrew and Maghrebi names (Ben is also a given name: only mid-name).
LINEAGE_PARTICLES: Final = NASAB_PARTICLES | {"ben", "bat"}
ARTICLES: Final = frozenset({"the"})  # "The World Bank" is "World Bank"


def identity_keys(name: NormalName) -> tuple[str, str]:
    """The name's words in any order, alone and with its legal form: two names equal on these are one name.

    Identity is decided on the canonical words (case, punctuation, spacing, diacritics, script, spelled-out or
    abbreviated legal forms folded by `normalize`, and word order), never on weights, so a listed name
    made only of generic words ("Industrial Bank") is still found when typed as printed. "Company" beside
    another legal form adds nothing ("Co., Ltd." is "Company Limited" is "Limited").
    """
    if name.syllables:  # written in Chinese characters, kana or Hangul: the characters are the name (高石 / 高市)
        words = "".join(c for c in unicodedata.normalize("NFKC", name.original) if not c.isspace())
    else:  # in any order, but Salman bin Muhammad is not Muhammad bin Salman
        words = " ".join(identity_words(name)[0])
    forms = _forms(name)
    return words, words + "|" + " ".join(sorted(forms)) if forms else ""


def identity_words(name: NormalName) -> tuple[list[str], bool]:
    """The words identity compares, and whether their order matters (a lineage: X bin Y)."""
    return _in_name_order([t for t in name.tokens if t not in ARTICLES] or list(name.tokens), name.tokens)


def _in_name_order(words: list[str], lineage: tuple[str, ...] | list[str]) -> tuple[list[str], bool]:
    """`words` in any order (sorted), or as written when `lineage` has a "son of" particle inside (X bin Y), and
    whether the order matters."""
    if any(t in LINEAGE_PARTICLES for t in lineage[1:-1]):
        return words, True
    return sorted(words), False


SLIP_WORD_MIN: Final = 5  # the listed word a slip changed: one edit in a shorter word is another word (Lyn / Lin)
SLIP_QUERY_MIN: Final = 4  # the slipped word (a letter dropped from a five-letter word)


def slip_keys(name: NormalName, min_length: int = SLIP_WORD_MIN, reach: int = 0) -> list[int]:
    """For each word of `min_length` letters or more of a name of two words or more, the name without that word,
    with the word's length and its first letter, and again with its length and its last letter (stable 32-bit
    hashes): a name that differs from it in that one word, by a word of that length that begins or ends alike,
    shares a key. One slip keeps the first or the last letter of a word, and changes its length by one at most:
    a query (`reach` 1) also takes the lengths one letter shorter and longer. Without the length and the letters
    a key reached every "Ahmad X" for "Karimi Ahmad", and 19 names of 20 it reached were no slip apart. A
    one-word name has the word with one letter left out, every way, and the word itself: two words one slip
    apart share one.

    Made from the canonical words and from the words as written (`written_words`: a slip can hide a legal
    form or an abbreviation). Names written in Chinese characters, kana or Hangul are left out (a character is
    a syllable, not a slip).
    """
    if name.syllables:
        return []
    keys: list[int] = []
    for tag, (words, ordered) in (("t", identity_words(name)), ("w", written_words(name.original))):
        if len(words) == 1:  # a one-word name: the word with a letter left out, every way (symmetric delete)
            word = words[0]
            if len(word) >= min_length and word.isalpha():
                keys.extend(zlib.crc32(f"1 {key}".encode()) for key in {word, *one_letter_less(word)})
            continue
        for j, word in enumerate(words):
            if len(word) >= min_length and word.isalpha():
                rest = " ".join([*words[:j], "*", *words[j + 1 :]] if ordered else [*words[:j], *words[j + 1 :]])
                for size in range(max(SLIP_WORD_MIN, len(word) - reach), len(word) + reach + 1):
                    keys.append(zlib.crc32(f"{tag}{size}<{word[0]} {rest}".encode()))
                    keys.append(zlib.crc32(f"{tag}{size}>{word[-1]} {rest}".encode()))
    return keys


@lru_cache(maxsize=200_000)
def _written(text: str) -> tuple[str, ...]:
    """The words of `text` as written (transliterated, lower case, punctuation split): cached, as `normalize`
    and the slip keys both start from them."""
    return tuple(_split_words(text))


def may_hold_legal_form(text: str) -> bool:
    """Whether a word of `text` is spelled like a legal form (PAO, AG): only then can a person's name read
    differently as an organisation's."""
    return any(w in LEGAL_FORMS or w in _PHRASE_WORDS for w in _written(text))


def written_words(text: str) -> tuple[list[str], bool]:
    """The words as written (case, script, punctuation folded; nothing repaired, expanded or set aside) in any
    order, or in order for a lineage (X bin Y), and whether the order matters."""
    words = [w for w in _written(text) if w not in ARTICLES]
    return _in_name_order(words, words)


def same_identity(a: NormalName, b: NormalName) -> bool:
    """The same words (`identity_keys`), and the same legal form where both names state one."""
    words_a, _ = identity_keys(a)
    words_b, _ = identity_keys(b)
    return bool(words_a) and words_a == words_b and legal_compatible(a, b)


def legal_compatible(a: NormalName, b: NormalName) -> bool:
    """The same legal form, or one name states none (a missing form is no difference; "company" beside another
    form adds nothing)."""
    fa, fb = _forms(a), _forms(b)
    return not (fa and fb) or fa == fb


def _forms(name: NormalName) -> frozenset[str]:
    forms = set(name.legal)
    if len(forms) > 1:
        forms.discard("company")
    return frozenset(forms)


def is_generic(token: str) -> bool:
    return token in GENERIC or token in HONORIFICS
