"""Enough of ISO 3166 to compare a user's country code with the country names the lists use."""

from __future__ import annotations

NAMES = {
    "AE": "united arab emirates", "AF": "afghanistan", "AM": "armenia", "AR": "argentina", "AT": "austria",
    "AU": "australia", "AZ": "azerbaijan", "BE": "belgium", "BG": "bulgaria", "BH": "bahrain", "BR": "brazil",
    "BY": "belarus", "CA": "canada", "CH": "switzerland", "CN": "china", "CO": "colombia", "CU": "cuba",
    "CY": "cyprus", "CZ": "czech republic", "DE": "germany", "DK": "denmark", "EG": "egypt", "ES": "spain",
    "FI": "finland", "FR": "france", "GB": "united kingdom", "GE": "georgia", "GR": "greece", "HK": "hong kong",
    "HU": "hungary", "ID": "indonesia", "IE": "ireland", "IL": "israel", "IN": "india", "IQ": "iraq", "IR": "iran",
    "IT": "italy", "JO": "jordan", "JP": "japan", "KG": "kyrgyzstan", "KP": "north korea", "KR": "south korea",
    "KW": "kuwait", "KZ": "kazakhstan", "LB": "lebanon", "LY": "libya", "MM": "burma", "MX": "mexico",
    "MY": "malaysia", "NI": "nicaragua", "NL": "netherlands", "NO": "norway", "NZ": "new zealand", "OM": "oman",
    "PA": "panama", "PH": "philippines", "PK": "pakistan", "PL": "poland", "PT": "portugal", "QA": "qatar",
    "RO": "romania", "RU": "russia", "SA": "saudi arabia", "SD": "sudan", "SE": "sweden", "SG": "singapore",
    "SO": "somalia", "SY": "syria", "TH": "thailand", "TJ": "tajikistan", "TM": "turkmenistan", "TR": "turkey",
    "TW": "taiwan", "UA": "ukraine", "US": "united states", "UZ": "uzbekistan", "VE": "venezuela",
    "VN": "vietnam", "YE": "yemen", "ZA": "south africa", "ZW": "zimbabwe",
}  # fmt: skip


def _name(code_or_name: str) -> str:
    """Lower-case country name; OFAC's inverted names ("Korea, North", "Man, Isle of") are put in reading order."""
    name = NAMES.get(code_or_name.upper(), code_or_name.lower())
    head, comma, tail = name.partition(", ")
    return f"{tail} {head}" if comma else name


def same_country(code_or_name: str, other: str) -> bool:
    """True when a two-letter code or a name designates the same country as `other` (code or name)."""
    a, b = code_or_name.strip(), other.strip()
    if a.upper() == b.upper():
        return True
    na, nb = _name(a), _name(b)
    return na == nb or na in nb or nb in na
