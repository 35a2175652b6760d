"""The runtime's saved-state (suspend_data) format, and its worst-case size for a course.

Format v1, ASCII only, written by ``templates/default/runtime/state.js``::

    1~<screens>~<quizzes>~<checklist items>~<surveys>[~<interactions>]

- ``<screens>``: bit set over all screens in course order (bit set = visited).
- ``<quizzes>``: one entry per quiz in course order, joined by ``,``; each ``<a>.<s>.<r>`` where ``a`` is
  attempts used in base 36 (capped at ``zz`` = 1295), ``s`` the best score in base 36, a whole percent in 1-2
  digits and any other in hundredths of a percent in exactly 3 (empty before the first submission), and ``r``
  a bit set over the quiz's authored questions answered correctly in the best attempt.
- ``<checklist items>``: bit set over all checklist items in course order (bit set = attested).
- ``<surveys>``: bit set over surveys in course order (bit set = submitted).
- ``<interactions>``: how many cmi.interactions this attempt's record holds (the next index), base 36 in 1-4
  digits (capped at ``zzzz`` = ``INTERACTIONS_CAP``); left out while there are none. An LMS that cannot say
  cmi.interactions._count would otherwise see a relaunch number its interactions from 0 again, overwriting
  the earlier sessions' ones. The count is not derivable from the other sections: an attempt writes one per
  question answered (not per question shown) and a survey one per item filled in.

A bit set is written 6 bits per character, least significant first, in the alphabet ``BITSET_ALPHABET``;
trailing ``A`` (zero) characters may be dropped. Only ids' positions are stored, never text, so the
worst case depends on the structure alone and is checked at build time.
"""

from __future__ import annotations

from math import ceil

from courseforge.model.course import Course, Quiz

FORMAT_VERSION = "1"
BITSET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ATTEMPTS_CAP = 36 * 36 - 1
INTERACTIONS_CAP = 36**4 - 1


def bitset_length(bits: int) -> int:
    return ceil(bits / 6)


def base36_length(value: int) -> int:
    digits = 1
    while value >= 36:
        value //= 36
        digits += 1
    return digits


def quiz_worst_case(quiz: Quiz) -> int:
    attempts = quiz.attempts if quiz.attempts else ATTEMPTS_CAP
    return base36_length(min(attempts, ATTEMPTS_CAP)) + 1 + base36_length(9999) + 1 + bitset_length(
        len(quiz.questions)
    )


def interactions_bound(course: Course) -> int:
    """The most interactions one attempt of the course can write, capped as the runtime saves the count:
    one per question shown in each attempt (a pool's draw, else every question; unlimited attempts have no
    bound but the cap) and one per survey item."""
    total = sum(len(s.questions) for s in course.surveys)
    for quiz in course.quizzes:
        if not quiz.attempts:
            return INTERACTIONS_CAP
        shown = min(quiz.pool.draw, len(quiz.questions)) if quiz.pool else len(quiz.questions)
        total += quiz.attempts * shown
    return min(total, INTERACTIONS_CAP)


def worst_case_length(course: Course) -> int:
    """Length of the longest suspend_data the runtime can write for this course."""
    quizzes = course.quizzes
    checklist_items = sum(len(c.items) for c in course.checklists)
    sections = [
        len(FORMAT_VERSION),
        bitset_length(len(course.screens)),
        sum(quiz_worst_case(q) for q in quizzes) + max(len(quizzes) - 1, 0),
        bitset_length(checklist_items),
        bitset_length(len(course.surveys)),
        base36_length(interactions_bound(course)),
    ]
    return sum(sections) + len(sections) - 1
