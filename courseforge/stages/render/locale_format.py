"""Numbers and durations in the built locale, from CLDR data (through Babel) at build time.

The player runs in whatever browser the LMS offers, whose ``Intl`` data may be missing, older or set
to another language; so the build decides how numbers look and hands the runtime the symbols
(decimal and group separators, grouping sizes, minus sign, the digits 0-9 of the locale's default
numbering system). Text the page shows from the start (the course's estimated duration) is formatted
here in full. A locale Babel does not know gets no data and the runtime falls back to ``Intl``.

What a build takes from Babel is kept in the build cache (by locale, Babel's version and courseforge's code): a
rebuild loads no CLDR data, which costs some 17 ms of CPU a process (unpickling the locale's data imports Babel's
date module, which looks up the local time zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel import __version__ as BABEL_VERSION

from courseforge.cache import JSON, TEXT, memoized
from courseforge.i18n.pseudo import PSEUDO_BASE, canonical

if TYPE_CHECKING:
    from babel import Locale

LATIN = "latn"
NATIVE_ZERO = {
    "adlm": 0x1E950, "arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "cakm": 0x11136, "deva": 0x0966,
    "fullwide": 0xFF10, "gujr": 0x0AE6, "guru": 0x0A66, "hmnp": 0x1E140, "khmr": 0x17E0, "knda": 0x0CE6,
    "laoo": 0x0ED0, "latn": 0x0030, "mlym": 0x0D66, "mtei": 0xABF0, "mymr": 0x1040, "nkoo": 0x07C0,
    "olck": 0x1C50, "orya": 0x0B66, "tamldec": 0x0BE6, "telu": 0x0C66, "thai": 0x0E50, "tibt": 0x0F20,
}
"""CLDR numberingSystems.xml: the zero of each numeric system whose digits are ten consecutive code
points. Covers every default numbering system of Babel's locales; others fall back to Latin digits."""
ASCII_DIGIT = re.compile("[0-9]")
LOCALE_FORMAT_NAMESPACE = "locale-format"
LOCALE_FORMAT_VERSION = 1
"""Bump when what is kept of a locale's formatting data (:meth:`LocaleFormat.as_json`, a duration's words), or how
it is computed, changes."""


@dataclass(frozen=True)
class NumberSymbols:
    """How the locale writes a number, as the runtime's ``dom.number`` needs it."""

    decimal: str
    group: str
    minus: str
    digits: str
    """The ten digits 0-9 of the locale's numbering system."""
    grouping: tuple[int, int]
    """Primary and secondary group sizes (3, 3 in most locales; 3, 2 in Hindi)."""

    def as_json(self) -> dict[str, object]:
        """Digits as a list: some systems' digits lie outside the BMP, two UTF-16 units each in JS."""
        return {"decimal": self.decimal, "group": self.group, "minus": self.minus, "digits": list(self.digits),
                "grouping": list(self.grouping)}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> NumberSymbols:
        grouping = document["grouping"]
        return cls(decimal=document["decimal"], group=document["group"], minus=document["minus"],
                   digits="".join(document["digits"]), grouping=(int(grouping[0]), int(grouping[1])))

    def format(self, value: float) -> str:
        """The same notation as ``dom.number`` in the runtime: at most two decimals, grouped integer part.

        Not Babel's ``format_decimal``: it drops an apostrophe group separator (de-CH) and writes Latin
        digits whatever the numbering system."""
        rounded = f"{abs(value):.2f}"
        integer, _, fraction = rounded.partition(".")
        fraction = fraction.rstrip("0")
        text = self.native(self.group.join(grouped(integer, *self.grouping)))
        if fraction:
            text += self.decimal + self.native(fraction)
        return self.minus + text if value < 0 and rounded != "0.00" else text

    def native(self, text: str) -> str:
        """Latin digits (as Babel writes them) in the locale's own."""
        return ASCII_DIGIT.sub(lambda match: self.digits[int(match.group(0))], text)


def grouped(integer: str, primary: int, secondary: int) -> list[str]:
    """``1234567`` -> ``1 234 567`` with (3, 3), ``12 34 567`` with (3, 2): CLDR grouping sizes."""
    if len(integer) <= primary:
        return [integer]
    head, groups = integer[:-primary], [integer[-primary:]]
    while len(head) > secondary:
        head, groups = head[:-secondary], [head[-secondary:], *groups]
    return [head, *groups]


@dataclass(frozen=True)
class LocaleFormat:
    """Babel's data for one build locale, ready for the templates."""

    identifier: str
    """Babel's name of the locale whose data this is (``de_CH``; ``en`` for en-XA)."""
    numbering_system: str
    numbers: NumberSymbols

    def number(self, value: float) -> str:
        return self.numbers.format(value)

    def duration(self, minutes: int) -> str:
        """:meth:`words` for ``minutes``, from the build cache when an earlier build wrote them."""
        key = (LOCALE_FORMAT_VERSION, BABEL_VERSION, "duration", self.identifier, minutes)
        return memoized(LOCALE_FORMAT_NAMESPACE, key, lambda: self.words(minutes), TEXT)

    def words(self, minutes: int) -> str:
        """``45 Minuten``, ``1 hour and 30 minutes``: exact units, not ``format_timedelta``, which rounds
        90 minutes to "2 hours". Joined as an "and" list: Babel 2.19 repeats the last item of a
        two-item "unit" list in locales that inherit that style (Arabic)."""
        from babel import Locale
        from babel.lists import format_list

        locale = Locale.parse(self.identifier)
        hours, rest = divmod(minutes, 60)
        parts = [self.unit(locale, hours, "duration-hour")] if hours else []
        if rest or not hours:
            parts.append(self.unit(locale, rest, "duration-minute"))
        return format_list(parts, style="standard", locale=locale)

    def unit(self, locale: Locale, value: int, unit: str) -> str:
        from babel.units import format_unit

        text = format_unit(value, unit, length="long", locale=locale, numbering_system=LATIN)
        return self.numbers.native(text)

    def as_json(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "numbering_system": self.numbering_system,
                "numbers": self.numbers.as_json()}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> LocaleFormat:
        return cls(identifier=document["identifier"], numbering_system=document["numbering_system"],
                   numbers=NumberSymbols.from_json(document["numbers"]))


def digits_of(system: str) -> str:
    zero = NATIVE_ZERO[system]
    return "".join(chr(zero + value) for value in range(10))


def babel_locale(locale: str) -> Locale | None:
    """Babel's locale for a build locale: a pseudo-locale uses the language it imitates (en-XA -> en),
    a region CLDR does not know its language's data."""
    from babel import Locale, UnknownLocaleError

    pseudo = canonical(locale)
    tag = PSEUDO_BASE[pseudo] if pseudo else locale.replace("_", "-")
    for candidate in dict.fromkeys((tag, tag.split("-")[0])):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return None


def symbols_of(locale: Locale, system: str) -> dict[str, str]:
    """CLDR often aliases a system's symbols to the Latin ones (Bengali, Devanagari): Babel then
    returns only the alias, so Latin fills in what the system does not define."""
    own = {key: value for key, value in locale.number_symbols[system].items() if key != "alias"}
    return {**locale.number_symbols[LATIN], **own}


def number_symbols(locale: Locale, system: str) -> NumberSymbols:
    symbols = symbols_of(locale, system)
    grouping = locale.decimal_formats[None].grouping
    return NumberSymbols(decimal=symbols["decimal"], group=symbols["group"], minus=symbols["minusSign"],
                         digits=digits_of(system), grouping=(int(grouping[0]), int(grouping[1])))


def locale_format(locale: str) -> LocaleFormat | None:
    """The formatting data of ``locale``, from the build cache when an earlier build wrote it; None when Babel has
    no data for it."""
    key = (LOCALE_FORMAT_VERSION, BABEL_VERSION, "symbols", locale)
    document = memoized(LOCALE_FORMAT_NAMESPACE, key, lambda: cldr_format(locale), JSON)
    return None if document is None else LocaleFormat.from_json(document)


def cldr_format(locale: str) -> dict[str, Any] | None:
    """:func:`locale_format` from Babel's CLDR data, as JSON."""
    found = babel_locale(locale)
    if found is None:
        return None
    system = found.default_numbering_system
    if system not in NATIVE_ZERO or system not in found.number_symbols:
        system = LATIN
    return LocaleFormat(str(found), system, number_symbols(found, system)).as_json()
