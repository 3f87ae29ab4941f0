"""Bounded load test of ``refsi serve`` on loopback.

Starts ``refsi serve --port 0`` as a child process (127.0.0.1 only), sends a
fixed number of requests from N concurrent clients (a mix of IRIs answering
303, negotiated documents in each format, HTML pages, dumps and small SPARQL
queries), checks every status, prints the throughput and latencies, and stops
the server. Run by hand, not by CI::

    .venv/bin/python bench/serve_load.py [--clients 32] [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

SPARQL = (
    "PREFIX refsi: <https://w3id.org/refsi/ontologie#> "
    "SELECT ?a WHERE { ?a refsi:concerne <https://w3id.org/refsi/id/acteur/rssi> }"
)
# (method, path, headers, expected status)
MIX = [
    ("GET", "/id/activite/3.2.4", {"Accept": "text/turtle"}, 303),
    ("GET", "/doc/activite/3.2.4", {"Accept": "text/html"}, 200),
    ("GET", "/doc/acteur/rssi", {"Accept": "text/turtle"}, 200),
    ("GET", "/doc/processus/3.2", {"Accept": "application/ld+json"}, 200),
    ("GET", "/doc/macro-processus/3", {"Accept": "application/rdf+xml"}, 200),
    ("GET", "/doc/glossaire/transfert", {"Accept": "application/n-triples"}, 200),
    ("GET", "/doc/referentiel.html", {}, 200),
    ("GET", "/alphabetique.html", {}, 200),
    ("GET", "/doc/activite/3.2.4", {"Accept": "image/png"}, 406),
    ("GET", "/id/activite/99.9.9", {"Accept": "text/turtle"}, 404),
    ("GET", "/.well-known/void", {"Accept": "text/turtle"}, 200),
    ("GET", "/data/refsi.nt", {}, 200),
    ("SPARQL", "/sparql", {"Accept": "application/sparql-results+json"}, 200),
]


def start_server(workers: int) -> tuple[subprocess.Popen[str], str]:
    refsi = Path(sys.executable).with_name("refsi")
    proc = subprocess.Popen(
        [
            str(refsi),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
    if not found:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, found.group(1)


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(url + "/index.html")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not answer")


async def load(
    url: str,
    clients: int,
    requests: int,
    mix: list[tuple[str, str, dict[str, str], int]],
) -> tuple[float, list[float], int]:
    plan = list(itertools.islice(itertools.cycle(mix), requests))
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[tuple[str, str, dict[str, str], int]] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                method, path, headers, expected = queue.get_nowait()
                started = time.perf_counter()
                try:
                    if method == "SPARQL":
                        answer = await client.post(
                            path, data={"query": SPARQL}, headers=headers
                        )
                    else:
                        answer = await client.get(path, headers=headers)
                    if answer.status_code != expected:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="SPARQL workers")
    parser.add_argument(
        "--no-sparql",
        action="store_true",
        help="leave the SPARQL queries out of the mix",
    )
    args = parser.parse_args()
    if not (1 <= args.clients <= 256 and 1 <= args.requests <= 100_000):
        raise SystemExit("keep the load bounded: 1-256 clients, 1-100000 requests")
    proc, url = start_server(args.workers)
    try:
        asyncio.run(wait_ready(url))
        elapsed, latencies, errors = asyncio.run(
            load(
                url,
                args.clients,
                args.requests,
                [m for m in MIX if not (args.no_sparql and m[0] == "SPARQL")],
            )
        )
    finally:
        proc.terminate()
        proc.wait(30)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"{len(latencies)} requests, {args.clients} concurrent clients, {errors} errors"
    )
    print(
        f"{len(latencies) / elapsed:.0f} requests/s over {elapsed:.2f} s; latency "
        f"median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
