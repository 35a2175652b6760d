"""cmi5.xml parsing: the typed structure, the XSD, and the semantic checks the XSD lets through."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from courseforge.lms.cmi5.structure import AssignableUnit, Block, CourseStructureError, parse_course_structure
from courseforge.lms.cmi5.vocabulary import LaunchMethod, MoveOn

TEST_PACKAGE = Path(__file__).parent / "cmi5_au"
NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def course_xml(body: str, course_id: str = "https://example.org/course") -> bytes:
    return f"""<courseStructure xmlns="{NS}">
  <course id="{course_id}"><title><langstring>C</langstring></title>
    <description><langstring>D</langstring></description></course>
  {body}
</courseStructure>""".encode()


def au_xml(au_id: str, url: str = "index.html", attrs: str = "", extra: str = "") -> str:
    return (f'<au id="{au_id}" {attrs}><title><langstring>T</langstring></title>'
            f"<description><langstring>D</langstring></description>{extra}<url>{url}</url></au>")


def codes(error: pytest.ExceptionInfo[CourseStructureError]) -> list[str]:
    return [diagnostic.code for diagnostic in error.value.diagnostics]


def test_the_test_package_structure_is_read_into_typed_objects() -> None:
    course = parse_course_structure((TEST_PACKAGE / "cmi5.xml").read_bytes())
    assert course.id == "https://courseforge.example/test/cmi5/course"
    assert course.title == (("en-US", "cmi5 launch test course"),)
    welcome, block = course.children
    assert isinstance(welcome, AssignableUnit) and isinstance(block, Block)
    assert welcome.move_on is MoveOn.NOT_APPLICABLE and welcome.launch_method is LaunchMethod.ANY_WINDOW
    assert welcome.mastery_score is None and welcome.launch_parameters is None
    quiz = block.children[0]
    assert isinstance(quiz, AssignableUnit)
    assert quiz == course.assignable_unit("https://courseforge.example/test/cmi5/au/quiz")
    assert quiz.url == "index.html?page=quiz"  # the LMS trims whitespace (§13.1)
    assert quiz.move_on is MoveOn.COMPLETED_AND_PASSED
    assert quiz.mastery_score == Decimal("0.8")
    assert quiz.launch_method is LaunchMethod.OWN_WINDOW
    assert quiz.launch_parameters == '{"difficulty": "hard"}'
    assert quiz.entitlement_key == "courseforge-test-key"
    assert quiz.activity_type == "http://adlnet.gov/expapi/activities/assessment"
    assert [au.id for au in course.assignable_units()] == [welcome.id, quiz.id]
    assert [b.id for b in course.blocks()] == [block.id]


def test_nested_blocks_and_objectives() -> None:
    xml = course_xml(f"""
  <objectives><objective id="https://example.org/obj/1"><title><langstring>O</langstring></title>
    <description><langstring>O</langstring></description></objective></objectives>
  <block id="https://example.org/b/outer"><title><langstring>B</langstring></title>
    <description><langstring>B</langstring></description>
    <objectives><objective idref="https://example.org/obj/1"/></objectives>
    <block id="https://example.org/b/inner"><title><langstring>B</langstring></title>
      <description><langstring>B</langstring></description>
      {au_xml("https://example.org/au/1", attrs='moveOn="Passed"')}
    </block>
    {au_xml("https://example.org/au/2")}
  </block>""")
    course = parse_course_structure(xml)
    assert [b.id for b in course.blocks()] == ["https://example.org/b/outer", "https://example.org/b/inner"]
    assert [au.id for au in course.assignable_units()] == ["https://example.org/au/1", "https://example.org/au/2"]
    assert course.objectives[0].id == "https://example.org/obj/1"
    outer = next(course.blocks())
    assert outer.objectives == ("https://example.org/obj/1",)


def test_xsd_errors_are_reported_with_their_line() -> None:
    xml = course_xml(au_xml("https://example.org/au/1", attrs='moveOn="Sometimes" masteryScore="1.5"'))
    with pytest.raises(CourseStructureError) as error:
        parse_course_structure(xml)
    assert codes(error) == ["cmi5.xsd", "cmi5.xsd"]
    assert all(d.location.line == 4 for d in error.value.diagnostics)
    assert "moveOn" in error.value.diagnostics[0].message


def test_malformed_xml_is_one_syntax_diagnostic() -> None:
    with pytest.raises(CourseStructureError) as error:
        parse_course_structure(b"<courseStructure>")
    assert codes(error) == ["cmi5.xml-syntax"]


def test_semantic_problems_the_xsd_lets_through_are_all_reported() -> None:
    xml = course_xml(
        au_xml("not-an-iri")
        + au_xml("https://example.org/au/1", url="https://example.org/a?fetch=x&amp;mine=1")
        + au_xml("https://example.org/au/1", extra='<objectives><objective idref="https://example.org/none"/>'
                                                   "</objectives>"),
    )
    with pytest.raises(CourseStructureError) as error:
        parse_course_structure(xml)
    assert sorted(codes(error)) == ["cmi5.id-duplicate", "cmi5.id-not-iri", "cmi5.objective-unknown",
                                    "cmi5.url-query-collision"]
    duplicate = next(d for d in error.value.diagnostics if d.code == "cmi5.id-duplicate")
    assert "line 4" in duplicate.message


def test_a_relative_url_needs_a_package() -> None:
    xml = course_xml(au_xml("https://example.org/au/1", url="start.html"))
    assert parse_course_structure(xml, in_package=True).children[0]
    with pytest.raises(CourseStructureError) as error:
        parse_course_structure(xml, in_package=False)
    assert codes(error) == ["cmi5.url-relative"]
