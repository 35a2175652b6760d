"""``courseforge i18n``: catalogs for translators (extract, init, update, status, check, XLIFF exchange)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click
from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog

from courseforge.commands.catalogs import LOCALES, load_courses, player_theme, write_if_changed
from courseforge.commands.common import emit_diagnostics, summary_line, write_atomically
from courseforge.commands.freshness import warn_stale_templates, write_templates
from courseforge.commands.xliff_exchange import export_xliff_files, import_xliff_files
from courseforge.diagnostics import DiagnosticSink
from courseforge.i18n.catalog import (
    UI_DOMAIN,
    catalog_bytes,
    catalog_languages,
    is_format_domain,
    load_catalog,
    po_path,
)
from courseforge.i18n.consistency import check_catalog
from courseforge.i18n.extract import course_template, ui_template
from courseforge.i18n.runtime import layered_catalog
from courseforge.i18n.status import Coverage, coverage
from courseforge.i18n.update import merge
from courseforge.model.course import Course
from courseforge.model.theme import Theme
from courseforge.stages.load import read_catalog


@dataclass(frozen=True)
class Domain:
    """One catalog family: a course's texts, or the player's ``ui`` strings."""

    name: str
    languages: tuple[str, ...]
    """Languages this domain is translated into (declared in course.yaml, or every language for ui)."""
    required: dict[str, float]


def domains(courses: list[Course]) -> list[Domain]:
    declared = {c.id: {t.language: t.required for t in c.manifest.translations} for c in courses}
    every = sorted({lang for langs in declared.values() for lang in langs} | set(catalog_languages(LOCALES)))
    result = [Domain(c.id, tuple(sorted(declared[c.id])), declared[c.id]) for c in courses]
    result.append(Domain(UI_DOMAIN, tuple(every), {}))
    return result


def templates(courses: list[Course]) -> dict[str, Catalog]:
    found = {course.id: course_template(course) for course in courses}
    found[UI_DOMAIN] = ui_template(player_theme(courses))
    return found


def theme_translates(theme: Theme, domain: str, language: str) -> bool:
    """The theme ships the player in this language: a project ui.po is only needed to override it."""
    return domain == UI_DOMAIN and language in theme.ui_catalogs


def builtin_note(path: Path, language: str) -> str:
    return f"{path}: not created, the theme translates the player into {language} (create it to override)"


def new_language_catalog(template: Catalog, language: str) -> Catalog:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise click.ClickException(f"unknown language '{language}': {error}") from error
    catalog = Catalog(locale=locale, domain=template.domain, project=template.project, version=template.version,
                      fuzzy=False)
    merged, _ = merge(template, catalog)
    return merged


@click.group()
def i18n() -> None:
    """Translation catalogs: locales/templates/*.pot and locales/<lang>/LC_MESSAGES/*.po."""


@i18n.command()
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
def extract(courses: tuple[str, ...]) -> None:
    """Write one POT per course and ui.pot for the player; unchanged templates are not rewritten."""
    write_templates(templates(load_courses(courses)), LOCALES, list_unchanged=True)


@i18n.command()
@click.argument("language")
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
def init(language: str, courses: tuple[str, ...]) -> None:
    """Create LANGUAGE's catalogs (plural forms from CLDR) for every course and the player, from the
    current sources (templates that changed are written first, as 'extract' does)."""
    loaded = load_courses(courses)
    found, theme = templates(loaded), player_theme(loaded)
    write_templates(found, LOCALES, list_unchanged=False)
    for domain, template in found.items():
        path = po_path(LOCALES, language, domain)
        if path.exists() or theme_translates(theme, domain, language):
            click.echo(f"{path}: exists, left as it is (use 'i18n update')" if path.exists()
                       else builtin_note(path, language))
            continue
        catalog = new_language_catalog(template, language)
        write_atomically(path, catalog_bytes(catalog, keep_format_flags=is_format_domain(domain)))
        click.echo(f"{path}: created ({catalog.plural_forms})")
    click.echo(f"declare it in each course.yaml under 'translations:' (language: {language}) to build and gate it")


@i18n.command()
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
def update(languages: tuple[str, ...], courses: tuple[str, ...]) -> None:
    """Extract from the sources (writing templates that changed), then merge each template into its
    catalogs: +added/-removed/~fuzzy per catalog. Fuzzy entries show their previous source text (#|)."""
    loaded = load_courses(courses)
    found, theme = templates(loaded), player_theme(loaded)
    write_templates(found, LOCALES, list_unchanged=False)
    for domain in domains(loaded):
        template = found[domain.name]
        for language in domain.languages:
            if languages and language not in languages:
                continue
            path = po_path(LOCALES, language, domain.name)
            keep = is_format_domain(domain.name)
            if path.is_file():
                merged, stats = merge(template, load_catalog(path, keep_format_flags=keep))
                changed = write_if_changed(path, catalog_bytes(merged, keep_format_flags=keep))
                click.echo(f"{path}: {stats}{'' if changed else ' (unchanged)'}")
            elif not theme_translates(theme, domain.name, language):
                write_atomically(path, catalog_bytes(new_language_catalog(template, language), keep_format_flags=keep))
                click.echo(f"{path}: created")


def coverage_rows(courses: list[Course], found: dict[str, Catalog], theme: Theme) -> list[Coverage]:
    """Counted as the build gate counts: the player's strings with the project's ui.po over the theme's."""
    rows = []
    for domain in domains(courses):
        template = found[domain.name]
        for language in domain.languages:
            path = po_path(LOCALES, language, domain.name)
            catalog = load_catalog(path, keep_format_flags=is_format_domain(domain.name)) if path.is_file() else None
            if domain.name == UI_DOMAIN:
                catalog = layered_catalog(theme.ui_catalogs.get(language), catalog)
            rows.append(coverage(template, catalog, domain.name, language, domain.required.get(language)))
    return rows


def print_table(rows: list[Coverage], minimum: float | None) -> None:
    header = f"{'catalog':<22} {'lang':<6} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'obsolete':>8} " \
             f"{'%':>7} {'needed':>7}"
    click.echo(header)
    for row in rows:
        needed = max(filter(None, (minimum, row.required)), default=None)
        flag = "  BELOW" if row.below(minimum) else ""
        click.echo(f"{row.domain:<22} {row.language:<6} {row.translated:>10} {row.fuzzy:>6} {row.untranslated:>9} "
                   f"{row.obsolete:>8} {row.percent:>6.1f}% {'' if needed is None else f'{needed:g}%':>7}{flag}")


@i18n.command()
@click.option("--min", "minimum", type=click.FloatRange(0, 100), help="Coverage every catalog needs (percent).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
def status(minimum: float | None, output_format: str, courses: tuple[str, ...]) -> None:
    """Coverage per course and language against the current sources (extracted in memory, nothing is
    written); exit 1 when a catalog is below its required coverage."""
    loaded = load_courses(courses)
    found = templates(loaded)
    warn_stale_templates(found, LOCALES)
    rows = coverage_rows(loaded, found, player_theme(loaded))
    if output_format == "json":
        click.echo(json.dumps([row.to_json(minimum) for row in rows], indent=2))
    else:
        print_table(rows, minimum)
    below = [row for row in rows if row.below(minimum)]
    if below:
        if output_format == "text":
            names = ", ".join(f"{r.domain}/{r.language}" for r in below)
            click.echo(f"below required coverage: {names}", err=True)
        raise SystemExit(1)


def catalog_files(languages: tuple[str, ...]) -> list[Path]:
    files = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))
    return [f for f in files if not languages or f.parent.parent.name in languages]


@i18n.command("check")
@click.option("--lang", "languages", multiple=True, help="Only these languages (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check_catalogs(languages: tuple[str, ...], output_format: str, strict: bool) -> None:
    """Translations keep placeholders, links, images, code and Markdown; plurals complete; limits kept."""
    sink = DiagnosticSink()
    files = catalog_files(languages)
    for path in files:
        data = path.read_bytes()
        catalog = read_catalog(path, path.as_posix(), sink, keep_format_flags=is_format_domain(path.stem))
        if catalog is not None:
            check_catalog(catalog, path.as_posix(), data, sink)
    emit_diagnostics(sink, output_format)
    if output_format == "text":
        click.echo(f"checked {len(files)} catalogs: {summary_line(sink)}", err=True)
    raise SystemExit(1 if sink.failed(strict) else 0)


i18n.add_command(export_xliff_files)
i18n.add_command(import_xliff_files)
