"""verify stage and `courseforge check`: real zips built in memory, real schema validation, no mocks."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from courseforge.cache import MemoryStore, cache_scope
from courseforge.commands.check import check, parse_size
from courseforge.diagnostics import Diagnostic, Location, Severity
from courseforge.model.package import PackageFormat
from courseforge.model.report import CAP_PER_CODE, CappedSink, VerificationReport
from courseforge.stages.verify import DEFAULT_LIMITS, Limits, verify_package
from courseforge.stages.verify.hrefs import Kind, resolve
from tests.unit import packages as pkg

NAME = "build/safety/en/scorm12.zip"
MANIFEST_AT = f"{NAME}!imsmanifest.xml"
Build = Callable[[], bytes]


def verify(data: bytes, limits: Limits = DEFAULT_LIMITS) -> VerificationReport:
    return verify_package(NAME, data, limits=limits)


def first(report: VerificationReport, code: str) -> Diagnostic:
    found = [d for d in report.diagnostics if d.code == code]
    assert found, f"expected {code}, got:\n" + "\n".join(d.format() for d in report.diagnostics)
    return found[0]


def line_of(text: str) -> int:
    return pkg.MANIFEST[: pkg.MANIFEST.index(text)].count("\n") + 1


def replace_file_href(new: str) -> bytes:
    return pkg.with_manifest('<file href="js/runtime.js"/>', f'<file href="{new}"/>')


def launch_href(new: str) -> bytes:
    return pkg.with_manifest('adlcp:scormtype="sco" href="index.html"', f'adlcp:scormtype="sco" href="{new}"')


def manifest_bytes(manifest: bytes) -> bytes:
    return pkg.build_zip({**pkg.package_files(), "imsmanifest.xml": manifest})


def manifest_edit(*pairs: str) -> bytes:
    """The valid manifest with several edits (old, new, old, new...), all of which must apply."""
    text = pkg.MANIFEST
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert old in text, old
        text = text.replace(old, new, 1)
    return manifest_bytes(text.encode("utf-8"))


# --- the accepted package ---------------------------------------------------------------------------


def test_minimal_valid_package_is_accepted_without_any_diagnostic() -> None:
    report = verify(pkg.valid_package())
    assert report.diagnostics == ()
    assert report.ok and not report.failed(strict=True)
    assert report.format is PackageFormat.SCORM12
    assert (report.launch, report.title) == ("index.html", "Safety basics")
    assert report.entries == len(pkg.package_files())
    assert report.uncompressed_bytes == sum(len(v) for v in pkg.package_files().values())


@pytest.mark.parametrize(
    ("old", "new", "extra"),
    [
        ('adlcp:scormtype="asset">\n      <file href="media/logo.png"/>',
         'adlcp:scormtype="asset" xml:base="shared/">\n      <file href="media/logo.png"/>',
         {"shared/media/logo.png": b"png"}),
        ('href="index.html">', 'href="index.html?lang=en#start">', {}),
        ('<file href="media/logo.png"/>', '<file href="media/my%20logo.png"/>', {"media/my logo.png": b"png"}),
        ('<file href="js/runtime.js"/>', '<file href="./js/../js/runtime.js"/>', {}),
    ],
    ids=["xml-base", "query-fragment", "url-encoded", "dot-segments"],
)
def test_hrefs_resolve_like_urls(old: str, new: str, extra: dict[str, bytes]) -> None:
    report = verify(pkg.with_manifest(old, new, extra=extra))
    assert report.error_count == 0, [d.format() for d in report.diagnostics]


def test_launch_href_carries_xml_base() -> None:
    data = pkg.with_manifest('adlcp:scormtype="sco" href="index.html"',
                             'adlcp:scormtype="sco" href="index.html" xml:base="content/"',
                             extra={"content/index.html": b"x"})
    assert verify(data).launch == "content/index.html"


# --- one broken package per rule: the code, and the file named in the message -----------------------

ERRORS: list[tuple[str, Build, str, str]] = [
    ("not-a-zip", lambda: b"this is not a zip", "zip.unreadable", NAME),
    ("truncated", lambda: pkg.valid_package()[:200], "zip.unreadable", NAME),
    ("encrypted", lambda: pkg.encrypt_flag(pkg.valid_package(), "index.html"), "zip.encrypted", "index.html"),
    ("crc", lambda: pkg.wrong_crc(pkg.valid_package(), "js/runtime.js"), "zip.corrupt", "js/runtime.js"),
    ("deflate64", lambda: pkg.compression_method(pkg.valid_package(), "index.html", 9), "zip.compression",
     "index.html"),
    ("parent-entry", lambda: pkg.with_entries({"../evil.html": b"x"}), "zip.entry-escapes", "../evil.html"),
    ("absolute-entry", lambda: pkg.with_entries({"/etc/cron.d/x": b"x"}), "zip.entry-escapes", "/etc/cron.d/x"),
    ("drive-entry", lambda: pkg.with_entries({"C:/temp/x.html": b"x"}), "zip.entry-escapes", "C:/temp/x.html"),
    ("backslash-entry", lambda: pkg.with_entries({"media\\extra.png": b"x"}), "zip.entry-backslash",
     "media\\extra.png"),
    ("symlink", lambda: pkg.symlink_entry("media/passwd", "/etc/passwd"), "zip.symlink", "media/passwd"),
    ("duplicate-entry", lambda: pkg.build_zip([*pkg.package_files().items(), ("index.html", b"again")]),
     "zip.duplicate-entry", "index.html"),
    # Without index.html too: a zip with an index.html and no manifest is a web site (test_package_web.py).
    ("no-manifest", lambda: pkg.without("imsmanifest.xml", "index.html"), "manifest.missing", "imsmanifest.xml"),
    ("nested-manifest", lambda: pkg.build_zip({f"course/{n}": d for n, d in pkg.package_files().items()}),
     "manifest.missing", "imsmanifest.xml"),
    ("malformed", lambda: pkg.with_manifest("</organizations>", "</organisations>"), "manifest.malformed",
     "imsmanifest.xml"),
    # IMS CP 1.1.4's root makes it a SCORM 2004 manifest: judged as one, its SCORM 1.2 names are the error.
    ("scorm12-names-in-2004-manifest", lambda: pkg.with_manifest(
        'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"', 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"'),
     "manifest.version-mix", "SCORM 1.2 vocabulary"),
    ("common-cartridge", lambda: pkg.with_manifest('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"',
                                                   'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"'),
     "manifest.unknown-format", "imsmanifest.xml"),
    ("schema", lambda: pkg.with_manifest('adlcp:scormtype="sco"', 'adlcp:scormtype="SCO"'), "manifest.schema",
     "imsmanifest.xml"),
    ("schema-adlcp-case", lambda: pkg.with_manifest("<adlcp:masteryscore>80</adlcp:masteryscore>",
                                                    "<adlcp:masteryScore>80</adlcp:masteryScore>"),
     "manifest.schema", "imsmanifest.xml"),
    ("file-missing", lambda: pkg.without("js/runtime.js"), "manifest.file-missing", "js/runtime.js"),
    ("absolute-href", lambda: replace_file_href("/js/runtime.js"), "path.absolute", "/js/runtime.js"),
    ("windows-href", lambda: replace_file_href("C:\\course\\runtime.js"), "path.absolute",
     "C:\\course\\runtime.js"),
    ("parent-href", lambda: replace_file_href("../js/runtime.js"), "path.parent", "../js/runtime.js"),
    ("base-escapes", lambda: pkg.with_manifest("<resources>", '<resources xml:base="../shared/">'),
     "path.parent", "index.html"),
    ("url-file", lambda: replace_file_href("http://cdn.example.com/runtime.js"), "path.external",
     "http://cdn.example.com/runtime.js"),
    ("duplicate-id", lambda: pkg.with_manifest('identifier="RES2"', 'identifier="ITEM1"'),
     "manifest.duplicate-id", "imsmanifest.xml"),
    ("dangling-item", lambda: pkg.with_manifest('identifierref="RES1"', 'identifierref="RES9"'),
     "manifest.dangling-ref", "imsmanifest.xml"),
    ("dependency-not-resource", lambda: pkg.with_manifest('<dependency identifierref="RES2"/>',
                                                          '<dependency identifierref="ORG1"/>'),
     "manifest.dangling-ref", "imsmanifest.xml"),
    ("default-org", lambda: pkg.with_manifest('default="ORG1"', 'default="ORG9"'), "manifest.default-org",
     "imsmanifest.xml"),
    ("sco-not-launched", lambda: pkg.with_manifest('identifierref="RES1"', 'identifierref="RES2"'),
     "manifest.no-sco", "imsmanifest.xml"),
    ("sco-without-href", lambda: pkg.with_manifest('adlcp:scormtype="sco" href="index.html"',
                                                   'adlcp:scormtype="sco"'), "manifest.no-href", "imsmanifest.xml"),
    ("billion-laughs", pkg.billion_laughs, "manifest.entities", "imsmanifest.xml"),
    ("external-launch", lambda: pkg.with_manifest('href="index.html">', 'href="https://example.com/c/">'),
     "path.external", "https://example.com/c/"),
    # launch hrefs: a relative URL of a file in the package, and the message names that rule
    ("javascript-launch", lambda: launch_href("javascript:alert(1)"), "path.script-url", "a launch href must be"),
    ("tab-javascript-launch", lambda: launch_href("java&#9;script:alert(1)"), "path.script-url", "script URL"),
    ("base-javascript-launch", lambda: pkg.with_manifest('adlcp:scormtype="sco" href="index.html"',
                                                         'adlcp:scormtype="sco" href="index.html" '
                                                         'xml:base="javascript:"'), "path.script-url",
     "a launch href must be"),
    ("data-launch", lambda: launch_href("data:text/html,hi"), "path.external", "a launch href must be a relative URL"),
    ("absolute-launch", lambda: launch_href("/index.html"), "path.absolute", "a launch href must be"),
    ("parent-launch", lambda: launch_href("../index.html"), "path.parent", "a launch href must be"),
    ("missing-launch", lambda: launch_href("start.html?x=1#y"), "manifest.file-missing", "'start.html'"),
    # names that one file system keeps apart and another merges
    ("case-clash", lambda: pkg.with_entries({"Index.html": b"x"}), "zip.name-clash", "letter case"),
    ("nfc-clash", lambda: pkg.with_entries({"media/caf\u00e9.png": b"1", "media/cafe\u0301.png": b"2"}),
     "zip.name-clash", "Unicode normalisation"),
    ("file-folder-clash", lambda: pkg.with_entries({"Media": b"x"}), "zip.name-clash", "as a folder"),
    # the bytes around the zip, and an end record that disagrees with the directory
    ("prefix-raw", lambda: pkg.prepended(bytes(100 * 1024), pkg.valid_package(), adjust=False),
     "zip.prefix-bytes", "102400 bytes before its first entry"),
    ("prefix-adjusted", lambda: pkg.prepended(b"MZ" * 512, pkg.valid_package(), adjust=True),
     "zip.prefix-bytes", "1024 bytes before its first entry"),
    ("false-total-count", lambda: pkg.end_field(pkg.valid_package(), "total_entries", 3), "zip.end-record",
     "entries in total"),
    ("false-disk-count", lambda: pkg.end_field(pkg.valid_package(), "disk_entries", -1), "zip.end-record",
     "entries on this disk"),
    ("false-cd-size", lambda: pkg.end_field(pkg.valid_package(), "cd_size", 10), "zip.end-record",
     "central directory as"),
    ("false-cd-offset", lambda: pkg.end_field(pkg.valid_package(), "cd_offset", 7), "zip.end-record",
     "puts the central directory at"),
    ("trailing-bytes", lambda: pkg.valid_package() + b"\0" * 64, "zip.end-record", "64 bytes follow"),
    ("zip64-false-count", lambda: pkg.zip64_end(pkg.valid_package(), total_change=5), "zip.end-record",
     "entries in total"),
    # every XML problem is a diagnostic at the manifest, never a crash
    ("doctype", lambda: manifest_edit('<manifest identifier', '<!DOCTYPE manifest>\n<manifest identifier'),
     "manifest.dtd", "<!DOCTYPE>"),
    ("external-dtd-entity", lambda: manifest_edit('<manifest identifier',
                                                  '<!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/x.dtd">\n'
                                                  '<manifest identifier', "Safety basics", "&ext;"),
     "manifest.dtd", "http://127.0.0.1:9/x.dtd"),
    ("undeclared-entity", lambda: manifest_edit("Safety basics", "&nbsp;Safety"), "manifest.malformed",
     "Entity 'nbsp' not defined"),
    ("unknown-encoding", lambda: manifest_edit('encoding="UTF-8"', 'encoding="x-unknown"'), "manifest.malformed",
     "Unsupported encoding"),
    ("invalid-bytes", lambda: manifest_bytes(pkg.MANIFEST.encode().replace(b"Safety", b"Saf\xff\xfety")),
     "manifest.malformed", "Invalid bytes"),
    ("deep-nesting", lambda: manifest_edit("<title>Lesson one</title>", "<x>" * 3000 + "</x>" * 3000),
     "manifest.malformed", "nested deeper than 256"),
]

WARNINGS: list[tuple[str, Build, str, str]] = [
    ("asset-only", lambda: pkg.with_manifest('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"'),
     "manifest.no-sco", "will not track"),
    ("bzip2", lambda: pkg.recompressed("js/runtime.js", 12), "zip.compression", "js/runtime.js"),
    ("backslash-href", lambda: pkg.with_manifest('<file href="media/logo.png"/>',
                                                 '<file href="media\\logo.png"/>'), "path.backslash",
     "media\\logo.png"),
    ("base-not-folder", lambda: pkg.with_manifest('adlcp:scormtype="asset">\n      <file href="media/logo.png"/>',
                                                  'adlcp:scormtype="asset" xml:base="media">\n'
                                                  '      <file href="logo.png"/>'),
     "path.base-not-folder", "'media'"),
    ("schemaversion", lambda: pkg.with_manifest("<schemaversion>1.2<", "<schemaversion>CAM 1.3<"),
     "manifest.schemaversion", "CAM 1.3"),
    ("xsd-missing", lambda: pkg.without("adlcp_rootv1p2.xsd"), "manifest.xsd-missing", "adlcp_rootv1p2.xsd"),
    ("xsd-import-missing", lambda: pkg.without("ims_xml.xsd"), "manifest.xsd-missing", "ims_xml.xsd"),
    ("unlisted", lambda: pkg.with_entries({"notes/todo.txt": b"x"}), "manifest.file-unlisted", "notes/todo.txt"),
]


RULES = [(*case[1:], Severity.ERROR) for case in ERRORS] + [(*case[1:], Severity.WARNING) for case in WARNINGS]


@pytest.mark.parametrize(("build", "code", "named", "severity"), RULES, ids=[c[0] for c in ERRORS + WARNINGS])
def test_each_rule_reports_its_code_and_names_the_file(
    build: Build, code: str, named: str, severity: Severity
) -> None:
    """Errors make a package invalid; warnings only under --strict."""
    report = verify(build())
    diagnostic = first(report, code)
    assert (diagnostic.severity, named in diagnostic.message) == (severity, True), diagnostic.format()
    assert diagnostic.location.path.startswith(NAME)
    assert report.ok is (severity is Severity.WARNING), [d.format() for d in report.diagnostics]
    assert report.failed(strict=True)


def test_schema_error_points_at_manifest_line() -> None:
    report = verify(pkg.with_manifest("<adlcp:masteryscore>80</adlcp:masteryscore>",
                                      "<adlcp:maxtimeallowed>00:30:00, or more</adlcp:maxtimeallowed>"))
    diagnostic = first(report, "manifest.schema")
    assert diagnostic.location.path == MANIFEST_AT
    assert diagnostic.location.line == line_of("<adlcp:masteryscore>")
    assert str(diagnostic.location).startswith(f"{MANIFEST_AT}:{line_of('<adlcp:masteryscore>')}:")
    assert "{http" not in diagnostic.message  # namespaces shown as prefixes, as authors write them


def test_duplicate_id_is_reported_once_in_plain_words() -> None:
    report = verify(pkg.with_manifest('identifier="RES2"', 'identifier="ITEM1"'))
    assert report.codes().count("manifest.duplicate-id") == 1
    assert "manifest.schema" not in report.codes()  # libxml2's xs:ID error is the same problem
    item_line = line_of('identifier="ITEM1"')
    assert f"line {item_line}" in first(report, "manifest.duplicate-id").message


def test_missing_file_hint_points_at_a_case_mismatch() -> None:
    files = pkg.package_files()
    files["JS/Runtime.js"] = files.pop("js/runtime.js")
    diagnostic = first(verify(pkg.build_zip(files)), "manifest.file-missing")
    assert "JS/Runtime.js" in diagnostic.hint


def test_manifest_in_a_folder_gets_a_hint_to_zip_the_contents() -> None:
    data = pkg.build_zip({f"course/{n}": d for n, d in pkg.package_files().items()})
    assert "course/imsmanifest.xml" in first(verify(data), "manifest.missing").hint


def test_unlisted_files_are_capped_with_a_summary() -> None:
    report = verify(pkg.with_entries({f"extra/{i:02}.txt": b"x" for i in range(25)}))
    unlisted = [d for d in report.diagnostics if d.code == "manifest.file-unlisted"]
    assert len(unlisted) == 21 and unlisted[-1].message == "… and 5 more"
    assert (report.warning_count, unlisted[-1].location.path) == (25, NAME)


# --- hostile input: refused, not expanded or extracted --------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_without_expansion(encoding: str) -> None:
    started = time.perf_counter()
    report = verify(pkg.billion_laughs(encoding))
    assert time.perf_counter() - started < 1.0
    assert first(report, "manifest.entities").location.path == MANIFEST_AT
    assert "manifest.schema" not in report.codes() and report.format is None


def test_zip_bomb_is_refused_from_the_central_directory_unread() -> None:
    # 16 MiB of zeros deflate ~1000:1. The bomb's CRC is wrong too: had the entry been inflated,
    # zip.corrupt would be reported, so its absence shows nothing was read.
    data = pkg.wrong_crc(pkg.zeros_bomb(16 * pkg.MIB), "media/zeros.bin")
    report = verify(data)
    assert any("media/zeros.bin" in d.message for d in report.diagnostics if d.code == "zip.bomb")
    assert "zip.corrupt" not in report.codes()
    assert report.format is None and report.uncompressed_bytes >= 16 * pkg.MIB


def test_declared_size_over_the_limit_is_refused_unread() -> None:
    data = pkg.declared_size(pkg.valid_package(), "js/runtime.js", 3 * 1024**3)
    report = verify(data)
    assert NAME in first(report, "zip.too-large").message
    assert "zip.corrupt" not in report.codes()  # a lying size would fail its read


def test_overlapping_entries_are_refused() -> None:
    data = pkg.overlapping(pkg.valid_package(), "index.html", "other.html")
    assert "other.html" in first(verify(data), "zip.bomb").message


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        (replace(DEFAULT_LIMITS, max_total_bytes=1000), "zip.too-large"),
        (replace(DEFAULT_LIMITS, max_entries=3), "zip.too-many-entries"),
        (replace(DEFAULT_LIMITS, max_ratio=2.0, ratio_floor_bytes=100), "zip.bomb"),
        (replace(DEFAULT_LIMITS, max_manifest_bytes=100), "manifest.too-large"),
    ],
    ids=["total", "entries", "ratio", "manifest"],
)
def test_limits_are_configurable(limits: Limits, code: str) -> None:
    report = verify(pkg.valid_package(), limits)
    assert first(report, code).severity is Severity.ERROR


def test_damaged_bytes_never_raise() -> None:
    """Flip random bytes all over a valid package: always a report, never an exception."""
    valid = pkg.valid_package()
    rng = random.Random(1234)
    for _ in range(150):
        data = bytearray(valid)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        assert isinstance(verify(bytes(data)), VerificationReport)


@pytest.mark.parametrize(
    ("href", "bases", "kind", "path"),
    [
        ("a/b.html", (), Kind.INSIDE, "a/b.html"),
        ("b.html", ("a/", "c/"), Kind.INSIDE, "a/c/b.html"),
        ("b.html", ("a",), Kind.INSIDE, "a/b.html"),
        ("../b.html", ("a/",), Kind.INSIDE, "b.html"),
        ("%2E%2E/x", (), Kind.PARENT, "%2E%2E/x"),
        ("b.html", ("http://cdn.example.com/",), Kind.EXTERNAL, "http://cdn.example.com/b.html"),
        ("//cdn.example.com/x.js", (), Kind.EXTERNAL, "//cdn.example.com/x.js"),
        ("\\\\server\\share\\x", (), Kind.ABSOLUTE, "\\\\server\\share\\x"),
        ("file:///tmp/x", (), Kind.ABSOLUTE, "file:///tmp/x"),
        ("%2Fetc%2Fpasswd", (), Kind.ABSOLUTE, "/etc/passwd"),
        ("  ", (), Kind.EMPTY, ""),
    ],
)
def test_resolve(href: str, bases: tuple[str, ...], kind: Kind, path: str) -> None:
    target = resolve(href, bases)
    assert (target.kind, target.path) == (kind, path)


# --- the command ----------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


OK_LINE = f"good.zip: OK (scorm12, {len(pkg.package_files())} files, launch index.html)"


def test_check_accepts_a_valid_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(check, [write(tmp_path, "good.zip", pkg.valid_package())])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(OK_LINE)


def test_check_reports_each_package_and_fails_on_errors(tmp_path: Path) -> None:
    good = write(tmp_path, "good.zip", pkg.valid_package())
    bad = write(tmp_path, "bad.zip", pkg.with_manifest('default="ORG1"', 'default="ORG9"'))
    result = CliRunner().invoke(check, [good, bad])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any("bad.zip!imsmanifest.xml:" in line and "[manifest.default-org]" in line for line in lines)
    assert any(line.endswith("bad.zip: INVALID: 1 error, 0 warnings") for line in lines)
    assert any(line.endswith(OK_LINE) for line in lines)


def test_missing_file_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(check, [str(tmp_path / "nope.zip")])
    assert result.exit_code == 1 and not isinstance(result.exception, Exception)
    assert "nope.zip does not exist [zip.not-found]" in result.output
    assert "Traceback" not in result.output


def test_json_output_parses_and_carries_the_codes(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.zip", pkg.without("js/runtime.js"))
    result = CliRunner().invoke(check, ["--json", bad])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["ok"] is False
    (package,) = document["packages"]
    assert package["format"] == "scorm12" and package["errors"] == 1
    assert [d["code"] for d in package["diagnostics"]] == ["manifest.file-missing"]


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    warned = write(tmp_path, "warned.zip", pkg.with_entries({"notes/todo.txt": b"x"}))
    relaxed = CliRunner().invoke(check, [warned])
    assert relaxed.exit_code == 0 and "warned.zip: OK with 1 warning" in relaxed.output
    strict = CliRunner().invoke(check, ["--strict", warned])
    assert strict.exit_code == 1 and "INVALID: 0 errors, 1 warning" in strict.output


def test_max_size_option_limits_the_package(tmp_path: Path) -> None:
    good = write(tmp_path, "good.zip", pkg.valid_package())
    result = CliRunner().invoke(check, ["--max-size", "1K", good])
    assert result.exit_code == 1 and "[zip.too-large]" in result.output
    bad_option = CliRunner().invoke(check, ["--max-size", "lots", good])
    assert bad_option.exit_code == 2 and "not a size" in bad_option.output


@pytest.mark.parametrize(
    ("text", "size"),
    [("1048576", 1048576), ("500M", 500 * 1024**2), ("2GiB", 2 * 1024**3), ("2 GiB", 2 * 1024**3),
     ("1.5GB", 1_500_000_000), ("10kb", 10_000)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


# --- vendor packages judged by the spec, not by our own output ----------------------------------------


def test_multi_sco_package_like_the_golf_sample_passes() -> None:
    report = verify(pkg.golf_package())
    assert report.diagnostics == (), [d.format() for d in report.diagnostics]
    assert (report.format, report.launch, report.title) == (PackageFormat.SCORM12, "Playing/Playing.html",
                                                             "Golf Explained")


def test_asset_only_package_passes_with_a_warning_that_nothing_is_tracked() -> None:
    """Rustici's "one file per SCO" golf sample marks every resource adlcp:scormtype="asset"."""
    report = verify(pkg.golf_package("asset"))
    assert report.codes() == ("manifest.no-sco",), [d.format() for d in report.diagnostics]
    warning = report.diagnostics[0]
    assert warning.severity is Severity.WARNING and "will not track" in warning.message
    assert report.ok and report.launch == "Playing/Playing.html"
    assert report.failed(strict=True)


def test_every_sco_launch_of_a_multi_sco_package_is_checked() -> None:
    data = pkg.golf_package(launch={"etiquette_course_resource": "javascript:void(0)",
                                    "handicapping_quiz_resource": "shared/missing.html"})
    report = verify(data)
    assert sorted(report.codes()) == ["manifest.file-missing", "path.script-url"], report.codes()
    manifest = pkg.golf_manifest(launch={"etiquette_course_resource": "javascript:void(0)"})
    line = manifest[: manifest.index('href="javascript:void(0)"')].count("\n") + 1
    assert first(report, "path.script-url").location.line == line


@pytest.mark.parametrize(
    "build",
    [lambda: pkg.zip64_end(pkg.valid_package()), lambda: pkg.with_comment(pkg.valid_package(), b"made by hand"),
     lambda: launch_href("index.html?lang=en&amp;x=1#top"), lambda: launch_href("ind%65x.html")],
    ids=["zip64-end-record", "archive-comment", "query-and-fragment", "percent-encoded"],
)
def test_well_formed_variants_are_accepted(build: Build) -> None:
    report = verify(build())
    assert report.diagnostics == (), [d.format() for d in report.diagnostics]


@pytest.mark.parametrize("build", [pkg.valid_package, lambda: pkg.zip64_end(pkg.golf_package())],
                         ids=["classic", "zip64"])
def test_damaged_end_records_never_raise(build: Build) -> None:
    """Flip bytes in the last 120 bytes (central directory tail and end records): a report, never an exception."""
    valid = build()
    rng = random.Random(99)
    for _ in range(200):
        data = bytearray(valid)
        for _ in range(rng.randint(1, 4)):
            data[len(data) - 1 - rng.randrange(120)] = rng.randrange(256)
        assert isinstance(verify(bytes(data)), VerificationReport)


def test_entry_count_over_the_limit_is_refused_from_the_end_record() -> None:
    report = verify(pkg.end_field(pkg.valid_package(), "total_entries", 20_000), replace(DEFAULT_LIMITS,
                                                                                       max_entries=10_000))
    assert report.codes() == ("zip.too-many-entries",) and report.format is None


def test_as_many_entries_as_a_zip_holds_without_zip64_are_judged_quickly() -> None:
    count = DEFAULT_LIMITS.max_entries - len(pkg.package_files())
    data = pkg.many_entries(count)
    started = time.process_time()
    report = verify(data)
    assert time.process_time() - started < 10.0
    assert report.diagnostics == () and report.entries == DEFAULT_LIMITS.max_entries == 0xFFFF


def test_a_checksum_verdict_kept_for_an_entry_never_answers_for_other_bytes() -> None:
    noise = random.Random(9).randbytes(50_000)
    good = pkg.with_entries({"media/clip.bin": noise})
    flipped = bytearray(good)
    flipped[good.index(noise[1_000:1_040]) + 10] ^= 0xFF  # the same entry, one byte of its data changed
    with cache_scope(MemoryStore()):
        for _ in range(2):  # cold, then with every verdict kept
            assert "zip.corrupt" not in verify(good).codes()
            assert "zip.corrupt" in verify(bytes(flipped)).codes()
            assert "zip.corrupt" in verify(pkg.wrong_crc(good, "media/clip.bin")).codes()


def test_inflating_for_checksums_stops_at_the_budget() -> None:
    noise = random.Random(5).randbytes(2 * pkg.MIB)  # incompressible: no ratio rule applies
    data = pkg.wrong_crc(pkg.with_entries({"media/video.bin": noise}), "media/video.bin")
    assert "zip.corrupt" in verify(data).codes()
    assert "zip.corrupt" not in verify(data, replace(DEFAULT_LIMITS, max_inflate_bytes=pkg.MIB)).codes()


# --- the cap on diagnostics ------------------------------------------------------------------------------


def test_diagnostics_are_capped_per_code_and_still_counted() -> None:
    started = time.process_time()
    report = verify(pkg.broken_references(2_000))
    assert time.process_time() - started < 5.0
    missing = [d for d in report.diagnostics if d.code == "manifest.file-missing"]
    assert len(missing) == CAP_PER_CODE + 1
    assert missing[-1].message == "… and 1980 more" and missing[-1].severity is Severity.ERROR
    assert report.error_count == 2_000 and not report.ok
    assert report.to_json()["errors"] == 2_000


def test_capped_sink_counts_a_repeat_past_the_cap_once() -> None:
    sink = CappedSink(package="p.zip", cap=2)
    for i in (1, 2, 3, 3, 4):
        sink.warning("x.code", f"problem {i}", Location("p.zip"))
    sink.error("x.code", "problem 5", Location("p.zip"))
    shown = sink.capped()
    assert [d.message for d in shown] == ["problem 1", "problem 2", "… and 3 more"]
    assert shown[-1].severity is Severity.ERROR  # the worst of those left out
    assert (sink.error_count, sink.warning_count) == (1, 4)


# --- the command refuses what is not a package file, before reading it -----------------------------------


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block blocks: SIGALRM interrupts a blocked read."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_refuses(path: str, what: str) -> None:
    with deadline(10):
        result = CliRunner().invoke(check, [path])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert f"is {what}, not a package file; it was not read [zip.not-a-file]" in result.output


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "course.zip"
    os.mkfifo(fifo)
    check_refuses(str(fifo), "a named pipe (FIFO)")


def test_device_is_refused_without_reading(tmp_path: Path) -> None:
    started = time.process_time()
    check_refuses("/dev/zero", "a character device")
    assert time.process_time() - started < 2.0


def test_folder_and_socket_are_refused(tmp_path: Path) -> None:
    check_refuses(str(tmp_path), "a folder")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.zip"))
        check_refuses(str(tmp_path / "s.zip"), "a socket")


def test_symlink_to_a_package_is_followed(tmp_path: Path) -> None:
    target = write(tmp_path, "real.zip", pkg.valid_package())
    (tmp_path / "good.zip").symlink_to(target)
    result = CliRunner().invoke(check, [str(tmp_path / "good.zip")])
    assert result.exit_code == 0, result.output


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    with big.open("wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse: 3 GiB long, nothing on disk, never read
    with deadline(10):
        result = CliRunner().invoke(check, [str(big)])
    assert result.exit_code == 1 and "is 3 GiB, more than the 2 GiB allowed [zip.too-large]" in result.output


def test_150000_broken_references_give_a_capped_report_in_bounded_time(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.zip", pkg.broken_references(150_000))
    started = time.process_time()
    with deadline(60):
        result = CliRunner().invoke(check, [bad])
    assert time.process_time() - started < 20.0
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) < 100, len(lines)
    assert any(line.endswith("bad.zip: error: … and 149980 more [manifest.file-missing]") for line in lines)
    assert lines[-1].endswith("bad.zip: INVALID: 150000 errors, 0 warnings")


def test_a_file_longer_than_its_size_is_read_only_to_the_limit() -> None:
    """/proc files claim size 0; what they hold is read only up to the limit plus one byte."""
    proc = Path("/proc/self/maps")
    assert proc.stat().st_size == 0 and len(proc.read_bytes()) > 100
    result = CliRunner().invoke(check, ["--max-size", "100", str(proc)])
    assert result.exit_code == 1 and "holds more than the 100 bytes allowed" in result.output
    assert "[zip.too-large]" in result.output
