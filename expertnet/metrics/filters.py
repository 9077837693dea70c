"""The expert filters (domains, countries, signup cohort) and months, parsed from user input.

Everything a person types is checked here before it is used, and it reaches SQL
only as a bound parameter.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from expertnet.errors import BadInput

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_COUNTRY = re.compile(r"[A-Z]{2}")
MAX_DOMAIN = 200


def parse_month(text: str, what: str = "month") -> date:
    match = _MONTH.fullmatch(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise BadInput(f"{what} must be a month as YYYY-MM, like 2025-12 (got {str(text)[:40]!r})")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


_FIRST_INDEX, _LAST_INDEX = 1 * 12, 9999 * 12 + 11     # 0001-01 and 9999-12, what a date can hold


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months on; held to 0001-01 .. 9999-12 instead of
    raising, so no page breaks at the edge of the calendar."""
    index = min(max(month.year * 12 + month.month - 1 + count, _FIRST_INDEX), _LAST_INDEX)
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    first_index = first.year * 12 + first.month - 1
    last_index = last.year * 12 + last.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(first_index, last_index + 1)]


def _values(value) -> tuple[str, ...] | None:
    """A filter's values as a sorted tuple without repeats; None (no filter) for nothing."""
    if value is None:
        return None
    values = (value,) if isinstance(value, str) else tuple(value)
    values = tuple(sorted({v for v in values if v}))
    return values or None


def _split(value) -> list[str]:
    """What a person typed or picked: one value, several separated by commas, or a list."""
    items = [value] if isinstance(value, str) else list(value or [])
    return [part for item in items if isinstance(item, str) for part in item.split(",")]


@dataclass(frozen=True)
class Filters:
    """Which experts a view describes: any of `domain`, any of `country` (each a sorted tuple of
    values, None for all), and the signup month `cohort`. One value may be given as a string."""
    domain: tuple[str, ...] | None = None
    country: tuple[str, ...] | None = None
    cohort: date | None = None          # signup month

    def __post_init__(self):
        object.__setattr__(self, "domain", _values(self.domain))
        object.__setattr__(self, "country", _values(self.country))

    @classmethod
    def parse(cls, domain=None, country=None, cohort: str | None = None) -> "Filters":
        """Filters from what a person typed: each of domain and country one value, several
        separated by commas, or a list of them."""
        domains, countries = [], []
        for text in _split(domain):
            # Codes as people type them: ` Software` is the domain software, `us` the country US.
            # A domain is any lower-case text, as the contract says (médecine too); it reaches SQL
            # only as a bound parameter, so only length and control characters are refused.
            text = text.strip().lower()
            if text and (len(text) > MAX_DOMAIN or any(unicodedata.category(c)[0] == "C" for c in text)):
                raise BadInput(f"domain must be a lower-case domain name like software (got {text[:40]!r})")
            domains.append(text)
        for text in _split(country):
            text = text.strip().upper()
            if text and not _COUNTRY.fullmatch(text):
                raise BadInput(f"country must be a two-letter ISO code like US (got {text[:40]!r})")
            countries.append(text)
        return cls(domains, countries, parse_month(cohort, "cohort") if cohort else None)

    def as_params(self) -> dict:
        return {"domain": list(self.domain) if self.domain else None,
                "country": list(self.country) if self.country else None, "cohort": self.cohort}

    def is_empty(self) -> bool:
        return self.domain is None and self.country is None and self.cohort is None

    def slug(self) -> str:
        """The filters in a file name: software-US-cohort-2025-01, law_software-US, or all-experts."""
        parts = ["_".join(self.domain or ()), "_".join(self.country or ()),
                 f"cohort-{month_label(self.cohort)}" if self.cohort else ""]
        text = "-".join(p for p in parts if p) or "all-experts"
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]

    def describe(self) -> str:
        parts = [f"domain {' or '.join(self.domain)}" if self.domain else "",
                 f"country {' or '.join(self.country)}" if self.country else "",
                 f"signup cohort {month_label(self.cohort)}" if self.cohort else ""]
        return ", ".join(p for p in parts if p) or "all experts"
