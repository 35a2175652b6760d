"""Fallback text in a translated page: the isolate-marked source text becomes ``<span lang>``.

The localize stage wraps every untranslated text in Unicode isolates (see courseforge.i18n.runtime).
In element content the marks become a span carrying the text's language (screen readers switch voice;
the span's ``dir`` keeps it readable inside a right-to-left page). Where markup is not allowed —
attribute values, ``<script>`` data, ``<title>``, ``<option>`` and ``<textarea>`` — the marks are
simply removed.

The page is marked as the UTF-8 bytes render produces, in one pass that makes one copy: a big course's page
never becomes a str again. Its tags are the templates' and markdown-it's (raw HTML in Markdown is off, so
course text has none), ASCII names an ASCII pattern matches exactly as a str pattern would.
"""

from __future__ import annotations

import re

from markupsafe import escape

from courseforge.i18n.runtime import FALLBACK_CLOSE, FALLBACK_OPEN, THEME_LANGUAGE, UI_FALLBACK_OPEN

MARKS = re.compile(f"[{FALLBACK_OPEN}{UI_FALLBACK_OPEN}{FALLBACK_CLOSE}]")
ENCODED_MARKS = tuple(mark.encode() for mark in (FALLBACK_OPEN, UI_FALLBACK_OPEN, FALLBACK_CLOSE))
MARKS_IN_PAGE = re.compile(b"|".join(map(re.escape, ENCODED_MARKS)))
TEXT_ONLY = rb"<(?P<tag>script|title|option|textarea)\b[^>]*>.*?</(?P=tag)\s*>|<[^>]+>"
"""A tag, or a whole element whose content is text only: where a mark can only be removed."""
TEXT_ONLY_OR_MARK = re.compile(b"(?P<text_only>" + TEXT_ONLY + b")|" + MARKS_IN_PAGE.pattern,
                               re.DOTALL | re.IGNORECASE)


def strip_marks(text: str) -> str:
    return MARKS.sub("", text)


def has_marks(page: bytes) -> bool:
    return MARKS_IN_PAGE.search(page) is not None


def mark_fallbacks(page: bytes, source_language: str) -> bytes:
    """Spans for marked text in content; marks removed inside tags and text-only elements."""
    open_course, open_player, close = ENCODED_MARKS
    spans = {open_course: f'<span lang="{escape(source_language)}" dir="auto">'.encode(),
             open_player: f'<span lang="{THEME_LANGUAGE}" dir="ltr">'.encode(), close: b"</span>"}

    def replaced(match: re.Match[bytes]) -> bytes:
        if match.group("text_only") is not None:
            return MARKS_IN_PAGE.sub(b"", match.group(0))
        return spans[match.group(0)]

    return TEXT_ONLY_OR_MARK.sub(replaced, page)
