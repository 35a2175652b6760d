"""``courseforge i18n export-xliff`` / ``import-xliff``: the exchange with translation vendors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.catalogs import catalog_work, read_or_stop, write_if_changed
from courseforge.commands.common import current_project, locale_option, write_atomically
from courseforge.commands.freshness import refuse_stale_catalogs
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import DiagnosticSink

if TYPE_CHECKING:
    from courseforge.i18n.xliff import ImportResult
    from courseforge.project import Project

XLIFF_DIR = "xliff"
"""Under the project's output folder."""


def xliff_name(domain: str, language: str, version: str) -> str:
    return f"{domain}.{language}.{'xlf' if version == '1.2' else 'xliff'}"


@click.command("export-xliff")
@click.option("--lang", "language", required=True, callback=lambda ctx, param, value: locale_option(
    value, "--lang", languages_only=True), help="Target language of the catalogs to export.")
@click.option("--xliff-version", "version", type=click.Choice(["1.2", "2.1"]), default="1.2", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the files (default: the project's output folder, build/xliff).")
@click.argument("courses", nargs=-1)
@reporting_options
def export_xliff_files(language: str, version: str, out: Path | None, courses: tuple[str, ...],
                       reporter: Reporter) -> None:
    """Write one XLIFF file per course (and the player) for a translation vendor.

    \b
    Example:
      courseforge i18n export-xliff --lang de --xliff-version 2.1
    """
    from courseforge.i18n.catalog import UI_DOMAIN, po_path
    from courseforge.i18n.xliff import export_xliff

    work = catalog_work(reporter, courses)
    out = out or work.project.output_dir / XLIFF_DIR
    refuse_stale_catalogs(work, language, reporter)
    source = {c.id: c.manifest.language for c in work.courses}
    exported: list[dict[str, object]] = []
    for domain in [c.id for c in work.courses] + [UI_DOMAIN]:
        path = po_path(work.locales, language, domain)
        if not path.is_file():
            if domain != UI_DOMAIN:
                reporter.info(f"{work.shown(path)}: missing, skipped (run 'courseforge i18n update')")
            continue
        catalog = read_or_stop(work.project, path, reporter)
        try:
            data = export_xliff(catalog, source_language=source.get(domain, "en"), target_language=language,
                                original=domain, version="1.2" if version == "1.2" else "2.1")
        except ValueError as error:  # two entries of one id, or a text XLIFF 1.2 cannot carry: the catalog's
            raise click.ClickException(f"{work.shown(path)}: cannot be exported: {error}") from error
        target = out / language / xliff_name(domain, language, version)
        write_atomically(target, data)
        units = sum(1 for m in catalog if m.id)
        reporter.result(f"{work.shown(target)}: {units} units")
        exported.append({"path": work.shown(target), "catalog": work.shown(path), "units": units})
    reporter.document({"ok": True, "language": language, "version": version, "files": exported})


def xliff_origin(data: bytes) -> tuple[str | None, str | None]:
    """(original, target language) as the file declares them, read without resolving anything."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None, None
    original = root.xpath("string(//*[local-name()='file']/@original)")
    language = root.get("trgLang") or root.xpath("string(//*[local-name()='file']/@target-language)")
    return (str(original) or None, str(language) or None)


def catalog_of(project: Project, file: Path, domain: str | None, language: str | None) -> Path:
    """The catalog an XLIFF file names (its ``original`` and target language), both checked before they name a
    file: a file from outside may name anything."""
    from courseforge.i18n.catalog import po_path
    from courseforge.model.course import ID_PATTERN, known_language

    if not domain or not language:
        raise click.ClickException(f"{file}: no <file original> / target language: not one of our exports")
    try:
        language = known_language(language.replace("_", "-"))
    except ValueError as error:
        raise click.ClickException(f"{file}: target language {error}") from error
    if re.fullmatch(ID_PATTERN, domain) is None:
        raise click.ClickException(f"{file}: <file original={domain!r}> is not a course id or 'ui'")
    path = po_path(project.locales_dir, language, domain)
    if not path.is_file():
        raise click.ClickException(f"{file}: no catalog {project.display(path)} for it")
    return path


def describe_import(result: ImportResult) -> str:
    if result.refused:
        return "refused (see the errors below)"
    counts = {"updated": result.updated, "unchanged": result.unchanged, "conflicts": result.conflicts,
              "stale": result.stale, "unknown": result.unknown, "untranslated": result.untranslated,
              "missing": result.missing}
    return ", ".join(f"{value} {name}" for name, value in counts.items())


@click.command("import-xliff")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Let the files replace reviewed translations that differ.")
@reporting_options
def import_xliff_files(files: tuple[Path, ...], overwrite: bool, reporter: Reporter) -> None:
    """Merge translated XLIFF back into the catalogs; every conflict is reported, nothing is dropped.

    \b
    Example:
      courseforge i18n import-xliff returned/*.xlf
    """
    from courseforge.i18n.catalog import catalog_bytes, is_format_domain
    from courseforge.i18n.xliff import import_xliff

    project = current_project(reporter)
    sink = DiagnosticSink()
    imported: list[dict[str, object]] = []
    for file in files:
        data = file.read_bytes()
        path = catalog_of(project, file, *xliff_origin(data))
        keep = is_format_domain(path.stem)
        catalog = read_or_stop(project, path, reporter)
        result = import_xliff(data, catalog, file.as_posix(), sink, overwrite=overwrite)
        written = not result.refused and write_if_changed(path, catalog_bytes(catalog, keep_format_flags=keep))
        if written:
            reporter.result(f"{project.display(path)}: updated from {file}")
        reporter.result(f"{file}: {describe_import(result)}")
        imported.append({"file": file.as_posix(), "catalog": project.display(path), "written": written,
                         "refused": result.refused, "summary": describe_import(result)})
    reporter.diagnostics(sink)
    failed = sink.failed()
    reporter.document({"ok": not failed, "files": imported, "diagnostics": [d.to_json() for d in sink]})
    raise SystemExit(1 if failed else 0)
