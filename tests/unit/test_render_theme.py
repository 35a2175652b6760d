"""One compiled Jinja environment per template set, with each render's own player-string translations."""

from __future__ import annotations

import gettext
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType

from courseforge.model.theme import Theme, ThemeLayer
from courseforge.stages.render.theme import render_template, theme_environment
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
