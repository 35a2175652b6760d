"""How far a package may expand before ``check`` and ``verify`` refuse it unread.

Its own module, free of the verifiers' XML machinery, so that ``courseforge check --help`` can show the
default size without loading lxml; :mod:`courseforge.stages.verify.zipguard` applies these limits.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """How much a package may expand; a zip that exceeds any of these is refused unread."""

    max_total_bytes: int = 2 * GIB
    """What an LMS takes as one upload at most (many store sizes as signed 32-bit numbers)."""
    max_entries: int = 65_535
    """The most a zip holds without Zip64 records, which not every LMS's unzip library reads."""
    max_ratio: float = 100.0
    """Uncompressed:compressed, per entry and for the whole zip."""
    ratio_floor_bytes: int = MIB
    """Entries (and packages) smaller than this are not ratio-checked: small text compresses well."""
    max_manifest_bytes: int = 8 * MIB
    """An XML control file (imsmanifest.xml, tincan.xml, cmi5.xml) parsed whole: past this it is refused."""
    max_page_bytes: int = 64 * MIB
    """An HTML page whose references are checked, the web format's entry page too. A single-page player holds
    every screen in one page (a 1,000-page course's is about 13 MiB); past this the page's references are left
    unchecked, with a warning: a browser still shows it, so it is never an error."""
    max_inflate_bytes: int = 256 * MIB
    """Bytes inflated to check CRCs; past this budget an entry is only checked for its first chunk, so a
    package of huge videos is judged in seconds (their checksums are left to the LMS's unzip)."""


DEFAULT_LIMITS = Limits()


def human_size(size: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"
