"""What one build unit (a course in one locale and one format) reported, as a cache entry, and its key.

A unit whose inputs are unchanged is not rebuilt: its package comes back from the disk cache's blobs (by
sha256) and everything else the build reported comes back from this entry: the verification report, the
translation gate and every diagnostic the unit's build added (warnings too), so a cached unit reports exactly
what a fresh one would. Entries are JSON, decoded field by field: a malformed entry raises
(``cache.DECODE_ERRORS``) and is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courseforge.cache import Codec, KeyPart, digest, scope_lasts, structured
from courseforge.diagnostics import Diagnostic
from courseforge.i18n.catalog import UI_DOMAIN, po_path
from courseforge.i18n.pseudo import is_pseudo
from courseforge.i18n.status import Coverage
from courseforge.model.package import PackageFormat
from courseforge.model.project import InputLimits
from courseforge.model.report import VerificationReport
from courseforge.model.source import CourseSource
from courseforge.model.theme import Theme
from courseforge.object_memo import sha256_of
from courseforge.stages.inputs import file_limit, read_input_file
from courseforge.stages.localize import TranslationGate

UNIT_NAMESPACE = "unit"
UNIT_VERSION = 2
"""Bump when what a unit entry holds, or how its key is made, changes."""


@dataclass(frozen=True)
class PackageFacts:
    """A package without its bytes: what the build reports about it."""

    format: PackageFormat
    course_id: str
    locale: str
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.format.value}.zip"


@dataclass(frozen=True)
class UnitResult:
    """Everything one unit's build reported, besides the package bytes."""

    package: PackageFacts
    report: VerificationReport
    gate: TranslationGate | None
    diagnostics: tuple[Diagnostic, ...]
    """What the unit added to the build's diagnostics: its locale's (catalogs, coverage, fallbacks) and its own
    (verification), in the order they were reported."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _optional_number(value: Any) -> float | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise TypeError(f"expected a number, got {type(value).__name__}")


def report_to_json(report: VerificationReport) -> dict[str, object]:
    """Every field as it is, the uncapped counts included (``VerificationReport.to_json`` derives some)."""
    return {"package": report.package, "format": None if report.format is None else report.format.value,
            "diagnostics": [d.to_json() for d in report.diagnostics], "entries": report.entries,
            "uncompressed_bytes": report.uncompressed_bytes, "launch": report.launch, "title": report.title,
            "errors": report.errors, "warnings": report.warnings}


def report_from_json(data: dict[str, Any]) -> VerificationReport:
    return VerificationReport(
        _text(data["package"]), None if data["format"] is None else PackageFormat(data["format"]),
        tuple(Diagnostic.from_json(d) for d in data["diagnostics"]), _integer(data["entries"]),
        _integer(data["uncompressed_bytes"]), _optional_text(data["launch"]), _optional_text(data["title"]),
        _integer(data["errors"]), _integer(data["warnings"]))


def coverage_to_json(row: Coverage) -> dict[str, object]:
    return {"domain": row.domain, "language": row.language, "translated": row.translated, "fuzzy": row.fuzzy,
            "untranslated": row.untranslated, "obsolete": row.obsolete, "required": row.required}


def coverage_from_json(data: dict[str, Any]) -> Coverage:
    return Coverage(_text(data["domain"]), _text(data["language"]), _integer(data["translated"]),
                    _integer(data["fuzzy"]), _integer(data["untranslated"]), _integer(data["obsolete"]),
                    _optional_number(data["required"]))


def gate_to_json(gate: TranslationGate | None) -> dict[str, object] | None:
    if gate is None:
        return None
    return {"locale": gate.locale, "required": gate.required, "allowed_incomplete": gate.allowed_incomplete,
            "catalogs": [coverage_to_json(row) for row in gate.catalogs]}


def gate_from_json(data: dict[str, Any] | None) -> TranslationGate | None:
    if data is None:
        return None
    if not isinstance(data["allowed_incomplete"], bool):
        raise TypeError("allowed_incomplete must be a boolean")
    return TranslationGate(_text(data["locale"]), _optional_number(data["required"]),
                           tuple(coverage_from_json(row) for row in data["catalogs"]), data["allowed_incomplete"])


def facts_to_json(facts: PackageFacts) -> dict[str, object]:
    return {"format": facts.format.value, "course_id": facts.course_id, "locale": facts.locale,
            "size": facts.size, "sha256": facts.sha256}


def facts_from_json(data: dict[str, Any]) -> PackageFacts:
    sha = _text(data["sha256"])
    if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
        raise ValueError("not a sha256")
    return PackageFacts(PackageFormat(data["format"]), _text(data["course_id"]), _text(data["locale"]),
                        _integer(data["size"]), sha)


def encode_unit(result: UnitResult) -> bytes:
    document = {"version": UNIT_VERSION, "package": facts_to_json(result.package),
                "report": report_to_json(result.report), "gate": gate_to_json(result.gate),
                "diagnostics": [d.to_json() for d in result.diagnostics]}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def decode_unit(data: bytes) -> UnitResult:
    document = json.loads(data)
    if document["version"] != UNIT_VERSION:
        raise ValueError(f"unit entry version {document['version']!r}")
    return UnitResult(facts_from_json(document["package"]), report_from_json(document["report"]),
                      gate_from_json(document["gate"]),
                      tuple(Diagnostic.from_json(d) for d in document["diagnostics"]))


UNIT: Codec[UnitResult] = Codec(encode_unit, decode_unit)


def course_inputs(source: CourseSource, expected_id: str, theme: Theme, settings: KeyPart) -> str:
    """The digest of every input a unit's package and report depend on besides its locale and format: the course
    folder's files (names and bytes, and the names the input rules refused), the theme (the files of every layer
    and the branding resolved into it) and the build settings that matter (``settings``)."""
    files = tuple((path, file_digest(data)) for path, data in sorted(source.files.items()))
    return digest(UNIT_VERSION, source.course_dir, expected_id, files,
                  tuple(sorted(source.refused)), theme.name, structured(theme.layers), structured(theme.branding),
                  settings)


def file_digest(data: bytes) -> bytes:
    """A course file's sha256; in a store that outlives the build, once per bytes object (``object_memo``: the
    load stage hands back the same bytes for a file that did not change). A one-off build hashes each file once
    anyway, and its small memo is kept for what the build reads again."""
    return sha256_of(data) if scope_lasts() else hashlib.sha256(data).digest()


def catalog_file_state(path: Path, locales_dir: Path, limits: InputLimits) -> KeyPart:
    """A catalog file as the loader would find it: missing, the sha256 of its bytes, or why the input rules refuse
    it. The digest, not the bytes: every unit key of the locale would hash them again (the bench course's
    catalogs are 3.4 MB a locale, 2 ms of hashing a unit, looked up and then kept: some 0.1 s a cold build)."""
    if not os.path.lexists(path):
        return None
    data = read_input_file(path, locales_dir.resolve(), file_limit(path.name, limits))
    return ("sha256", file_digest(data)) if isinstance(data, bytes) else ("refused", data.code, data.message)


def catalog_inputs(locales_dir: Path, course_id: str, locale: str, limits: InputLimits) -> KeyPart:
    """The state of one locale's course and player catalogs (None for a pseudo-locale, which reads none)."""
    if is_pseudo(locale):
        return None
    return tuple(catalog_file_state(po_path(locales_dir, locale, domain), locales_dir, limits)
                 for domain in (course_id, UI_DOMAIN))


def unit_key(inputs: str, locale: str, catalogs: KeyPart, package_format: PackageFormat) -> KeyPart:
    return (UNIT_VERSION, inputs, locale, catalogs, package_format.value)
