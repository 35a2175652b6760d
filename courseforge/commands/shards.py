"""``--shard I/N``: one CI job's part of a catalog of courses, the same split on every machine.

Courses go to shards greedily, most expensive first (ties by course id), each to the shard with the least
work so far (ties to the lower shard): every course lands in exactly one shard, and the shards' work stays
close to even. A course's expected cost is the size of what its build reads: the files of its folder and
its catalogs (every language's ``.po`` and its ``.pot``), taken from the file system's sizes without
reading a byte. Jobs of one matrix check out the same commit the same way, so they compute the same sizes
and the same split.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from courseforge.project import Project

SHARD_FORM = re.compile(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*")
SHARD_USAGE = "I/N: shard I of N CI jobs, with 1 <= I <= N (e.g. --shard 2/4)"


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based, as CI matrices count (``strategy.matrix.shard: [1, 2, 3, 4]``)."""
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(value: str) -> Shard:
    """``I/N`` with ``1 <= I <= N``; anything else is a ValueError that says the form."""
    match = SHARD_FORM.fullmatch(value)
    if match is None:
        raise ValueError(f"'{value}' is not of the form {SHARD_USAGE}")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ValueError(f"'{value}' is out of range: the form is {SHARD_USAGE}")
    return Shard(index, count)


def split(costs: Mapping[str, int], count: int) -> list[list[str]]:
    """The course ids of each of ``count`` shards, longest processing time first (a greedy 4/3-approximation
    of the even split); each shard lists its courses in id order."""
    lightest_first = [(0, shard) for shard in range(count)]  # (work so far, shard): a heap, already ordered
    shards: list[list[str]] = [[] for _ in range(count)]
    for course_id in sorted(costs, key=lambda name: (-costs[name], name)):
        load, shard = heapq.heappop(lightest_first)
        shards[shard].append(course_id)
        heapq.heappush(lightest_first, (load + costs[course_id], shard))
    return [sorted(shard) for shard in shards]


def course_cost(project: Project, folder: Path) -> int:
    """Bytes the build of one course reads: its folder's files (hidden ones skipped, as the loader skips
    them) and its catalogs in every language."""
    from courseforge.i18n.catalog import catalog_languages, po_path, pot_path
    from courseforge.stages.inputs import planned_size, walk

    files = [found for _, found in walk(folder) if isinstance(found, Path)]
    catalogs = [po_path(project.locales_dir, language, folder.name)
                for language in catalog_languages(project.locales_dir)]
    return sum(planned_size(path) for path in [*files, *catalogs, pot_path(project.locales_dir, folder.name)])


@dataclass(frozen=True)
class ShardPlan:
    """What ``--shard`` chose: this shard's courses out of the ones selected before it."""

    shard: Shard
    folders: tuple[Path, ...]
    costs: Mapping[str, int]
    """Course id -> expected cost in bytes, for every course that was split."""

    @property
    def cost(self) -> int:
        return sum(self.costs[folder.name] for folder in self.folders)

    def to_json(self) -> dict[str, object]:
        return {"index": self.shard.index, "count": self.shard.count, "of_courses": len(self.costs),
                "courses": [folder.name for folder in self.folders], "cost_bytes": self.cost,
                "total_cost_bytes": sum(self.costs.values())}

    def describe(self) -> str:
        share = f"{self.cost / sum(self.costs.values()):.0%} of the work" if any(self.costs.values()) else "no work"
        if not self.folders:
            return f"shard {self.shard} has no courses ({len(self.costs)} course(s) over {self.shard.count} shards)"
        return f"shard {self.shard}: {len(self.folders)} of {len(self.costs)} course(s), {share}"


def plan_shard(project: Project, folders: Sequence[Path], shard: Shard) -> ShardPlan:
    """This shard's courses among ``folders`` (course ids are unique: ``project_courses`` refuses twins)."""
    costs = {folder.name: course_cost(project, folder) for folder in folders}
    chosen = set(split(costs, shard.count)[shard.index - 1])
    return ShardPlan(shard, tuple(folder for folder in folders if folder.name in chosen), costs)
