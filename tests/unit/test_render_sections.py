"""Included templates kept by what they read render exactly what Jinja renders, whatever changed between
renders; a template that reads what no key can hold (every screen, another iteration, the context whole, a
template named by an expression it cannot follow) or that is rendered as a parent is always rendered."""

from __future__ import annotations

import gettext
from dataclasses import dataclass

import pytest
from babel.messages.catalog import Catalog
from jinja2 import DictLoader, Environment, StrictUndefined

from courseforge.cache import MemoryStore, cache_scope
from courseforge.i18n.runtime import CatalogTranslations
from courseforge.object_memo import memo_of
from courseforge.stages.render.sections import (
    SECTION,
    KeptSection,
    SectionEnvironment,
    reset_translations,
    template_reads,
    translations_key,
    with_translations,
)
from courseforge.stages.render.views import ScreenInfo


@dataclass(frozen=True)
class Context:
    title: str
    screens: tuple[ScreenInfo, ...]
    branding: str | None = None


PAGE = ("index.html", '{% for screen in ctx.screens %}{% include "partials/" ~ screen.kind ~ ".html" %}'
                      "{% endfor %}")
TEMPLATES = {
    "partials/page.html": "<h1>{{ screen.title }}</h1>{% include 'partials/crumb.html' %}",
    "partials/crumb.html": "<p>{{ ctx.title }} {{ screen.position }} {{ _('Next') }}</p>",
    "partials/quiz.html": "<p>{{ ctx.screens|length }} screens; {{ screen.title }}</p>",
    "partials/survey.html": "{% macro box(c) %}{{ c.title }}{% endmacro %}{{ box(ctx) }} {{ screen.title }}",
    "partials/checklist.html": "{% include 'items/' ~ screen.title %}",
    "items/One": "one {{ ctx.branding }}",
    "items/S3": "three {{ ctx.branding }} {{ screen.position }}",
}
OPTIONS = {"autoescape": True, "undefined": StrictUndefined, "extensions": ["jinja2.ext.i18n"]}


def environments(templates: dict[str, str]) -> tuple[Environment, SectionEnvironment]:
    plain = Environment(loader=DictLoader(templates), **OPTIONS)
    kept = SectionEnvironment("test-sources", loader=DictLoader(templates), **OPTIONS)
    for env in (plain, kept):
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return plain, kept


def screens(*kinds: str, title: str = "One") -> tuple[ScreenInfo, ...]:
    return tuple(ScreenInfo(f"s{n}", kind, title if n == 0 else f"S{n}", n, "M", "L") for n, kind in enumerate(kinds))


def render(env: Environment, ctx: Context) -> str:
    token = with_translations(gettext.NullTranslations())
    try:
        return env.get_template("index.html").render(ctx=ctx)
    finally:
        reset_translations(token)


@pytest.mark.parametrize("change", ["title", "screens", "branding", "nothing"])
def test_kept_sections_render_what_jinja_renders_after_any_change(change: str) -> None:
    plain, kept = environments(dict([PAGE, *TEMPLATES.items()]))
    before = Context("Course", screens("page", "quiz", "survey", "checklist", "page"))
    after = {"title": Context("Renamed", before.screens), "nothing": before,
             "screens": Context("Course", screens("page", "quiz", "page", "survey", title="Two")[:4]),
             "branding": Context("Course", before.screens, branding="logo")}[change]
    store = MemoryStore()
    with cache_scope(store):
        assert render(kept, before) == render(plain, before)
        assert render(kept, after) == render(plain, after)
    if change == "nothing":
        assert memo_of(store).hits[SECTION] > 0


def test_what_a_section_reads_is_found_and_what_it_cannot_key_makes_it_always_rendered() -> None:
    _, kept = environments(dict([PAGE, *TEMPLATES.items()]))
    page = template_reads(kept, "partials/page.html")
    assert page is not None and {"ctx", "screen"} <= set(page.names) and page.context_attributes == ("title",)
    assert template_reads(kept, "partials/quiz.html") is None  # every screen
    assert template_reads(kept, "partials/survey.html") is None  # ctx passed whole to a macro
    assert template_reads(kept, "partials/checklist.html") is not None  # 'items/' ~ x: every items/ template
    _, other = environments({"a.html": "{% include x %}", "b.html": "{{ loop.previtem }}"})
    assert template_reads(other, "a.html") is None and template_reads(other, "b.html") is None


def test_a_kept_template_rendered_as_a_parent_renders_its_childs_blocks() -> None:
    templates = {"index.html": "{% include 'child.html' %}|{% include 'base.html' %}",
                 "base.html": "[{% block body %}base{% endblock %}]",
                 "child.html": "{% extends 'base.html' %}{% block body %}child{% endblock %}"}
    plain, kept = environments(templates)
    assert isinstance(kept.get_template("base.html", "index.html"), KeptSection)
    with cache_scope(MemoryStore()):
        for _ in range(2):
            assert render(kept, Context("T", ())) == render(plain, Context("T", ())) == "[child]|[base]"


def test_the_player_strings_translations_are_keyed_by_their_content() -> None:
    def catalog(text: str) -> CatalogTranslations:
        found = Catalog(locale="de")
        found.add("Next", text)
        return CatalogTranslations(found)

    assert translations_key(catalog("Weiter")) == translations_key(catalog("Weiter"))
    assert translations_key(catalog("Weiter")) != translations_key(catalog("Vor"))
    assert translations_key(gettext.NullTranslations()) == ("none",)

    class Other(gettext.NullTranslations):
        pass

    assert translations_key(Other()) is None  # a kind this cannot key: its sections are always rendered


def test_a_one_off_build_renders_its_sections_without_keeping_them() -> None:
    plain, kept = environments(dict([PAGE, *TEMPLATES.items()]))
    page = Context("Course", screens("page", "page"))
    store = MemoryStore()
    with cache_scope(store, lasting=False):
        assert not isinstance(kept.get_template("partials/page.html", "index.html"), KeptSection)
        assert render(kept, page) == render(kept, page) == render(plain, page)
    assert memo_of(store).hits[SECTION] == 0
