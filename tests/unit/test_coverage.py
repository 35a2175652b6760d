"""Coverage counts each template entry by the catalog's entry of the same id and context, as ``Catalog.get``
finds it: translated (every form filled, not fuzzy), fuzzy, or untranslated (missing or a form empty)."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.extract import course_template
from courseforge.i18n.status import coverage, message_key, template_keys
from courseforge.i18n.update import is_translated
from courseforge.pipeline import validate_source
from courseforge.stages.localize import localize
from tests.sample_project import REPO

IDS = st.sampled_from(["a", "b", "c", ("a", "as"), ("d", "ds")])
CONTEXTS = st.sampled_from([None, "x", "y"])
STRINGS = st.sampled_from(["", "t"])


def reference(template: Catalog, catalog: Catalog | None) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    for entry in (m for m in template if m.id):
        message = catalog.get(entry.id, entry.context) if catalog is not None else None
        kind = 2 if message is None or not is_translated(message) else 1 if message.fuzzy else 0
        counts[kind] += 1
    return counts[0], counts[1], counts[2]


@st.composite
def catalogs(draw: st.DrawFn, translated: bool) -> Catalog:
    catalog = Catalog(locale="de")
    for message_id, context in draw(st.lists(st.tuples(IDS, CONTEXTS), max_size=8)):
        forms = 2 if isinstance(message_id, tuple) else 1
        strings = tuple(draw(STRINGS) if translated else "" for _ in range(forms))
        flags = draw(st.sets(st.sampled_from(["fuzzy", "c-format"]))) if translated else set()
        catalog.add(message_id, strings if forms > 1 else strings[0], context=context, flags=flags)
    return catalog


@settings(max_examples=300, deadline=None)
@given(template=catalogs(translated=False), catalog=st.none() | catalogs(translated=True))
def test_coverage_counts_each_template_entry_as_the_catalog_holds_it(template: Catalog,
                                                                     catalog: Catalog | None) -> None:
    row = coverage(template_keys(template), catalog, "course", "de")
    assert (row.translated, row.fuzzy, row.untranslated) == reference(template, catalog)
    assert row.obsolete == (len(catalog.obsolete) if catalog is not None else 0)


@given(message_id=IDS, context=CONTEXTS)
def test_message_keys_are_the_keys_babel_files_messages_under(message_id: str | tuple[str, str],
                                                             context: str | None) -> None:
    catalog = Catalog(locale="de")
    catalog.add(message_id, context=context)
    assert list(template_keys(catalog)) == [message_key(message_id, context)]


@pytest.mark.parametrize("course_id", ["workplace-safety", "data-privacy"])
def test_the_gate_counts_the_entries_of_the_course_template(course_id: str) -> None:
    """A translation's gate counts against the texts its localization looked up: the course template's keys."""
    _, course = validate_source(REPO / "courses" / course_id, f"courses/{course_id}", DiagnosticSink())
    assert course is not None
    localized = localize(course, "x-test", None, DiagnosticSink())
    assert localized.source_texts == set(template_keys(course_template(course)))
