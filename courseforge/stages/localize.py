"""The localize stage: a validated course made ready for one locale.

Until translation catalogs exist the only locale is the course's source language, rendered with the
theme's source strings; the shape (LocalizedCourse) is what later locales plug into.
"""

from __future__ import annotations

import gettext

from courseforge.model.course import Course
from courseforge.model.localized import LocalizedCourse, TextDirection

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"})


def direction_of(locale: str) -> TextDirection:
    language = locale.split("-")[0].split("_")[0].lower()
    return TextDirection.RTL if language in RTL_LANGUAGES else TextDirection.LTR


def localize_source(course: Course) -> LocalizedCourse:
    """The course in its own source language."""
    locale = course.manifest.language
    return LocalizedCourse(course=course, locale=locale, direction=direction_of(locale),
                           ui=gettext.NullTranslations())
