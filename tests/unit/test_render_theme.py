"""One compiled Jinja environment per template set, with each render's own player-string translations."""

from __future__ import annotations

import gettext
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType

import pytest
from jinja2 import DictLoader, Environment

from courseforge.model.theme import Theme, ThemeLayer
from courseforge.stages.render.theme import ShippedTemplateCode, render_template, shipped_sources, theme_environment
from tests.factory import default_theme


class Words(gettext.NullTranslations):
    def __init__(self, words: dict[str, str]) -> None:
        super().__init__()
        self.words = words

    def gettext(self, message: str) -> str:
        return self.words.get(message, message)

    def pgettext(self, context: str, message: str) -> str:
        return self.words.get(f"{context}|{message}", message)


GERMAN = Words({"Next": "Weiter", "button|Back": "Zurück"})
FRENCH = Words({"Next": "Suivant", "button|Back": "Retour"})


def small_theme(**templates: str) -> Theme:
    files = MappingProxyType({name: text.encode() for name, text in templates.items()})
    return Theme("small", (ThemeLayer("default", files, "default"),), MappingProxyType({}))


def test_same_templates_share_one_environment() -> None:
    assert theme_environment(default_theme()) is theme_environment(default_theme())
    assert theme_environment(small_theme(**{"index.html": "a"})) is not theme_environment(
        small_theme(**{"index.html": "b"}))


def test_each_render_gets_its_own_translations() -> None:
    theme = small_theme(**{"index.html": "{{ _('Next') }} {{ pgettext('button', 'Back') }} {{ ctx }}"})
    assert render_template(theme, "index.html", GERMAN, ctx=1) == "Weiter Zurück 1".encode()
    assert render_template(theme, "index.html", FRENCH, ctx=2) == b"Suivant Retour 2"
    assert render_template(theme, "index.html", gettext.NullTranslations(), ctx=3) == b"Next Back 3"


def test_macros_imported_without_context_are_translated_too() -> None:
    theme = small_theme(**{
        "macros.html": "{% macro next() %}{% trans %}Next{% endtrans %}{% endmacro %}",
        "index.html": '{% import "macros.html" as m %}{{ m.next() }}',
    })
    assert render_template(theme, "index.html", GERMAN) == b"Weiter"
    assert render_template(theme, "index.html", FRENCH) == b"Suivant"


def test_concurrent_renders_keep_their_translations_apart() -> None:
    theme = small_theme(**{"index.html": "{% for _n in range(200) %}{{ _('Next') }}{% endfor %}"})
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda ui: render_template(theme, "index.html", ui), [GERMAN, FRENCH] * 8))
    assert results == [(b"Weiter" if n % 2 == 0 else b"Suivant") * 200 for n in range(16)]


def shipped_environment(folder: Path, shipped: frozenset[str], **templates: str) -> Environment:
    return Environment(loader=DictLoader(templates), bytecode_cache=ShippedTemplateCode(folder, shipped))


def test_a_shipped_templates_code_is_kept_and_loaded_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    source = "{{ 1 + 2 }} shipped"
    assert shipped_environment(tmp_path, frozenset({source}), page=source).get_template("page").render() == "3 shipped"
    assert len(list(tmp_path.iterdir())) == 1
    cache = ShippedTemplateCode(tmp_path, frozenset({source}))
    assert cache.get_bucket(Environment(), "page", None, source).code is not None  # read back, not compiled
    assert cache.get_bucket(Environment(), "page", None, source + " edited").code is None  # checksum differs


def test_a_projects_template_is_never_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert shipped_environment(tmp_path, frozenset({"other"}), page="{{ 2 }}").get_template("page").render() == "2"
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_kept_when_python_writes_no_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert shipped_environment(tmp_path, frozenset({"{{ 2 }}"}), page="{{ 2 }}").get_template("page").render() == "2"
    assert list(tmp_path.iterdir()) == []


def test_the_built_in_theme_is_shipped_and_a_projects_layer_is_not() -> None:
    assert "<html" in "".join(shipped_sources(default_theme()))
    assert shipped_sources(small_theme(**{"index.html": "a"})) == frozenset()
