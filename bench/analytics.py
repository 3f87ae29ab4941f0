"""Time the graph analytics, and check the overlap against the SPARQL query.

Run by hand, not by CI::

    .venv/bin/python bench/analytics.py [--repeat 20] [--query FILE] [--figures]

It times each step of the analysis on the committed graph (median of
``--repeat`` runs), then runs ``queries/actor_overlap.rq`` of the query
library with pyoxigraph and checks that every pair it returns has the shared
count and Jaccard index that networkx computes, and that it returns exactly
the pairs sharing at least one activity. The query may count the activity
that concerns all actors or leave it out; the bench says which.

Exit status: 0 when the two agree, 1 when they differ, 2 when the query file
is absent or does not give the expected columns.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from refsi_graph.analytics import (
    actor_centrality,
    actor_communities,
    actor_projection,
    bipartite_graph,
    minimum_covers,
    processes_by_actor,
    read_framework,
    role_overlap,
    single_actor_activities,
)
from refsi_graph.paths import ontology_file, queries_dir
from refsi_graph.stats import load_store

COLUMNS = ("actorA", "actorB", "labelA", "labelB", "shared", "jaccard")


def timed(label: str, repeat: int, step: Callable[[], Any]) -> Any:
    """Run *step* *repeat* times, print the median and return its result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    print(f"  {label:<34}{statistics.median(times) * 1000:>10.2f} ms")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--query", type=Path, default=queries_dir() / "actor_overlap.rq"
    )
    parser.add_argument(
        "--figures",
        action="store_true",
        help="also time drawing and saving the two figures",
    )
    args = parser.parse_args()

    print(f"graph: {ontology_file()}; median of {args.repeat} runs")
    store = timed(
        "load the Turtle (pyoxigraph)", args.repeat, lambda: load_store(ontology_file())
    )
    data = timed(
        "read_framework (7 SPARQL selects)", args.repeat, lambda: read_framework(store)
    )
    graph = timed("bipartite_graph", args.repeat, lambda: bipartite_graph(data))
    projection = timed("actor_projection", args.repeat, lambda: actor_projection(graph))
    pairs = timed("role_overlap (741 pairs)", args.repeat, lambda: role_overlap(graph))
    timed(
        "actor_centrality (betweenness)", args.repeat, lambda: actor_centrality(graph)
    )
    communities = timed(
        "actor_communities (Louvain)",
        args.repeat,
        lambda: actor_communities(projection),
    )
    timed(
        "single_actor_activities", args.repeat, lambda: single_actor_activities(graph)
    )
    timed("processes_by_actor", args.repeat, lambda: processes_by_actor(graph))
    covers = timed("minimum_covers (exact)", args.repeat, lambda: minimum_covers(graph))
    print(f"  -> {covers.size} actors in each of {len(covers.covers)} minimum covers")

    def whole() -> None:
        local = bipartite_graph(read_framework(load_store(ontology_file())))
        role_overlap(local)
        actor_centrality(local)
        actor_communities(actor_projection(local))
        single_actor_activities(local)
        processes_by_actor(local)
        minimum_covers(local)

    timed("whole analysis, from the file", args.repeat, whole)
    if args.figures:
        time_figures(graph, communities, max(1, args.repeat // 5))
    return compare_with_sparql(args.query, store, data, pairs, args.repeat)


def time_figures(graph: Any, communities: Any, repeat: int) -> None:
    from refsi_graph.figures import (
        plot_actor_network,
        plot_overlap_heatmap,
        save_figure,
    )

    with tempfile.TemporaryDirectory() as tmp:
        for name, draw in (
            ("heatmap", plot_overlap_heatmap),
            ("network", plot_actor_network),
        ):

            def step(draw: Any = draw, name: str = name) -> None:
                figure = draw(graph, communities)
                save_figure(figure, Path(tmp) / f"{name}.png")
                save_figure(figure, Path(tmp) / f"{name}.svg")

            timed(f"{name} figure, PNG + SVG", repeat, step)


def compare_with_sparql(
    path: Path, store: Any, data: Any, pairs: list[Any], repeat: int
) -> int:
    if not path.is_file():
        print(
            f"\n{path}: no such file; the role-overlap query of the query library "
            "(issue 4) is not in this tree yet, so there is nothing to compare "
            "with. Pass --query FILE to use another copy.",
            file=sys.stderr,
        )
        return 2
    query = path.read_text(encoding="utf-8")
    rows = timed(
        f"SPARQL {path.name} (pyoxigraph)", repeat, lambda: list(store.query(query))
    )
    variables = [v.value for v in store.query(query).variables]
    missing = [c for c in COLUMNS if c not in variables]
    if missing:
        print(
            f"{path}: the query selects {variables}; expected the columns "
            f"{list(COLUMNS)}, missing {missing}",
            file=sys.stderr,
        )
        return 2
    found = {}
    for row in rows:
        key = frozenset((row["actorA"].value, row["actorB"].value))
        found[key] = (int(row["shared"].value), float(row["jaccard"].value))
    print(f"  the query returns {len(rows)} rows, {len(found)} distinct pairs")

    expected_all = _expected(pairs)
    expected_excl = _expected(
        role_overlap(bipartite_graph(data, data.select(exclude_all=True)))
    )
    for name, expected in (
        ("counting every activity", expected_all),
        ("leaving out the all-actors activity", expected_excl),
    ):
        problems = _differences(expected, found)
        if not problems and len(rows) == len(found):
            print(
                f"agree: networkx and SPARQL give the same {len(found)} pairs, "
                f"shared counts and Jaccard indices ({name})"
            )
            return 0
        print(f"differ ({name}): {len(problems)} problems, e.g.")
        for problem in problems[:5]:
            print(f"  {problem}")
    if len(rows) != len(found):
        print("  the query returns some pairs more than once")
    return 1


def _expected(pairs: list[Any]) -> dict[frozenset[str], tuple[int, float]]:
    return {
        frozenset((p.actor_a, p.actor_b)): (p.shared, p.jaccard)
        for p in pairs
        if p.shared
    }


def _differences(
    expected: dict[frozenset[str], tuple[int, float]],
    found: dict[frozenset[str], tuple[int, float]],
) -> list[str]:
    problems = []
    for key in sorted(expected.keys() - found.keys(), key=sorted):
        problems.append(f"missing from SPARQL: {sorted(key)}")
    for key in sorted(found.keys() - expected.keys(), key=sorted):
        problems.append(f"only in SPARQL: {sorted(key)}")
    for key in sorted(expected.keys() & found.keys(), key=sorted):
        (shared, jaccard), (q_shared, q_jaccard) = expected[key], found[key]
        if shared != q_shared or abs(jaccard - q_jaccard) > 1e-9:
            problems.append(
                f"{sorted(key)}: networkx {shared}, {jaccard:.6f}; "
                f"SPARQL {q_shared}, {q_jaccard:.6f}"
            )
    return problems


if __name__ == "__main__":
    sys.exit(main())
