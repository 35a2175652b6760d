"""Instants as integer microseconds (what the store compares) and as xAPI ISO 8601 strings."""

from __future__ import annotations

import time
from datetime import UTC, datetime

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return time.time_ns() // 1000


def iso_from_us(instant_us: int) -> str:
    """UTC with microseconds and a Z, e.g. ``2024-05-01T12:00:00.123456Z``."""
    seconds, micros = divmod(instant_us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"


def http_date_from_us(instant_us: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(instant_us // 1_000_000))


def us_from_iso(text: str) -> int:
    """Parse an ISO 8601 timestamp (``Z`` or an offset; no offset means UTC). Raises ValueError."""
    parsed = datetime.fromisoformat(text.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    delta = parsed - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
