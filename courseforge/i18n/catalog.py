"""Catalog files: where they live and how they are read and written (one set of Babel settings).

Layout under ``locales/``: ``templates/<domain>.pot`` (committed), ``<lang>/LC_MESSAGES/<domain>.po``;
the domain is a course id, or ``ui`` for the player's own strings. Compiled ``.mo`` files are build
outputs and never written here.

Conventions every catalog follows:
- ``msgctxt`` is the stable id path of the text (``<course>/<screen>/<block>``), so answer keys and
  tracking never depend on translated text;
- automatic comments (``#.``) tell the translator what the text is; a line ``max-length: N`` states a
  limit a standard imposes, which ``i18n check`` enforces;
- we control the flags: Babel's automatic ``python-format`` is removed (course text is not a format
  string: "100% done" is fine); only ``fuzzy`` marks stale or unreviewed translations.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

TEMPLATES_DIR = "templates"
UI_DOMAIN = "ui"
MAX_LENGTH = re.compile(r"^max-length: (\d+)$")
UNMANAGED_FLAGS = frozenset({"python-format", "python-brace-format"})


def pot_path(locales: Path, domain: str) -> Path:
    return locales / TEMPLATES_DIR / f"{domain}.pot"


def po_path(locales: Path, language: str, domain: str) -> Path:
    return locales / language / "LC_MESSAGES" / f"{domain}.po"


def catalog_languages(locales: Path) -> tuple[str, ...]:
    """Languages that have a catalog folder (``locales/<lang>/LC_MESSAGES``)."""
    if not locales.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in locales.glob("*/LC_MESSAGES") if p.parent.name != TEMPLATES_DIR))


def max_length(message: Message) -> int | None:
    for comment in message.auto_comments:
        match = MAX_LENGTH.match(comment.strip())
        if match:
            return int(match.group(1))
    return None


def clean_flags(message: Message) -> None:
    """Babel guesses format flags from '%' and '{…}'; ours are not format strings for msgfmt."""
    message.flags -= UNMANAGED_FLAGS


def is_format_domain(domain: str) -> bool:
    """The player's strings (``ui``) are real python-format strings; course text never is."""
    return domain == UI_DOMAIN


def clean_all_flags(catalog: Catalog) -> None:
    for message in (*catalog, *catalog.obsolete.values()):
        if message.id:
            clean_flags(message)


def parse_catalog(data: bytes, locale: str | None = None, *, keep_format_flags: bool = False) -> Catalog:
    catalog = read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    if not keep_format_flags:
        clean_all_flags(catalog)
    return catalog


def load_catalog(path: Path, locale: str | None = None, *, keep_format_flags: bool = False) -> Catalog:
    return parse_catalog(path.read_bytes(), locale, keep_format_flags=keep_format_flags)


def catalog_bytes(catalog: Catalog, *, omit_header: bool = False, keep_format_flags: bool = False) -> bytes:
    """PO text exactly as we commit it: no rewrapping (Markdown stays as written), no 'previous' lines."""
    if not keep_format_flags:
        clean_all_flags(catalog)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=omit_header, sort_output=False, sort_by_file=False,
             ignore_obsolete=False, include_previous=False)
    return buffer.getvalue()
