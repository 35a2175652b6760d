"""``courseforge i18n``: catalogs for translators (extract, init, update, status, check, XLIFF exchange).

Babel and the catalog machinery are imported by the functions that use them, so ``courseforge i18n
--help`` (and each subcommand's) loads only click.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.catalogs import CatalogWork, catalog_work, sources_date, write_if_changed
from courseforge.commands.common import current_project, locale_option, summary_line, write_atomically
from courseforge.commands.freshness import warn_stale_templates, write_templates
from courseforge.commands.output import Reporter, reporting_options
from courseforge.commands.xliff_exchange import export_xliff_files, import_xliff_files
from courseforge.diagnostics import DiagnosticSink

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from courseforge.i18n.status import Coverage
    from courseforge.model.course import Course
    from courseforge.model.theme import Theme


@dataclass(frozen=True)
class Domain:
    """One catalog family: a course's texts, or the player's ``ui`` strings."""

    name: str
    languages: tuple[str, ...]
    """Languages this domain is translated into (declared in course.yaml, or every language for ui)."""
    required: dict[str, float]


def domains(courses: list[Course], locales: Path) -> list[Domain]:
    from courseforge.i18n.catalog import UI_DOMAIN, catalog_languages

    declared = {c.id: {t.language: t.required for t in c.manifest.translations} for c in courses}
    every = sorted({lang for langs in declared.values() for lang in langs} | set(catalog_languages(locales)))
    result = [Domain(c.id, tuple(sorted(declared[c.id])), declared[c.id]) for c in courses]
    result.append(Domain(UI_DOMAIN, tuple(every), {}))
    return result


def templates(work: CatalogWork) -> dict[str, Catalog]:
    """Each course's template and the player's, dated by their sources (``sources_date``)."""
    from courseforge.i18n.catalog import UI_DOMAIN
    from courseforge.i18n.extract import course_template, ui_template

    courses = work.project.courses_dir
    found = {course.id: course_template(course, sources_date(courses / course.id)) for course in work.courses}
    found[UI_DOMAIN] = ui_template(work.theme, sources_date(work.project.themes_dir / work.theme.name))
    return found


def theme_translates(theme: Theme, domain: str, language: str) -> bool:
    """The theme ships the player in this language: a project ui.po is only needed to override it."""
    from courseforge.i18n.catalog import UI_DOMAIN

    return domain == UI_DOMAIN and language in theme.ui_catalogs


def language_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``LANGUAGE`` names catalog files: a language Babel knows, checked before anything is read."""
    return locale_option(value, "LANGUAGE", languages_only=True)


def lang_options(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(locale_option(language, "--lang", languages_only=True) for language in value)


def new_language_catalog(template: Catalog, language: str) -> Catalog:
    from babel.core import Locale, UnknownLocaleError
    from babel.messages.catalog import Catalog

    from courseforge.i18n.update import merge

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise click.BadParameter(f"unknown language '{language}': {error}", param_hint="LANGUAGE") from error
    catalog = Catalog(locale=locale, domain=template.domain, project=template.project, version=template.version,
                      fuzzy=False, creation_date=template.creation_date, revision_date=template.creation_date)
    merged, _ = merge(template, catalog)
    return merged


@click.group()
def i18n() -> None:
    """Translation catalogs: locales/templates/*.pot and locales/<lang>/LC_MESSAGES/*.po.

    \b
    Example:
      courseforge i18n extract && courseforge i18n init de
      courseforge i18n update && courseforge i18n status --min 95
    """


@i18n.command()
@click.argument("courses", nargs=-1)
@reporting_options
def extract(courses: tuple[str, ...], reporter: Reporter) -> None:
    """Write one POT per course (and ui.pot when the project translates the player itself); unchanged
    templates are not rewritten.

    POT-Creation-Date is the date of the sources, never the time of the run (the same sources write the same
    file): SOURCE_DATE_EPOCH when set, else the last git commit of the course's folder, else 1980-01-01.

    \b
    Example:
      courseforge i18n extract
    """
    work = catalog_work(reporter, courses)
    written = write_templates(templates(work), work, reporter, list_unchanged=True)
    reporter.document({"ok": True, "templates": written})


@i18n.command()
@click.argument("language", callback=language_argument)
@click.argument("courses", nargs=-1)
@reporting_options
def init(language: str, courses: tuple[str, ...], reporter: Reporter) -> None:
    """Create LANGUAGE's catalogs (plural forms from CLDR) for every course, and for the player when the
    theme does not ship LANGUAGE, from the current sources (changed templates are written first).

    POT-Creation-Date and PO-Revision-Date are the date of the sources, as 'i18n extract' writes it
    (SOURCE_DATE_EPOCH, else the last git commit of the course's folder, else 1980-01-01).

    \b
    Example:
      courseforge i18n init de
      courseforge i18n init pt-BR workplace-safety
    """
    from courseforge.i18n.catalog import catalog_bytes, is_format_domain, po_path

    work = catalog_work(reporter, courses)
    found = templates(work)
    written = write_templates(found, work, reporter, list_unchanged=False)
    created, kept = [], []
    for domain, template in found.items():
        path = po_path(work.locales, language, domain)
        if path.exists():
            reporter.result(f"{work.shown(path)}: exists, left as it is (use 'i18n update')")
            kept.append(work.shown(path))
            continue
        if theme_translates(work.theme, domain, language):
            reporter.detail(f"{work.shown(path)}: not created, the theme translates the player into {language} "
                            "(create it to override)")
            continue
        catalog = new_language_catalog(template, language)
        write_atomically(path, catalog_bytes(catalog, keep_format_flags=is_format_domain(domain)))
        reporter.result(f"{work.shown(path)}: created ({catalog.plural_forms})")
        created.append(work.shown(path))
    reporter.info(f"declare it in each course.yaml under 'translations:' (language: {language}) to build and "
                  "gate it")
    reporter.document({"ok": True, "language": language, "created": created, "existing": kept,
                       "templates": written})


@i18n.command()
@click.option("--lang", "languages", multiple=True, callback=lang_options,
              help="Only these languages (repeatable).")
@click.argument("courses", nargs=-1)
@reporting_options
def update(languages: tuple[str, ...], courses: tuple[str, ...], reporter: Reporter) -> None:
    """Extract from the sources (writing templates that changed), then merge each template into its
    catalogs: +added/-removed/~fuzzy per catalog. Fuzzy entries show their previous source text (#|).

    \b
    Example:
      courseforge i18n update
      courseforge i18n update --lang de --json
    """
    from courseforge.i18n.catalog import catalog_bytes, is_format_domain, po_path
    from courseforge.i18n.update import merge

    work = catalog_work(reporter, courses)
    found = templates(work)
    targets = [(domain, language) for domain in domains(work.courses, work.locales) for language in domain.languages
               if not languages or language in languages]
    existing = read_existing(work, targets, reporter)
    written = write_templates(found, work, reporter, list_unchanged=False)
    catalogs: list[dict[str, object]] = []
    for domain, language in targets:
        template = found[domain.name]
        path = po_path(work.locales, language, domain.name)
        keep = is_format_domain(domain.name)
        if path in existing:
            merged, stats = merge(template, existing[path])
            changed = write_if_changed(path, catalog_bytes(merged, keep_format_flags=keep))
            reporter.result(f"{work.shown(path)}: {stats}{'' if changed else ' (unchanged)'}")
            catalogs.append({"path": work.shown(path), "changes": str(stats), "written": changed})
        elif not theme_translates(work.theme, domain.name, language):
            write_atomically(path, catalog_bytes(new_language_catalog(template, language), keep_format_flags=keep))
            reporter.result(f"{work.shown(path)}: created")
            catalogs.append({"path": work.shown(path), "changes": "created", "written": True})
    reporter.document({"ok": True, "templates": written, "catalogs": catalogs})


def read_existing(work: CatalogWork, targets: list[tuple[Domain, str]], reporter: Reporter) -> dict[Path, Catalog]:
    """The catalogs of ``targets`` that exist, read under the input rules (stages/inputs.py); a catalog they
    refuse stops the command before anything is written."""
    from courseforge.i18n.catalog import is_format_domain, po_path
    from courseforge.stages.load import read_catalog

    sink = DiagnosticSink()
    existing: dict[Path, Catalog] = {}
    for domain, language in targets:
        path = po_path(work.locales, language, domain.name)
        catalog = read_catalog(path, f"{work.shown(path.parent)}/{path.name}", sink, root=work.locales,
                               keep_format_flags=is_format_domain(domain.name), limits=work.project.config.limits)
        if catalog is not None:
            existing[path] = catalog
    if sink.failed():
        reporter.diagnostics(sink)
        raise click.ClickException("fix the catalogs above first (courseforge i18n check)")
    return existing


def coverage_rows(work: CatalogWork, found: dict[str, Catalog], reporter: Reporter) -> list[Coverage]:
    """Counted as the build gate counts: the player's strings with the project's ui.po over the theme's."""
    from courseforge.i18n.catalog import UI_DOMAIN, po_path
    from courseforge.i18n.runtime import layered_catalog
    from courseforge.i18n.status import coverage, template_keys

    rows = []
    targets = [(domain, language) for domain in domains(work.courses, work.locales) for language in domain.languages]
    existing = read_existing(work, targets, reporter)
    for domain, language in targets:
        catalog = existing.get(po_path(work.locales, language, domain.name))
        if domain.name == UI_DOMAIN:
            catalog = layered_catalog(work.theme.ui_catalogs.get(language), catalog)
        rows.append(coverage(template_keys(found[domain.name]), catalog, domain.name, language,
                             domain.required.get(language)))
    return rows


def print_table(rows: list[Coverage], minimum: float | None, reporter: Reporter) -> None:
    header = f"{'catalog':<22} {'lang':<6} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'obsolete':>8} " \
             f"{'%':>7} {'needed':>7}"
    reporter.result(header)
    for row in rows:
        needed = max(filter(None, (minimum, row.required)), default=None)
        flag = "  BELOW" if row.below(minimum) else ""
        reporter.result(f"{row.domain:<22} {row.language:<6} {row.translated:>10} {row.fuzzy:>6} "
                        f"{row.untranslated:>9} {row.obsolete:>8} {row.percent:>6.1f}% "
                        f"{'' if needed is None else f'{needed:g}%':>7}{flag}")


@i18n.command()
@click.option("--min", "minimum", type=click.FloatRange(0, 100), help="Coverage every catalog needs (percent).")
@click.argument("courses", nargs=-1)
@reporting_options
def status(minimum: float | None, courses: tuple[str, ...], reporter: Reporter) -> None:
    """Coverage per course and language against the current sources (extracted in memory, nothing is
    written); exit 1 when a catalog is below its required coverage.

    \b
    Example:
      courseforge i18n status
      courseforge i18n status --min 95 --json
    """
    work = catalog_work(reporter, courses)
    found = templates(work)
    stale = warn_stale_templates(found, work, reporter)
    rows = coverage_rows(work, found, reporter)
    print_table(rows, minimum, reporter)
    below = [row for row in rows if row.below(minimum)]
    reporter.document({"ok": not below, "minimum": minimum, "stale_templates": stale,
                       "catalogs": [row.to_json(minimum) for row in rows]})
    if below:
        reporter.failure(f"below required coverage: {', '.join(f'{r.domain}/{r.language}' for r in below)}")
        raise SystemExit(1)


def catalog_files(locales: Path, languages: tuple[str, ...]) -> list[Path]:
    files = sorted(locales.glob("*/LC_MESSAGES/*.po"))
    return [f for f in files if not languages or f.parent.parent.name in languages]


@i18n.command("check")
@click.option("--lang", "languages", multiple=True, callback=lang_options,
              help="Only these languages (repeatable).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reporting_options
def check_catalogs(languages: tuple[str, ...], strict: bool, reporter: Reporter) -> None:
    """Translations keep placeholders, links, images, code and Markdown; plurals complete; limits kept.

    \b
    Example:
      courseforge i18n check --lang de --strict
    """
    from courseforge.i18n.catalog import is_format_domain
    from courseforge.i18n.consistency import check_catalog
    from courseforge.stages.load import read_catalog_file

    project = current_project(reporter)
    sink = DiagnosticSink()
    files = catalog_files(project.locales_dir, languages)
    for path in files:
        shown = f"{project.display(path.parent)}/{path.name}"
        found = read_catalog_file(path, project.locales_dir, shown, sink,
                                  keep_format_flags=is_format_domain(path.stem), limits=project.config.limits)
        if found is not None:
            catalog, data = found
            check_catalog(catalog, shown, data, sink)
    reporter.diagnostics(sink)
    failed = sink.failed(strict)
    reporter.document({"ok": not failed, "strict": strict, "catalogs": [project.display(f) for f in files],
                       "errors": sink.error_count, "warnings": sink.warning_count,
                       "diagnostics": [d.to_json() for d in sink]})
    reporter.info(f"checked {len(files)} catalogs: {summary_line(sink)}")
    raise SystemExit(1 if failed else 0)


i18n.add_command(export_xliff_files)
i18n.add_command(import_xliff_files)
