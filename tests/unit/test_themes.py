"""Project themes over the default theme: overrides by name, Jinja inheritance from ``default/``, extra
stylesheets, runtime overrides, and checks that keep a broken theme folder a lint error."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course, lint_course
from courseforge.stages.load_theme import builtin_layer
from courseforge.stages.render import RUNTIME_BUNDLE, runtime_scripts
from courseforge.stages.render.minify import minified
from courseforge.standards import adapter_files, profile_for
from tests.factory import base_manifest, page, write_course

REPO = Path(__file__).parents[2]
SAMPLE = REPO / "courses" / "workplace-safety"
QUIZ = {
    "kind": "quiz", "id": "check", "title": "Check",
    "questions": [{"id": "q1", "type": "single", "prompt": "Pick one",
                   "choices": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}],
}
BLOCK = re.compile(r"{%-? block (\w+)(?: scoped)? -?%}")


def make_course(root: Path, theme: str = "brand") -> Path:
    items = ["pages/welcome.md", "pages/more.md", "quizzes/check.yaml"]
    return write_course(root / "courses", base_manifest("demo", items, theme=theme), {
        "pages/welcome.md": page("welcome", "Welcome", "Hello **there**.\n"),
        "pages/more.md": page("more", "More", "Second page.\n"),
        "quizzes/check.yaml": QUIZ,
    })


def write_theme(root: Path, files: dict[str, str | bytes], name: str = "brand") -> Path:
    themes = root / "themes"
    for relpath, content in files.items():
        target = themes / name / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    themes.mkdir(exist_ok=True)
    return themes


def build(course_dir: Path, themes: Path | None, **options: object) -> dict[str, dict[str, bytes]]:
    """Every package of the course, as {locale: {path: bytes}}."""
    sink = DiagnosticSink()
    built = build_course(course_dir, course_dir.name, BuildOptions(themes_dir=themes, source_date_epoch=0,
                                                                   **options),  # type: ignore[arg-type]
                         sink)
    assert built is not None and not sink.failed(), [d.format() for d in sink]
    packages = {}
    for item in built.packages:
        with zipfile.ZipFile(io.BytesIO(item.package.data)) as archive:
            packages[item.package.locale] = {name: archive.read(name) for name in archive.namelist()}
    return packages


def empty_theme(root: Path) -> Path:
    """A project theme folder with no theme files: the course looks exactly like the default theme."""
    return write_theme(root, {"README.md": "a theme with nothing in it yet\n"})


def index(course_dir: Path, themes: Path | None) -> str:
    return build(course_dir, themes)["en"]["index.html"].decode("utf-8")


BASE_IRI = "https://learning.example.com/courses/"


def lint_codes(course_dir: Path, themes: Path) -> list[str]:
    sink = DiagnosticSink()
    options = BuildOptions(themes_dir=themes, base_iri=BASE_IRI)  # every format, xAPI and cmi5 ids included
    course = lint_course(course_dir, course_dir.name, sink, options)
    built = build_course(course_dir, course_dir.name, options, DiagnosticSink())
    assert course is None and built is None, "lint and build must both stop"
    return [f"{d.location}: {d.code}" for d in sink]


def test_a_partial_override_changes_only_that_part(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    default = index(course, empty_theme(tmp_path))
    write_theme(tmp_path, {"partials/contents.html": '<nav class="brand-nav">{{ ctx.nav|length }} module</nav>\n'})
    overridden = index(course, tmp_path / "themes")
    nav = re.search(r'<nav class="cf-contents".*?</nav>\n', default, re.DOTALL)
    assert nav is not None
    assert overridden == default.replace(nav.group(0), '<nav class="brand-nav">1 module</nav>\n')


def test_an_override_extends_the_default_and_replaces_one_block(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    default = index(course, empty_theme(tmp_path))
    themes = write_theme(tmp_path, {"partials/page.html": (
        '{% extends "default/partials/page.html" %}\n'
        '{% block body %}<div class="brand-frame">{{ super() }}</div>\n{% endblock %}\n')})
    overridden = index(course, themes)
    assert overridden.count('<div class="brand-frame">  <div class="cf-body">') == 2
    unwrapped = re.sub(r'<div class="brand-frame">(  <div class="cf-body">.*?</div>\n)</div>\n', r"\1", overridden,
                       flags=re.DOTALL)
    assert unwrapped == default


def test_extending_index_fills_the_footer_block(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"index.html": (
        '{% extends "default/index.html" %}\n'
        '{% block footer %}<footer class="brand-footer">{{ _("Next") }} &copy; Example</footer>\n{% endblock %}\n'
        '{% block title %}Example: {{ super() }}{% endblock %}\n')})
    html = index(course, themes)
    assert '</div>\n<footer class="brand-footer">Next &copy; Example</footer>\n<dialog' in html
    assert "<title>Example: Course demo</title>" in html


def test_a_project_folder_named_default_can_still_extend_the_built_in_theme(tmp_path: Path) -> None:
    course = make_course(tmp_path, theme="default")
    themes = write_theme(tmp_path, {"partials/quiz.html": (
        '{% extends "default/partials/quiz.html" %}\n'
        '{% block submit %}<button type="submit" class="cf-button cf-primary brand" data-role="submit">'
        '{{ _("Submit answers") }}</button>\n{% endblock %}\n')}, name="default")
    html = index(course, themes)
    assert 'class="cf-button cf-primary brand" data-role="submit">Submit answers</button>' in html
    assert 'data-role="retry"' in html


def test_the_question_frame_is_extended_through_a_scoped_block(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"questions/frame.html": (
        '{% extends "default/questions/frame.html" %}\n'
        '{% block legend %}<legend id="{{ q.prompt_id }}" class="brand-prompt">{{ q.prompt }}</legend>\n'
        '{% endblock %}\n')})
    html = index(course, themes)
    assert '<legend id="cf.check.q1.prompt" class="brand-prompt">Pick one</legend>' in html
    assert 'data-option="a"' in html and 'data-verdict="correct"' in html


def test_every_block_overridden_with_super_leaves_the_sample_packages_byte_identical(tmp_path: Path) -> None:
    """Blocks are whitespace-neutral: an override of every block of every template that only calls
    super() builds the same bytes as the default theme, in every language of a real sample course."""
    overrides: dict[str, str | bytes] = {}
    for path, data in builtin_layer().files.items():
        if path.endswith(".html"):
            names = BLOCK.findall(data.decode("utf-8"))
            body = "".join(f"{{% block {name} %}}{{{{ super() }}}}{{% endblock %}}\n" for name in names)
            overrides[path] = f'{{% extends "default/{path}" %}}\n{body}'
    assert len([p for p in overrides if BLOCK.search(overrides[p])]) == 7
    themes = write_theme(tmp_path, overrides, name="default")
    options = {"locales": ("all",), "locales_dir": REPO / "locales"}
    assert build(SAMPLE, themes, **options) == build(SAMPLE, None, **options)


def test_an_unbranded_course_ships_the_default_theme_and_nothing_else(tmp_path: Path) -> None:
    """The default theme's stylesheets minified, and its runtime (its own format's adapter only) minified
    into the one script index.html loads, in load order."""
    profile = profile_for(PackageFormat.SCORM12)
    files = build(make_course(tmp_path, theme="default"), None, formats=(profile.format,))["en"]
    builtin = builtin_layer().files
    stylesheets = {p for p in builtin if p.startswith("theme/")}
    assert {p for p in files if p.startswith(("runtime/", "theme/"))} == stylesheets | {RUNTIME_BUNDLE}
    assert all(files[p] == minified(p, builtin[p]) for p in stylesheets)
    scripts = runtime_scripts(profile)
    assert "runtime/scorm12.js" in scripts and not set(scripts) & (adapter_files() - set(profile.runtime_adapter))
    assert files[RUNTIME_BUNDLE] == b"\n".join(minified(p, builtin[p]) for p in scripts)
    assert len(files[RUNTIME_BUNDLE]) < sum(len(builtin[p]) for p in scripts) / 1.5  # comments gone
    html = files["index.html"].decode()
    assert html.count('rel="stylesheet"') == 1
    assert re.findall(r'<script src="([^"]+)">', html) == [RUNTIME_BUNDLE]


def test_project_stylesheets_ship_and_are_linked_after_player_css_in_name_order(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"theme/zz-print.css": "@media print { .cf-contents { display: none; } }\n",
                                    "theme/brand.css": ":root { --cf-radius: 0; }\n",
                                    "theme/fonts/face.css": "/* imported by brand.css, not linked */\n"})
    files = build(course, themes)["en"]
    html = files["index.html"].decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert links == ["theme/player.css", "theme/brand.css", "theme/zz-print.css"]
    assert files["theme/brand.css"] == b":root{--cf-radius:0}"  # a project theme's stylesheet is minified too
    assert "theme/fonts/face.css" in files


def test_a_runtime_file_override_ships_instead_of_the_default(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    default_player = builtin_layer().files["runtime/player.js"]
    override = default_player + b"\n/* brand: analytics hook */\nwindow.brandHook = true;\n"
    files = build(course, write_theme(tmp_path, {"runtime/player.js": override}),
                  formats=(PackageFormat.SCORM12,))["en"]
    bundled = files[RUNTIME_BUNDLE]
    assert minified("runtime/player.js", override) in bundled and b"window.brandHook=true;" in bundled
    assert minified("runtime/player.js", default_player) + b"\n" not in bundled
    assert minified("runtime/state.js", builtin_layer().files["runtime/state.js"]) in bundled


def test_a_template_syntax_error_is_a_lint_error_at_its_line(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"partials/page.html": '{% extends "default/partials/page.html" %}\n\n'
                                                          "{% block body %}{{ screen.body }\n{% endblock %}\n"})
    assert lint_codes(course, themes) == ["themes/brand/partials/page.html:3:1: theme.template-syntax"]


def test_extending_a_template_no_layer_has_is_a_lint_error(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"partials/page.html": '{% extends "default/partials/pages.html" %}\n'})
    assert lint_codes(course, themes) == ["themes/brand/partials/page.html: theme.unknown-template"]


def test_a_theme_may_not_ship_the_generated_branding_files(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    themes = write_theme(tmp_path, {"theme/branding.css": "/* mine */\n", "theme/brand/logo.png": b"\x89PNG"})
    assert lint_codes(course, themes) == ["themes/brand/theme/brand/logo.png: theme.reserved-file",
                                          "themes/brand/theme/branding.css: theme.reserved-file"]


@pytest.mark.parametrize("name", ["brand", "default"])
def test_a_project_catalog_overrides_a_player_string(tmp_path: Path, name: str) -> None:
    """Player strings are overridden in the project's locales/, layered over the theme's catalogs."""
    course = make_course(tmp_path, theme=name)
    locales = tmp_path / "locales" / "en" / "LC_MESSAGES"
    locales.mkdir(parents=True)
    (locales / "ui.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                   'msgid "Next"\nmsgstr "Continue"\n', encoding="utf-8")
    html = build(course, write_theme(tmp_path, {"README.md": "empty\n"}, name=name),
                 locales_dir=tmp_path / "locales")["en"]["index.html"].decode()
    assert 'id="cf-next" disabled>Continue</button>' in html
