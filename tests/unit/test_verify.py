"""verify stage and `courseforge check`: real zips built in memory, real schema validation, no mocks."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from courseforge.commands.check import check, parse_size
from courseforge.diagnostics import Diagnostic, Severity
from courseforge.model.package import PackageFormat
from courseforge.model.report import VerificationReport
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
    ("no-manifest", lambda: pkg.without("imsmanifest.xml"), "manifest.missing", "imsmanifest.xml"),
    ("nested-manifest", lambda: pkg.build_zip({f"course/{n}": d for n, d in pkg.package_files().items()}),
     "manifest.missing", "imsmanifest.xml"),
    ("malformed", lambda: pkg.with_manifest("</organizations>", "</organisations>"), "manifest.malformed",
     "imsmanifest.xml"),
    ("scorm2004", lambda: pkg.with_manifest('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"',
                                           'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"'),
     "manifest.not-scorm12", "imsmanifest.xml"),
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
