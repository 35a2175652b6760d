"""Branding checks: images that exist and are what their names say, alt text, and WCAG AA contrast of
every text/background pair the player draws with the chosen colours.

Two steps, because the inputs arrive at two places: the course's own images are checked (and kept as
assets) with the rest of its files in the validate stage; the project's branding meets the course's in
:func:`resolve_branding`, which merges them key by key and checks the result. Both run for lint and build
alike, so a branding that lints clean builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.branding import (
    COLOR_PROPERTIES,
    DEFAULT_COLORS,
    NO_BRANDING,
    BrandImage,
    Branding,
    ChosenColor,
    ImageOwner,
    ImageRole,
    ProjectBranding,
    ResolvedBranding,
)
from courseforge.model.course import Course, CourseManifest
from courseforge.model.source import CourseSource
from courseforge.stages.validate.contrast import AA_NON_TEXT, AA_TEXT, contrast_ratio, nearest_passing, shown_ratio
from courseforge.stages.validate.images import image_problem

ALT_KEYS = {ImageRole.LOGO: "logo_alt", ImageRole.COVER: "cover_alt"}
NOTICE_BACKGROUND = "#fff4d6"
"""The standalone notice's background in player.css: fixed, not a branding colour."""


@dataclass(frozen=True)
class ContrastPair:
    foreground: str
    background: str
    minimum: float
    what: str


CONTRAST_PAIRS = (
    ContrastPair("text", "background", AA_TEXT, "body text"),
    ContrastPair("text", "panel", AA_TEXT, "the course title in the header"),
    ContrastPair("muted", "background", AA_TEXT, "secondary text (breadcrumbs, lesson names)"),
    ContrastPair("muted", "panel", AA_TEXT, "progress and duration in the header"),
    ContrastPair("primary", "background", AA_TEXT, "links and secondary buttons"),
    ContrastPair("primary_text", "primary", AA_TEXT, "primary buttons and the current contents entry"),
    ContrastPair("correct", "background", AA_TEXT, "the 'Correct' verdict"),
    ContrastPair("incorrect", "background", AA_TEXT, "the 'Incorrect' verdict"),
    ContrastPair("focus", "background", AA_NON_TEXT, "the keyboard focus outline (non-text contrast, SC 1.4.11)"),
)
"""Every colour pair the default theme draws text (or the focus outline) with."""


@dataclass(frozen=True)
class Chosen:
    """One branding value after merging, and where it was written."""

    value: str
    location: Location
    from_course: bool


# ----------------------------------------------------------------------------- images, where they are read

def check_image(role: ImageRole, path: str, data: bytes | None, missing: str, branding: Branding,
                sink: DiagnosticSink) -> bytes | None:
    """The image's bytes when they can be shipped; otherwise an error at the key."""
    location = branding.origin_of(role)
    if data is None:
        sink.error("branding.missing-image", f"{role} '{path}' {missing}", location,
                   hint="paths in course.yaml start at the course folder, in courseforge.yaml at the project "
                        "root; the file must be inside that folder")
        return None
    problem = image_problem(path, data)
    if problem is not None:
        sink.error("branding.bad-image", f"{role} '{path}' {problem}", location,
                   hint="export the image again as PNG, JPEG, GIF, WebP or SVG, with the matching extension")
        return None
    return data


def course_branding_assets(manifest: CourseManifest, source: CourseSource,
                           sink: DiagnosticSink) -> dict[str, bytes]:
    """The course's branding images (paths relative to the course folder), checked, as course assets; one an
    input rule refused was reported at its own path already."""
    branding = manifest.branding
    assets: dict[str, bytes] = {}
    for role in ImageRole:
        path = getattr(branding, role) if branding is not None else None
        if branding is None or path is None or path in source.refused:
            continue
        data = check_image(role, path, source.files.get(path), "does not exist in the course folder", branding, sink)
        if data is not None:
            assets[path] = data
    return assets


def project_images(project: ProjectBranding, sink: DiagnosticSink) -> dict[ImageRole, bytes]:
    images: dict[ImageRole, bytes] = {}
    for role in ImageRole:
        path = getattr(project.branding, role)
        if path is None:
            continue
        reason = project.failures.get(path, "does not exist in the project")
        data = check_image(role, path, project.images.get(path), reason, project.branding, sink)
        if data is not None:
            images[role] = data
    return images


# ------------------------------------------------------------------------------------------------ merging

def chosen_values(course: Branding | None, project: Branding | None) -> dict[str, Chosen]:
    """Branding keys (``logo``, ``font``, ``colors.text``, ...) merged: the course's over the project's."""
    merged: dict[str, Chosen] = {}
    for branding, from_course in ((project, False), (course, True)):
        if branding is None:
            continue
        for key in ("logo", "logo_alt", "cover", "cover_alt", "font"):
            value = getattr(branding, key)
            if value is not None:
                merged[key] = Chosen(value, branding.origin_of(key), from_course)
        if branding.colors is not None:
            for key, value in branding.colors.chosen().items():
                merged[f"colors.{key}"] = Chosen(value, branding.colors.origin_of(key), from_course)
    return merged


def merged_image(role: ImageRole, chosen: Mapping[str, Chosen], course: Course,
                 project_data: Mapping[ImageRole, bytes], sink: DiagnosticSink) -> BrandImage | None:
    image = chosen.get(role)
    if image is None:
        return None
    alt = chosen.get(ALT_KEYS[role])
    if alt is None:
        sink.error("branding.missing-alt", f"{role} has no {ALT_KEYS[role]}", image.location,
                   hint=f"add {ALT_KEYS[role]}: the text the image shows or stands for (for a logo, usually "
                        "the organisation's name), for learners who cannot see it")
        return None
    data = course.assets.get(image.value) if image.from_course else project_data.get(role)
    if data is None:
        return None
    owner = ImageOwner.COURSE if image.from_course else ImageOwner.PROJECT
    return BrandImage(role=role, path=image.value, owner=owner, alt=alt.value, data=data)


# ----------------------------------------------------------------------------------------------- contrast

def pair_location(pair: ContrastPair, chosen: Mapping[str, Chosen]) -> Location | None:
    """Where to report a pair: the course's key if it set one, else the project's; None when neither of
    the two colours was chosen (the default theme's pairs pass)."""
    written = [c for key in (pair.foreground, pair.background) if (c := chosen.get(f"colors.{key}"))]
    if not written:
        return None
    return next((c.location for c in written if c.from_course), written[0].location)


def check_pair(pair: ContrastPair, colors: Mapping[str, str], location: Location, sink: DiagnosticSink) -> None:
    foreground, background = colors[pair.foreground], colors[pair.background]
    ratio = contrast_ratio(foreground, background)
    if ratio >= pair.minimum:
        return
    better = nearest_passing(foreground, background, pair.minimum)
    fix = f"e.g. {pair.foreground}: \"{better}\" reaches " \
          f"{shown_ratio(contrast_ratio(better, background))}" if better else f"change {pair.background}"
    sink.error("branding.contrast",
               f"{pair.foreground} {foreground} on {pair.background} {background} has a contrast of "
               f"{shown_ratio(ratio)}; {pair.what} needs at least {pair.minimum:g}:1 (WCAG 2.x AA)",
               location, hint=f"darken or lighten one of the two colours; {fix}")


def check_contrast(chosen: Mapping[str, Chosen], sink: DiagnosticSink) -> tuple[ChosenColor, ...]:
    colors = {**DEFAULT_COLORS, **{key: chosen[f"colors.{key}"].value
                                   for key in COLOR_PROPERTIES if f"colors.{key}" in chosen}}
    for pair in CONTRAST_PAIRS:
        location = pair_location(pair, chosen)
        if location is not None:
            check_pair(pair, colors, location, sink)
    text = chosen.get("colors.text")
    if text is not None and contrast_ratio(text.value, NOTICE_BACKGROUND) < AA_TEXT:
        sink.warning("branding.contrast-fixed",
                     f"text {text.value} on the standalone notice's fixed background {NOTICE_BACKGROUND} has a "
                     f"contrast of {shown_ratio(contrast_ratio(text.value, NOTICE_BACKGROUND))}", text.location,
                     hint="the notice shown outside an LMS keeps player.css's light background: restyle "
                          ".cf-notice in a theme stylesheet (themes/<name>/theme/*.css) for a dark design")
    return tuple(ChosenColor(key, colors[key]) for key in COLOR_PROPERTIES if f"colors.{key}" in chosen)


def resolve_branding(course: Course, project: ProjectBranding | None, sink: DiagnosticSink) -> ResolvedBranding | None:
    """The course's branding over the project's, checked; None when it has errors (reported)."""
    course_branding = course.manifest.branding
    if course_branding is None and project is None:
        return NO_BRANDING
    errors_before = sink.error_count
    project_data = project_images(project, sink) if project is not None else {}
    chosen = chosen_values(course_branding, project.branding if project is not None else None)
    logo = merged_image(ImageRole.LOGO, chosen, course, project_data, sink)
    cover = merged_image(ImageRole.COVER, chosen, course, project_data, sink)
    colors = check_contrast(chosen, sink)
    font = chosen.get("font")
    course_images_missing = any(
        image in chosen and chosen[image].from_course and chosen[image].value not in course.assets
        for image in ImageRole)
    if sink.error_count > errors_before or course_images_missing:
        return None
    return ResolvedBranding(colors=colors, font=font.value if font else None, logo=logo, cover=cover)
