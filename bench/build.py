"""Time `refsi build` and `refsi stats`: whole process and in-process.

Run by hand: ``.venv/bin/python bench/build.py [--repeat N]``. Prints the
median, min and max of each; record the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from refsi_graph.builder import build, serialize_turtle
from refsi_graph.paths import ontology_file
from refsi_graph.rdfio import load_store
from refsi_graph.stats import compute_stats


def _timed(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def _report(name: str, times: list[float]) -> None:
    print(
        f"| {name} | {statistics.median(times) * 1000:.0f} ms "
        f"| {min(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    refsi = str(Path(sys.executable).with_name("refsi"))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "refsi.ttl")
        print("| what | median | min | max |")
        print("| --- | ---: | ---: | ---: |")
        _report(
            "`refsi build -o FILE`, whole process",
            _timed(
                lambda: subprocess.run(
                    [refsi, "build", "-o", out], check=True, capture_output=True
                ),
                repeat,
            ),
        )
        _report(
            "`refsi stats`, whole process",
            _timed(
                lambda: subprocess.run(
                    [refsi, "stats"], check=True, capture_output=True
                ),
                repeat,
            ),
        )
        _report(
            "`refsi --version`, whole process (start-up alone)",
            _timed(
                lambda: subprocess.run(
                    [refsi, "--version"], check=True, capture_output=True
                ),
                repeat,
            ),
        )
    graph = build()
    _report("parse the source and build the graph, in-process", _timed(build, repeat))
    _report(
        "serialise it as Turtle, in-process",
        _timed(lambda: serialize_turtle(graph), repeat),
    )
    _report(
        "stats on the committed graph, in-process",
        _timed(lambda: compute_stats(load_store(ontology_file())), repeat),
    )


if __name__ == "__main__":
    main()
