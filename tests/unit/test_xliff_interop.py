"""Our XLIFF as a translator's tool sees it, with translate-toolkit (translate.storage, po2xliff, xliff2po)
as the independent reader and writer, on the committed French catalog of the data-privacy course.

What translate-toolkit 3.20 can see (read in its source, translate/storage/xliff.py, xliff2.py, poxliff.py,
convert/xliff2po.py): 1.2 done-ness from ``approved`` (a target without ``approved="yes"`` is fuzzy), 1.2
locations from ``purpose="location"`` context groups, 1.2 notes by ``from``, 2.x state from
``segment/@state``. It has no notion of a unit's context (``getcontext()`` is always empty for XLIFF units,
and xliff2po never sets a msgctxt), reads no 2.x notes or locations (it looks for notes on the segment),
and has no API for length limits: those are checked on the elements it parsed and the files it saves.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from lxml import etree
from translate.convert import po2xliff, xliff2po
from translate.storage import factory, po, xliff, xliff2

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import catalog_bytes, load_catalog, max_length
from courseforge.i18n.xliff import ImportResult, Version, export_xliff, import_xliff, validate_xliff
from courseforge.i18n.xliff_model import NS2, NS12, SLR_NS, code_values, logical_id
from tests.unit.test_xliff import catalog as synthetic_catalog

REPO = Path(__file__).resolve().parents[2]
COURSE = "data-privacy"
LANGUAGE = "fr"
UNTRANSLATED_EVERY = 9
FUZZY_EVERY = 13
"""The committed catalog is translated but for a few fuzzy entries: every 9th entry's translation is removed
and every 13th entry is marked fuzzy, so that the three states occur whatever the translators commit."""
SIZE = f"{{{SLR_NS}}}sizeRestriction"


def sample() -> Catalog:
    catalog = load_catalog(REPO / "locales" / LANGUAGE / "LC_MESSAGES" / f"{COURSE}.po")
    for index, message in enumerate(m for m in catalog if m.id):
        if index % UNTRANSLATED_EVERY == UNTRANSLATED_EVERY - 1:
            message.string = ""
            message.flags.discard("fuzzy")
        elif index % FUZZY_EVERY == FUZZY_EVERY - 1:
            message.flags.add("fuzzy")
    return catalog


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def state(message: Message) -> str:
    return "untranslated" if not message.string else "fuzzy" if message.fuzzy else "translated"


def expected_states(catalog: Catalog) -> dict[str, str]:
    states = {str(m.context): state(m) for m in entries(catalog)}
    assert {"translated", "fuzzy", "untranslated"} <= set(states.values()), "the sample must hold every state"
    return states


def source_language() -> str:
    manifest = yaml.safe_load((REPO / "courses" / COURSE / "course.yaml").read_text(encoding="utf-8"))
    return str(manifest["language"])


def export(catalog: Catalog, version: Version, language: str = LANGUAGE) -> bytes:
    data = export_xliff(catalog, source_language=source_language(), target_language=language, original=COURSE,
                        version=version)
    assert validate_xliff(data) == []
    return data


def read_12(data: bytes, tmp_path: Path) -> xliff.Xliff1File:
    """Through the factory, as translate-toolkit's tools open a file: by its name."""
    path = tmp_path / f"{COURSE}.{LANGUAGE}.xlf"
    path.write_bytes(data)
    store = factory.getobject(str(path))
    assert type(store) is xliff.Xliff1File
    return store


def unit_id_12(unit: xliff.Xliff1Unit) -> str:
    """translate-toolkit's unit id is ``<file original>\\x04<trans-unit id>``; ours is the msgctxt."""
    original, separator, unit_id = unit.getid().partition("\x04")
    assert (original, separator) == (COURSE, "\x04")
    return str(unit_id)


def import_(data: bytes, catalog: Catalog) -> tuple[ImportResult, DiagnosticSink]:
    sink = DiagnosticSink()
    return import_xliff(data, catalog, "vendor.xlf", sink), sink


def message(catalog: Catalog, context: str) -> Message:
    return next(m for m in catalog if m.id and m.context == context)


# ----------------------------------------------------------------------------------------------- states
def test_translate_toolkit_reads_each_1_2_unit_in_its_catalog_state(tmp_path: Path) -> None:
    catalog = sample()
    expected = expected_states(catalog)
    store = read_12(export(catalog, "1.2"), tmp_path)
    seen = {}
    for unit in store.units:
        seen[unit_id_12(unit)] = (unit.istranslated(), unit.isfuzzy(), unit.isapproved(), unit.get_state_id())
    assert set(seen) == set(expected)
    readings = {
        "translated": (True, False, True, xliff.Xliff1Unit.S_TRANSLATED),
        "fuzzy": (False, True, False, xliff.Xliff1Unit.S_NEEDS_REVIEW),
        "untranslated": (False, False, False, xliff.Xliff1Unit.S_UNTRANSLATED),
    }
    assert {context: seen[context] for context in expected} == {c: readings[s] for c, s in expected.items()}


def test_our_1_2_export_reads_like_translate_toolkits_own_conversion_of_the_catalog(tmp_path: Path) -> None:
    """po2xliff is translate-toolkit's mapping of gettext states; unit for unit, ours reads the same as
    translated or fuzzy. (One deliberate difference: po2xliff states a fuzzy target ``needs-translation``;
    ours say ``needs-review-translation``, which 1.2 defines as "only the text needs review", what a gettext
    fuzzy entry is.)"""
    catalog = sample()
    theirs = xliff.Xliff1File.parsestring(po2xliff.po2xliff().convertstore(po.pofile(catalog_bytes(catalog))))
    ours = read_12(export(catalog, "1.2"), tmp_path)

    def readings(store: xliff.Xliff1File) -> list[tuple[str, bool, bool]]:
        return [(str(u.source), u.istranslated(), u.isfuzzy()) for u in store.units if not u.isheader()]

    assert readings(ours) == readings(theirs)


def test_translate_toolkit_reads_each_2_1_segment_in_its_catalog_state() -> None:
    catalog = sample()
    expected = expected_states(catalog)
    store = xliff2.Xliff2File.parsestring(export(catalog, "2.1"))
    seen = {}
    for unit in store.units:
        name = unit.getunitelement().get("name")
        assert logical_id(unit.getid()) == name
        seen[name] = (unit.istranslated(), unit.isfuzzy(), bool(unit.target))
    readings = {"translated": (True, False, True), "fuzzy": (False, True, True),
                "untranslated": (False, False, False)}
    assert seen == {context: readings[s] for context, s in expected.items()}


def test_plural_forms_are_approved_one_by_one_in_1_2(tmp_path: Path) -> None:
    """Each form is its own trans-unit (1.2 has no ``approved`` on ``<group>``): a half-translated plural
    entry is one done form and one untranslated form, not a fuzzy whole."""
    store = read_12(export(synthetic_catalog(), "1.2", language="de"), tmp_path)
    forms = {unit_id_12(u): (u.istranslated(), u.isfuzzy()) for u in store.units if "@ui/" in u.getid()}
    assert forms == {"safety/@ui/items[0]": (True, False), "safety/@ui/items[1]": (True, False),
                     "safety/@ui/files[0]": (True, False), "safety/@ui/files[1]": (False, False)}


# ------------------------------------------------------------------------------------ ids and locations
def converted_by_xliff2po(data: bytes, tmp_path: Path) -> Catalog:
    """Run xliff2po (as its command does) and read its PO with Babel, not with translate-toolkit."""
    source, target = tmp_path / "in.xlf", tmp_path / "out.po"
    source.write_bytes(data)
    with source.open("rb") as inputfile, target.open("wb") as outputfile:
        assert xliff2po.convertxliff(inputfile, outputfile, None) == 1
    with target.open("rb") as result:
        return read_po(result)


def test_xliff2po_keeps_every_entry_with_its_locations_comments_and_fuzziness(tmp_path: Path) -> None:
    catalog = sample()
    converted = entries(converted_by_xliff2po(export(catalog, "1.2"), tmp_path))
    originals = entries(catalog)
    assert len(converted) == len(originals)
    for ours, theirs in zip(originals, converted, strict=True):
        assert (theirs.id, theirs.string, theirs.fuzzy) == (ours.id, ours.string, ours.fuzzy)
        assert theirs.locations == ours.locations
        assert theirs.auto_comments == ours.auto_comments
        assert theirs.user_comments == ours.user_comments
    assert any(max_length(m) for m in converted), "the max-length comments come through"


def test_the_unit_ids_are_translate_toolkits_ids_but_xliff2po_writes_no_msgctxt_from_them(tmp_path: Path) -> None:
    """The ids survive reading (``getid()`` holds the msgctxt, 2.1 ``name`` too); xliff2po never sets a
    msgctxt from an XLIFF unit (it only gives entries sharing a msgid their locations as msgctxt), so
    the ids reach a catalog through ``import-xliff`` only. If this fails, translate-toolkit learnt to carry
    them: say so in docs/localization.md."""
    catalog = sample()
    store = read_12(export(catalog, "1.2"), tmp_path)
    assert [unit_id_12(u) for u in store.units] == [m.context for m in entries(catalog)]
    assert all(u.getcontext() == "" for u in store.units)
    converted = entries(converted_by_xliff2po(export(catalog, "1.2"), tmp_path))
    ids = {m.context for m in entries(catalog)}
    assert not ids & {m.context for m in converted}
    shared = {m.id for m in converted if m.context}
    assert shared and all(m.context == " ".join(f"{p}:{n}" for p, n in m.locations)
                          for m in converted if m.context)


# -------------------------------------------------------------------------- files written by the toolkit
def edit_like_a_cat_tool(store: xliff.Xliff1File | xliff2.Xliff2File, names: dict[str, str]) -> None:
    """Translate an untranslated unit, confirm a fuzzy one, send a done one back to review and change
    the text of another done one, through translate-toolkit's own API."""
    by_name = {names_of(u): u for u in store.units}
    by_name[names["new"]].target = "Un texte tout neuf"
    if isinstance(store, xliff2.Xliff2File):
        by_name[names["new"]].marktranslated()
    by_name[names["confirmed"]].markfuzzy(False)
    by_name[names["reopened"]].markfuzzy(True)
    by_name[names["rewritten"]].target = "Une autre traduction"


def names_of(unit: xliff.Xliff1Unit | xliff2.Xliff2Unit) -> str:
    if isinstance(unit, xliff2.Xliff2Unit):
        return str(unit.getunitelement().get("name"))
    return str(unit.getid()).partition("\x04")[2]


def picks(catalog: Catalog) -> dict[str, str]:
    states = expected_states(catalog)
    # plain texts: the rewritten translation has no inline codes to keep
    translated = [c for c, s in states.items() if s == "translated" and not code_values(str(message(catalog, c).id))]
    return {"new": next(c for c, s in states.items() if s == "untranslated"),
            "confirmed": next(c for c, s in states.items() if s == "fuzzy"),
            "reopened": translated[0], "rewritten": translated[1]}


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_our_export_edited_and_saved_by_translate_toolkit_imports_back(version: Version, tmp_path: Path) -> None:
    catalog = sample()
    chosen = picks(catalog)
    data = export(catalog, version)
    store = read_12(data, tmp_path) if version == "1.2" else xliff2.Xliff2File.parsestring(data)
    edit_like_a_cat_tool(store, chosen)
    saved = bytes(store)
    assert validate_xliff(saved) == []
    result, sink = import_(saved, catalog)
    assert (result.updated, result.conflicts, result.refused) == (3, 1, False)
    assert [d.code for d in sink] == ["xliff.conflict"] and f"'{chosen['rewritten']}'" in next(iter(sink)).message
    assert (message(catalog, chosen["new"]).string, message(catalog, chosen["new"]).fuzzy) == ("Un texte tout neuf",
                                                                                              False)
    assert not message(catalog, chosen["confirmed"]).fuzzy
    assert message(catalog, chosen["reopened"]).fuzzy
    assert message(catalog, chosen["rewritten"]).string == message(sample(), chosen["rewritten"]).string


def test_po2xliff_output_is_xliff_1_1_and_refused_whole(tmp_path: Path) -> None:
    """translate-toolkit's own converter writes XLIFF 1.1 with counter ids, not our ids: import refuses
    it instead of guessing which entry each unit is."""
    catalog = sample()
    data = po2xliff.po2xliff().convertstore(po.pofile(catalog_bytes(catalog)))
    assert b"urn:oasis:names:tc:xliff:document:1.1" in data
    before = copy.deepcopy(catalog)
    result, sink = import_(data, catalog)
    assert result.refused and [d.code for d in sink] == ["xliff.invalid"]
    assert [m.string for m in entries(catalog)] == [m.string for m in entries(before)]


# ------------------------------------------------------------------------------------------ length limits
def limited(catalog: Catalog) -> dict[str, int]:
    limits = {str(m.context): limit for m in entries(catalog) if (limit := max_length(m)) is not None}
    assert limits, "the sample must hold a max-length entry"
    return limits


def test_max_width_1_2_is_in_translate_toolkits_tree_and_in_the_files_it_saves(tmp_path: Path) -> None:
    """translate-toolkit has no API for ``maxwidth``/``size-unit``: read them from the elements it parsed,
    and by XPath from the file it saves."""
    catalog = sample()
    store = read_12(export(catalog, "1.2"), tmp_path)
    parsed = {unit_id_12(u): (u.xmlelement.get("maxwidth"), u.xmlelement.get("size-unit")) for u in store.units}
    assert {k: v for k, v in parsed.items() if v != (None, None)} == {
        k: (str(n), "char") for k, n in limited(catalog).items()}
    saved = etree.fromstring(bytes(store))
    found = saved.xpath("//x:trans-unit[@maxwidth and @size-unit='char']", namespaces={"x": NS12})
    assert {u.get("id"): int(u.get("maxwidth")) for u in found} == limited(catalog)


def test_size_restriction_2_1_is_in_translate_toolkits_tree_and_in_the_files_it_saves() -> None:
    catalog = sample()
    store = xliff2.Xliff2File.parsestring(export(catalog, "2.1"))
    parsed = {u.getunitelement().get("name"): u.getunitelement().get(SIZE) for u in store.units}
    assert {k: int(v) for k, v in parsed.items() if v is not None} == limited(catalog)
    saved_bytes = bytes(store)
    assert validate_xliff(saved_bytes) == []
    saved = etree.fromstring(saved_bytes)
    spaces = {"x": NS2, "slr": SLR_NS}
    assert saved.xpath("string(/x:xliff/x:file/slr:profiles/@generalProfile)", namespaces=spaces) == "xliff:codepoints"
    found = saved.xpath("//x:unit[@slr:sizeRestriction]", namespaces=spaces)
    assert {u.get("name"): int(u.get(SIZE)) for u in found} == limited(catalog)


def test_a_limit_breaking_module_attribute_is_caught_by_the_module_schema() -> None:
    data = export(sample(), "2.1").replace(b'<slr:profiles generalProfile="xliff:codepoints"/>',
                                           b'<slr:profiles generalProfile="xliff:codepoints">'
                                           b'<slr:normalization general="nfkc"/></slr:profiles>')
    assert any("normalization" in e and "nfkc" in e for e in validate_xliff(data))
    result, sink = import_(data, sample())
    assert result.refused and [d.code for d in sink] == ["xliff.invalid"]
