"""XLIFF exchange: valid 1.2 strict and 2.1 documents, a lossless round trip, and imports that report
every unit they do not take (stale, unknown, conflicting, broken codes) instead of dropping it."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest
from babel.messages.catalog import Catalog
from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import catalog_bytes, parse_catalog
from courseforge.i18n.xliff import ImportResult, Version, export_xliff, import_xliff, validate_xliff
from courseforge.i18n.xliff_model import NS2, NS12, logical_id, nmtoken

VERSIONS: tuple[Version, ...] = ("1.2", "2.1")
CTX = "safety/ppe"

PO = r'''msgid ""
msgstr ""
"Project-Id-Version: safety 1.0\n"
"Language: de\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: 8bit\n"

#. course title
#. max-length: 200
#: courses/safety/course.yaml:1
msgctxt "safety/@course/title"
msgid "Safety & <Health>"
msgstr "Sicherheit & <Gesundheit>"

#. page paragraph
#: courses/safety/pages/ppe.md:3
msgctxt "safety/ppe/b1"
msgid "Wear **gloves** and [goggles](https://example.org/ppe?a=1&b=2 \"PPE\")."
msgstr "Tragen Sie **Handschuhe** und [Schutzbrille](https://example.org/ppe?a=1&b=2 \"PPE\")."

#. list item
#: courses/safety/pages/ppe.md:7
msgctxt "safety/ppe/b2"
msgid "  Use `<kbd>` and {name}: 5 < 6 &amp; *quick*\nsecond line  \nthird  "
msgstr "  Nutzen Sie `<kbd>` und {name}: 5 < 6 &amp; *schnell*\nzweite Zeile  \ndritte  "

# translator: check the term
#. image alt text
#: courses/safety/pages/intro.md:2 courses/safety/pages/ppe.md:9
#, fuzzy
msgctxt "safety/ppe/b3/alt"
msgid "A fire exit ![sign](../assets/exit.svg) — “Ausgang”"
msgstr "Ein Notausgang ![Schild](../assets/exit.svg) – „Ausgang“"

#. page paragraph
#: courses/safety/pages/ppe.md:11
msgctxt "safety/ppe/b4"
msgid "Not translated yet: ~~old~~ <https://example.org> \\* ünïcödé"
msgstr ""

#. progress
#: templates/default/partials/ui-strings.html:9
msgctxt "safety/@ui/items"
msgid "%(done)s item ticked"
msgid_plural "%(done)s items ticked"
msgstr[0] "%(done)s Punkt abgehakt"
msgstr[1] "%(done)s Punkte abgehakt"

#. plural, half translated
msgctxt "safety/@ui/files"
msgid "one file"
msgid_plural "{n} files"
msgstr[0] "eine Datei"
msgstr[1] ""

msgid "Next"
msgstr "Weiter"
'''


def catalog() -> Catalog:
    return parse_catalog(PO.encode())


def emptied(source: Catalog) -> Catalog:
    """The same catalog with every translation and fuzzy mark removed."""
    result = copy.deepcopy(source)
    for message in result:
        if message.id:
            message.string = ("",) * len(message.string) if message.pluralizable else ""
            message.flags.discard("fuzzy")
    return result


def export(source: Catalog, version: Version) -> bytes:
    return export_xliff(source, source_language="en", target_language="de", original="safety", version=version)


def import_(data: bytes, into: Catalog, overwrite: bool = False) -> tuple[ImportResult, DiagnosticSink]:
    sink = DiagnosticSink()
    return import_xliff(data, into, "de.xlf", sink, overwrite=overwrite), sink


def codes(sink: DiagnosticSink) -> list[str]:
    return [d.code for d in sink]


def translation(source: Catalog, key: str) -> object:
    """The translation of the entry with this msgctxt (or this msgid, for an entry without context)."""
    return next(m for m in source if m.id and (m.context or m.id) == key).string


# ------------------------------------------------------------------------------- editing XLIFF like a CAT tool
def ns(version: Version) -> str:
    return NS12 if version == "1.2" else NS2


def unit_of(root: etree._Element, version: Version, logical: str) -> etree._Element:
    tag, id_ = ("trans-unit", logical) if version == "1.2" else ("unit", nmtoken(logical))
    return next(u for u in root.iter(f"{{{ns(version)}}}{tag}") if u.get("id") == id_)


def source_and_target(unit: etree._Element, version: Version) -> tuple[etree._Element, etree._Element]:
    """The unit's source and a fresh, empty target (replacing any there is)."""
    parent = unit if version == "1.2" else unit.find(f"{{{NS2}}}segment")
    assert parent is not None
    source = parent.find(f"{{{ns(version)}}}source")
    assert source is not None
    old = parent.find(f"{{{ns(version)}}}target")
    if old is not None:
        parent.remove(old)
    target = etree.Element(f"{{{ns(version)}}}target")
    source.addnext(target)
    return source, target


def fill(target: etree._Element, source: etree._Element, parts: Sequence[str | int]) -> None:
    """Write text and copies of the source's code elements (by index) into the target, in any order."""
    for part in parts:
        if isinstance(part, int):
            code = copy.deepcopy(source[part])
            code.tail = None
            target.append(code)
        elif len(target):
            target[-1].tail = (target[-1].tail or "") + part
        else:
            target.text = (target.text or "") + part


def edited(data: bytes, version: Version, logical: str, parts: Sequence[str | int],
           state: str | None = None) -> bytes:
    root = etree.fromstring(data)
    unit = unit_of(root, version, logical)
    source, target = source_and_target(unit, version)
    fill(target, source, parts)
    if state and version == "1.2":
        target.set("state", state)
        unit.attrib.pop("approved", None)  # the state alone decides (approval is tested on its own)
    elif state:
        segment = target.getparent()
        assert segment is not None
        segment.set("state", state)
        segment.attrib.pop("subState", None)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# ------------------------------------------------------------------------------------------------ export
@pytest.mark.parametrize("version", VERSIONS)
def test_export_is_valid_against_the_oasis_schemas(version: Version) -> None:
    data = export(catalog(), version)
    assert validate_xliff(data) == []
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:")


@pytest.mark.parametrize("version", VERSIONS)
def test_export_is_deterministic(version: Version) -> None:
    assert export(catalog(), version) == export(parse_catalog(catalog_bytes(catalog())), version)


def test_units_ids_notes_states_and_plural_groups_1_2() -> None:
    root = etree.fromstring(export(catalog(), "1.2"))
    unit = unit_of(root, "1.2", "safety/ppe/b3/alt")
    assert unit.get("resname") == "safety/ppe/b3/alt"
    assert unit.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert unit.find(f"{{{NS12}}}target").get("state") == "needs-review-translation"
    notes = [(n.get("from"), n.text) for n in unit.iter(f"{{{NS12}}}note")]
    assert notes == [("developer", "image alt text"), ("translator", "translator: check the term")]
    places = [[c.text for c in g] for g in unit.iter(f"{{{NS12}}}context-group")]
    assert places == [["courses/safety/pages/intro.md", "2"], ["courses/safety/pages/ppe.md", "9"]]
    assert unit_of(root, "1.2", "safety/ppe/b4").find(f"{{{NS12}}}target") is None
    group = next(root.iter(f"{{{NS12}}}group"))
    assert (group.get("id"), group.get("restype")) == ("safety/@ui/items", "x-gettext-plurals")
    assert [u.get("id") for u in group] == ["safety/@ui/items[0]", "safety/@ui/items[1]"]
    assert ["".join(u.find(f"{{{NS12}}}source").itertext()) for u in group] == [
        "%(done)s item ticked", "%(done)s items ticked"]


def test_inline_codes_1_2_are_placeholders_holding_the_markdown() -> None:
    unit = unit_of(etree.fromstring(export(catalog(), "1.2")), "1.2", "safety/ppe/b1")
    source, target = (unit.find(f"{{{NS12}}}{name}") for name in ("source", "target"))
    assert etree.tostring(source, encoding=str, with_tail=False).split(">", 1)[1] == (
        'Wear <ph id="1">**</ph>gloves<ph id="2">**</ph> and <ph id="3">[</ph>goggles'
        '<ph id="4">](https://example.org/ppe?a=1&amp;b=2 "PPE")</ph>.</source>')
    assert [p.get("id") for p in target.iter(f"{{{NS12}}}ph")] == ["1", "2", "3", "4"]


def test_inline_codes_2_1_pair_spanning_codes_and_share_original_data() -> None:
    unit = unit_of(etree.fromstring(export(catalog(), "2.1")), "2.1", "safety/ppe/b1")
    data = {d.get("id"): d.text for d in unit.iter(f"{{{NS2}}}data")}
    assert data == {"d1": "**", "d2": "[", "d3": '](https://example.org/ppe?a=1&b=2 "PPE")'}
    source = unit.find(f"{{{NS2}}}segment/{{{NS2}}}source")
    assert [(etree.QName(c).localname, c.get("id") or c.get("startRef"), c.get("dataRef"), c.get("canDelete"))
            for c in source] == [("sc", "1", "d1", "no"), ("ec", "1", "d1", "no"),
                                 ("sc", "2", "d2", "no"), ("ec", "2", "d3", "no")]
    assert unit.get("name") == "safety/ppe/b1" and unit.get("id") == "safety:ppe:b1"


def test_fuzzy_is_initial_with_a_substate_in_2_1() -> None:
    root = etree.fromstring(export(catalog(), "2.1"))
    states = {u.get("name"): (s.get("state"), s.get("subState"), s.find(f"{{{NS2}}}target") is not None)
              for u in root.iter(f"{{{NS2}}}unit") for s in u.iter(f"{{{NS2}}}segment")}
    assert states["safety/ppe/b3/alt"] == ("initial", "courseforge:fuzzy", True)
    assert states["safety/ppe/b1"] == ("translated", None, True)
    assert states["safety/ppe/b4"] == ("initial", None, False)
    assert states["safety/@ui/files[1]"] == ("initial", None, False)


def test_control_characters_travel_as_code_points_in_2_1_and_are_refused_by_1_2() -> None:
    source = catalog()
    next(m for m in source if m.id == "Next").string = "Wei\x07ter"
    data = export(source, "2.1")
    assert b'<cp hex="0007"/>' in data and validate_xliff(data) == []
    again = emptied(source)
    import_(data, again)
    assert translation(again, "Next") == "Wei\x07ter"
    with pytest.raises(ValueError, match="U\\+0007"):
        export(source, "1.2")


def test_nmtoken_ids_are_reversible() -> None:
    for logical in ("safety/@course/title", "a_b:c[0]", "Screen %(current)s of %(total)s", "ünï/x"):
        token = nmtoken(logical)
        assert etree.fromstring(f'<x id="{token}"/>').get("id") == token
        assert logical_id(token) == logical
    assert logical_id("not/ours") is None


# --------------------------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_into_an_untranslated_copy_gives_back_the_same_po_bytes(version: Version) -> None:
    original = catalog()
    again = emptied(original)
    assert catalog_bytes(again) != catalog_bytes(original)
    result, sink = import_(export(original, version), again)
    assert catalog_bytes(again) == catalog_bytes(original)
    assert result == ImportResult(updated=7, untranslated=1)
    assert list(sink) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_reimporting_the_export_changes_nothing(version: Version) -> None:
    target = catalog()
    result, sink = import_(export(target, version), target)
    assert result == ImportResult(unchanged=7, untranslated=1) and list(sink) == []
    assert catalog_bytes(target) == catalog_bytes(catalog())


# ----------------------------------------------------------------------------------------- CAT tool edits
@pytest.mark.parametrize("version", VERSIONS)
def test_translation_between_reordered_codes_imports(version: Version) -> None:
    # b4's source codes, by element index: 0 "~~", 1 "~~", 2 "<https://example.org>", 3 "\\*"
    parts = ["Noch nicht übersetzt: ", 3, " ", 0, "alt", 1, " ", 2, " ünïcödé"]
    data = edited(export(catalog(), version), version, CTX + "/b4", parts, state="translated")
    assert validate_xliff(data) == []
    target = catalog()
    result, sink = import_(data, target)
    assert result.updated == 1 and list(sink) == []
    assert translation(target, CTX + "/b4") == "Noch nicht übersetzt: \\* ~~alt~~ <https://example.org> ünïcödé"


def test_a_paired_code_converted_to_pc_reads_back_2_1() -> None:
    root = etree.fromstring(export(catalog(), "2.1"))
    source, target = source_and_target(unit_of(root, "2.1", CTX + "/b4"), "2.1")
    target.text = "Neu: "
    pc = etree.SubElement(target, f"{{{NS2}}}pc", id="1", dataRefStart="d1", dataRefEnd="d1")
    pc.text, pc.tail = "alt", " "
    fill(target, source, [2, " ", 3, " ünïcödé"])
    target.getparent().set("state", "final")
    into = catalog()
    result, sink = import_(etree.tostring(root), into)
    assert result.updated == 1 and list(sink) == []
    assert translation(into, CTX + "/b4") == "Neu: ~~alt~~ <https://example.org> \\* ünïcödé"


def test_a_resegmented_unit_reads_back_in_target_order_2_1() -> None:
    root = etree.fromstring(export(catalog(), "2.1"))
    unit = unit_of(root, "2.1", "Next")
    segment = unit.find(f"{{{NS2}}}segment")
    assert segment is not None
    second = copy.deepcopy(segment)
    segment.addnext(second)
    segment.find(f"{{{NS2}}}source").text, second.find(f"{{{NS2}}}source").text = "Ne", "xt"
    segment.find(f"{{{NS2}}}target").text, second.find(f"{{{NS2}}}target").text = "ter", "Wei"
    segment.find(f"{{{NS2}}}target").set("order", "2")
    second.find(f"{{{NS2}}}target").set("order", "1")
    into = emptied(catalog())
    result, sink = import_(etree.tostring(root), into)
    assert translation(into, "Next") == "Weiter" and list(sink) == []
    second.remove(second.find(f"{{{NS2}}}target"))
    result, sink = import_(etree.tostring(root), emptied(catalog()))
    assert result.conflicts == 1 and codes(sink) == ["xliff.broken"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_dropped_code_is_a_conflict_and_changes_nothing(version: Version) -> None:
    data = edited(export(catalog(), version), version, CTX + "/b4", ["Nur ", 0, "Text", 1, " ", 2, " ünïcödé"])
    target = catalog()
    result, sink = import_(data, target)
    assert result.conflicts == 1 and result.updated == 0
    [diagnostic] = list(sink)
    assert diagnostic.code == "xliff.codes" and "drops the source's inline codes '\\\\*'" in diagnostic.message
    assert diagnostic.location.path == "de.xlf" and diagnostic.location.line > 0
    assert translation(target, CTX + "/b4") == ""


def test_an_altered_code_1_2_and_a_dangling_data_reference_2_1_are_conflicts() -> None:
    root = etree.fromstring(export(catalog(), "1.2"))
    next(unit_of(root, "1.2", CTX + "/b1").iterfind(f"{{{NS12}}}target/{{{NS12}}}ph")).text = "*"
    assert import_(etree.tostring(root), emptied(catalog()))[0].conflicts == 1
    root = etree.fromstring(export(catalog(), "2.1"))
    sc = next(unit_of(root, "2.1", CTX + "/b1").iterfind(f"*/{{{NS2}}}target/{{{NS2}}}sc"))
    sc.set("dataRef", "d9")
    assert any("d9" in e for e in validate_xliff(etree.tostring(root)))
    result, sink = import_(etree.tostring(root), emptied(catalog()))
    assert result.conflicts == 1 and codes(sink) == ["xliff.broken"] and "dataRef='d9'" in next(iter(sink)).message


# ------------------------------------------------------------------------------------------- merge rules
@pytest.mark.parametrize("version", VERSIONS)
def test_a_stale_source_is_reported_and_not_imported(version: Version) -> None:
    root = etree.fromstring(export(catalog(), version))
    unit = unit_of(root, version, "Next")
    next(unit.iter(f"{{{ns(version)}}}source")).text = "Continue"
    target = emptied(catalog())
    result, sink = import_(etree.tostring(root), target)
    assert result.stale == 1 and codes(sink) == ["xliff.stale"]
    assert translation(target, "Next") == ""


@pytest.mark.parametrize("version", VERSIONS)
def test_a_different_reviewed_translation_is_a_conflict_unless_overwriting(version: Version) -> None:
    data = edited(export(catalog(), version), version, "Next", ["Nächste"], state="translated")
    target = catalog()
    result, sink = import_(data, target)
    assert result.conflicts == 1 and codes(sink) == ["xliff.conflict"]
    [diagnostic] = list(sink)
    assert "unit 'Next'" in diagnostic.message and "PO line" in diagnostic.message
    assert translation(target, "Next") == "Weiter"
    result, sink = import_(data, target, overwrite=True)
    assert result.updated == 1 and translation(target, "Next") == "Nächste"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_fuzzy_catalog_translation_is_replaced_by_the_vendors(version: Version) -> None:
    parts = ["Ein Notausgang ", 0, "Hinweisschild", 1, " – „Ausgang“"]
    data = edited(export(catalog(), version), version, CTX + "/b3/alt", parts, state="translated")
    target = catalog()
    result, _ = import_(data, target)
    message = next(m for m in target if m.context == CTX + "/b3/alt")
    assert result.updated == 1 and not message.fuzzy
    assert message.string == "Ein Notausgang ![Hinweisschild](../assets/exit.svg) – „Ausgang“"


@pytest.mark.parametrize(("version", "state", "fuzzy"), [
    ("1.2", "needs-review-translation", True), ("1.2", "needs-review-l10n", True), ("1.2", "new", True),
    ("1.2", "translated", False), ("1.2", "final", False), ("1.2", "signed-off", False),
    ("2.1", "initial", True), ("2.1", "translated", False), ("2.1", "reviewed", False), ("2.1", "final", False),
])
def test_states_map_to_fuzzy(version: Version, state: str, fuzzy: bool) -> None:
    data = edited(export(catalog(), version), version, "Next", ["Weiter"], state=state)
    target = catalog()
    result, _ = import_(data, target)
    assert next(m for m in target if m.id == "Next").fuzzy is fuzzy
    assert result.updated == (1 if fuzzy else 0)


def test_approved_1_2_units_are_done_whatever_their_state() -> None:
    data = edited(export(catalog(), "1.2"), "1.2", "Next", ["Weiter"], state="needs-review-translation")
    target = catalog()
    import_(data.replace(b'<trans-unit id="Next"', b'<trans-unit approved="yes" id="Next"'), target)
    assert not next(m for m in target if m.id == "Next").fuzzy


@pytest.mark.parametrize(("approved", "state", "fuzzy"), [
    ("no", "translated", True), ("no", "final", True), ("yes", "needs-translation", False), (None, "final", False),
])
def test_an_explicit_1_2_approval_decides_over_the_state(approved: str | None, state: str, fuzzy: bool) -> None:
    data = edited(export(catalog(), "1.2"), "1.2", "Next", ["Weiter"], state=state)
    if approved:
        data = data.replace(b'<trans-unit id="Next"', f'<trans-unit approved="{approved}" id="Next"'.encode())
    target = catalog()
    import_(data, target)
    assert next(m for m in target if m.id == "Next").fuzzy is fuzzy


def test_final_units_are_approved_and_limits_are_attributes() -> None:
    root12 = etree.fromstring(export(catalog(), "1.2"))
    approved = {u.get("id"): u.get("approved") for u in root12.iter(f"{{{NS12}}}trans-unit")}
    assert approved["Next"] == approved["safety/@ui/files[0]"] == "yes"
    assert approved["safety/ppe/b3/alt"] is approved["safety/ppe/b4"] is approved["safety/@ui/files[1]"] is None
    title = unit_of(root12, "1.2", "safety/@course/title")
    assert (title.get("maxwidth"), title.get("size-unit")) == ("200", "char")
    assert [u.get("id") for u in root12.iter(f"{{{NS12}}}trans-unit") if u.get("maxwidth")] == ["safety/@course/title"]
    root2 = etree.fromstring(export(catalog(), "2.1"))
    slr = "urn:oasis:names:tc:xliff:sizerestriction:2.0"
    assert root2.find(f"{{{NS2}}}file/{{{slr}}}profiles").get("generalProfile") == "xliff:codepoints"
    assert {u.get("name"): u.get(f"{{{slr}}}sizeRestriction") for u in root2.iter(f"{{{NS2}}}unit")
            if u.get(f"{{{slr}}}sizeRestriction")} == {"safety/@course/title": "200"}
    unlimited = catalog()
    next(m for m in unlimited if m.context == "safety/@course/title").auto_comments.remove("max-length: 200")
    assert b"slr" not in export(unlimited, "2.1") and b"maxwidth" not in export(unlimited, "1.2")


def test_1_2_segment_markers_of_a_cat_tool_are_read_through() -> None:
    root = etree.fromstring(export(catalog(), "1.2"))
    source, target = source_and_target(unit_of(root, "1.2", CTX + "/b4"), "1.2")
    segmented = etree.Element(f"{{{NS12}}}seg-source")
    whole = etree.SubElement(segmented, f"{{{NS12}}}mrk", mtype="seg", mid="0")
    whole.text = source.text
    whole.extend(copy.deepcopy(source)[:])
    source.addnext(segmented)
    marker = etree.SubElement(target, f"{{{NS12}}}mrk", mtype="seg", mid="0")
    fill(marker, source, ["Noch nicht übersetzt: ", 0, "alt", 1, " ", 2, " ", 3, " ünïcödé"])
    data = etree.tostring(root)
    assert validate_xliff(data) == []
    into = catalog()
    result, sink = import_(data, into)
    assert result.updated == 1 and list(sink) == []
    assert translation(into, CTX + "/b4") == "Noch nicht übersetzt: ~~alt~~ <https://example.org> \\* ünïcödé"


@pytest.mark.parametrize("version", VERSIONS)
def test_an_unknown_unit_and_missing_entries_are_reported(version: Version) -> None:
    bigger = catalog()
    bigger.add("Extra", "Zusatz", context="safety/extra")
    data = export(bigger, version)
    smaller = catalog()
    smaller.delete("Next")
    result, sink = import_(data, smaller)
    assert result.unknown == 2 and result.missing == 0
    assert codes(sink) == ["xliff.unknown", "xliff.unknown"]
    result, sink = import_(export(smaller, version), catalog())
    assert result.missing == 1 and codes(sink) == ["xliff.missing"]


# ---------------------------------------------------------------------------------------- refused files
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="x" datatype="po"
 source-language="en" target-language="de"><body><trans-unit id="Next"><source>Next</source>
<target>&d;</target></trans-unit></body></file></xliff>"""
EXTERNAL = BOMB.replace(b'<!ENTITY a "aaaaaaaaaa">', b'<!ENTITY a SYSTEM "file:///etc/passwd">')


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["expansion", "external"])
def test_entity_declarations_are_refused(data: bytes) -> None:
    target = catalog()
    result, sink = import_(data, target)
    assert result.refused and codes(sink) == ["xliff.invalid"]
    assert "DOCTYPE" in next(iter(sink)).message
    assert validate_xliff(data) and catalog_bytes(target) == catalog_bytes(catalog())


def test_schema_errors_are_reported_with_their_lines_and_nothing_is_imported() -> None:
    data = export(catalog(), "1.2").replace(b'state="translated"', b'state="done"', 1)
    line = data[:data.index(b'state="done"')].count(b"\n") + 1
    result, sink = import_(data, emptied(catalog()))
    assert result.refused
    assert [(d.code, d.location.line) for d in sink] == [("xliff.invalid", line)]
    assert validate_xliff(data) == [f"line {line}: {next(iter(sink)).message}"]


def test_duplicate_unit_ids_in_2_1_are_caught_although_the_schema_passes_them() -> None:
    data = export(catalog(), "2.1").replace(b'id="safety:ppe:b2"', b'id="safety:ppe:b1"')
    assert [e for e in validate_xliff(data) if "unit id 'safety:ppe:b1' is used twice" in e]
    assert import_(data, catalog())[0].refused


@pytest.mark.parametrize(("language", "refused"), [("fr", True), ("de-AT", False), ("de_CH", False)])
def test_a_file_for_another_language_is_refused(language: str, refused: bool) -> None:
    data = export_xliff(catalog(), source_language="en", target_language=language, original="safety", version="2.1")
    result, sink = import_(data, catalog())
    assert result.refused is refused and codes(sink) == ["xliff.language"]
    assert [d.severity.value for d in sink] == ["error" if refused else "warning"]


def test_a_1_2_file_with_tool_extensions_is_read_with_a_warning() -> None:
    data = export(catalog(), "1.2").replace(
        b'<trans-unit id="Next"', b'<trans-unit xmlns:mq="urn:example:cat" mq:status="done" id="Next"')
    assert validate_xliff(data)
    result, sink = import_(data, catalog())
    assert not result.refused and result.unchanged == 7
    assert [(d.code, d.severity.value) for d in sink] == [("xliff.invalid", "warning")]


def test_not_xliff_is_refused() -> None:
    for data in (b"<html/>", b"not xml", b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.2" version="2.2"/>'):
        result, sink = import_(data, catalog())
        assert result.refused and codes(sink) == ["xliff.invalid"]


def test_a_catalog_translation_that_already_lacks_a_code_comes_back_as_a_conflict_not_silently() -> None:
    source = catalog()
    next(m for m in source if m.id == "Next").string = "**Weiter**"
    data = export(source, "2.1")
    assert import_(data, source)[0].unchanged == 7
    result, sink = import_(data, emptied(source))
    assert result.conflicts == 1 and codes(sink) == ["xliff.codes"]
    assert "adds inline codes '**', '**'" in next(iter(sink)).message
