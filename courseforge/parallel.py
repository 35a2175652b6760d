"""Independent tasks on several cores: forked worker processes, fed one task at a time.

Why fork: a worker inherits everything the parent prepared (validated courses, themes, message templates)
without pickling any of it. Forking is only safe while the parent runs no other thread (a lock another thread
holds at the fork stays held in the child for ever), so a pool forks all of its workers when it opens, before a
progress bar starts its refresh thread; workers start no thread and print nothing.

A task is an index into a sequence both sides hold, sent with what the parent hands it from earlier results (a
split unit's shared work, done once). Its result comes back pickled through a pipe (between our own processes
only: nothing read from a cache or the network is ever unpickled). A task that raises sends its
traceback back and the parent raises :class:`WorkerError`; a worker that dies (killed, out of memory) closes its
pipe and the parent raises :class:`WorkerCrashed`. Workers ignore SIGINT: on Ctrl-C (or any error) the parent
terminates them, reaps them and re-raises.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

R = TypeVar("R")
G = TypeVar("G")

OK = "ok"
FAILED = "failed"
PR_SET_PDEATHSIG = 1
FORK_GRACE_S = 0.05


class WorkerError(RuntimeError):
    """A task raised in a worker: a bug, reported as an internal error with the worker's traceback."""


class WorkerCrashed(RuntimeError):
    """A worker died without answering (a signal, the out-of-memory killer)."""


def can_fork(grace: float = FORK_GRACE_S) -> bool:
    """Only this thread runs (after ``grace`` seconds for threads that are ending, such as a progress bar's
    refresher just stopped): a fork now copies no lock another thread holds. Where other threads keep running
    (a test runner's I/O thread), callers work in-process instead."""
    deadline = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    return threading.active_count() == 1


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, which a container or ``taskset`` may narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass
class Worker:
    pid: int
    connection: Connection
    task: int | None = None


def die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the parent dies (even by SIGKILL), so no orphan keeps working."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def serve(connection: Connection, work: Callable[[int, G | None], object]) -> None:
    """A worker's loop: run each task received (its index and what it is given), answer (index, status, result
    or traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while (task := connection.recv()) is not None:
        index, given = task
        try:
            answer: tuple[int, str, object] = (index, OK, work(index, given))
        except BaseException:
            answer = (index, FAILED, traceback.format_exc())
        try:
            connection.send(answer)
        except Exception:
            connection.send((index, FAILED, traceback.format_exc()))


def task_failure(index: int, worker: Worker, trace: str) -> WorkerError:
    """One line naming the task and the worker's exception; the worker's traceback as a note (crash logs)."""
    last = trace.strip().splitlines()[-1] if trace.strip() else "no traceback"
    error = WorkerError(f"task {index} failed in worker {worker.pid}: {last}")
    error.add_note(f"traceback in the worker:\n{trace}")
    return error


class ForkPool(Generic[G, R]):
    """``jobs`` forked workers running ``work(index, given)``; use as a context manager (it reaps every worker)."""

    def __init__(self, work: Callable[[int, G | None], R], jobs: int) -> None:
        self.work = work
        self.workers: list[Worker] = []
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # what the workers inherit stays out of their collections: no copy-on-write of the whole heap
        try:
            for _ in range(jobs):
                self.workers.append(self.fork())
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()

    def fork(self) -> Worker:
        from multiprocessing.connection import Pipe  # only a build that forks pays for importing multiprocessing

        ours, theirs = Pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's code, never runs its exit handlers
            code = 0
            try:
                die_with_parent(parent)
                ours.close()
                for other in self.workers:
                    other.connection.close()
                serve(theirs, self.work)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        return Worker(pid, ours)

    def run(self, count: int, on_result: Callable[[int, R], None],
            given: Callable[[int], G | None] = lambda index: None) -> None:
        """Tasks ``0 .. count - 1``, each given to the next idle worker with ``given(index)`` (asked as it is
        handed out, so it may hold results that came back before); ``on_result(index, result)`` in the parent
        as each one finishes (in completion order)."""
        from multiprocessing.connection import Connection, wait

        queue = iter(range(count))
        busy: dict[Connection, Worker] = {}
        for worker in self.workers:
            self.give(worker, next(queue, None), busy, given)
        while busy:
            for ready in wait(list(busy)):
                assert isinstance(ready, Connection)
                worker = busy[ready]
                index, status, payload = self.receive(worker)
                if status != OK:
                    raise task_failure(index, worker, str(payload))
                on_result(index, payload)  # type: ignore[arg-type]  # what work(index, given) returned
                self.give(worker, next(queue, None), busy, given)

    def give(self, worker: Worker, index: int | None, busy: dict[Connection, Worker],
             given: Callable[[int], G | None]) -> None:
        worker.task = index
        if index is None:
            worker.connection.send(None)
            busy.pop(worker.connection, None)
        else:
            worker.connection.send((index, given(index)))
            busy[worker.connection] = worker

    def receive(self, worker: Worker) -> tuple[int, str, object]:
        try:
            answer: tuple[int, str, object] = worker.connection.recv()
        except (EOFError, OSError):
            raise WorkerCrashed(f"worker {worker.pid} died during task {worker.task}: {self.reap(worker)}") from None
        return answer

    def reap(self, worker: Worker) -> str:
        """How the worker ended (waits for it)."""
        try:
            _, status = os.waitpid(worker.pid, 0)
        except ChildProcessError:
            return "already reaped"
        worker.pid = 0
        if os.WIFSIGNALED(status):
            return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        return f"exit status {os.WEXITSTATUS(status)}"

    def close(self) -> None:
        """Stop every worker still running (SIGTERM) and reap them all."""
        for worker in self.workers:
            if worker.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)
                self.reap(worker)
            worker.connection.close()

    def __enter__(self) -> ForkPool[G, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class Background(Generic[R]):
    """``work()`` in one forked process while this one goes on; :meth:`result` waits for its answer. Use as a
    context manager (it reaps the process, and stops it on an error or Ctrl-C)."""

    def __init__(self, work: Callable[[], R]) -> None:
        self.pool: ForkPool[None, R] = ForkPool(lambda index, given: work(), 1)
        (self.worker,) = self.pool.workers
        self.pool.give(self.worker, 0, {}, lambda index: None)

    def result(self) -> R:
        index, status, payload = self.pool.receive(self.worker)
        if status != OK:
            raise task_failure(index, self.worker, str(payload))
        self.pool.give(self.worker, None, {}, lambda index: None)
        return payload  # type: ignore[return-value]  # what work() returned

    def __enter__(self) -> Background[R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.pool.close()
