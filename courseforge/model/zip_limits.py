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
    max_entries: int = 10_000
    max_ratio: float = 100.0
    """Uncompressed:compressed, per entry and for the whole zip."""
    ratio_floor_bytes: int = MIB
    """Entries (and packages) smaller than this are not ratio-checked: small text compresses well."""
    max_manifest_bytes: int = 8 * MIB
    max_inflate_bytes: int = 256 * MIB
    """Bytes inflated to check CRCs; past this budget an entry is only checked for its first chunk, so a
    package of huge videos is judged in seconds (their checksums are left to the LMS's unzip)."""


DEFAULT_LIMITS = Limits()


def human_size(size: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"
