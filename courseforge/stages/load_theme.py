"""Reading a theme into memory (the edge): courseforge's built-in theme from package data, the project's
override folder and the images of courseforge.yaml's branding from disk. Render then works from the
:class:`Theme` alone. A project folder's templates are parsed here, so a syntax error or a reference to a
template that no layer has is a lint error at its line, not a failed build."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.catalog import UI_DOMAIN, parse_catalog
from courseforge.model.branding import Branding, ImageRole, ProjectBranding
from courseforge.model.project import DEFAULT_LIMITS, InputLimits
from courseforge.model.theme import (
    BASE_THEME,
    JINJA_EXTENSIONS,
    LOCALES_DIR,
    RESERVED_PATHS,
    Theme,
    ThemeLayer,
    is_template,
)
from courseforge.stages.inputs import InputProblem, file_limit, read_input_file
from courseforge.stages.load import read_course_files

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

BUILTIN_THEMES = "themes"
UI_CATALOG_SUFFIX = f"/LC_MESSAGES/{UI_DOMAIN}.po"


def read_tree(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    """Every file below a package-data folder, by posix path (hidden files and caches skipped)."""
    files: dict[str, bytes] = {}
    for entry in folder.iterdir():
        if entry.name.startswith((".", "__")):
            continue
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            files.update(read_tree(entry, f"{path}/"))
        else:
            files[path] = entry.read_bytes()
    return files


@lru_cache(maxsize=4)
def builtin_layer(name: str = BASE_THEME) -> ThemeLayer:
    """A theme shipped inside courseforge (read once per process: package data does not change)."""
    folder = resources.files("courseforge") / BUILTIN_THEMES / name
    return ThemeLayer(name=name, files=MappingProxyType(read_tree(folder)), display_root=name, shipped=True)


class ShippedCatalogs(Mapping[str, "Catalog"]):
    """The player's translations shipped with a theme (``locales/<lang>/LC_MESSAGES/ui.po``), each parsed on
    first use: a build of the source language, or of one translation, parses none or one of them (the first
    parse also sets up the date parsing of PO headers, some 4 ms)."""

    def __init__(self, layer: ThemeLayer) -> None:
        self.sources = {path[len(LOCALES_DIR):-len(UI_CATALOG_SUFFIX)]: data
                        for path, data in sorted(layer.files.items())
                        if path.startswith(LOCALES_DIR) and path.endswith(UI_CATALOG_SUFFIX)}
        self.parsed: dict[str, Catalog] = {}

    def __getitem__(self, language: str) -> Catalog:
        found = self.parsed.get(language)
        if found is None:
            found = self.parsed[language] = parse_catalog(self.sources[language], keep_format_flags=True)
        return found

    def __contains__(self, language: object) -> bool:
        return language in self.sources  # without parsing it

    def __iter__(self) -> Iterator[str]:
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)


@lru_cache(maxsize=4)
def _builtin_catalogs(name: str) -> ShippedCatalogs:
    return ShippedCatalogs(builtin_layer(name))


def project_layer(themes_dir: Path, name: str, display_root: str, sink: DiagnosticSink,
                  limits: InputLimits = DEFAULT_LIMITS) -> ThemeLayer | None:
    """The project's ``themes/<name>/``, read under the same input rules as a course folder."""
    folder = themes_dir / name
    if not folder.is_dir():
        return None
    files = read_course_files(folder, display_root, sink, limits)
    return ThemeLayer(name=name, files=MappingProxyType(files), display_root=display_root)


def check_reserved(layer: ThemeLayer, sink: DiagnosticSink) -> None:
    for path in sorted(layer.files):
        if path.startswith(RESERVED_PATHS):
            sink.error("theme.reserved-file", f"'{path}' is where courseforge writes the branding",
                       Location(f"{layer.display_root}/{path}"),
                       hint="rename the file: theme/branding.css and theme/brand/ are generated from 'branding:'")


def check_templates(layer: ThemeLayer, known: frozenset[str], sink: DiagnosticSink) -> None:
    """Parse every template of a project folder, and check the templates it names by a constant exist (Jinja is
    loaded here: a project on the built-in theme alone, linted from the cache, never needs it)."""
    from jinja2 import Environment, TemplateSyntaxError, meta

    env = Environment(extensions=list(JINJA_EXTENSIONS))
    for path, data in sorted(layer.files.items()):
        if not is_template(path):
            continue
        shown = f"{layer.display_root}/{path}"
        try:
            tree = env.parse(data.decode("utf-8"), name=path)
        except UnicodeDecodeError:
            sink.error("theme.encoding", "template is not valid UTF-8", Location(shown, 1, 1),
                       hint="save the file as UTF-8")
            continue
        except TemplateSyntaxError as error:
            sink.error("theme.template-syntax", f"template cannot be parsed: {error.message}",
                       Location(shown, error.lineno, 1), hint="fix the Jinja syntax (see the Jinja template docs)")
            continue
        for name in sorted(n for n in meta.find_referenced_templates(tree) if n is not None):
            if name not in known:
                sink.error("theme.unknown-template", f"'{name}' is not a template of this theme", Location(shown),
                           hint="extend or include a plain name (partials/quiz.html) or a layer's "
                                "(default/partials/quiz.html)")


def load_theme(name: str, themes_dir: Path | None, display_root: str, origin: Location,
               sink: DiagnosticSink, limits: InputLimits = DEFAULT_LIMITS) -> Theme | None:
    """The built-in default theme with the project's ``themes/<name>/`` on top of it.

    ``theme: default`` works without any folder; another name needs its project folder.
    """
    base = builtin_layer()
    errors_before = sink.error_count
    override = (project_layer(themes_dir, name, f"{display_root}/{name}", sink, limits)
                if themes_dir is not None else None)
    if sink.error_count > errors_before:
        return None
    if override is None and name != BASE_THEME:
        sink.error("course.unknown-theme", f"theme '{name}' not found", origin,
                   hint=f"create the folder {display_root}/{name}/ (its files override the default theme's), "
                        "or use 'theme: default'")
        return None
    layers = (base,) if override is None else (base, override)
    theme = Theme(name=name, layers=layers, ui_catalogs=_builtin_catalogs(BASE_THEME))
    if override is not None:
        check_reserved(override, sink)
        check_templates(override, frozenset(theme.templates()), sink)
        if sink.error_count > errors_before:
            return None
    return theme


def read_image(root: Path, relative: str, limits: InputLimits = DEFAULT_LIMITS) -> bytes | str:
    """An image named in courseforge.yaml: its bytes, or why it cannot be shipped (the input rules of
    :mod:`courseforge.stages.inputs`: a regular file inside the project, within the asset size limit)."""
    found = read_input_file(root / relative, root.resolve(), file_limit(relative, limits))
    if not isinstance(found, InputProblem):
        return found
    if found.code == "source.missing":
        return "does not exist in the project"
    if found.code == "source.outside-folder":
        return "points outside the project (through a symbolic link)"
    return found.message


def read_project_branding(root: Path, branding: Branding | None,
                          limits: InputLimits = DEFAULT_LIMITS) -> ProjectBranding | None:
    """courseforge.yaml's ``branding`` with the images it names, read from the project root (the edge).

    Reports nothing: what could not be read is recorded, and each course build or lint reports it at the
    key's line through the validate stage's branding checks.
    """
    if branding is None:
        return None
    images: dict[str, bytes] = {}
    failures: dict[str, str] = {}
    for role in ImageRole:
        relative = getattr(branding, role)
        if relative is None:
            continue
        found = read_image(root, relative, limits)
        if isinstance(found, bytes):
            images[relative] = found
        else:
            failures[relative] = found
    return ProjectBranding(branding=branding, images=MappingProxyType(images), failures=MappingProxyType(failures))
