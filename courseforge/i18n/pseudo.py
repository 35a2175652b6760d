"""Pseudo-locales: translations made up on the fly, to test localization without translators.

- ``en-XA`` (accented): every ASCII letter becomes an accented look-alike, each message grows by about
  40 % (padding words, as real translations from English grow) and is wrapped in ``[`` ... ``]``. Text on a
  rendered page that is not bracketed never went through a catalog: a hard-coded string.
- ``ar-XB`` (right-to-left): each run of text is wrapped in RIGHT-TO-LEFT MARK + RIGHT-TO-LEFT OVERRIDE ...
  POP DIRECTIONAL FORMATTING + RIGHT-TO-LEFT MARK. The override lays the (still Latin, still readable)
  letters out right to left and the marks make the run strongly right-to-left, so a page built with
  ``dir="rtl"`` reads and aligns like an Arabic one and mirroring bugs show. The runs are wrapped line by
  line, never across a line start, so Markdown block markers stay where they are.

Only the text segments of :func:`courseforge.i18n.inline.split` change: link targets, placeholders,
inline code and Markdown syntax stay byte-identical, and the leading/trailing whitespace is kept, so a
pseudo-translation passes :mod:`courseforge.i18n.consistency`. That promise is checked for every message:
where a source with broken Markdown (a stray ``](``) would turn the bracket into a link, en-XA uses
full-width brackets, and failing that none; ar-XB then leaves the message as it is.
"""

from __future__ import annotations

import functools
import gettext
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from courseforge.i18n import inline
from courseforge.i18n.catalog import max_length
from courseforge.i18n.consistency import compare
from courseforge.i18n.inline import Role, Segment
from courseforge.i18n.messages import TYPED_ANSWERS_SUFFIX

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

PSEUDO_LOCALES = ("en-XA", "ar-XB")
PSEUDO_BASE = {"en-XA": "en", "ar-XB": "ar"}
"""The real language each pseudo-locale imitates (plural rules, and number/date formats for a build)."""

EXPANSION = 0.4
BRACKETS = (("[", "]"), ("\uff3b", "\uff3d"))
"""Square brackets; full-width ones where a source with a stray ``](`` or ``][`` would make a square
bracket part of a link."""
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_PADDING = "one two three four five six seven eight nine ten".translate(_ACCENTS)
RLM, RLO, PDF = "\u200f", "\u202e", "\u202c"
TYPED_CONTEXT_SUFFIX = TYPED_ANSWERS_SUFFIX
"""A fill-in question's accepted answers (``<course>/<quiz>/<question>/accepted``) are typed by the learner,
not shown: pseudo catalogs keep them as they are, so a pseudo-locale build can still be answered."""


def canonical(locale: str) -> str | None:
    """``en-XA`` for ``en_XA``, ``en-xa``...; ``None`` when ``locale`` is not a pseudo-locale."""
    wanted = locale.replace("_", "-").lower()
    return next((name for name in PSEUDO_LOCALES if name.lower() == wanted), None)


def is_pseudo(locale: str) -> bool:
    return canonical(locale) is not None


def pseudo_translate(text: str, locale: str, *, max_length: int | None = None) -> str:
    """The pseudo-translation of one message. With ``max_length`` (SCORM's 1,000-character description)
    en-XA pads less and ar-XB wraps fewer runs, so the result still fits when the source leaves room."""
    name = canonical(locale)
    if name == "en-XA":
        return accented(text, max_length)
    if name == "ar-XB":
        return right_to_left(text, max_length)
    raise ValueError(f"'{locale}' is not a pseudo-locale ({', '.join(PSEUDO_LOCALES)})")


# ------------------------------------------------------------------------------ en-XA
def accented(text: str, limit: int | None = None) -> str:
    segments = inline.split(text)
    if not any(_is_content(s) for s in segments):
        return text
    body = "".join(s.value.translate(_ACCENTS) if s.is_text else s.value for s in segments)
    start, end = _content_span(segments)
    padding = _padding(math.ceil(EXPANSION * len(inline.translatable_text(text).strip())))
    if limit is not None:
        padding = padding[:max(limit - len(text) - 2, 0)].rstrip()
    if not padding and body[:end].endswith("\\"):
        padding = " "  # a backslash right before the bracket would escape it
    for opening, closing in BRACKETS:
        result = f"{body[:start]}{opening}{body[start:end]}{padding}{closing}{body[end:]}"
        if _consistent(text, result):
            return result
    return f"{body[:start]}{body[start:end]}{padding}{body[end:]}"


def _consistent(source: str, result: str) -> bool:
    """The promise to keep: a pseudo-translation passes ``i18n check``."""
    return not compare(source, result)


def _is_content(segment: Segment) -> bool:
    """Shown to the learner: words and codes, not whitespace, breaks or block markers."""
    return segment.value.strip() != "" and segment.role not in (Role.BREAK, Role.BLOCK)


def _content_span(segments: tuple[Segment, ...]) -> tuple[int, int]:
    """Where the brackets go: around the content, inside leading/trailing whitespace, block markers and
    a final hard break, so the whitespace and the Markdown structure of the message stay as they are."""
    offsets = [0]
    for segment in segments:
        offsets.append(offsets[-1] + len(segment.value))
    content = [i for i, segment in enumerate(segments) if _is_content(segment)]
    first, last = segments[content[0]], segments[content[-1]]
    start = offsets[content[0]] + (len(first.value) - len(first.value.lstrip()) if first.is_text else 0)
    end = offsets[content[-1]] + (len(last.value.rstrip()) if last.is_text else len(last.value))
    return start, end


def _padding(size: int) -> str:
    """Words, not one long run: real translations wrap at spaces. No Markdown characters in them."""
    if size <= 1:
        return ""
    words = (_PADDING + " ") * (size // len(_PADDING) + 1)
    return (" " + words)[:size].rstrip()


# ------------------------------------------------------------------------------ ar-XB
_MARKS = len(RLM + RLO + PDF + RLM)


def right_to_left(text: str, limit: int | None = None) -> str:
    """Runs wrapped in order; with a ``limit``, only as many as the limit leaves room for."""
    budget = None if limit is None else max(limit - len(text), 0) // _MARKS
    parts = []
    for segment in inline.split(text):
        if not segment.is_text:
            parts.append(segment.value)
            continue
        lines = []
        for line in segment.value.split("\n"):
            wrapped = _override(line) if budget is None or budget > 0 else line
            if budget is not None and wrapped != line:
                budget -= 1
            lines.append(wrapped)
        parts.append("\n".join(lines))
    result = "".join(parts)
    return result if _consistent(text, result) else text


def _override(line: str) -> str:
    """The line's run from its first to its last letter or digit wrapped: whitespace and punctuation at
    the ends stay outside, so a neighbouring ``_`` or ``*`` still opens or closes emphasis as before (the
    marks count as letters for CommonMark's flanking rules), and a line start stays a line start."""
    words = [i for i, char in enumerate(line) if not _is_space_or_punct(char)]
    if not words:
        return line
    start, end = words[0], words[-1] + 1
    return f"{line[:start]}{RLM}{RLO}{line[start:end]}{PDF}{RLM}{line[end:]}"


def _is_space_or_punct(char: str) -> bool:
    return inline.is_space(char) or inline.is_punctuation(char)


# ------------------------------------------------------------------------------ catalogs
def pseudo_catalog(template: Catalog, locale: str) -> Catalog:
    """A complete, non-fuzzy catalog for ``locale`` from a template: every entry and every plural form
    translated (typed answers kept, see :data:`TYPED_CONTEXT_SUFFIX`). Its Language header is the
    pseudo-locale (``en_XA``: Babel knows no such locale), its plural rules those of the imitated language."""
    from babel.messages.catalog import Message  # only where catalogs are made (a build of the source language is not)

    name = canonical(locale)
    if name is None:
        raise ValueError(f"'{locale}' is not a pseudo-locale ({', '.join(PSEUDO_LOCALES)})")
    catalog = _empty_catalog(template, name)
    for entry in (m for m in template if m.id):
        translate: Callable[[str], str] = functools.partial(pseudo_translate, locale=name,
                                                            max_length=max_length(entry))
        if entry.context and entry.context.endswith(TYPED_CONTEXT_SUFFIX):
            translate = str
        catalog[entry.id] = Message(entry.id, _strings(entry, catalog, translate), locations=list(entry.locations),
                                    flags=set(entry.flags) - {"fuzzy"}, auto_comments=list(entry.auto_comments),
                                    user_comments=list(entry.user_comments), context=entry.context)
    return catalog


def _empty_catalog(template: Catalog, name: str) -> Catalog:
    from babel.messages.catalog import Catalog

    header = (f"# Pseudo-locale {name} of '{template.domain or template.project}', generated from its template "
              f"by courseforge.\n# Never edit or commit it: it is made again for every build.")
    catalog = Catalog(locale=name.replace("-", "_"), domain=template.domain, project=template.project,
                      version=template.version, header_comment=header, creation_date=template.creation_date,
                      revision_date=template.creation_date, last_translator="courseforge pseudo-localization",
                      language_team=f"{name} (pseudo-locale)", fuzzy=False)
    catalog.mime_headers = [("Plural-Forms", Catalog(locale=PSEUDO_BASE[name]).plural_forms)]
    return catalog


def _strings(entry: Message, catalog: Catalog, translate: Callable[[str], str]) -> str | tuple[str, ...]:
    """The translation, or one per plural form: the singular where the form is the one for n == 1."""
    if not entry.pluralizable:
        return translate(str(entry.id))
    singular, plural = (str(text) for text in entry.id[:2])
    form_of = gettext.c2py(catalog.plural_expr)
    one = form_of(1)
    return tuple(translate(singular if form == one and _only_one(form_of, form) else plural)
                 for form in range(catalog.num_plurals))


def _only_one(form_of: Callable[[int], int], form: int) -> bool:
    """Whether plural ``form`` is used for n == 1 alone (English "one"), not also for 21, 31 ..."""
    return all(form_of(n) != form for n in range(2, 1000))
