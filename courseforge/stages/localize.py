"""The localize stage: a validated course made ready for one locale.

Course text comes from the course's catalog (or a pseudo-locale generator), player text from the ui
catalog; anything without a usable translation falls back to the source text, marked, and is counted
in one warning per locale. Ids, answer keys and structure never change.
"""

from __future__ import annotations

import gettext
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.catalog import UI_DOMAIN
from courseforge.i18n.messages import TYPED_ANSWERS_SUFFIX, SourceText, map_course_text
from courseforge.i18n.pseudo import is_pseudo, pseudo_translate
from courseforge.i18n.runtime import CatalogTranslations, CourseLookup
from courseforge.i18n.status import Coverage, MessageKey, coverage
from courseforge.model.course import Course
from courseforge.model.localized import LocaleCatalogs, LocalizedCourse, TextDirection

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"})
RTL_PSEUDO = frozenset({"ar-XB"})


def direction_of(locale: str) -> TextDirection:
    language = locale.replace("_", "-").split("-")[0].lower()
    return TextDirection.RTL if language in RTL_LANGUAGES or locale in RTL_PSEUDO else TextDirection.LTR


def localize_source(course: Course, ui: Catalog | None = None) -> LocalizedCourse:
    """The course in its own source language; the player in that language too when its language is not
    the theme's own (a course written in German gets the German ui catalog)."""
    locale = course.manifest.language
    translations = gettext.NullTranslations() if ui is None else CatalogTranslations(ui)
    return LocalizedCourse(course=course, locale=locale, direction=direction_of(locale), ui=translations)


def localize_pseudo(course: Course, locale: str) -> LocalizedCourse:
    """Every text pseudo-localized, except answers learners type (a fill-in must stay answerable)."""
    transform = partial(pseudo_translate, locale=locale)

    def pseudo(source: SourceText) -> str:
        return source.text if source.context.endswith(TYPED_ANSWERS_SUFFIX) else transform(source.text)

    translated = map_course_text(course, pseudo)
    return LocalizedCourse(course=translated, locale=locale, direction=direction_of(locale),
                           ui=CatalogTranslations(None, transform))


def report_fallbacks(lookup: CourseLookup, locale: str, source: str, where: str, sink: DiagnosticSink) -> None:
    missing = sum(lookup.fallbacks.values())
    if missing:
        details = ", ".join(f"{count} {kind}" for kind, count in sorted(lookup.fallbacks.items()))
        sink.warning("i18n.fallback", f"{locale}: {missing} of {lookup.total} texts fall back to the source "
                     f"language '{source}' ({details})", Location(where),
                     hint="translate them (courseforge i18n status shows what is missing), then rebuild")


def localize(course: Course, locale: str, catalogs: LocaleCatalogs | None, sink: DiagnosticSink) -> LocalizedCourse:
    """The course in ``locale``: the source language, a pseudo-locale, or a translated language."""
    source = course.manifest.language
    if locale == source:
        return localize_source(course, catalogs.ui if catalogs else None)
    if is_pseudo(locale):
        return localize_pseudo(course, locale)
    lookup = CourseLookup(catalogs.course if catalogs else None)
    translated = map_course_text(course, lookup)
    report_fallbacks(lookup, locale, source, catalogs.course_path if catalogs else locale, sink)
    ui = CatalogTranslations(catalogs.ui if catalogs else None)
    return LocalizedCourse(course=translated, locale=locale, direction=direction_of(locale), ui=ui,
                           source_texts=frozenset(lookup.asked))


@dataclass(frozen=True)
class TranslationGate:
    """Coverage of one translated locale's catalogs against what the build renders, and the verdict."""

    locale: str
    required: float | None
    catalogs: tuple[Coverage, ...]
    """The course catalog's and the player (ui) catalog's coverage."""
    allowed_incomplete: bool = False
    """The build went ahead below the required coverage because ``--allow-incomplete`` said so."""

    @property
    def passed(self) -> bool:
        return not any(row.below(None) for row in self.catalogs)

    def to_json(self) -> dict[str, object]:
        return {"locale": self.locale, "required": self.required, "passed": self.passed,
                "allowed_incomplete": self.allowed_incomplete,
                "catalogs": [row.to_json() for row in self.catalogs]}


def gap(row: Coverage) -> str:
    parts = [f"{row.untranslated} missing" if row.untranslated else "", f"{row.fuzzy} fuzzy" if row.fuzzy else ""]
    return " and ".join(part for part in parts if part)


def translation_gate(course: Course, locale: str, catalogs: LocaleCatalogs, course_messages: Collection[MessageKey],
                     ui_template: Collection[MessageKey], allow_incomplete: bool,
                     sink: DiagnosticSink) -> TranslationGate | None:
    """A declared translation must reach its ``required`` coverage in the course catalog and in the
    player catalog before it ships (the build fails naming the gap), unless the build allows it."""
    declared = {target.language: target for target in course.manifest.translations}
    if locale == course.manifest.language or is_pseudo(locale) or locale not in declared:
        return None
    target = declared[locale]
    rows = (coverage(course_messages, catalogs.course, course.id, locale, target.required),
            coverage(ui_template, catalogs.ui, UI_DOMAIN, locale, target.required))
    short = [row for row in rows if row.below(None)]
    for row in short:
        where = catalogs.course_path if row.domain == course.id else catalogs.ui_path
        message = (f"{locale}: the {'player (ui)' if row.domain == UI_DOMAIN else 'course'} catalog is "
                   f"{row.percent:.1f}% translated, {target.required:g}% required ({gap(row)} of {row.total})")
        hint = (f"translate the entries (courseforge i18n status shows them), lower 'required' for {locale} in "
                "course.yaml, or build with --allow-incomplete")
        if allow_incomplete:
            sink.warning("i18n.incomplete-allowed", message, Location(where), hint=hint)
        else:
            sink.error("i18n.below-required", message, Location(where), hint=hint)
    return TranslationGate(locale, target.required, rows, allowed_incomplete=bool(short) and allow_incomplete)
