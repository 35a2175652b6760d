"""Inline Markdown split into translatable text and protected codes, exactly as written.

Messages keep their inline Markdown (``**bold**``, links, images, inline code, placeholders). Everything
that is syntax or a target is a *code*: translators must keep it, the consistency check compares it,
pseudo-localization leaves it alone, and XLIFF export wraps it in inline-code elements so a CAT tool
cannot break it. ``join(split(text)) == text`` for every text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TEXT = "text"
    CODE_SPAN = "code"
    """`inline code`: its content is code too."""
    LINK_OPEN = "link-open"
    LINK_CLOSE = "link-close"
    """``](target)``: carries the link target."""
    IMAGE_OPEN = "image-open"
    AUTOLINK = "autolink"
    EMPHASIS = "emphasis"
    PLACEHOLDER = "placeholder"
    ESCAPE = "escape"
    BREAK = "break"


@dataclass(frozen=True)
class Segment:
    role: Role
    value: str

    @property
    def is_text(self) -> bool:
        return self.role is Role.TEXT


_PATTERN = re.compile(
    r"""
    (?P<code>(?P<ticks>`+).+?(?P=ticks))                # `inline code`
  | (?P<image>!\[)                                     # ![ ... image alt follows
  | (?P<close>\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\))   # ](target "title")
  | (?P<open>\[)(?=[^\]]*\]\()                          # [ that starts a link
  | (?P<autolink><(?:https?|mailto):[^>\s]+>)          # <https://...>
  | (?P<placeholder>\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_]+\)[sd]|%[sd])
  | (?P<escape>\\[\\`*_{}\[\]()#+\-.!~|<>])
  | (?P<break>\\\n|[ ]{2,}\n)
  | (?P<emphasis>~~|\*{1,3}|(?<![A-Za-z0-9])_{1,3}|_{1,3}(?![A-Za-z0-9]))
    """,
    re.VERBOSE | re.DOTALL,
)

_ROLE_OF_GROUP = {
    "code": Role.CODE_SPAN,
    "image": Role.IMAGE_OPEN,
    "close": Role.LINK_CLOSE,
    "open": Role.LINK_OPEN,
    "autolink": Role.AUTOLINK,
    "placeholder": Role.PLACEHOLDER,
    "escape": Role.ESCAPE,
    "break": Role.BREAK,
    "emphasis": Role.EMPHASIS,
}


def split(text: str) -> tuple[Segment, ...]:
    """Text runs and codes in order; adjacent text is merged, nothing is dropped."""
    segments: list[Segment] = []
    position = 0
    for match in _PATTERN.finditer(text):
        group = next(name for name in _ROLE_OF_GROUP if match.group(name) is not None)
        if group == "emphasis" and _is_spaced_operator(text, match.start(), match.end()):
            continue
        if match.start() > position:
            segments.append(Segment(Role.TEXT, text[position:match.start()]))
        segments.append(Segment(_ROLE_OF_GROUP[group], match.group(0)))
        position = match.end()
    if position < len(text):
        segments.append(Segment(Role.TEXT, text[position:]))
    return _merge_text(segments)


def _is_spaced_operator(text: str, start: int, end: int) -> bool:
    """``2 * 3``: an asterisk with spaces on both sides is arithmetic, not emphasis."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return before.isspace() and after.isspace()


def _merge_text(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and segment.is_text and merged[-1].is_text:
            merged[-1] = Segment(Role.TEXT, merged[-1].value + segment.value)
        else:
            merged.append(segment)
    return tuple(merged)


def join(segments: tuple[Segment, ...] | list[Segment]) -> str:
    return "".join(segment.value for segment in segments)


def codes(text: str) -> Counter[str]:
    """The protected codes of a text as a multiset (order may change in a translation, content may not)."""
    return Counter(segment.value for segment in split(text) if not segment.is_text)


def translatable_text(text: str) -> str:
    """The words only, for counting and length estimates."""
    return "".join(segment.value for segment in split(text) if segment.is_text)
