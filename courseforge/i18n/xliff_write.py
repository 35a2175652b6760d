"""Writing a catalog as XLIFF 1.2 (strict) or 2.1: one ``<file>`` per catalog, one unit per text.

The output is a function of the catalog alone (no dates, no tool versions), so the same catalog always
gives the same bytes and exported files diff cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from babel.messages.catalog import Catalog
from lxml import etree

from courseforge.i18n.xliff_model import (
    FUZZY_SUBSTATE,
    NS2,
    NS12,
    PLURAL_RESTYPE,
    PLURAL_TYPE,
    SIZE_PROFILE,
    SLR_NS,
    XML_NS,
    Code,
    Entry,
    Form,
    Note,
    Piece,
    catalog_entries,
    nmtoken,
    pieces,
    unique_ids,
    xml_runs,
)

Version = Literal["1.2", "2.1"]
DATATYPE_12 = "x-courseforge"
"""1.2 ``file/@datatype``: catalog text of courseforge (Markdown with its codes protected). Not ``po``: for
``po`` files translate-toolkit switches to its PO-flavoured reader, which looks for locations only in
context groups named ``po-reference`` (a name 1.2 allows once per ``<file>``, so each other unit's
locations would be lost, and xliff2po then drops entries that share a msgid as duplicates) and for a
plural entry's approval on ``<group>`` (where 1.2 has no ``approved``)."""
XML_SPACE = f"{{{XML_NS}}}space"
STRUCTURAL = frozenset({"xliff", "file", "header", "body", "group", "trans-unit", "context-group",
                        "unit", "notes", "originalData", "segment"})
"""Elements whose content is only elements: indented. Text-bearing ones (source, target, note, data) are
never touched, since there every character counts."""

Element = etree._Element


def write(catalog: Catalog, *, source_language: str, target_language: str, original: str,
          version: Version) -> bytes:
    entries = catalog_entries(catalog)
    unique_ids(entries)
    languages = (_language(source_language), _language(target_language))
    if version == "1.2":
        root = _document12(entries, *languages, original)
    elif version == "2.1":
        root = _document2(entries, *languages, original)
    else:
        raise ValueError(f"unsupported XLIFF version {version!r} (write 1.2 or 2.1)")
    _indent(root, 0)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8")) + b"\n"


def _language(tag: str) -> str:
    """Babel writes ``pt_BR``; XLIFF wants a BCP 47 tag (``pt-BR``)."""
    return tag.replace("_", "-")


def _indent(element: Element, level: int) -> None:
    children = list(element)
    if not children or etree.QName(element).localname not in STRUCTURAL:
        return
    padding = "\n" + "  " * (level + 1)
    element.text = padding
    for child in children:
        _indent(child, level + 1)
        child.tail = padding
    children[-1].tail = "\n" + "  " * level


def _append_text(parent: Element, text: str) -> None:
    """Mixed content: text goes after the last child, or into the element when it has none."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


# ------------------------------------------------------------------------------------------------ 1.2
def _q12(name: str) -> str:
    return f"{{{NS12}}}{name}"


def _document12(entries: Sequence[Entry], source: str, target: str, original: str) -> Element:
    # lxml-stubs type nsmap keys as str; None (the default namespace) is what lxml documents.
    root = etree.Element(_q12("xliff"), {"version": "1.2"}, nsmap={None: NS12})  # type: ignore[dict-item]
    file = etree.SubElement(root, _q12("file"), {"original": original, "source-language": source,
                                                 "target-language": target, "datatype": DATATYPE_12})
    body = etree.SubElement(file, _q12("body"))
    for entry in entries:
        parent = body
        if entry.plural:
            parent = etree.SubElement(body, _q12("group"), {"id": entry.id, "resname": entry.id,
                                                            "restype": PLURAL_RESTYPE})
        for form in entry.forms:
            _trans_unit(parent, entry, form)
    return root


def _trans_unit(parent: Element, entry: Entry, form: Form) -> None:
    """``approved="yes"`` marks a final translation: 1.2 readers (translate-toolkit among them) treat a
    target without it as not yet reviewed, whatever its ``state``."""
    unit = etree.SubElement(parent, _q12("trans-unit"), {"id": form.id, "resname": form.id,
                                                         **_approval12(entry, form), **_size12(entry),
                                                         XML_SPACE: "preserve"})
    source = pieces(form.source, paired=False)
    _content12(etree.SubElement(unit, _q12("source")), source, form.id)
    if form.target:
        state = "translated" if entry.done(form) else "needs-review-translation"
        target = etree.SubElement(unit, _q12("target"), {"state": state})
        _content12(target, pieces(form.target, paired=False, source=source), form.id)
    for note in (*entry.notes, *_plural_note(entry, form)):
        author = "courseforge" if note.category == "plural" else note.category
        etree.SubElement(unit, _q12("note"), {"from": author}).text = note.text
    _locations12(unit, entry)


def _approval12(entry: Entry, form: Form) -> dict[str, str]:
    return {"approved": "yes"} if entry.done(form) else {}


def _size12(entry: Entry) -> dict[str, str]:
    """The ``max-length`` limit as 1.2's own attributes (``size-unit`` defaults to pixels, so it is always
    written)."""
    return {} if entry.max_length is None else {"maxwidth": str(entry.max_length), "size-unit": "char"}


def _locations12(unit: Element, entry: Entry) -> None:
    """``#:`` locations as ``purpose="location"`` context groups, what 1.2 defines and translate-toolkit
    reads (unnamed: 1.2 wants a context group's name unique in its ``<file>``)."""
    for path, line in entry.locations:
        group = etree.SubElement(unit, _q12("context-group"), {"purpose": "location"})
        etree.SubElement(group, _q12("context"), {"context-type": "sourcefile"}).text = path
        if line is not None:
            etree.SubElement(group, _q12("context"), {"context-type": "linenumber"}).text = str(line)


def _plural_note(entry: Entry, form: Form) -> tuple[Note, ...]:
    """Which plural form this unit is, and the language's rule that picks it."""
    if form.index is None:
        return ()
    return (Note("plural", f"plural form {form.index} of {len(entry.forms)}: {entry.plural_forms}"),)


def _content12(parent: Element, content: Sequence[Piece], unit_id: str) -> None:
    """Text and ``<ph id="n">code</ph>``: in 1.2 a placeholder carries its native code as content."""
    for piece in content:
        text = piece.value if isinstance(piece, Code) else piece
        bad = next((run for run, valid in xml_runs(text) if not valid), None)
        if bad is not None:
            raise ValueError(f"unit {unit_id!r}: U+{ord(bad):04X} cannot be written in XLIFF 1.2 (2.1 can)")
        if isinstance(piece, Code):
            etree.SubElement(parent, _q12("ph"), {"id": piece.id}).text = piece.value
        else:
            _append_text(parent, piece)


# ------------------------------------------------------------------------------------------------ 2.1
def _q2(name: str) -> str:
    return f"{{{NS2}}}{name}"


def _document2(entries: Sequence[Entry], source: str, target: str, original: str) -> Element:
    limited = any(entry.max_length is not None for entry in entries)
    nsmap = {None: NS2, "slr": SLR_NS} if limited else {None: NS2}
    root = etree.Element(_q2("xliff"), {"version": "2.1", "srcLang": source, "trgLang": target},
                         nsmap=nsmap)  # type: ignore[arg-type]
    file = etree.SubElement(root, _q2("file"), {"id": nmtoken(original), "original": original})
    if limited:
        etree.SubElement(file, f"{{{SLR_NS}}}profiles", {"generalProfile": SIZE_PROFILE})
    for entry in entries:
        parent = file
        if entry.plural:
            parent = etree.SubElement(file, _q2("group"), {"id": nmtoken(entry.id), "name": entry.id,
                                                           "type": PLURAL_TYPE})
        for form in entry.forms:
            _unit(parent, entry, form)
    return root


def _unit(parent: Element, entry: Entry, form: Form) -> None:
    size = {} if entry.max_length is None else {f"{{{SLR_NS}}}sizeRestriction": str(entry.max_length)}
    unit = etree.SubElement(parent, _q2("unit"), {"id": nmtoken(form.id), "name": form.id, **size,
                                                  XML_SPACE: "preserve"})
    _notes2(unit, entry, form)
    source = pieces(form.source, paired=True)
    target = pieces(form.target, paired=True, source=source) if form.target else ()
    data = _data_ids((*source, *target))
    if data:
        original_data = etree.SubElement(unit, _q2("originalData"))
        for value, data_id in data.items():
            _text2(etree.SubElement(original_data, _q2("data"), {"id": data_id}), value)
    segment = etree.SubElement(unit, _q2("segment"), _segment_state(entry, form))
    _content2(etree.SubElement(segment, _q2("source")), source, data)
    if form.target:
        _content2(etree.SubElement(segment, _q2("target")), target, data)


def _notes2(unit: Element, entry: Entry, form: Form) -> None:
    notes = [(note.category, note.text) for note in entry.notes]
    notes += [("location", path if line is None else f"{path}:{line}") for path, line in entry.locations]
    notes += [(note.category, note.text) for note in _plural_note(entry, form)]
    if notes:
        element = etree.SubElement(unit, _q2("notes"))
        for category, text in notes:
            etree.SubElement(element, _q2("note"), {"category": category}).text = text


def _segment_state(entry: Entry, form: Form) -> dict[str, str]:
    """``translated``, or ``initial`` (with the target, marked fuzzy) for what gettext calls fuzzy: 2.x has
    no needs-review state, and ``initial`` is the one that says "not done"."""
    if entry.done(form):
        return {"state": "translated"}
    if form.target:
        return {"state": "initial", "subState": FUZZY_SUBSTATE}
    return {"state": "initial"}


def _data_ids(content: Sequence[Piece]) -> dict[str, str]:
    """One ``<data>`` per distinct code text (equal codes share their original data, as the spec allows)."""
    ids: dict[str, str] = {}
    for piece in content:
        if isinstance(piece, Code) and piece.value not in ids:
            ids[piece.value] = f"d{len(ids) + 1}"
    return ids


def _content2(parent: Element, content: Sequence[Piece], data: dict[str, str]) -> None:
    """Codes are ``ph``/``sc``/``ec`` pointing at their data; a CAT tool may move them, not delete or copy."""
    for piece in content:
        if not isinstance(piece, Code):
            _text2(parent, piece)
            continue
        attributes = {"startRef": piece.id} if piece.element == "ec" else {"id": piece.id}
        attributes |= {"dataRef": data[piece.value], "canCopy": "no", "canDelete": "no"}
        etree.SubElement(parent, _q2(piece.element), attributes)


def _text2(parent: Element, text: str) -> None:
    """Characters XML cannot carry become ``<cp hex="..."/>``."""
    for run, valid in xml_runs(text):
        if valid:
            _append_text(parent, run)
        else:
            etree.SubElement(parent, _q2("cp"), {"hex": f"{ord(run):04X}"})
