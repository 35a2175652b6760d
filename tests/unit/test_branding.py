"""Branding without templates: colours as custom properties, font stack, logo and cover, the project's
branding under the course's, and every mistake a lint error at its key (and a stopped build)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.branding import COLOR_PROPERTIES, DEFAULT_COLORS
from courseforge.pipeline import BuildOptions, build_course, lint_course
from courseforge.project import load_config
from courseforge.stages.load_theme import builtin_layer, read_project_branding
from courseforge.stages.validate.branding import CONTRAST_PAIRS
from courseforge.stages.validate.contrast import (
    contrast_ratio,
    nearest_passing,
    relative_luminance,
    shown_ratio,
)
from tests.factory import base_manifest, page, write_course
from tests.static_server import serve_folder

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40"/></svg>\n'
ITEMS = ["pages/welcome.md", "pages/more.md"]
PAGES = {"pages/welcome.md": page("welcome", "Welcome"), "pages/more.md": page("more", "More")}


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG (signature, IHDR, IDAT, IEND with CRCs), as an image editor writes one."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------ contrast maths

def test_relative_luminance_of_known_colours() -> None:
    assert relative_luminance("#ffffff") == 1.0
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#808080") == pytest.approx(0.2158605, abs=1e-7)


def test_contrast_ratios_of_known_pairs() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000") == pytest.approx(21.0)
    assert contrast_ratio("#777", "#fff") == pytest.approx(4.478, abs=5e-4)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.542, abs=5e-4)
    assert contrast_ratio("#1f4fbf", "#1f4fbf") == 1.0


def test_a_shown_ratio_never_rounds_a_failure_up_to_the_requirement() -> None:
    assert shown_ratio(4.4999) == "4.49:1"
    assert shown_ratio(contrast_ratio("#777", "#fff")) == "4.47:1"
    assert shown_ratio(21.0) == "21.00:1"


def test_the_suggested_colour_is_the_nearest_one_that_passes() -> None:
    better = nearest_passing("#777777", "#ffffff", 4.5)
    assert better is not None and contrast_ratio(better, "#ffffff") >= 4.5
    assert relative_luminance(better) < relative_luminance("#777777")
    light = nearest_passing("#555555", "#111111", 4.5)
    assert light is not None and relative_luminance(light) > relative_luminance("#555555")


def test_the_default_colours_are_player_css_and_pass_every_pair() -> None:
    css = builtin_layer().files["theme/player.css"].decode()
    declared = dict(re.findall(r"(--cf-[\w-]+): (#[0-9a-f]{3,6});", css))
    assert {key: declared[prop] for key, prop in COLOR_PROPERTIES.items()} == DEFAULT_COLORS
    for pair in CONTRAST_PAIRS:
        assert contrast_ratio(DEFAULT_COLORS[pair.foreground], DEFAULT_COLORS[pair.background]) >= pair.minimum


# ---------------------------------------------------------------------------------------------- building

def project(root: Path, branding: dict[str, Any] | None = None, files: dict[str, bytes] | None = None) -> BuildOptions:
    """courseforge.yaml (with ``branding``) read as the commands read it, and its images from the root."""
    config = {"branding": branding} if branding else {}
    (root / "courseforge.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    for relpath, data in (files or {}).items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
    sink = DiagnosticSink()
    loaded = load_config(root, sink)
    assert loaded is not None, [d.format() for d in sink]
    return BuildOptions(branding=read_project_branding(root, loaded.branding), source_date_epoch=0)


def course(root: Path, branding: dict[str, Any] | None = None, files: dict[str, bytes] | None = None) -> Path:
    extra = {"branding": branding} if branding is not None else {}
    folder = write_course(root / "courses", base_manifest("demo", ITEMS, **extra), PAGES)
    for relpath, data in (files or {}).items():
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_bytes(data)
    return folder


def package(folder: Path, options: BuildOptions | None = None) -> dict[str, bytes]:
    sink = DiagnosticSink()
    built = build_course(folder, "courses/demo", options or BuildOptions(source_date_epoch=0), sink)
    assert built is not None and not sink.failed(), [d.format() for d in sink]
    with zipfile.ZipFile(io.BytesIO(built.packages[0].package.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_colours_and_font_become_custom_properties_linked_last(tmp_path: Path) -> None:
    files = package(course(tmp_path, {"colors": {"primary": "#0B5394", "primary_text": "#fff"},
                                      "font": '"Source Sans 3", Arial, sans-serif'}))
    css = files["theme/branding.css"].decode()
    assert ":root {\n  --cf-accent: #0b5394;\n  --cf-accent-text: #fff;\n" in css
    assert '  font-family: "Source Sans 3", Arial, sans-serif;\n}\n' in css
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', files["index.html"].decode())
    assert links == ["theme/player.css", "theme/branding.css"]


def test_a_logo_in_the_header_and_a_cover_on_the_first_screen_only(tmp_path: Path) -> None:
    folder = course(tmp_path, {"logo": "assets/logo.svg", "logo_alt": "Example Ltd",
                               "cover": "assets/cover.png", "cover_alt": "A hard hat on a workbench"},
                    {"assets/logo.svg": SVG, "assets/cover.png": png()})
    files = package(folder)
    doc = html.fromstring(files["index.html"])
    (logo,) = doc.xpath("//header[@class='cf-banner']/img[@class='cf-logo']")
    assert (logo.get("src"), logo.get("alt")) == ("content/assets/logo.svg", "Example Ltd")
    (cover,) = doc.xpath("//img[@class='cf-cover']")
    assert cover.getparent().get("data-screen") == "welcome"
    assert cover.get("alt") == "A hard hat on a workbench"
    assert files["content/assets/logo.svg"] == SVG and files["content/assets/cover.png"] == png()
    assert ".cf-logo {" in files["theme/branding.css"].decode()


def test_the_course_branding_overrides_the_project_branding_key_by_key(tmp_path: Path) -> None:
    options = project(tmp_path, {"logo": "branding/logo.png", "logo_alt": "Example Group",
                                 "colors": {"primary": "#0b5394", "text": "#222222"}, "font": "Georgia, serif"},
                      {"branding/logo.png": png(4, 2)})
    files = package(course(tmp_path, {"colors": {"text": "#111111"}, "logo_alt": "Example Training"}), options)
    css = files["theme/branding.css"].decode()
    assert "--cf-accent: #0b5394;" in css and "--cf-text: #111111;" in css and "#222222" not in css
    assert "font-family: Georgia, serif;" in css
    assert files["theme/brand/logo.png"] == png(4, 2)
    (logo,) = html.fromstring(files["index.html"]).xpath("//img[@class='cf-logo']")
    assert (logo.get("src"), logo.get("alt")) == ("theme/brand/logo.png", "Example Training")


def test_without_branding_nothing_is_generated(tmp_path: Path) -> None:
    files = package(course(tmp_path), project(tmp_path))
    assert not any(name.startswith(("theme/brand", "theme/branding")) for name in files)
    assert b"cf-logo" not in files["index.html"] and b"cf-cover" not in files["index.html"]


# ------------------------------------------------------------------------------------------------ mistakes

def ratio(foreground: str, background: str) -> str:
    """As messages show it (the maths is pinned to known values above)."""
    return shown_ratio(contrast_ratio(foreground, background))


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def stopped(folder: Path, options: BuildOptions) -> list[str]:
    """Lint's diagnostics (error code, location, message); the build must stop on the same sources."""
    sink = DiagnosticSink()
    linted = lint_course(folder, "courses/demo", sink, options)
    assert linted is None and sink.failed()
    assert build_course(folder, "courses/demo", options, DiagnosticSink()) is None
    return [f"{d.location}: {d.code}: {d.message}" for d in sink if d.severity == "error"]


@pytest.mark.parametrize(("branding", "key", "code"), [
    ({"colors": {"primary": "#12345"}}, "primary:", "schema.type"),
    ({"colors": {"text": "red"}}, "text:", "schema.type"),
    ({"font": "Arial; } body { display: none"}, "font:", "schema.type"),
    ({"font": "x, url(https://example.com/f.woff)"}, "font:", "schema.type"),
    ({"logo": "../logo.png", "logo_alt": "Logo"}, "logo:", "schema.type"),
    ({"logo": "assets/logo.bmp", "logo_alt": "Logo"}, "logo:", "schema.type"),
    ({"logo": "assets/missing.png", "logo_alt": "Logo"}, "logo:", "branding.missing-image"),
    ({"logo": "assets/notes.png", "logo_alt": "Logo"}, "logo:", "branding.bad-image"),
    ({"cover": "assets/logo.svg", "cover_alt": "Logo"}, "cover:", "branding.bad-image"),
    ({"logo": "assets/good.png"}, "logo:", "branding.missing-alt"),
])
def test_a_course_branding_mistake_is_an_error_at_its_key(tmp_path: Path, branding: dict[str, Any], key: str,
                                                          code: str) -> None:
    folder = course(tmp_path, branding, {"assets/notes.png": b"meeting notes\n", "assets/good.png": png(),
                                         "assets/logo.svg": b"<svg>not namespaced</svg>"})
    (diagnostic,) = stopped(folder, BuildOptions())
    assert diagnostic.startswith(f"courses/demo/course.yaml:{line_of(folder / 'course.yaml', key)}:")
    assert f": {code}: " in diagnostic


def test_low_contrast_is_an_error_with_the_measured_ratio_and_a_fix(tmp_path: Path) -> None:
    folder = course(tmp_path, {"colors": {"text": "#777777"}})
    sink = DiagnosticSink()
    assert lint_course(folder, "courses/demo", sink) is None
    errors = [d for d in sink if d.code == "branding.contrast"]
    line = line_of(folder / "course.yaml", "text:")
    assert [(d.location.line, d.message) for d in errors] == [
        (line, "text #777777 on background #ffffff has a contrast of 4.47:1; body text needs at least 4.5:1 "
               "(WCAG 2.x AA)"),
        (line, f"text #777777 on panel #f3f4f7 has a contrast of {ratio('#777777', '#f3f4f7')}; the course title "
               "in the header needs at least 4.5:1 (WCAG 2.x AA)"),
    ]
    assert 'text: "#767676" reaches 4.54:1' in errors[0].hint


def test_the_primary_button_pair_is_checked_at_the_course_key(tmp_path: Path) -> None:
    options = project(tmp_path, {"colors": {"primary": "#1f4fbf"}})
    folder = course(tmp_path, {"colors": {"primary_text": "#6a8ad8"}})
    (diagnostic,) = stopped(folder, options)
    assert diagnostic.startswith(f"courses/demo/course.yaml:{line_of(folder / 'course.yaml', 'primary_text:')}:")
    assert f"primary_text #6a8ad8 on primary #1f4fbf has a contrast of {ratio('#6a8ad8', '#1f4fbf')};" in diagnostic


def test_an_unquoted_hex_colour_is_an_error_not_a_silent_comment(tmp_path: Path) -> None:
    folder = course(tmp_path)
    manifest = folder / "course.yaml"
    manifest.write_text(manifest.read_text() + "branding:\n  colors:\n    primary: #0b5394\n", encoding="utf-8")
    (diagnostic,) = stopped(folder, BuildOptions())
    assert diagnostic.startswith(f"courses/demo/course.yaml:{line_of(manifest, 'primary:')}:")
    assert "in YAML '#' starts a comment" in diagnostic


def test_project_branding_mistakes_point_at_courseforge_yaml(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "logo.png").write_bytes(png())
    root = tmp_path / "project"
    root.mkdir()
    (root / "branding").mkdir()
    (root / "branding" / "logo.png").symlink_to(outside / "logo.png")
    options = project(root, {"logo": "branding/logo.png", "logo_alt": "Example",
                             "cover": "branding/cover.jpg", "cover_alt": "Cover",
                             "colors": {"background": "#fafafa", "muted": "#8a8a8a"}})
    config = root / "courseforge.yaml"
    assert stopped(course(root), options) == [
        f"courseforge.yaml:{line_of(config, 'logo:')}:3: branding.missing-image: logo 'branding/logo.png' points "
        "outside the project (through a symbolic link)",
        f"courseforge.yaml:{line_of(config, 'cover:')}:3: branding.missing-image: cover 'branding/cover.jpg' does "
        "not exist in the project",
        f"courseforge.yaml:{line_of(config, 'muted:')}:5: branding.contrast: muted #8a8a8a on background #fafafa has "
        f"a contrast of {ratio('#8a8a8a', '#fafafa')}; secondary text (breadcrumbs, lesson names) needs at least "
        "4.5:1 (WCAG 2.x AA)",
        f"courseforge.yaml:{line_of(config, 'muted:')}:5: branding.contrast: muted #8a8a8a on panel #f3f4f7 has a "
        f"contrast of {ratio('#8a8a8a', '#f3f4f7')}; progress and duration in the header needs at least 4.5:1 "
        "(WCAG 2.x AA)",
    ]


def test_a_dark_text_colour_warns_about_the_fixed_notice_background(tmp_path: Path) -> None:
    folder = course(tmp_path, {"colors": {"text": "#f0f0f0", "background": "#101010", "panel": "#202020",
                                          "muted": "#b0b0b0", "primary": "#8ab4ff", "primary_text": "#101010",
                                          "correct": "#7bd88f", "incorrect": "#ff9b9b", "focus": "#ffb347"}})
    sink = DiagnosticSink()
    options = BuildOptions(base_iri="https://learning.example.com/courses/")  # no warning about xAPI/cmi5 ids
    assert lint_course(folder, "courses/demo", sink, options) is not None
    assert [d.code for d in sink] == ["branding.contrast-fixed"]


# --------------------------------------------------------------------------------------------- in Chromium

@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 (an ephemeral port), and its base URL."""
    root = tmp_path / "site"
    root.mkdir()
    with serve_folder(root) as base:
        yield root, base


@pytest.mark.browser
def test_the_browser_draws_the_branding_over_player_css(tmp_path: Path, served: tuple[Path, str],
                                                         chromium: Browser) -> None:
    folder = course(tmp_path, {"logo": "assets/logo.svg", "logo_alt": "Example Ltd", "font": "Georgia, serif",
                               "cover": "assets/cover.png", "cover_alt": "Cover",
                               "colors": {"primary": "#7a1f5c", "panel": "#fdf6e3"}},
                    {"assets/logo.svg": SVG, "assets/cover.png": png(8, 4)})
    root, base = served
    for name, data in package(folder).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(base + "index.html", timeout=15_000)
        page.wait_for_function("document.getElementById('cf-standalone') && !document.getElementById("
                               "'cf-standalone').hidden", timeout=10_000)
        style = page.evaluate("""() => {
            const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
            const image = (selector) => document.querySelector(selector).naturalWidth;
            return {next: css('#cf-next', 'backgroundColor'), banner: css('.cf-banner', 'backgroundColor'),
                    font: css('body', 'fontFamily'), text: css('body', 'color'),
                    logo: image('.cf-logo'), cover: image('.cf-cover')};
        }""")
    finally:
        context.close()
    assert style == {"next": "rgb(122, 31, 92)", "banner": "rgb(253, 246, 227)", "font": "Georgia, serif",
                     "text": "rgb(27, 27, 31)", "logo": 120, "cover": 8}
