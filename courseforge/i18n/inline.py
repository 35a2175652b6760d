"""Inline Markdown split into translatable text and protected codes, exactly as written.

Messages keep their inline Markdown (``**bold**``, links, images, inline code, placeholders). Everything
that is syntax or a target is a *code*: translators must keep it, the consistency check compares it,
pseudo-localization leaves it alone, and XLIFF export wraps it in inline-code elements so a CAT tool
cannot break it. ``join(split(text)) == text`` for every text.

The rules follow CommonMark where it matters for translation: an emphasis delimiter is a code only when
it can open or close (flanking rules) and has a partner, so ``2 * 3``, ``5*3`` and ``snake_case`` stay
text; a backtick run closes only on a run of the same length; link text may hold one level of nested
brackets. Line-start block markers (``- ``, ``1. ``, ``## ``, ``> ``) of multi-line messages are codes too,
so a translation cannot silently turn a list into a paragraph, or a paragraph into a list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TEXT = "text"
    CODE_SPAN = "code"
    """`inline code`: its content is code too."""
    LINK_OPEN = "link-open"
    LINK_CLOSE = "link-close"
    """``](target)`` or ``][label]``: carries the link or image target."""
    IMAGE_OPEN = "image-open"
    AUTOLINK = "autolink"
    EMPHASIS = "emphasis"
    PLACEHOLDER = "placeholder"
    ESCAPE = "escape"
    BREAK = "break"
    """A hard line break: two spaces or a backslash before the newline."""
    BLOCK = "block"
    """A block marker at the start of a line (list item, heading, quote), with its indentation."""
    ENTITY = "entity"
    """``&amp;``, ``&#8212;``: a character written as a reference (a translation may write it directly)."""


@dataclass(frozen=True)
class Segment:
    role: Role
    value: str

    @property
    def is_text(self) -> bool:
        return self.role is Role.TEXT


_BRACKETED = r"(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*"
"""Link text: anything but brackets, escapes, or one level of balanced brackets."""

_PATTERN = re.compile(
    rf"""
    (?P<block>(?:\A|(?<=\n))[ \t]*
        (?:(?:>[ \t]?)+(?:(?:[-+*]|\d{{1,9}}[.)]|\#{{1,6}})(?:[ \t]+|(?=\n)|\Z))?
          |(?:[-+*]|\d{{1,9}}[.)]|\#{{1,6}})(?:[ \t]+|(?=\n)|\Z)))
  | (?P<code>(?<!(?<!\\)`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`))
  | (?P<image>!\[)(?={_BRACKETED}\][(\[])
  | (?P<close>\]\(\s*(?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)
                (?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)
             |\]\[[^\[\]]*\])
  | (?P<open>\[)(?={_BRACKETED}\][(\[])
  | (?P<autolink><[A-Za-z][A-Za-z0-9+.\-]{{1,31}}:[^<>\x00-\x20]*>
                |<[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?
                  (?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,61}}[A-Za-z0-9])?)*>)
  | (?P<placeholder>\{{(?:[A-Za-z_][A-Za-z0-9_]*|\d+)\}}
                   |%\([A-Za-z_][A-Za-z0-9_]*\)[-+\#0]*\d*(?:\.\d+)?[sdirfxXeEgGc]
                   |%%|%[sd])
  | (?P<break>\\\n|[ ]{{2,}}\n)
  | (?P<escape>\\[!-/:-@\[-`{{-~])
  | (?P<entity>&(?:\#[0-9]{{1,7}}|\#[xX][0-9A-Fa-f]{{1,6}}|[A-Za-z][A-Za-z0-9]{{1,31}});)
  | (?P<emphasis>\*+|_+|~~)
    """,
    re.VERBOSE | re.DOTALL,
)

_ROLE_OF_GROUP = {
    "block": Role.BLOCK,
    "code": Role.CODE_SPAN,
    "image": Role.IMAGE_OPEN,
    "close": Role.LINK_CLOSE,
    "open": Role.LINK_OPEN,
    "autolink": Role.AUTOLINK,
    "placeholder": Role.PLACEHOLDER,
    "break": Role.BREAK,
    "escape": Role.ESCAPE,
    "entity": Role.ENTITY,
    "emphasis": Role.EMPHASIS,
}


@dataclass(frozen=True)
class _Token:
    role: Role
    start: int
    end: int


def split(text: str) -> tuple[Segment, ...]:
    """Text runs and codes in order; adjacent text is merged, nothing is dropped."""
    segments: list[Segment] = []
    position = 0
    for token in _paired_emphasis(text, _scan(text)):
        if token.start > position:
            segments.append(Segment(Role.TEXT, text[position:token.start]))
        segments.append(Segment(token.role, text[token.start:token.end]))
        position = token.end
    if position < len(text):
        segments.append(Segment(Role.TEXT, text[position:]))
    return _merge_text(segments)


def _scan(text: str) -> list[_Token]:
    tokens = []
    for match in _PATTERN.finditer(text):
        if match.end() == match.start():
            continue
        group = next(name for name in _ROLE_OF_GROUP if match.group(name) is not None)
        tokens.append(_Token(_ROLE_OF_GROUP[group], match.start(), match.end()))
    return tokens


def _paired_emphasis(text: str, tokens: list[_Token]) -> list[_Token]:
    """Keep an emphasis delimiter only when it can open or close and finds a partner of the same kind;
    a lone ``*`` in ``5*3`` is an asterisk, not syntax a translator must keep."""
    openers: dict[str, list[int]] = {}
    paired: set[int] = set()
    for index, token in enumerate(tokens):
        if token.role is not Role.EMPHASIS:
            continue
        can_open, can_close = _delimiter_can(text, token.start, token.end)
        stack = openers.setdefault(text[token.start], [])
        if can_close and stack:
            paired.update((index, stack.pop()))
        elif can_open:
            stack.append(index)
    return [t for i, t in enumerate(tokens) if t.role is not Role.EMPHASIS or i in paired]


def _delimiter_can(text: str, start: int, end: int) -> tuple[bool, bool]:
    """CommonMark's flanking rules: whether a delimiter run can open and whether it can close."""
    before = text[start - 1] if start > 0 else "\n"
    after = text[end] if end < len(text) else "\n"
    left = not is_space(after) and (not is_punctuation(after) or is_space(before) or is_punctuation(before))
    right = not is_space(before) and (not is_punctuation(before) or is_space(after) or is_punctuation(after))
    if text[start] == "_":
        return left and (not right or is_punctuation(before)), right and (not left or is_punctuation(after))
    return left, right


def is_space(char: str) -> bool:
    """CommonMark's whitespace for the flanking rules (a line end counts as one)."""
    return char in "\t\n\v\f\r" or unicodedata.category(char) == "Zs"


def is_punctuation(char: str) -> bool:
    """CommonMark's punctuation: Unicode P and S categories. Format marks (Cf) count as letters."""
    return unicodedata.category(char).startswith(("P", "S"))


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
