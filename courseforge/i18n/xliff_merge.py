"""Merging translations read from XLIFF into a catalog: every unit is imported, or reported with the reason
it was not. Nothing is dropped silently and no reviewed translation is overwritten unless asked.

Counts are per catalog entry (a plural entry counts once), except ``unknown``, which counts units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from babel.messages.catalog import Catalog

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.xliff_model import Entry, Form, catalog_entries, code_values
from courseforge.i18n.xliff_read import Content, ReadUnit

Outcome = Literal["updated", "unchanged", "conflict", "stale", "untranslated"]
HINTS = {
    "xliff.broken": "the CAT tool left codes or segments that cannot be read back; repair the unit there "
                    "(or leave it untranslated) and export the file again",
    "xliff.codes": "restore the inline codes (tags) of the source in the translation; move them, do not "
                   "drop, add or edit them",
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did, entry by entry."""

    updated: int = 0
    """Translations set or replaced, or whose fuzzy mark changed."""
    unchanged: int = 0
    conflicts: int = 0
    """Not imported: a different reviewed translation is in the catalog, or inline codes were broken."""
    unknown: int = 0
    """Units whose id no catalog entry has (renamed or removed since the export)."""
    stale: int = 0
    """Not imported: the unit's source is not the catalog's current msgid (exported before a change)."""
    untranslated: int = 0
    """Entries the file has no translation for; the catalog keeps what it has."""
    missing: int = 0
    """Catalog entries absent from the file."""
    refused: bool = False
    """The file was not imported at all (not XLIFF, invalid, or for another language)."""


@dataclass(frozen=True)
class _Found:
    """The units of one catalog entry, by plural form index (``None`` for a non-plural entry)."""

    entry: Entry
    units: dict[int | None, ReadUnit]


def merge(read: Iterable[ReadUnit], catalog: Catalog, display_path: str, sink: DiagnosticSink, *,
          overwrite: bool = False) -> ImportResult:
    entries = catalog_entries(catalog)
    found, unknown = _by_entry(read, entries, display_path, sink)
    outcomes = Counter(_merge_entry(f, display_path, sink, overwrite) for f in found)
    present = {f.entry.id for f in found}
    missing = [entry for entry in entries if entry.id not in present]
    if missing:
        sink.warning("xliff.missing", f"{len(missing)} catalog entr{'y is' if len(missing) == 1 else 'ies are'} "
                     f"not in the file (first: '{missing[0].id}'); they keep their catalog text",
                     Location(display_path))
    return ImportResult(outcomes["updated"], outcomes["unchanged"], outcomes["conflict"], unknown,
                        outcomes["stale"], outcomes["untranslated"], len(missing))


def _by_entry(read: Iterable[ReadUnit], entries: Sequence[Entry], display_path: str,
              sink: DiagnosticSink) -> tuple[list[_Found], int]:
    index = {form.id: (entry, form.index) for entry in entries for form in entry.forms}
    found: dict[str, _Found] = {}
    unknown = 0
    for unit in read:
        if unit.id not in index:
            unknown += 1
            sink.warning("xliff.unknown", f"unit '{unit.id}' is not in the catalog (renamed or removed since the "
                         "export?); not imported", Location(display_path, unit.line))
            continue
        entry, form_index = index[unit.id]
        slot = found.setdefault(entry.id, _Found(entry, {}))
        if form_index in slot.units:
            sink.error("xliff.duplicate", f"unit '{unit.id}' appears twice (first at line "
                       f"{slot.units[form_index].line}); the later one is not imported",
                       Location(display_path, unit.line))
            continue
        slot.units[form_index] = unit
    order = {entry.id: position for position, entry in enumerate(entries)}
    return sorted(found.values(), key=lambda f: order[f.entry.id]), unknown


def _merge_entry(found: _Found, display_path: str, sink: DiagnosticSink, overwrite: bool) -> Outcome:
    """One entry: stale or broken units leave it alone; otherwise its translation is applied."""
    stale = [unit for form, unit in _pairs(found) if unit.source.problems or unit.source.text != form.source]
    if stale:
        sink.warning("xliff.stale", f"unit '{stale[0].id}': its source is not the catalog's current text "
                     "(exported before the source changed?); not imported", Location(display_path, stale[0].line),
                     hint="export again and have the changed text translated")
        return "stale"
    translated = [(form, unit, unit.target) for form, unit in _pairs(found) if unit.target is not None]
    if not translated:
        return "untranslated"
    for form, unit, target in translated:
        problem = _target_problem(form, target)
        if problem:
            code, reason = problem
            sink.error(code, f"unit '{unit.id}': {reason}; not imported", Location(display_path, unit.line),
                       hint=HINTS[code])
            return "conflict"
    texts = {form.index: target.text for form, _, target in translated}
    return _apply(found.entry, texts, [unit for _, unit, _ in translated], display_path, sink, overwrite)


def _pairs(found: _Found) -> list[tuple[Form, ReadUnit]]:
    return [(form, found.units[form.index]) for form in found.entry.forms if form.index in found.units]


def _target_problem(form: Form, target: Content) -> tuple[str, str] | None:
    """Why the target cannot be taken (diagnostic code, reason): every code must read back (``broken``), and
    the target must carry the source's codes (a CAT tool may move them, not drop, add or alter them). A
    target equal to the catalog's translation is fine as it is: it is what was exported."""
    if target.problems:
        return "xliff.broken", "; ".join(target.problems)
    if target.text == form.target:
        return None
    expected, actual = code_values(form.source), Counter(target.codes)
    changes = []
    if expected - actual:
        changes.append(f"drops the source's inline codes {_listed(expected - actual)}")
    if actual - expected:
        changes.append(f"adds inline codes {_listed(actual - expected)} the source does not have")
    return ("xliff.codes", "the translation " + " and ".join(changes)) if changes else None


def _listed(codes: Counter[str]) -> str:
    return ", ".join(repr(code) for code in sorted(codes.elements()))


def _apply(entry: Entry, texts: dict[int | None, str], units: list[ReadUnit], display_path: str,
           sink: DiagnosticSink, overwrite: bool) -> Outcome:
    """Set the translation (forms the file leaves out keep the catalog's), unless it would replace a
    different reviewed one: that is a conflict, unless ``overwrite``."""
    current = tuple(form.target for form in entry.forms)
    new = tuple(texts.get(form.index, form.target) for form in entry.forms)
    fuzzy = any(unit.fuzzy for unit in units)
    if new == current and fuzzy == entry.fuzzy:
        return "unchanged"
    replaced = [i for i, form in enumerate(entry.forms) if form.target and new[i] != form.target]
    if replaced and not entry.fuzzy and not overwrite:
        unit = next(u for u in units if u.id == entry.forms[replaced[0]].id)
        where = f" (PO line {entry.message.lineno})" if entry.message.lineno else ""
        sink.error("xliff.conflict", f"unit '{unit.id}': the file's translation differs from the catalog's reviewed "
                   f"one{where}; kept the catalog's", Location(display_path, unit.line),
                   hint="import with overwrite to take the file's, or mark the catalog entry fuzzy first")
        return "conflict"
    entry.message.string = new if entry.plural else new[0]
    if fuzzy:
        entry.message.flags.add("fuzzy")
    else:
        entry.message.flags.discard("fuzzy")
    return "updated"
