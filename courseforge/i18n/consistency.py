"""``i18n check``: a translation must keep what the page needs from its source, not only the meaning.

Per translated, non-fuzzy entry: the same placeholders, link and image targets, inline code, escapes,
emphasis, hard breaks and line-start block markers (compared as multisets of the codes
:mod:`courseforge.i18n.inline` finds, so a translation may reorder them); the same paragraph breaks; all
plural forms filled or none; ``max-length`` limits kept; the source's leading/trailing whitespace kept.
Empty and fuzzy translations are not checked: they are untranslated and fall back to the source.

Diagnostics point at the entry's ``msgstr`` line (``msgstr[i]`` for a plural form), where GNU ``msgfmt``
points too, so an editor opens the line to fix.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Location, Severity
from courseforge.i18n import inline
from courseforge.i18n.catalog import max_length
from courseforge.i18n.inline import Role

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message


@dataclass(frozen=True)
class CodeKind:
    """A family of protected codes: its diagnostic code, what it is called, and how to fix a change."""

    code: str
    noun: str
    hint: str
    """How to fix it; ``{value}`` is the code as written in the source."""


PLACEHOLDER = CodeKind("i18n.placeholder", "placeholder",
                       "keep {value} exactly as in the source: it is filled in when the course runs")
LINK = CodeKind("i18n.link", "link target",
                "keep the target {value} exactly as in the source; translate only the link text in [...]")
LINK_TEXT = CodeKind("i18n.link", "link opening",
                     "write each link as [text](target), with the brackets of the source")
IMAGE = CodeKind("i18n.image", "image",
                 "keep the image target {value} exactly as in the source; translate only the alt text in ![...]")
CODE = CodeKind("i18n.code", "inline code",
                "keep {value} unchanged: inline code is shown exactly as written")
EMPHASIS = CodeKind("i18n.markup", "emphasis",
                    "put {value} around the translated words that carry the emphasis, as the source does")
ESCAPE = CodeKind("i18n.markup", "escape",
                  "keep {value}: the backslash makes the character show as itself, not as Markdown")
BREAK = CodeKind("i18n.markup", "hard line break",
                 "keep the hard line break {value} (two spaces or a backslash before the newline)")
BLOCK = CodeKind("i18n.markup", "block marker",
                 "start the line with {value} as the source does: it makes the list item, heading or quote")
PARAGRAPH = CodeKind("i18n.markup", "paragraph break",
                     "keep the blank lines between paragraphs as in the source")

KIND_OF_ROLE = {
    Role.PLACEHOLDER: PLACEHOLDER,
    Role.AUTOLINK: LINK,
    Role.CODE_SPAN: CODE,
    Role.EMPHASIS: EMPHASIS,
    Role.ESCAPE: ESCAPE,
    Role.BREAK: BREAK,
    Role.BLOCK: BLOCK,
}
"""Entities are not compared: a translation may write ``&`` for ``&amp;``."""

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
WHITESPACE_CODE = "i18n.whitespace"
PLURAL_CODE = "i18n.plural"
LENGTH_CODE = "i18n.length"


@dataclass(frozen=True)
class Problem:
    """One inconsistency of a translation; ``text`` continues "translation of '<id>' ..."."""

    code: str
    text: str
    hint: str
    severity: Severity = Severity.ERROR
    form: int | None = None
    """The plural form (``msgstr[form]``) it is about, if any."""
    line_form: int | None = None
    """The plural form whose line to point at, when the problem is about the entry's forms together."""


Codes = Counter[tuple[CodeKind, str]]


# ------------------------------------------------------------------------------ one text against another
def protected(text: str) -> Codes:
    """The codes a translation must keep, by kind; a ``](target)`` is a link or an image by its opener."""
    found: Codes = Counter()
    openers: list[Role] = []
    for segment in inline.split(text):
        if segment.role in (Role.LINK_OPEN, Role.IMAGE_OPEN):
            openers.append(segment.role)
            found[(LINK_TEXT, "![" if segment.role is Role.IMAGE_OPEN else "[")] += 1
        elif segment.role is Role.LINK_CLOSE:
            opener = openers.pop() if openers else Role.LINK_OPEN
            found[(IMAGE if opener is Role.IMAGE_OPEN else LINK, segment.value[1:])] += 1
        elif segment.role in KIND_OF_ROLE:
            found[(KIND_OF_ROLE[segment.role], segment.value)] += 1
    paragraphs = len(PARAGRAPH_BREAK.findall(text.strip()))
    if paragraphs:
        found[(PARAGRAPH, "\n\n")] = paragraphs
    return found


def compare(source: str, translation: str) -> list[Problem]:
    """What ``translation`` changed of ``source``'s codes, structure and surrounding whitespace."""
    return [*code_problems(protected(source), protected(translation)), *whitespace_problems(source, translation)]


def code_problems(source: Codes, translation: Codes) -> Iterator[Problem]:
    kinds = sorted({kind for kind, _ in (*source, *translation)}, key=lambda k: (k.code, k.noun))
    for kind in kinds:
        if kind is LINK_TEXT and _openings_explained(source, translation):
            continue
        missing = [(v, n, translation[(k, v)]) for (k, v), n in source.items() if k is kind and n > translation[(k, v)]]
        extra = [(v, source[(k, v)], n) for (k, v), n in translation.items() if k is kind and n > source[(k, v)]]
        yield from _describe(kind, missing, extra)


def _openings_explained(source: Codes, translation: Codes) -> bool:
    """A dropped or added link drops or adds its ``[`` too: then report the target only, not the bracket."""
    return _openings(source) - _openings(translation) == _targets(source) - _targets(translation)


def _openings(codes: Codes) -> int:
    return sum(n for (kind, _), n in codes.items() if kind is LINK_TEXT)


def _targets(codes: Codes) -> int:
    """Targets written after brackets (``](...)``, ``][...]``); autolinks have no brackets."""
    return sum(n for (kind, value), n in codes.items() if kind in (LINK, IMAGE) and not value.startswith("<"))


def _describe(kind: CodeKind, missing: list[tuple[str, int, int]],
              extra: list[tuple[str, int, int]]) -> Iterator[Problem]:
    if len(missing) == 1 and len(extra) == 1 and missing[0][1] - missing[0][2] == extra[0][2] - extra[0][1]:
        old, new = missing[0][0], extra[0][0]
        yield Problem(kind.code, f"changes the {kind.noun} {_shown(old)} to {_shown(new)}",
                      _hint(kind, old))
        return
    for value, in_source, in_translation in missing:
        yield Problem(kind.code, f"drops the {kind.noun} {_shown(value)}{_counts(in_source, in_translation)}",
                      _hint(kind, value))
    for value, in_source, in_translation in extra:
        yield Problem(kind.code, f"adds the {kind.noun} {_shown(value)}{_counts(in_source, in_translation)}",
                      _hint(kind, value) if in_source else f"remove {_ticked(value)}: the source has no such "
                                                            f"{kind.noun}")


def _counts(in_source: int, in_translation: int) -> str:
    if (in_source, in_translation) in ((1, 0), (0, 1)):
        return ""
    return f" (source has {in_source}, translation {in_translation})"


def _hint(kind: CodeKind, value: str) -> str:
    return kind.hint.format(value=_ticked(value))


def _shown(value: str, quote: str = "'") -> str:
    return quote + value.replace("\n", "\\n").replace("\t", "\\t") + quote


def _ticked(value: str) -> str:
    """Code quoted for a hint: in backticks, unless it holds backticks or only spaces and newlines."""
    if "`" in value or not value.strip():
        return _shown(value)
    return f"`{value}`"


def whitespace_problems(source: str, translation: str) -> Iterator[Problem]:
    """Leading/trailing whitespace as in the source. A newline at one end of one text and not the other
    is an error, because GNU ``msgfmt -c`` rejects the catalog for it; other differences are warnings."""
    for where, ours, theirs in (("leading", _leading(source), _leading(translation)),
                                ("trailing", _trailing(source), _trailing(translation))):
        if ours == theirs:
            continue
        at_end = str.startswith if where == "leading" else str.endswith
        newline = at_end(ours, "\n") != at_end(theirs, "\n")
        hint = "start and end the translation with the same spaces and newlines as the source"
        if newline:
            hint += " (msgfmt -c rejects a catalog whose texts differ in a newline at either end)"
        yield Problem(WHITESPACE_CODE, _whitespace_change(where, ours, theirs), hint,
                      Severity.ERROR if newline else Severity.WARNING)


def _whitespace_change(where: str, ours: str, theirs: str) -> str:
    if not theirs:
        return f"drops the source's {where} whitespace {_shown(ours)}"
    if not ours:
        return f"adds {where} whitespace {_shown(theirs)} that the source does not have"
    return f"has {where} whitespace {_shown(theirs)} where the source has {_shown(ours)}"


def _leading(text: str) -> str:
    return text[:len(text) - len(text.lstrip())]


def _trailing(text: str) -> str:
    return text[len(text.rstrip()):]


# ------------------------------------------------------------------------------ one catalog entry
def forms(message: Message) -> tuple[str, ...]:
    value = message.string
    if isinstance(value, tuple | list):
        return tuple(str(v or "") for v in value)
    return (str(value or ""),)


def is_checked(message: Message) -> bool:
    """Translated (some form filled), not fuzzy, not the header: what a build would use or should."""
    return bool(message.id) and not message.fuzzy and any(forms(message))


def check_message(message: Message, num_plurals: int) -> list[Problem]:
    """Every problem of one entry's translation (none for an untranslated or fuzzy entry)."""
    if not is_checked(message):
        return []
    limit = max_length(message)
    if not message.pluralizable:
        translation = forms(message)[0]
        return [*compare(str(message.id), translation), *length_problems(translation, limit, None)]
    problems = plural_problems(forms(message), num_plurals)
    sources = tuple(str(s) for s in message.id)
    for index, translation in enumerate(forms(message)):
        if translation:
            problems.extend(_with_form(_closest(sources, translation, index), index))
            problems.extend(length_problems(translation, limit, index))
    return problems


def plural_problems(translations: tuple[str, ...], num_plurals: int) -> list[Problem]:
    hint = (f"fill every form msgstr[0] to msgstr[{num_plurals - 1}] (see the Plural-Forms header), "
            f"or leave them all empty")
    if len(translations) != num_plurals:
        return [Problem(PLURAL_CODE, f"has {len(translations)} plural forms; the language has {num_plurals}", hint)]
    empty = [index for index, text in enumerate(translations) if not text]
    if not empty:
        return []
    names = ", ".join(f"msgstr[{index}]" for index in empty)
    return [Problem(PLURAL_CODE, f"leaves plural form{'s' if len(empty) > 1 else ''} {names} empty", hint,
                    line_form=empty[0])]


def _closest(sources: tuple[str, ...], translation: str, index: int) -> list[Problem]:
    """A plural form may follow the singular ("One item") or the plural ("{n} items") source: accept
    either; report against the one it is nearer to (the singular for msgstr[0] on a tie)."""
    preferred = 0 if index == 0 else len(sources) - 1
    ranked = sorted((len(problems), number != preferred, number, problems)
                    for number, problems in ((n, compare(s, translation)) for n, s in enumerate(sources)))
    return ranked[0][3]


def _with_form(problems: Iterable[Problem], index: int) -> list[Problem]:
    return [replace(problem, form=index) for problem in problems]


def length_problems(translation: str, limit: int | None, form: int | None) -> list[Problem]:
    if limit is None or len(translation) <= limit:
        return []
    return [Problem(LENGTH_CODE, f"is {len(translation)} characters long, over the limit of {limit}",
                    f"shorten it to at most {limit} characters: the 'max-length' comment states a limit a "
                    f"standard or LMS imposes", form=form)]


# ------------------------------------------------------------------------------ a catalog file
@dataclass(frozen=True)
class EntryLines:
    """Where an entry is in its PO file (1-based lines)."""

    msgid: int
    msgstr: tuple[int, ...]
    """The ``msgstr`` line, or the ``msgstr[i]`` lines of a plural entry in order."""

    def line(self, form: int | None) -> int:
        if not self.msgstr:
            return self.msgid
        return self.msgstr[min(form or 0, len(self.msgstr) - 1)]


EntryKey = tuple[object, str | None]


def entry_lines(catalog: Catalog, po_text: bytes) -> dict[EntryKey, EntryLines]:
    """Lines of each entry of ``catalog`` in ``po_text``, the bytes it was read from, keyed by (msgid, msgctxt).
    A message's ``lineno`` is its ``msgid`` line; the ``msgstr`` lines follow it (the text is not parsed again)."""
    lines = po_text.split(b"\n")
    found = {}
    for message in catalog:
        if message.id and message.lineno:
            found[_key(message)] = EntryLines(message.lineno, _msgstr_lines(lines, message.lineno))
    return found


def _msgstr_lines(lines: list[bytes], msgid_line: int) -> tuple[int, ...]:
    found = []
    for number in range(msgid_line, len(lines)):
        line = lines[number].strip()
        if line.startswith(b"msgstr"):
            found.append(number + 1)
        elif found and not line.startswith(b'"'):
            break
    return tuple(found)


def _key(message: Message) -> EntryKey:
    identifier = tuple(message.id) if isinstance(message.id, tuple | list) else message.id
    return identifier, message.context


def entry_name(message: Message) -> str:
    """How a diagnostic names an entry: its stable id (msgctxt), else the start of its source text."""
    if message.context:
        return f"'{message.context}'"
    text = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
    return _shown(text if len(text) <= 40 else text[:39] + "…", quote='"')


def check_catalog(catalog: Catalog, po_path: str, po_text: bytes | None, sink: DiagnosticSink) -> int:
    """Report every inconsistent translation of ``catalog`` into ``sink``; returns how many translated
    entries were checked. ``po_path`` is the path to show; ``po_text`` the file's bytes, for the lines
    (without it, Babel's ``msgid`` line of a catalog read from a file is used)."""
    lines = entry_lines(catalog, po_text) if po_text is not None else {}
    checked = [message for message in catalog if is_checked(message)]
    for message in checked:
        where = lines.get(_key(message))
        sink.extend(diagnostic(message, p, po_path, where) for p in check_message(message, catalog.num_plurals))
    return len(checked)


def diagnostic(message: Message, problem: Problem, po_path: str, where: EntryLines | None) -> Diagnostic:
    form = problem.form if problem.form is not None else problem.line_form
    line = where.line(form) if where is not None else (message.lineno or 0)
    named = f"translation of {entry_name(message)}"
    if problem.form is not None:
        named += f" (msgstr[{problem.form}])"
    return Diagnostic(problem.severity, problem.code, f"{named} {problem.text}", Location(po_path, line, 1),
                      problem.hint)
