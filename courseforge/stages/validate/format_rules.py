"""What a course must fit in each format it is built in: the limits come from the formats' profiles.

Neutral rules (``quiz_rules``, ``course_rules``) know nothing of SCORM; here every text answer and the
worst case of the saved learner state are held against each profile, and a finding names the standard
whose limit it breaks. Run by lint and build with the formats they will package.
"""

from __future__ import annotations

from collections.abc import Sequence

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course, FillIn
from courseforge.model.project import DEFAULT_BASE_IRI
from courseforge.model.suspend import worst_case_length
from courseforge.standards import FormatProfile


def check_formats(course: Course, profiles: Sequence[FormatProfile], base_iri_set: bool,
                  sink: DiagnosticSink) -> None:
    """``base_iri_set``: courseforge.yaml names a ``base_iri`` (formats with IRI ids need one)."""
    if not profiles:
        return
    check_text_answers(course, profiles, sink)
    check_saved_state(course, profiles, sink)
    check_base_iri(course, profiles, base_iri_set, sink)


def check_base_iri(course: Course, profiles: Sequence[FormatProfile], base_iri_set: bool,
                   sink: DiagnosticSink) -> None:
    needing = [profile.title for profile in profiles if profile.needs_base_iri]
    if needing and not base_iri_set:
        sink.warning("project.no-base-iri", f"{course.id}: {' and '.join(needing)} activity ids need an IRI your "
                     f"organisation controls; courseforge.yaml names no base_iri, so they are "
                     f"'{DEFAULT_BASE_IRI}{course.id}'", course.manifest.origin,
                     hint="add 'base_iri: https://learning.example.com/courses/' (an address you own) to "
                          "courseforge.yaml, or build other formats with --format")


def tightest(profiles: Sequence[FormatProfile], limit_of: str) -> FormatProfile:
    return min(profiles, key=lambda profile: int(getattr(profile, limit_of)))


def check_text_answers(course: Course, profiles: Sequence[FormatProfile], sink: DiagnosticSink) -> None:
    strict = tightest(profiles, "text_response_limit")
    limit = strict.text_response_limit
    for quiz in course.quizzes:
        for question in quiz.questions:
            if isinstance(question, FillIn) and any(len(answer) > limit for answer in question.accepted):
                sink.error("quiz.fill-in-length", f"question '{question.id}': an accepted answer is longer than "
                           f"the {limit} characters {strict.title} records", question.origin_of("accepted"),
                           hint=f"shorten the answer, or do not build {strict.title}")
    for survey in course.surveys:
        for item in survey.questions:
            length = getattr(item, "max_length", None)
            if length is not None and length > limit:
                sink.error("survey.text-length", f"survey item '{item.id}': max_length {length} is more than the "
                           f"{limit} characters {strict.title} records", item.origin_of("max_length"),
                           hint=f"use at most {limit}, or leave max_length out to use each format's limit")


def check_saved_state(course: Course, profiles: Sequence[FormatProfile], sink: DiagnosticSink) -> None:
    worst = worst_case_length(course)
    for profile in sorted(profiles, key=lambda p: p.suspend_limit):
        if worst > profile.suspend_limit:
            sink.error("course.suspend-budget", f"saved learner state can reach {worst} characters; "
                       f"{profile.title} keeps {profile.suspend_limit}", course.manifest.origin,
                       hint="split the course into several courses, or reduce screens/questions/checklist items")
            return
