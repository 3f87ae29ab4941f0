"""Time ``refsi export`` per format, owlready2 + HermiT, and the OWL API check.

Run by hand from the repository root (not by CI)::

    .venv/bin/python bench/export_bench.py [--repeat N]

It prints the median wall time of N runs for each step and the output size.
The OWL API and HermiT steps are skipped when java/javac or the Debian
``libowlapi-java`` jars are missing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import owlready2

from refsi_graph.export import FORMATS, export_graph, read_graph
from refsi_graph.paths import ontology_file

ROOT = Path(__file__).resolve().parents[1]


def _median(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    graph = read_graph(ontology_file())
    print(f"graph: {len(graph)} triples")
    read = _median(lambda: read_graph(ontology_file()), args.repeat)
    print(f"read Turtle (rdflib): {read * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for fmt, suffix in FORMATS.items():
            data = export_graph(graph, fmt)
            (out / f"refsi{suffix}").write_bytes(data)
            seconds = _median(lambda f=fmt: export_graph(graph, f), args.repeat)
            print(f"export {fmt:8} {seconds * 1000:7.0f} ms  {len(data):8d} bytes")
        rdf = out / "refsi.rdf"

        def load() -> owlready2.World:
            world = owlready2.World()
            world.get_ontology(rdf.as_uri()).load()
            return world

        print(f"owlready2 load RDF/XML: {_median(load, args.repeat) * 1000:.0f} ms")
        if shutil.which("java") is None:
            print("java missing: HermiT and OWL API steps skipped")
            return 0
        hermit = _median(
            lambda: owlready2.sync_reasoner_hermit(
                load(), infer_property_values=False, debug=0
            ),
            args.repeat,
        )
        print(f"owlready2 load + HermiT consistency: {hermit * 1000:.0f} ms")
        if not Path("/usr/share/java/owlapi-distribution.jar").is_file():
            print("libowlapi-java missing: OWL API step skipped")
            return 0
        sys.path.insert(0, str(ROOT / "tests"))
        from test_owl import CHECK_SOURCE, _classpath  # noqa: PLC0415

        classes = out / "classes"
        classpath = _classpath()
        subprocess.run(
            ["javac", "-d", str(classes), "-cp", classpath, str(CHECK_SOURCE)],
            check=True,
        )
        command = ["java", "-cp", f"{classpath}:{classes}", "OwlApiCheck"]
        check = _median(
            lambda: subprocess.run(
                [*command, str(ontology_file()), "turtle"],
                check=True,
                capture_output=True,
            ),
            args.repeat,
        )
        print(
            f"OWL API load + OWL 2 DL profile check (JVM start included): "
            f"{check * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
