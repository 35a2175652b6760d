"""Catalog commands never work from templates that no longer match the sources.

Commands that write catalogs (``init``, ``update``) extract first and write the templates that changed,
as ``extract`` does; ``status`` counts against the sources in memory and names each stale template;
``export-xliff`` refuses a catalog that ``update`` would change, so a vendor never gets outdated text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.catalogs import CatalogWork, read_or_stop
from courseforge.commands.common import write_atomically
from courseforge.commands.output import Reporter

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog


def template_is_stale(path: Path, template: Catalog, work: CatalogWork, reporter: Reporter) -> bool:
    """The POT on disk says something else than the sources (its header dates aside), or is missing."""
    from courseforge.i18n.extract import message_signature

    if not path.is_file():
        return True
    return message_signature(read_or_stop(work.project, path, reporter)) != message_signature(template)


def write_templates(found: dict[str, Catalog], work: CatalogWork, reporter: Reporter, *,
                    list_unchanged: bool) -> list[dict[str, object]]:
    """Write each template whose messages changed; say which were written and return them (for --json)."""
    from courseforge.i18n.catalog import UI_DOMAIN, catalog_bytes, is_format_domain, pot_path

    written: list[dict[str, object]] = []
    for domain, template in found.items():
        path = pot_path(work.locales, domain)
        if domain == UI_DOMAIN and not translates_player(work):
            continue
        changed = template_is_stale(path, template, work, reporter)
        if changed:
            write_atomically(path, catalog_bytes(template, keep_format_flags=is_format_domain(domain)))
        count = sum(1 for m in template if m.id)
        if changed or list_unchanged:
            reporter.result(f"{work.shown(path)}: {count} messages{' (updated)' if changed else ''}")
        written.append({"path": work.shown(path), "messages": count, "updated": changed})
    return written


def translates_player(work: CatalogWork) -> bool:
    """The project keeps player catalogs of its own (ui.po files, or a theme folder with its own strings):
    then it needs ui.pot; otherwise the theme's built-in template and translations are all there is."""
    from courseforge.i18n.catalog import UI_DOMAIN, pot_path

    return (bool(list(work.locales.glob(f"*/LC_MESSAGES/{UI_DOMAIN}.po")))
            or pot_path(work.locales, UI_DOMAIN).is_file() or len(work.theme.layers) > 1)


def warn_stale_templates(found: dict[str, Catalog], work: CatalogWork, reporter: Reporter) -> list[str]:
    """For read-only commands: they work from the sources, but the committed templates should follow.
    A project without ui.pot is fine: the theme ships the player's template and translations."""
    from courseforge.i18n.catalog import UI_DOMAIN, pot_path

    stale = []
    for domain, template in found.items():
        path = pot_path(work.locales, domain)
        if (path.is_file() or domain != UI_DOMAIN) and template_is_stale(path, template, work, reporter):
            reporter.info(f"{work.shown(path)} is out of date: run courseforge i18n extract")
            stale.append(work.shown(path))
    return stale


def refuse_stale_catalogs(work: CatalogWork, language: str, reporter: Reporter) -> None:
    """Stop before anything is written when a course catalog of LANGUAGE lags behind its sources."""
    from courseforge.i18n.catalog import po_path
    from courseforge.i18n.extract import course_template
    from courseforge.i18n.update import needs_update

    stale = [path for course in work.courses
             if (path := po_path(work.locales, language, course.id)).is_file()
             and needs_update(course_template(course), read_or_stop(work.project, path, reporter))]
    if stale:
        raise click.ClickException("\n".join(f"{work.shown(path)} is out of date with the sources: run "
                                             "courseforge i18n update" for path in stale))
