"""moveOn (§13.1.4): when an AU, a block and the course count as satisfied.

An AU is satisfied by its moveOn rule or by a waiver; a block when all its AUs and blocks are; the
course when everything at its top level is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from courseforge.lms.cmi5.structure import AssignableUnit, Block, CourseStructure
from courseforge.lms.cmi5.vocabulary import MoveOn


@dataclass(frozen=True)
class AuProgress:
    """What the registration's cmi5 defined statements say about one AU (failed never satisfies)."""

    completed: bool = False
    passed: bool = False
    waived: bool = False


NO_PROGRESS = AuProgress()


def au_satisfied(move_on: MoveOn, progress: AuProgress) -> bool:
    if progress.waived:
        return True
    match move_on:
        case MoveOn.NOT_APPLICABLE:
            return True
        case MoveOn.PASSED:
            return progress.passed
        case MoveOn.COMPLETED:
            return progress.completed
        case MoveOn.COMPLETED_AND_PASSED:
            return progress.completed and progress.passed
        case MoveOn.COMPLETED_OR_PASSED:
            return progress.completed or progress.passed


def _child_satisfied(child: AssignableUnit | Block, progress: Mapping[str, AuProgress]) -> bool:
    if isinstance(child, Block):
        return all(_child_satisfied(grandchild, progress) for grandchild in child.children)
    return au_satisfied(child.move_on, progress.get(child.id, NO_PROGRESS))


def satisfied_nodes(course: CourseStructure, progress: Mapping[str, AuProgress]) -> tuple[Block | CourseStructure, ...]:
    """The satisfied blocks (inner before outer) and then the course if it is satisfied; ``progress`` is keyed
    by the AU's publisher id."""

    def walk(children: tuple[AssignableUnit | Block, ...]) -> Iterator[Block]:
        for child in children:
            if isinstance(child, Block):
                yield from walk(child.children)
                if _child_satisfied(child, progress):
                    yield child

    nodes: list[Block | CourseStructure] = list(walk(course.children))
    if all(_child_satisfied(child, progress) for child in course.children):
        nodes.append(course)
    return tuple(nodes)
