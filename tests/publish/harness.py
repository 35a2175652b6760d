"""Test-side helpers for courseforge publish: a small project of two courses, ASGI apps served by uvicorn on a
free loopback port, and the command run in-process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from starlette.types import ASGIApp

from courseforge.cli import run

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests" / "roots" / "minimal"
COURSES = ("alpha", "beta")


def make_project(root: Path, publish_yaml: str = "") -> Path:
    """Two small courses (copies of tests/roots/minimal named alpha and beta), SCORM 1.2 only."""
    for course in COURSES:
        folder = root / "courses" / course
        shutil.copytree(MINIMAL, folder)
        manifest = folder / "course.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace("id: minimal", f"id: {course}")
                            .replace("title: Mini course", f"title: Course {course}"), encoding="utf-8")
    write_config(root, publish_yaml)
    return root


def write_config(root: Path, publish_yaml: str) -> None:
    (root / "courseforge.yaml").write_text(
        "base_iri: https://learning.example.com/courses/\nbuild:\n  formats: [scorm12]\n" + publish_yaml,
        encoding="utf-8")


def edit_page(root: Path, course: str, sentence: str) -> None:
    page = root / "courses" / course / "pages" / "intro.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, seconds: float = 30) -> None:
    """Until ``process`` (``what``) accepts connections on 127.0.0.1:``port``; an exit or a timeout fails."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds:g} s")


@contextmanager
def process_listening(command: list[str], port: int, log: Path, what: str,
                      seconds: float = 30) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` run while the block runs, once it listens on ``port``; its output goes to ``log`` (shown
    when it fails to start); terminated (killed if it must be) at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=REPO)
        try:
            try:
                wait_for_port(port, process, what, seconds)
            except RuntimeError as error:
                raise RuntimeError(f"{error}: {log.read_text(errors='replace')}") from None
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_app(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """``app`` on 127.0.0.1 while the block runs; yields its base URL (no trailing slash)."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"})
    return done.stdout.strip()


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")
