"""XLIFF exchange with translation vendors: a catalog goes out as XLIFF 1.2 (strict) or 2.1, and the
translated file comes back into the catalog losslessly, with every conflict reported.

Off-the-shelf converters lose what our catalogs depend on (translate-toolkit's po2xliff writes 1.1 and
drops msgctxt), so the mapping is ours:

- One ``<file>`` per catalog; ``original`` is the course id or PO path. One unit per entry, its id the
  entry's ``msgctxt`` (the stable id path; the msgid for entries without context, as in ``ui``). XLIFF 2
  ids must be NMTOKENs, so there the id is encoded (``/`` -> ``:``, others ``_<hex>_``) and ``name`` holds
  the msgctxt.
- Plural entries: a group (1.2 ``restype="x-gettext-plurals"``, 2.x ``type="courseforge:plurals"``) with
  one unit per plural form of the target language, ids ``<msgctxt>[0]``, ``[1]``...; form 0's source is
  the msgid, the others' the msgid_plural, and a note gives the language's Plural-Forms rule.
- ``#.`` comments (with ``max-length: N``) become developer notes, ``#`` comments translator notes,
  ``#:`` locations 1.2 ``purpose="location"`` context groups (``sourcefile``/``linenumber``) or 2.x
  ``location`` notes. 1.2 ``datatype`` is ``x-courseforge``: for ``po`` translate-toolkit would switch to
  a reader that loses those locations (see :data:`courseforge.i18n.xliff_write.DATATYPE_12`).
- Length limits (``max-length: N``) are also the formats' own attributes, so a CAT tool enforces them:
  1.2 ``maxwidth="N" size-unit="char"`` on the trans-unit, 2.x the Size and Length Restriction module
  (``<slr:profiles generalProfile="xliff:codepoints"/>`` in the file, ``slr:sizeRestriction="N"`` on the
  unit). Both count characters (code points) of the whole text, Markdown codes included, as
  ``i18n check`` does.
- State. Translated and not fuzzy (final: only such text counts towards coverage) <-> 1.2
  ``approved="yes"`` with ``state="translated"`` (what translate-toolkit's own po2xliff writes; 1.2
  readers treat a target without approval as unreviewed) / 2.x ``translated``. Fuzzy <-> 1.2
  ``needs-review-translation`` ("only the text needs review"), not approved / 2.x ``initial`` with the
  target (2.x has no needs-review state) and ``subState="courseforge:fuzzy"``. Untranslated <-> no
  target (2.x ``initial``). On import a 1.2 ``approved`` decides when present (``yes`` done, ``no``
  fuzzy); without it ``translated``, ``final`` and ``signed-off`` are done and any other state with a
  target is fuzzy. 2.x ``translated``, ``reviewed`` and ``final`` are done, ``initial`` fuzzy; the
  ``subState`` is informational (a tool that confirms a unit may leave it).
- Inline Markdown (:func:`courseforge.i18n.inline.split`) is protected as inline codes. 1.2:
  ``<ph id="n">code</ph>``. 2.x: the code text lives in ``<originalData>`` and the content points at it:
  ``<ph id="n" dataRef="dK"/>`` for standalone codes, ``<sc id="n" dataRef=.../>`` ... ``<ec
  startRef="n" dataRef=.../>`` for spanning ones (emphasis, ``[``...``](target)``), because the XLIFF 2
  core forbids extractors to write a spanning code as ``<ph>``; all with ``canCopy="no" canDelete="no"``.
  A translation's codes reuse the ids of the equal source codes.

Import reads each code back as the Markdown it stands for, so codes return byte for byte. A unit is not
imported, and is reported, when its source is not the current msgid (stale), when its translation drops,
adds or alters a code, or when it would replace a different reviewed translation (unless ``overwrite``).
Round trip: exporting a catalog and importing the file into a copy without translations gives back the
same PO bytes, for every entry whose translation keeps its source's codes (what ``i18n check`` requires;
one that does not comes back as a reported conflict, since it looks exactly like a code a CAT tool lost).
"""

from __future__ import annotations

from babel.messages.catalog import Catalog
from lxml import etree

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.xliff_merge import ImportResult, merge
from courseforge.i18n.xliff_read import target_languages, units
from courseforge.i18n.xliff_validate import inspect
from courseforge.i18n.xliff_write import Version, write

__all__ = ["ImportResult", "Version", "export_xliff", "import_xliff", "validate_xliff"]


def export_xliff(catalog: Catalog, *, source_language: str, target_language: str, original: str,
                 version: Version) -> bytes:
    """The catalog as an XLIFF document (``version`` "1.2" or "2.1"); same catalog, same bytes.

    Raises ``ValueError`` when two entries would share a unit id, or (1.2 only) when a text holds a
    character XML cannot carry."""
    return write(catalog, source_language=source_language, target_language=target_language, original=original,
                 version=version)


def import_xliff(data: bytes, catalog: Catalog, display_path: str, sink: DiagnosticSink, *,
                 overwrite: bool = False) -> ImportResult:
    """Merge the translations of an XLIFF file into ``catalog`` (in place), reporting into ``sink`` with
    ``display_path`` and the file's line numbers. An unsafe, invalid or wrong-language file is refused
    whole; otherwise each unit is imported or reported. ``overwrite`` lets the file replace reviewed
    translations that differ."""
    inspection = inspect(data, lenient=True)
    for problem in inspection.problems:
        report = sink.warning if problem.warning else sink.error
        report("xliff.invalid", problem.message, Location(display_path, problem.line))
    if inspection.root is None or inspection.errors:
        return ImportResult(refused=True)
    if not _same_language(inspection.root, inspection.version, catalog, display_path, sink):
        return ImportResult(refused=True)
    return merge(units(inspection.root, inspection.version), catalog, display_path, sink, overwrite=overwrite)


def validate_xliff(data: bytes) -> list[str]:
    """Errors (``line N: message``) against the strict schemas (1.2 strict, 2.x core) and the XLIFF 2 rules
    the schema cannot check (unique unit, group and data ids; data and start references); empty when
    valid."""
    return [str(problem) for problem in inspect(data).errors]


def _same_language(root: etree._Element, version: str, catalog: Catalog, display_path: str,
                   sink: DiagnosticSink) -> bool:
    """The file must be for the catalog's language; a more specific tag (``de-DE`` for ``de``, as CAT tools
    often write) passes with a warning, another language or region is refused."""
    if catalog.locale is None:
        return True
    expected = _tag(str(catalog.locale))
    for language, line in target_languages(root, version):
        if _tag(language).startswith(f"{expected}-"):
            sink.warning("xliff.language", f"the file is translated into '{language}', the catalog is "
                         f"'{catalog.locale}'; importing", Location(display_path, line))
        elif _tag(language) != expected:
            sink.error("xliff.language", f"the file is translated into '{language}', the catalog is "
                       f"'{catalog.locale}'; nothing imported", Location(display_path, line))
            return False
    return True


def _tag(language: str) -> str:
    return language.replace("_", "-").lower()
