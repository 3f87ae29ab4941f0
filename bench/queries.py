"""Time every bundled query on each in-process engine.

Run by hand, not by CI::

    .venv/bin/python bench/queries.py [--runs N] [--rdflib-runs N]

For each query (with the parameter values of its header's example) it
reports the median wall time of:

- ``pyoxigraph``: plain ``pyoxigraph.Store.query`` on the bound text, rows
  read to the end, no refsi layer;
- ``refsi/oxigraph``: ``Referential.query`` on the pyoxigraph engine
  (binding, syntax check, term normalisation, French sort);
- ``refsi/rdflib``: ``Referential.query`` on rdflib's engine;

and the ratios rdflib / refsi-oxigraph (how much faster the default engine
is) and refsi-oxigraph / pyoxigraph (what the refsi layer costs).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

import pyoxigraph as ox
import rdflib

from refsi_graph.api import Referential
from refsi_graph.queries import bind_parameters, bundled_queries

EXAMPLES: dict[str, dict[str, object]] = {
    "activities_of_actor": {"actor": "RSSI"},
    "actors_absent_from_macro_process": {"macro_process": "5"},
    "actors_of_activity": {"activity": "3.2.4"},
    "actors_per_macro_process": {"macro_process": "5"},
    "actors_per_process": {"process": "3.2"},
    "label_search": {"text": "securite"},
    "shared_activities": {"actor_a": "RSSI", "actor_b": "DSI"},
    "single_actor_activities": {"actor": "DSI"},
}


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm caches (parsed headers, syntax check, store indexes)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per oxigraph call")
    parser.add_argument(
        "--rdflib-runs", type=int, default=7, help="runs per rdflib call"
    )
    args = parser.parse_args()

    ox_ref = Referential.load()
    rdflib_ref = Referential.load(engine="rdflib")
    store = ox_ref.engine.store  # type: ignore[attr-defined]
    print(
        f"python {platform.python_version()}, pyoxigraph {ox.__version__}, "
        f"rdflib {rdflib.__version__}; median of {args.runs} runs "
        f"({args.rdflib_runs} for rdflib)\n"
    )
    header = (
        f"{'query':<34}{'pyoxigraph':>11}{'refsi/ox':>10}{'refsi/rdflib':>13}"
        f"{'rdflib/ox':>11}{'ox/plain':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, query in bundled_queries().items():
        params = EXAMPLES.get(name, {})
        text = bind_parameters(query, params, ox_ref.resolve_parameter)
        plain = median_ms(partial(lambda t: list(store.query(t)), text), args.runs)
        refsi_ox = median_ms(partial(ox_ref.query, name, params), args.runs)
        refsi_rdflib = median_ms(
            partial(rdflib_ref.query, name, params), args.rdflib_runs
        )
        print(
            f"{name:<34}{plain:>9.2f}ms{refsi_ox:>8.2f}ms{refsi_rdflib:>11.1f}ms"
            f"{refsi_rdflib / refsi_ox:>10.0f}x{refsi_ox / plain:>9.2f}x"
        )


if __name__ == "__main__":
    main()
