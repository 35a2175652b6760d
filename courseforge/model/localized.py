"""A course made ready for one locale: text in that language, UI catalog, text direction."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from courseforge.model.course import Course

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from courseforge.i18n.status import MessageKey


class TextDirection(StrEnum):
    LTR = "ltr"
    RTL = "rtl"


@dataclass(frozen=True)
class LocalizedCourse:
    course: Course
    """The course with its learner-facing text in ``locale``; ids and answer keys are unchanged."""
    locale: str
    direction: TextDirection
    ui: gettext.NullTranslations
    """Player (theme) strings for ``locale``; NullTranslations means the source (English) strings."""
    source_texts: frozenset[MessageKey] = frozenset()
    """A translation's course texts as its catalog was asked for them: the course template's entries, which its
    translation gate counts against (empty for the source language and pseudo-locales, which have no gate)."""


@dataclass(frozen=True)
class LocaleCatalogs:
    """The catalogs one locale's build reads (None where the file does not exist)."""

    course: Catalog | None
    ui: Catalog | None
    course_path: str
    """Display path of the course catalog, for diagnostics."""
    ui_path: str = ""
    """Display path of the project's player catalog (which may override the theme's built-in one)."""
