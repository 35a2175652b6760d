"""Fallback text in a translated page: the isolate-marked source text becomes ``<span lang>``.

The localize stage wraps every untranslated text in Unicode isolates (see courseforge.i18n.runtime).
In element content the marks become a span carrying the text's language (screen readers switch voice;
the span's ``dir`` keeps it readable inside a right-to-left page). Where markup is not allowed —
attribute values, ``<script>`` data, ``<title>``, ``<option>`` and ``<textarea>`` — the marks are
simply removed.
"""

from __future__ import annotations

import re

from markupsafe import escape

from courseforge.i18n.runtime import FALLBACK_CLOSE, FALLBACK_OPEN, THEME_LANGUAGE, UI_FALLBACK_OPEN

MARKS = re.compile(f"[{FALLBACK_OPEN}{UI_FALLBACK_OPEN}{FALLBACK_CLOSE}]")
TEXT_ONLY = re.compile(r"<(script|title|option|textarea)\b[^>]*>.*?</\1\s*>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def strip_marks(text: str) -> str:
    return MARKS.sub("", text)


def has_marks(html: str) -> bool:
    return MARKS.search(html) is not None


def mark_fallbacks(html: str, source_language: str) -> str:
    """Spans for marked text in content; marks removed inside tags and text-only elements."""
    html = TEXT_ONLY.sub(lambda match: strip_marks(match.group(0)), html)
    course_text = f'<span lang="{escape(source_language)}" dir="auto">'
    player_text = f'<span lang="{THEME_LANGUAGE}" dir="ltr">'
    return (html.replace(FALLBACK_OPEN, course_text).replace(UI_FALLBACK_OPEN, player_text)
            .replace(FALLBACK_CLOSE, "</span>"))
