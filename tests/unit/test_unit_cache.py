"""A build unit's cache entry: everything the unit reported survives the JSON round trip, and a malformed entry
is refused (a miss), never half-read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from courseforge.cache import DECODE_ERRORS
from courseforge.diagnostics import DiagnosticSink, Severity
from courseforge.model.package import PackageFormat
from courseforge.pipeline import ALL_LOCALES, BuildOptions, ReportsOnly, build_units
from courseforge.unit_cache import UnitResult, decode_unit, encode_unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results() -> tuple[UnitResult, ...]:
    options = BuildOptions(formats=(PackageFormat.SCORM12, PackageFormat.CMI5), locales=(ALL_LOCALES,),
                           locales_dir=REPO / "locales", locales_display="locales", source_date_epoch=0)
    built = build_units(REPO / "courses" / "data-privacy", "courses/data-privacy", options, DiagnosticSink(),
                        ReportsOnly())
    assert built is not None
    return built[1]


def test_every_unit_result_round_trips_through_json(results: tuple[UnitResult, ...]) -> None:
    assert any(result.gate is not None for result in results)
    assert any(d.severity is Severity.WARNING for result in results for d in result.diagnostics)
    assert any(result.report.diagnostics for result in results) or all(result.report.ok for result in results)
    for result in results:
        assert decode_unit(encode_unit(result)) == result


def test_the_entry_is_deterministic(results: tuple[UnitResult, ...]) -> None:
    assert encode_unit(results[0]) == encode_unit(decode_unit(encode_unit(results[0])))


@pytest.mark.parametrize("damage", [
    lambda doc: doc.update(version=0),
    lambda doc: doc["package"].update(sha256="not a digest"),
    lambda doc: doc["package"].update(size="12"),
    lambda doc: doc["report"].pop("errors"),
    lambda doc: doc["report"].update(format="scorm3"),
    lambda doc: doc["diagnostics"].append({"severity": "fatal"}),
    lambda doc: doc.update(gate={"locale": "de", "required": "100", "allowed_incomplete": False, "catalogs": []}),
])
def test_a_malformed_entry_is_refused(results: tuple[UnitResult, ...], damage: object) -> None:
    document = json.loads(encode_unit(results[-1]))
    assert callable(damage)
    damage(document)
    with pytest.raises(DECODE_ERRORS):
        decode_unit(json.dumps(document).encode())
    with pytest.raises(DECODE_ERRORS):
        decode_unit(encode_unit(results[-1])[:-5])
