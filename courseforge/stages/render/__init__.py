"""The render stage: LocalizedCourse -> RenderedSite, the single-SCO player site held in memory.

Output: ``index.html`` (every screen as a ``<section>``, course data and player strings as JSON blocks),
the theme's ``runtime/*.js`` minified into one script and ``theme/*.css`` minified (a project theme's too),
the branding's generated stylesheet and images, and the course's assets under ``content/``.
Same input, same bytes: no clocks, sorted JSON, sorted files.

``index.html`` is the same for every package format of a locale (:func:`entry_page`): what a format decides
(which adapter runs, the longest text answer it records) is in its runtime script, which caps the page's text
inputs when it loads. So a locale's page is rendered once for all its formats, and deflated and verified once.
"""

from __future__ import annotations

from types import MappingProxyType

from courseforge.model.course import Course
from courseforge.model.localized import LocalizedCourse
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.model.theme import PLAYER_STYLESHEET, Theme
from courseforge.object_memo import kept
from courseforge.stages.render.branding import branding_files, branding_stylesheets, branding_view
from courseforge.stages.render.build_views import ScreenViews, nav_modules
from courseforge.stages.render.fallback import mark_fallbacks, strip_marks
from courseforge.stages.render.locale_format import locale_format
from courseforge.stages.render.markup import CONTENT_DIR, NEW_TAB_HINT_ID, LinkTargets, MarkdownRenderer
from courseforge.stages.render.minify import bundle, minify_static
from courseforge.stages.render.runtime_data import course_data_json
from courseforge.stages.render.theme import ENTRY_TEMPLATE, compile_templates, render_page
from courseforge.stages.render.views import UNBRANDED, BrandingView, SiteContext
from courseforge.standards import FormatProfile, adapter_files
from courseforge.standards.scorm12 import PROFILE as SCORM12

__all__ = ["compile_templates", "entry_page", "render_site", "site_context"]

LINK_TARGETS = "link-targets"
LINK_TARGETS_WEIGHT_PER_TARGET = 128
"""About what a kept set of targets holds for each page or asset (its key spells them out too)."""


def link_targets(course: Course) -> LinkTargets:
    """The course's targets, the same object for the same pages and assets while a store is active: every kept
    Markdown render and view is keyed by their digest, computed once per object (sorting every page and asset)."""
    pages, assets = course.screen_paths, frozenset(course.assets)
    return kept(LINK_TARGETS, (tuple(pages.items()), assets), lambda: LinkTargets(pages=pages, assets=assets),
                lambda _: LINK_TARGETS_WEIGHT_PER_TARGET * (len(pages) + len(assets)))


def site_context(localized: LocalizedCourse, stylesheets: tuple[str, ...] = (PLAYER_STYLESHEET,),
                 branding: BrandingView = UNBRANDED) -> SiteContext:
    """Everything the entry template needs, typed; Markdown already rendered and targets rewritten. Nothing
    in it depends on the package format."""
    course = localized.course
    manifest = course.manifest
    renderer = MarkdownRenderer(link_targets(course))
    formats = locale_format(localized.locale)
    return SiteContext(
        lang=localized.locale,
        dir=localized.direction.value,
        title=manifest.title,
        description=manifest.description,
        stylesheets=stylesheets,
        branding=branding,
        nav=nav_modules(course),
        screens=ScreenViews(course, renderer, formats.number if formats else str),
        data_json=course_data_json(course, localized.locale),
        new_tab_hint_id=NEW_TAB_HINT_ID,
        duration_minutes=manifest.duration_minutes,
        locale_format=formats,
        scripts=(RUNTIME_BUNDLE,),
    )


def site_metadata(localized: LocalizedCourse) -> SiteMetadata:
    manifest = localized.course.manifest
    return SiteMetadata(
        course_id=manifest.id,
        version=manifest.version,
        title=strip_marks(manifest.title),
        description=strip_marks(manifest.description),
        language=localized.locale,
        duration_minutes=manifest.duration_minutes,
        mastery_score=manifest.mastery.score if manifest.mastery else None,
    )


NEUTRAL_RUNTIME_HEAD = ("runtime/state.js", "runtime/scoring.js", "runtime/progress.js", "runtime/tracking.js")
"""Loaded before the format's adapter, which registers itself with ``tracking.js``."""
NEUTRAL_RUNTIME_TAIL = ("runtime/standalone.js", "runtime/dom.js", "runtime/quiz.js", "runtime/activities.js",
                        "runtime/player.js", "runtime/contents.js")


RUNTIME_BUNDLE = "runtime/courseforge.js"
"""The one script a package's index.html loads: ``runtime_scripts`` joined, minified."""


def runtime_scripts(profile: FormatProfile) -> tuple[str, ...]:
    return (*NEUTRAL_RUNTIME_HEAD, *profile.runtime_adapter, *NEUTRAL_RUNTIME_TAIL)


def runtime_files(theme: Theme, profile: FormatProfile) -> dict[str, bytes]:
    """The package's runtime: the player's scripts minified into one bundle, the stylesheets (and any other
    file of the theme's runtime/ and theme/ folders) minified one by one."""
    return bundle(minify_static(package_static_files(theme, profile)), runtime_scripts(profile), RUNTIME_BUNDLE)


def package_static_files(theme: Theme, profile: FormatProfile) -> dict[str, bytes]:
    """The theme's runtime and stylesheets, without the other formats' adapters."""
    foreign = adapter_files() - set(profile.runtime_adapter)
    return {path: data for path, data in theme.static_files().items() if path not in foreign}


def entry_page(localized: LocalizedCourse, theme: Theme) -> bytes:
    """``index.html``'s bytes, the same for every package format; its context, and each screen's view, are let
    go as soon as they are written."""
    stylesheets = (*theme.stylesheets(), *branding_stylesheets(theme.branding))
    page, marked = render_page(theme, ENTRY_TEMPLATE, localized.ui,
                               ctx=site_context(localized, stylesheets, branding_view(theme.branding)))
    return mark_fallbacks(page, localized.course.manifest.language) if marked else page


def render_site(localized: LocalizedCourse, theme: Theme, profile: FormatProfile = SCORM12,
                page: bytes | None = None) -> RenderedSite:
    """Render the course with ``theme`` (already read into memory by the load stage, branding included)
    for a package of ``profile``'s format. ``page``: :func:`entry_page` of the same course and theme when the
    caller has it already (one render, one bytes object, for every format of the locale: the zip writer then
    deflates it once)."""
    entry = entry_page(localized, theme) if page is None else page
    files = {ENTRY_TEMPLATE: entry, **runtime_files(theme, profile), **branding_files(theme.branding)}
    files.update({f"{CONTENT_DIR}/{path}": data for path, data in localized.course.assets.items()})
    return RenderedSite(metadata=site_metadata(localized), files=MappingProxyType(dict(sorted(files.items()))),
                        entry=ENTRY_TEMPLATE)
