"""Render's minifier and bundle: comments and whitespace go, code stays as written, same input same bytes."""

from __future__ import annotations

import subprocess

import pytest

from courseforge.stages.load_theme import builtin_layer
from courseforge.stages.render import RUNTIME_BUNDLE, runtime_files, runtime_scripts
from courseforge.stages.render.minify import bundle, minified
from courseforge.standards import FormatProfile, format_profiles
from tests.factory import default_theme


def test_comments_and_whitespace_go_licences_stay() -> None:
    script = b"/*! (c) Example, MIT */\n/* doc */\nvar a = 1; // why\nfunction f ( x ) {\n  return x + a;\n}\n"
    assert minified("runtime/x.js", script) == b"/*! (c) Example, MIT */var a=1;function f(x){return x+a;}"
    style = b"/* the grid */\n.cf-a ,\n.cf-b {\n  margin : 0 ;\n  color: red;\n}\n"
    assert minified("theme/x.css", style) == b".cf-a,.cf-b{margin:0;color:red}"


def test_only_theme_scripts_and_stylesheets_are_touched() -> None:
    text = b"/* kept */ a { b: c; }"
    assert minified("content/assets/page.css", text) == text  # a course asset ships as the author wrote it
    assert minified("theme/brand/logo.svg", b"<svg>  </svg>") == b"<svg>  </svg>"
    latin1 = "/* caf\xe9 */ a { b: c; }".encode("latin-1")
    assert minified("theme/old.css", latin1) == latin1  # not UTF-8: shipped unchanged


def test_the_bundle_joins_in_load_order_and_keeps_other_files() -> None:
    files = {"runtime/b.js": b"B", "runtime/a.js": b"A", "runtime/extra.js": b"X", "theme/p.css": b"P"}
    assert bundle(files, ("runtime/b.js", "runtime/a.js"), "runtime/all.js") == {
        "runtime/extra.js": b"X", "theme/p.css": b"P", "runtime/all.js": b"B\nA"}


@pytest.mark.parametrize("profile", list(format_profiles().values()), ids=lambda p: p.format.value)
def test_each_format_bundle_is_deterministic_and_valid_javascript(profile: FormatProfile) -> None:
    theme = default_theme()
    first, second = runtime_files(theme, profile), runtime_files(theme, profile)
    assert first == second
    source = builtin_layer().files
    present = [s for s in runtime_scripts(profile) if s in source]
    assert first[RUNTIME_BUNDLE] == b"\n".join(minified(s, source[s]) for s in present)
    # node parses the bundle (a minifier that broke a statement boundary would be a syntax error here)
    subprocess.run(["node", "--check", "-"], input=first[RUNTIME_BUNDLE], check=True, capture_output=True, timeout=30)
