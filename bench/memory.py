"""Peak memory of a process tree: the PSS (proportional set size: shared pages split between the processes
that share them, so a process pool is not counted twice) of the command and all its descendants, summed,
sampled every few tens of milliseconds from /proc."""

from __future__ import annotations

import threading
from pathlib import Path

SAMPLE_EVERY_S = 0.025


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def tree(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        pending += children(current)
    return pids


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PssSampler:
    """An observer for :func:`bench.measure.run_command`: samples the tree's summed PSS until it ends."""

    def __init__(self, every: float = SAMPLE_EVERY_S) -> None:
        self.every = every
        self.peak_kib = 0
        self.samples = 0
        self.most_processes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def started(self, pid: int) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, args=(pid,), daemon=True)
        self._thread.start()

    def finished(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self, pid: int) -> None:
        while True:
            pids = tree(pid)
            self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in pids))
            self.most_processes = max(self.most_processes, len(pids))
            self.samples += 1
            if self._stop.wait(self.every):
                return

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024
