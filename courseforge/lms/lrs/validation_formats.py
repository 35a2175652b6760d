"""The string formats of xAPI 1.0.3 (Part Two §4): IRIs, UUIDs, timestamps, durations, language tags, mailto.

All patterns are compiled once, on first use (the LRS uses every one; a package's verification only the IRI's),
with ``re.ASCII`` so that ``\\d`` or case folding never admits non-ASCII look-alikes. A value is matched first;
only a rejected value is looked at again to say why.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

from courseforge.lms.lrs.validation_base import fail, require_object, require_string


class LazyPattern:
    """A regular expression compiled the first time it matches."""

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = re.ASCII) -> None:
        self.source, self.flags = source, flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(text, pos, endpos)

_IRI_CHAR: Final = r"[^\x00-\x20\x7f-\x9f<>\"{}|\\^`%]"
_IRI: Final = LazyPattern(
    rf"[A-Za-z][A-Za-z0-9+.\-]*:(?=[^\x00-\x20\x7f-\x9f<>\"{{}}|\\^`]){_IRI_CHAR}*(?:%[0-9A-Fa-f]{{2}}{_IRI_CHAR}*)*",
    re.ASCII,
)
"""RFC 3987 best effort (2.2.s4.b6): a scheme, ':', then no spaces, controls, ``<>"{}|\\^` `` or bad escapes."""

_SCHEME: Final = LazyPattern(r"[A-Za-z][A-Za-z0-9+.\-]*:", re.ASCII)
_HEX_PAIR: Final = LazyPattern(r"[0-9A-Fa-f]{2}", re.ASCII)

_UUID: Final = LazyPattern(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}", re.ASCII)
"""RFC 4122 standard string form (2.4.1.s1); hex digits are case-insensitive on input."""

_TIMESTAMP: Final = LazyPattern(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)",
    re.ASCII,
)
"""ISO 8601 extended date and time with a zone designator; covers every RFC 3339 date-time (4.5)."""

_TIMESTAMP_BASIC: Final = LazyPattern(
    r"(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(?:[Zz]|([+-])(\d{2})(\d{2})?)",
    re.ASCII,
)
"""The same in ISO 8601 basic format (20080915T155300Z); ADL's conformance suite counts it as valid."""

_DURATION: Final = LazyPattern(
    r"P(?:(?P<weeks>\d+(?:[.,]\d+)?W)|(?P<y>\d+(?:[.,]\d+)?Y)?(?P<mo>\d+(?:[.,]\d+)?M)?(?P<d>\d+(?:[.,]\d+)?D)?"
    r"(?P<time>T(?P<h>\d+(?:[.,]\d+)?H)?(?P<mi>\d+(?:[.,]\d+)?M)?(?P<s>\d+(?:[.,]\d+)?S)?)?)",
    re.ASCII,
)
"""ISO 8601:2004 §4.4.3.2 format with designators (4.6.s1.b1); weeks stand alone."""

_DURATION_PARTS: Final = ("weeks", "y", "mo", "d", "h", "mi", "s")

_LANGUAGE_TAG: Final = LazyPattern(
    r"(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    r"|x(?:-[a-z0-9]{1,8})+"
    r"|en-gb-oed|i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)"
    r"|sgn-(?:be-fr|be-nl|ch-de))",
    re.ASCII | re.IGNORECASE,
)
"""RFC 5646 §2.1 ``Language-Tag`` grammar (well-formed; no registry lookup), irregular grandfathered tags."""

_LANGUAGE_CODE: Final = LazyPattern(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", re.ASCII)
"""context.language, checked for its characters only (see check_context_language)."""

_MAILTO: Final = LazyPattern(
    r"mailto:[^\x00-\x20\x7f<>()\[\]\\,;:@\"]+@[^\x00-\x20\x7f<>()\[\]\\,;:@\"./?#]+(?:\.[^\x00-\x20\x7f<>()\[\]\\,;:@\"./?#]+)*",
    re.ASCII,
)
"""'mailto:' then one address: a local part, '@', a domain of non-empty dot-separated labels (2.4.2.3)."""

_SHA1_HEX: Final = LazyPattern(r"[0-9A-Fa-f]{40}", re.ASCII)
_SHA2_HEX: Final = LazyPattern(r"[0-9A-Fa-f]{56}(?:[0-9A-Fa-f]{8}(?:[0-9A-Fa-f]{32}(?:[0-9A-Fa-f]{32})?)?)?", re.ASCII)
"""SHA-224, SHA-256, SHA-384 or SHA-512 in hex (56, 64, 96 or 128 digits)."""

_TOKEN: Final = r"[A-Za-z0-9!#$%&'*+.^_`|~\-]+"
_MEDIA_TYPE: Final = LazyPattern(
    rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|\"(?:[^\"\\]|\\.)*\"))*[ \t]*;?",
    re.ASCII,
)
"""RFC 2045/6838 ``type/subtype`` with optional parameters."""

_VERSION: Final = LazyPattern(r"1\.0(?:\.(?:0|[1-9][0-9]*))?", re.ASCII)
"""A 1.0.x version (2.4.10.s3.b1/b2), or "1.0", which ADL's conformance suite requires an LRS to accept (XAPI-00101,
after Part Three 3.3.s3.b3 for the version header)."""

_FORBIDDEN_IRI_CHARS: Final = frozenset('<>"{}|\\^`')


def check_iri(value: object, where: str) -> None:
    """An absolute IRI (2.2.s4.b1.b8: a scheme is required; 2.4.4.1 note: fragments are not IRIs)."""
    text = require_string(value, where)
    if _IRI.fullmatch(text) is None:
        fail(where, f"must be an absolute IRI ({_iri_problem(text)})")


def check_irl(value: object, where: str) -> None:
    """An IRL: an IRI that locates something; checked with the same best-effort rules."""
    text = require_string(value, where)
    if _IRI.fullmatch(text) is None:
        fail(where, f"must be an absolute IRL ({_iri_problem(text)})")


def check_uri(value: object, where: str) -> None:
    """A URI (openid): an IRI in ASCII only."""
    text = require_string(value, where)
    if _IRI.fullmatch(text) is None:
        fail(where, f"must be an absolute URI ({_iri_problem(text)})")
    if not text.isascii():
        fail(where, "must be an absolute URI (non-ASCII characters must be percent-encoded)")


def _iri_problem(text: str) -> str:
    """Why a string is not an absolute IRI (only called for rejected values)."""
    if not text:
        return "it is empty"
    scheme = _SCHEME.match(text)
    if scheme is None:
        return "it has no scheme"
    rest = text[scheme.end() :]
    if not rest:
        return "nothing follows the scheme"
    for index, char in enumerate(rest):
        if char <= " " or "\x7f" <= char <= "\x9f" or char in _FORBIDDEN_IRI_CHARS:
            return f"character {char!r} is not allowed"
        if char == "%" and _HEX_PAIR.fullmatch(rest, index + 1, index + 3) is None:
            return "'%' must start a two-digit hex escape"
    return "it is malformed"


def check_uuid(value: object, where: str) -> None:
    """A UUID in standard string form (4.4)."""
    if _UUID.fullmatch(require_string(value, where)) is None:
        fail(where, "must be a UUID in standard form (8-4-4-4-12 hex digits)")


def parse_timestamp(value: object, where: str) -> datetime:
    """An ISO 8601 date and time with a time zone, as an aware datetime (microsecond precision)."""
    text = require_string(value, where)
    match = _TIMESTAMP.fullmatch(text) or _TIMESTAMP_BASIC.fullmatch(text)
    if match is None:
        fail(where, f"must be an ISO 8601 date and time with a time zone, e.g. 2013-05-18T05:32:34.804Z ({text!r})")
    year, month, day, hour, minute, second, fraction, sign, zone_hours, zone_minutes = match.groups()
    if sign is None:
        zone = UTC
    else:
        if sign == "-" and int(zone_hours) == 0 and int(zone_minutes or "0") == 0:
            fail(where, "must not use the offset -00:00 (RFC 3339: unknown local offset); use Z or +00:00")
        if int(zone_hours) > 23 or int(zone_minutes or "0") > 59:
            fail(where, f"has an impossible time zone offset ({text!r})")
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes or "0"))
        zone = timezone(-offset if sign == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or "0"), micro, zone)
    except ValueError:
        fail(where, f"is not a real date and time ({text!r})")


def check_timestamp(value: object, where: str) -> None:
    """A Timestamp (4.5): ISO 8601 with a zone; a date alone or a missing offset is rejected."""
    parse_timestamp(value, where)


def check_duration(value: object, where: str) -> None:
    """An ISO 8601 duration such as PT4H35M59.14S or P4W (4.6); only the last component may have a fraction."""
    text = require_string(value, where)
    match = _DURATION.fullmatch(text)
    present = [] if match is None else [part for part in _DURATION_PARTS if match.group(part)]
    if match is None or not present or (match.group("time") == "T"):
        fail(where, f"must be an ISO 8601 duration such as PT4H35M59.14S ({text!r})")
    if any("." in match.group(part) or "," in match.group(part) for part in present[:-1]):
        fail(where, f"may have a decimal fraction only in its last component ({text!r})")


def is_language_tag(text: str) -> bool:
    """RFC 5646 well-formedness: the ABNF, and no extension singleton used twice (§2.2.6)."""
    if _LANGUAGE_TAG.fullmatch(text) is None:
        return False
    if text.count("-") < 3:
        return True
    singletons: set[str] = set()
    for subtag in text.lower().split("-")[1:]:
        if subtag == "x":
            break
        if len(subtag) == 1:
            if subtag in singletons:
                return False
            singletons.add(subtag)
    return True


def check_language_tag(value: object, where: str) -> None:
    """An RFC 5646 language tag (Accept-Language-like parameters)."""
    text = require_string(value, where)
    if not is_language_tag(text):
        fail(where, f"must be an RFC 5646 language tag ({text!r})")


def check_context_language(value: object, where: str) -> None:
    """context.language (2.4.6): hyphen-separated letters and digits.

    Only the characters are checked: ADL's conformance suite (XAPI-00013) requires an LRS to accept a 50- and a
    51-character context.language, which the RFC 5646 grammar would refuse. Language-map keys get the full grammar.
    """
    text = require_string(value, where)
    if _LANGUAGE_CODE.fullmatch(text) is None:
        fail(where, f"must be a language tag (letters and digits in hyphen-separated subtags, {text!r})")


def check_language_map(value: object, where: str) -> None:
    """A Language Map (4.2): RFC 5646 tags as keys (2.2.s4.b2), strings as values, at least one entry.

    ADL's conformance suite rejects an empty map ("a Language Map ... has at least 1 entry").
    """
    entries = require_object(value, where)
    if not entries:
        fail(where, "must have at least one entry (a language tag and its text)")
    for tag, text in entries.items():
        if not is_language_tag(tag):
            fail(where, f"key {tag!r} is not an RFC 5646 language tag")
        if not isinstance(text, str):
            require_string(text, f"{where}.{tag}")


def check_extensions(value: object, where: str) -> None:
    """An extensions map (4.1): IRI keys; values are anything, null included (4.1.s3.b2)."""
    entries = require_object(value, where)
    for key in entries:
        if _IRI.fullmatch(key) is None:
            fail(where, f"key {key!r} must be an absolute IRI ({_iri_problem(key)})")


def check_mailto(value: object, where: str) -> None:
    """An mbox: 'mailto:' and one email address (2.4.2.3)."""
    if _MAILTO.fullmatch(require_string(value, where)) is None:
        fail(where, "must be a 'mailto:' IRI of one email address, e.g. mailto:learner@example.com")


def check_sha1_hex(value: object, where: str) -> None:
    """An mbox_sha1sum: 40 hex digits (2.4.2.3)."""
    if _SHA1_HEX.fullmatch(require_string(value, where)) is None:
        fail(where, "must be a hex-encoded SHA-1 hash (40 hex digits)")


def check_sha2_hex(value: object, where: str) -> None:
    """An attachment sha2: a SHA-2 digest in hex (224, 256, 384 or 512 bits)."""
    if _SHA2_HEX.fullmatch(require_string(value, where)) is None:
        fail(where, "must be a hex-encoded SHA-2 hash (56, 64, 96 or 128 hex digits)")


def check_media_type(value: object, where: str) -> None:
    """An Internet Media Type (RFC 2046), e.g. text/plain; charset=utf-8."""
    if _MEDIA_TYPE.fullmatch(require_string(value, where)) is None:
        fail(where, "must be an Internet Media Type such as 'application/octet-stream'")


def check_version(value: object, where: str) -> None:
    """A statement version: 1.0.x (2.4.10.s3: anything not starting with '1.0.' is rejected)."""
    if _VERSION.fullmatch(require_string(value, where)) is None:
        fail(where, "must be '1.0' or a 1.0.x version such as '1.0.0'")
