"""Benchmark of the embedded LRS: statements/s in batches of 100, GET pages of 100, p99 latency under 20
concurrent clients and the server's RSS over the load, beside a floor measured in the same run: a bare
Starlette/uvicorn endpoint that echoes the request body.

Run: ``.venv/bin/python -m bench.lrs [--statements 20000] [--clients 20]`` (prints a table and writes
build/reports/bench-lrs.json). Both servers run as separate processes on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from bench.measure import Figure

KEY, SECRET = "bench", "bench-secret"
HEADERS = {"X-Experience-API-Version": "1.0.3"}
ECHO_APP = """
import sys
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from courseforge.lms.lrs.server import bind, make_server, url_of

async def echo(request):
    return Response(await request.body(), media_type="application/json")

sock = bind("127.0.0.1", 0)
print(url_of(sock, "/"), flush=True)
make_server(Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])])).run(sockets=[sock])
"""


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    for _ in range(500):
        try:
            httpx.get(url, timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [rss_mib(pid)], threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.samples.append(rss_mib(self.pid))


def statement(registration: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:bench@example.com", "name": "Bench"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
            "object": {"id": "https://example.com/bench", "definition": {"name": {"en-US": "Bench"}}},
            "context": {"registration": registration}}


def concurrently(clients: int, requests_each: int, action: Callable[[httpx.Client, int], None], base: str) \
        -> tuple[float, list[float]]:
    """Run ``action`` ``requests_each`` times in each of ``clients`` threads; (wall seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=base, auth=(KEY, SECRET), headers=HEADERS, timeout=60) as http:
            for number in range(requests_each):
                began = time.perf_counter()
                action(http, number)
                with lock:
                    latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else latencies[0] * 1000


def row(name: str, wall: float, latencies: list[float], items: int) -> dict[str, Any]:
    return {"measure": name, "requests": len(latencies), "items_per_s": items / wall,
            "p50_ms": statistics.median(latencies) * 1000, "p99_ms": p99(latencies)}


def bench_lrs(endpoint: str, pid: int, total: int, clients: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
    registration = str(uuid.uuid4())
    batches = [[statement(registration) for _ in range(100)] for _ in range(total // 100)]
    each = len(batches) // clients
    sampler = RssSampler(pid)
    sampler.start()
    lock = threading.Lock()

    def post(http: httpx.Client, number: int) -> None:
        with lock:
            batch = batches.pop()
        assert http.post("statements", json=batch).status_code == 200

    wall, latencies = concurrently(clients, each, post, endpoint)
    rows = [row("POST batches of 100 (statements/s)", wall, latencies, each * clients * 100)]

    def page(http: httpx.Client, number: int) -> None:
        response = http.get("statements", params={"limit": "100", "registration": registration})
        assert response.status_code == 200 and len(response.json()["statements"]) == 100

    wall, latencies = concurrently(clients, 20, page, endpoint)
    rows.append(row("GET first page of 100 (statements/s)", wall, latencies, len(latencies) * 100))
    with httpx.Client(base_url=endpoint, auth=(KEY, SECRET), headers=HEADERS, timeout=60) as http:
        times: list[float] = []
        began = time.perf_counter()
        response = http.get("statements", params={"limit": "100", "registration": registration})
        while True:
            times.append(response.elapsed.total_seconds())
            more = response.json()["more"]
            if not more:
                break
            response = http.get(urljoin(endpoint, more))
        rows.append(row("GET more pages of 100, one client (statements/s)", time.perf_counter() - began, times,
                        len(times) * 100))
    sampler.stop.set()
    sampler.join()
    memory = {"rss_start_mib": sampler.samples[0], "rss_max_mib": max(sampler.samples),
              "rss_end_mib": sampler.samples[-1]}
    return rows, memory


def bench_echo(url: str, clients: int, requests_each: int) -> list[dict[str, Any]]:
    body = json.dumps([statement(str(uuid.uuid4())) for _ in range(100)]).encode()

    def post(http: httpx.Client, number: int) -> None:
        assert http.post("echo", content=body).status_code == 200

    wall, latencies = concurrently(clients, requests_each, post, url)
    return [row("floor: echo POST of a 100-statement body (statements/s)", wall, latencies, len(latencies) * 100)]


def measure_all(statements: int, clients: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The LRS's rows and memory, then the echo floor's row (each server a process of its own)."""
    with tempfile.TemporaryDirectory() as folder:
        lrs, endpoint = start([sys.executable, "-c", "from courseforge.cli import main; main()", "lrs", "--port",
                               "0", "--db", str(Path(folder) / "bench.sqlite"), "--user", KEY, "--password", SECRET])
        try:
            rows, memory = bench_lrs(endpoint, lrs.pid, statements, clients)
        finally:
            lrs.kill()
            lrs.wait()
    echo, url = start([sys.executable, "-c", ECHO_APP])
    try:
        rows += bench_echo(url, clients, max(1, statements // 100 // clients))
    finally:
        echo.kill()
        echo.wait()
    return rows, memory


def figures(statements: int, clients: int, runs: int) -> list[Figure]:
    """Figure 6 for ``python -m bench``: statements per second stored (the median of ``runs`` load runs, each
    on fresh servers), beside the echo endpoint's in the same runs."""
    measured = [measure_all(statements, clients) for _ in range(runs)]
    stored = statistics.median(rows[0]["items_per_s"] for rows, _ in measured)
    echoed = statistics.median(rows[-1]["items_per_s"] for rows, _ in measured)
    return [Figure(f"LRS POST statements/s ({clients} clients)", stored, "/s", echoed, runs=runs,
                   note="floor: bare ASGI echo",
                   details={"runs": [{"rows": rows, "memory": memory} for rows, memory in measured],
                            "statements": statements})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("build/reports/bench-lrs.json"))
    args = parser.parse_args()
    rows, memory = measure_all(args.statements, args.clients)
    print(f"{'measure':<58} {'requests':>8} {'items/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for item in rows:
        print(f"{item['measure']:<58} {item['requests']:>8} {item['items_per_s']:>9.0f} {item['p50_ms']:>8.1f} "
              f"{item['p99_ms']:>8.1f}")
    print(f"LRS server RSS: start {memory['rss_start_mib']:.0f} MiB, max {memory['rss_max_mib']:.0f} MiB, "
          f"end {memory['rss_end_mib']:.0f} MiB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"clients": args.clients, "statements": args.statements, "rows": rows,
                                    "memory": memory}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
