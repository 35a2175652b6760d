"""The player strings of a built-in template are extracted once per install and read back from beside
courseforge's bytecode; a project's template never is kept there; a damaged file is extracted again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract

from courseforge import shipped_data
from courseforge.i18n.extract import JINJA_EXTRACTOR, JINJA_OPTIONS, template_strings

TEMPLATE = (b"{{ _('Next') }} {% trans count=n %}One page{% pluralize %}{{ count }} pages{% endtrans %}\n"
            b"{{ pgettext('button', 'Close') }}")


def babel_strings(data: bytes) -> list[tuple[object, ...]]:
    import io

    return [(line, message, list(notes), context)
            for line, message, notes, context in extract(JINJA_EXTRACTOR, io.BytesIO(data), options=JINJA_OPTIONS)]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(shipped_data, "code_folder", lambda: tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path


def test_a_shipped_templates_strings_are_kept_and_read_back(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert template_strings(TEMPLATE, shipped=True) == babel_strings(TEMPLATE)
    (kept,) = folder.iterdir()
    monkeypatch.setattr("courseforge.i18n.extract.extract", lambda *args, **kwargs: pytest.fail("extracted again"))
    assert template_strings(TEMPLATE, shipped=True) == babel_strings(TEMPLATE) and kept.exists()


def test_a_projects_template_is_not_kept(folder: Path) -> None:
    assert template_strings(TEMPLATE, shipped=False) == babel_strings(TEMPLATE)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("damage", [b"", b"{not json", b'[["one", "Next", [], null]]', b'[[1, "Next"]]'])
def test_a_damaged_file_is_extracted_again_and_replaced(folder: Path, damage: bytes) -> None:
    template_strings(TEMPLATE, shipped=True)
    (kept,) = folder.iterdir()
    kept.write_bytes(damage)
    assert template_strings(TEMPLATE, shipped=True) == babel_strings(TEMPLATE)
    assert kept.read_bytes() != damage


def test_nothing_is_kept_when_python_writes_no_bytecode(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert template_strings(TEMPLATE, shipped=True) == babel_strings(TEMPLATE)
    assert list(folder.iterdir()) == []
