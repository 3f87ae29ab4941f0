"""Time `refsi validate` on the committed graph: the whole process, by hand.

Run from the repository root with the project's virtual environment:

    .venv/bin/python bench/validate.py [--runs N] [--jena]

It prints the median and the spread of N runs of the command line (start-up,
loading, validation, report), of the validation alone in-process, and with
--jena of Apache Jena's `shacl validate` on the same files for comparison.
Not run by CI: timings are for people, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _time(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return times


def _report(name: str, times: list[float]) -> None:
    print(
        f"{name:<44} median {statistics.median(times):6.2f} s  "
        f"min {min(times):6.2f} s  max {max(times):6.2f} s  ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jena", action="store_true", help="also time Jena SHACL")
    args = parser.parse_args()

    refsi = str(Path(sys.executable).with_name("refsi"))
    _report("refsi validate (whole process)", _time([refsi, "validate"], args.runs))
    _report(
        "refsi validate -f turtle (whole process)",
        _time([refsi, "validate", "-f", "turtle"], args.runs),
    )

    from refsi_graph.paths import ontology_file
    from refsi_graph.validation import load_data, load_shapes, validate_graph

    shapes, _ = load_shapes()
    data = load_data([ontology_file()])
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        validate_graph(data, shapes)
        times.append(time.perf_counter() - start)
    _report("validate_graph (in-process, pySHACL)", times)

    if args.jena:
        import tempfile

        from test_validation import JENA_BATCH, _jena_classpath

        with tempfile.TemporaryDirectory() as tmp:
            classpath = _jena_classpath(Path(tmp))
            command = [
                "java",
                "-cp",
                classpath,
                str(JENA_BATCH),
                "shapes",
                str(ontology_file()),
            ]
            _report(
                "Jena SHACL 4.5 (whole JVM, source launch)", _time(command, args.runs)
            )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
