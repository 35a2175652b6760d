"""Catalog commands never work from templates that no longer match the sources.

Commands that write catalogs (``init``, ``update``) extract first and write the templates that changed,
as ``extract`` does; ``status`` counts against the sources in memory and names each stale template;
``export-xliff`` refuses a catalog that ``update`` would change, so a vendor never gets outdated text.
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog

from courseforge.commands.common import write_atomically
from courseforge.i18n.catalog import UI_DOMAIN, catalog_bytes, is_format_domain, load_catalog, po_path, pot_path
from courseforge.i18n.extract import course_template, message_signature
from courseforge.i18n.update import needs_update
from courseforge.model.course import Course


def template_is_stale(path: Path, template: Catalog) -> bool:
    """The POT on disk says something else than the sources (its header dates aside), or is missing."""
    if not path.is_file():
        return True
    written = load_catalog(path, keep_format_flags=is_format_domain(template.domain or ""))
    return message_signature(written) != message_signature(template)


def write_templates(found: dict[str, Catalog], locales: Path, *, list_unchanged: bool) -> None:
    """Write each template whose messages changed, and say which were written."""
    for domain, template in found.items():
        path = pot_path(locales, domain)
        changed = template_is_stale(path, template)
        if changed:
            write_atomically(path, catalog_bytes(template, keep_format_flags=is_format_domain(domain)))
        if changed or list_unchanged:
            count = sum(1 for m in template if m.id)
            click.echo(f"{path}: {count} messages{' (updated)' if changed else ''}")


def warn_stale_templates(found: dict[str, Catalog], locales: Path) -> None:
    """For read-only commands: they work from the sources, but the committed templates should follow.
    A project without ui.pot is fine: the theme ships the player's template and translations."""
    for domain, template in found.items():
        path = pot_path(locales, domain)
        if (path.is_file() or domain != UI_DOMAIN) and template_is_stale(path, template):
            click.echo(f"{path} is out of date: run courseforge i18n extract", err=True)


def refuse_stale_catalogs(courses: list[Course], locales: Path, language: str) -> None:
    """Stop before anything is written when a course catalog of LANGUAGE lags behind its sources."""
    stale = [path for course in courses
             if (path := po_path(locales, language, course.id)).is_file()
             and needs_update(course_template(course), load_catalog(path))]
    if stale:
        raise click.ClickException("\n".join(f"{path} is out of date with the sources: run courseforge i18n update"
                                             for path in stale))
