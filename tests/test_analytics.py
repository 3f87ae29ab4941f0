"""Graph analytics: the real framework against hand counts, and every algorithm
on small graphs whose answers are known."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import pytest

from refsi_graph.analytics import (
    FrameworkData,
    actor_centrality,
    actor_communities,
    actor_projection,
    bipartite_graph,
    hierarchy_graph,
    idle_actors,
    minimum_covers,
    processes_by_actor,
    rank_overlaps,
    read_framework,
    role_overlap,
    single_actor_activities,
    write_gexf,
    write_graphml,
)
from refsi_graph.errors import UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.stats import load_store

ACTOR = "https://w3id.org/refsi/id/acteur/"


@pytest.fixture(scope="module")
def data() -> FrameworkData:
    return read_framework(load_store(ontology_file()))


def pairs_by_slug(graph: nx.Graph) -> dict[frozenset[str], object]:
    return {
        frozenset((o.actor_a.removeprefix(ACTOR), o.actor_b.removeprefix(ACTOR))): o
        for o in role_overlap(graph)
    }


# Counted by hand from the table of section 1.4 of the source: (activities of
# the first actor, of the second, shared), 7.3.1 ("Tous les métiers") included.
# DSI: 8 activities in macro-process 1, 7 in 2, 1 in 3 (3.2.3), 3 in 5, 3 in 7,
# 5 in 8, 2 in 9 = 29. RSI: 5 + 9 + 1 (3.3.4) + 4 + 3 + 3 + 6 + 4 = 35. Both:
# 1.1.1 1.2.1 1.3.1-3, 2.1.1 2.3.3 2.4.1 2.5.1-3 2.6.1, 5.1.2 5.4.1, 7.1.1
# 7.2.1 7.3.1, 8.1.1 8.1.2 8.3.1 8.4.1 8.5.1, 9.1.3 9.1.4 = 24.
# Expert en cybersécurité (10: 3.2.5 "Expert cyber sécurité", 4.6.1, 5.1.2,
# 5.1.3, 5.2.2, 5.4.1, 7.2.1, 7.3.1, 8.4.2, 9.1.2) is always beside the RSSI
# (13); so is the Auditeur SSI (6: 4.6.1 5.1.3 5.2.1 7.3.1 8.4.2 9.1.2).
# Expert technique and Intégrateur d'applications: 15 each, all shared but
# 4.4.1 (expert only) and 3.2.6 (integrator only).
HAND_COUNTED = {
    ("dsi", "rsi"): (29, 35, 24),
    ("rssi", "dsi"): (13, 29, 7),
    ("rssi", "rsi"): (13, 35, 7),
    ("rssi", "expert-cybersecurite"): (13, 10, 10),
    ("rssi", "auditeur-ssi"): (13, 6, 6),
    ("expert-technique", "integrateur-applications"): (15, 15, 14),
    ("dpd", "medecin-dim"): (6, 19, 2),
    ("formateur", "gestionnaire-parc-logiciels"): (1, 4, 1),
    ("personnel-medical", "personnel-soignant"): (3, 3, 3),
}


@pytest.mark.parametrize("pair", sorted(HAND_COUNTED), ids="/".join)
def test_overlap_against_hand_counts(
    data: FrameworkData, pair: tuple[str, str]
) -> None:
    found = pairs_by_slug(bipartite_graph(data))[frozenset(pair)]
    count_a, count_b, shared = HAND_COUNTED[pair]
    counts = {
        found.actor_a.removeprefix(ACTOR): found.activities_a,  # type: ignore[attr-defined]
        found.actor_b.removeprefix(ACTOR): found.activities_b,
    }  # type: ignore[attr-defined]
    assert counts == {pair[0]: count_a, pair[1]: count_b}
    assert found.shared == shared  # type: ignore[attr-defined]
    assert found.jaccard == pytest.approx(shared / (count_a + count_b - shared))  # type: ignore[attr-defined]
    assert found.overlap == pytest.approx(shared / min(count_a, count_b))  # type: ignore[attr-defined]


def test_named_values(data: FrameworkData) -> None:
    pairs = pairs_by_slug(bipartite_graph(data))
    assert pairs[frozenset(("dsi", "rsi"))].jaccard == pytest.approx(0.6)  # type: ignore[attr-defined]
    assert pairs[frozenset(("rssi", "expert-cybersecurite"))].overlap == 1.0  # type: ignore[attr-defined]


def test_every_pair_once_and_symmetric(data: FrameworkData) -> None:
    forward = bipartite_graph(data)
    assert len(role_overlap(forward)) == 39 * 38 // 2
    # The same graph with the nodes added in the opposite order.
    backward = nx.Graph()
    backward.add_nodes_from(reversed(list(forward.nodes(data=True))))
    backward.add_edges_from((v, u) for u, v in reversed(list(forward.edges)))
    values = {
        frozenset((o.actor_a, o.actor_b)): (o.shared, o.jaccard, o.overlap)
        for o in role_overlap(forward)
    }
    again = {
        frozenset((o.actor_a, o.actor_b)): (o.shared, o.jaccard, o.overlap)
        for o in role_overlap(backward)
    }
    assert values == again
    assert all(
        o.activities_a + o.activities_b - o.shared >= o.shared
        for o in role_overlap(forward)
    )


def test_excluding_the_all_actors_activity(data: FrameworkData) -> None:
    kept = data.select(exclude_all=True)
    assert [a.notation for a in data.activities if a not in kept] == ["7.3.1"]
    everything = pairs_by_slug(bipartite_graph(data))
    without = pairs_by_slug(bipartite_graph(data, kept))
    # 7.3.1 concerns all 39: each pair loses exactly one shared activity.
    assert all(
        without[k].shared == everything[k].shared - 1  # type: ignore[attr-defined]
        for k in everything
    )
    dsi_rsi = without[frozenset(("dsi", "rsi"))]
    assert (dsi_rsi.shared, dsi_rsi.jaccard) == (23, pytest.approx(23 / 39))  # type: ignore[attr-defined]
    # The Formateur has no activity but 7.3.1: nothing is left to share.
    formateur = without[frozenset(("formateur", "gestionnaire-parc-logiciels"))]
    assert (formateur.shared, formateur.jaccard, formateur.overlap) == (0, 0.0, 0.0)  # type: ignore[attr-defined]


def test_within_a_macro_process_and_a_process(data: FrameworkData) -> None:
    macro = pairs_by_slug(bipartite_graph(data, data.select(macro_process="5")))
    # Macro-process 5: DSI in 5.1.2 5.2.1 5.4.1, RSI in 5.1.2 5.2.2 5.4.1.
    pair = macro[frozenset(("dsi", "rsi"))]
    assert (pair.activities_a, pair.activities_b, pair.shared) == (3, 3, 2)  # type: ignore[attr-defined]
    process = pairs_by_slug(bipartite_graph(data, data.select(process="1.3")))
    # Process 1.3: DSI in all five activities, RSI in 1.3.1 to 1.3.3.
    pair = process[frozenset(("dsi", "rsi"))]
    assert (pair.activities_a, pair.activities_b, pair.shared) == (5, 3, 3)  # type: ignore[attr-defined]
    assert pair.overlap == 1.0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"macro_process": "12"}, r"no macro-process '12' .* expected one of 1, 2"),
        ({"process": "3.9"}, r"no process '3.9' in the graph"),
        ({"macro_process": "5", "process": "3.2"}, r"process 3.2 belongs to macro"),
    ],
    ids=["macro", "process", "inconsistent"],
)
def test_unknown_scope(
    data: FrameworkData, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        data.select(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        "RSSI",
        "rssi",
        "Responsable de la securite des systemes d'information",
        "  responsable de la SÉCURITÉ des systèmes d'information ",
        "CISO",
        "2.1",
        ACTOR + "rssi",
    ],
)
def test_actor_by_any_name(data: FrameworkData, name: str) -> None:
    assert data.actor(name).iri == ACTOR + "rssi"


def test_actor_by_variant_spelling(data: FrameworkData) -> None:
    assert data.actor("Expert cyber sécurité").iri == ACTOR + "expert-cybersecurite"
    assert data.actor("dpo").iri == ACTOR + "dpd"
    assert data.actor("Cadres").iri == ACTOR + "cadre"


def test_unknown_actor_suggests(data: FrameworkData) -> None:
    with pytest.raises(
        UsageError,
        match=r"unknown actor 'Expert cyber'.*"
        r"closest actors: 'Expert en cybersécurité'",
    ):
        data.actor("Expert cyber")


def test_unknown_actor_with_no_close_name(data: FrameworkData) -> None:
    with pytest.raises(
        UsageError,
        match=r"^unknown actor 'zzzzzzzzzz'; no actor has a close name "
        r"\(refsi search TEXT lists names\)$",
    ):
        data.actor("zzzzzzzzzz")


def test_idle_actors(data: FrameworkData) -> None:
    graph = bipartite_graph(data, data.select("6"))
    idle = idle_actors(graph)
    assert len(idle) == 38 and ACTOR + "dpd" not in idle
    assert idle_actors(bipartite_graph(data)) == []


def test_hierarchy(data: FrameworkData) -> None:
    tree = hierarchy_graph(data)
    assert nx.is_forest(tree)
    roots = [n for n in tree if tree.in_degree(n) == 0]
    assert len(roots) == 9
    leaves = [n for n in tree if tree.out_degree(n) == 0]
    assert len(leaves) == 86


# Activities with one actor, read off the table (23 rows with one name).
SINGLE = {
    "1.1.2": "directeur-numerique",
    "1.1.3": "responsable-si-eco-responsable",
    "1.1.4": "dsi",
    "1.3.4": "dsi",
    "2.2.1": "directeur-numerique",
    "3.1.2": "responsable-si-eco-responsable",
    "3.2.2": "chef-de-projet-informatique",
    "3.2.3": "dsi",
    "3.2.6": "integrateur-applications",
    "3.2.8": "referent-metier",
    "4.3.1": "responsable-application-informatique",
    "4.4.1": "expert-technique",
    "6.1.1": "dpd",
    "6.1.2": "dpd",
    "6.1.3": "dpd",
    "6.1.4": "dpd",
    "7.2.2": "analyste-donnees",
    "8.1.3": "gestionnaire-fournisseurs-informatiques",
    "8.1.5": "gestionnaire-fournisseurs-informatiques",
    "8.1.6": "gestionnaire-approvisionnements-informatiques",
    "8.2.1": "gestionnaire-parc-logiciels",
    "8.2.2": "gestionnaire-parc-logiciels",
    "8.2.3": "gestionnaire-parc-logiciels",
}


def test_single_actor_activities(data: FrameworkData) -> None:
    found = single_actor_activities(bipartite_graph(data))
    assert {s.notation: s.actor.removeprefix(ACTOR) for s in found} == SINGLE
    assert [s.notation for s in found] == sorted(
        SINGLE, key=lambda n: [int(p) for p in n.split(".")]
    )


def test_minimum_covers_of_the_framework(data: FrameworkData) -> None:
    graph = bipartite_graph(data)
    result = minimum_covers(graph)
    activities = {n for n, k in graph.nodes(data="kind") if k == "activity"}
    for cover in result.covers:
        assert len(cover) == result.size
        assert set().union(*(graph[a] for a in cover)) == activities
    # An independent brute force: the single-actor activities force their
    # actors; try every way to add k more, for k = 0, 1, 2, ...
    forced = {ACTOR + slug for slug in SINGLE.values()}
    left = activities - set().union(*(graph[a] for a in forced))
    others = sorted(
        a
        for a, k in graph.nodes(data="kind")
        if k == "actor" and a not in forced and set(graph[a]) & left
    )
    for k in range(len(others) + 1):
        extra = [
            set(c)
            for c in itertools.combinations(others, k)
            if left <= set().union(*(graph[a] for a in c))
        ]
        if extra:
            break
    assert result.size == len(forced) + k == 16
    assert sorted(map(sorted, (forced | e for e in extra))) == sorted(
        map(sorted, result.covers)
    )
    assert len(result.covers) == 8
    assert result.uncovered == ()


def test_processes_and_centrality(data: FrameworkData) -> None:
    graph = bipartite_graph(data)
    touched = {p.actor.removeprefix(ACTOR): p for p in processes_by_actor(graph)}
    assert touched["dpd"].processes == ("3.2", "6.1", "7.3")
    assert touched["formateur"].processes == ("7.3",)
    assert touched["gestionnaire-parc-logiciels"].macro_processes == ("7", "8")
    ranking = actor_centrality(graph)
    assert [(r.actor.removeprefix(ACTOR), r.activities) for r in ranking[:2]] == [
        ("rsi", 35),
        ("dsi", 29),
    ]
    # 7.3.1 links everyone, so every actor has the 38 others as partners.
    assert {r.partners for r in ranking} == {38}


def test_communities_are_stable(data: FrameworkData) -> None:
    graph = bipartite_graph(data, data.select(exclude_all=True))
    first = actor_communities(actor_projection(graph))
    assert first == actor_communities(actor_projection(graph))
    assert sorted(a for c in first for a in c) == sorted(a.iri for a in data.actors)
    # Actors sharing nothing once 7.3.1 is left out stand alone.
    alone = {c[0].removeprefix(ACTOR) for c in first if len(c) == 1}
    assert alone == {
        "formateur",
        "gestionnaire-parc-logiciels",
        "responsable-si-eco-responsable",
        "gestionnaire-approvisionnements-informatiques",
    }
    together = next(c for c in first if ACTOR + "personnel-medical" in c)
    assert ACTOR + "personnel-soignant" in together


# --- small graphs with known answers ------------------------------------------


def small_graph(links: dict[str, str], actors: str = "") -> nx.Graph:
    """Activities (upper case) to the actors (lower case) they concern."""
    graph = nx.Graph()
    for actor in sorted(set("".join(links.values()) + actors)):
        graph.add_node(actor, kind="actor")
    for activity, who in links.items():
        graph.add_node(
            activity, kind="activity", process=activity[0], macro_process=activity[0]
        )
        graph.add_edges_from((activity, actor) for actor in who)
    return graph


def test_overlap_small() -> None:
    graph = small_graph({"X1": "ab", "X2": "ab", "Y1": "a", "Y2": "bc"}, actors="d")
    found = {
        (o.actor_a, o.actor_b): (o.shared, o.jaccard, o.overlap)
        for o in role_overlap(graph)
    }
    assert found == {
        ("a", "b"): (2, 2 / 4, 2 / 3),
        ("a", "c"): (0, 0.0, 0.0),
        ("a", "d"): (0, 0.0, 0.0),
        ("b", "c"): (1, 1 / 3, 1.0),
        ("b", "d"): (0, 0.0, 0.0),
        ("c", "d"): (0, 0.0, 0.0),
    }
    top = rank_overlaps(role_overlap(graph), "overlap", top=2)
    assert [(o.actor_a, o.actor_b) for o in top] == [("b", "c"), ("a", "b")]
    shared = rank_overlaps(role_overlap(graph), "shared", actor="c", min_shared=1)
    assert [(o.actor_a, o.actor_b) for o in shared] == [("b", "c")]
    with pytest.raises(UsageError, match="unknown metric 'cosine'"):
        rank_overlaps(role_overlap(graph), "cosine")


def test_projection_small() -> None:
    graph = small_graph({"X1": "abc", "X2": "ab", "Y1": "d"})
    projection = actor_projection(graph)
    assert sorted(projection.edges(data="weight")) == [
        ("a", "b", 2),
        ("a", "c", 1),
        ("b", "c", 1),
    ]
    assert "d" in projection and projection.degree("d") == 0


def test_betweenness_small() -> None:
    # A path a - b - c - d of shared activities: b and c are the bridges.
    graph = small_graph({"X1": "ab", "X2": "bc", "X3": "cd"})
    rows = {r.actor: r for r in actor_centrality(graph)}
    # Normalised over (n-1)(n-2)/2 = 3 pairs: b is on a-c and a-d.
    assert rows["b"].betweenness == pytest.approx(2 / 3)
    assert rows["a"].betweenness == 0.0
    assert (rows["b"].activities, rows["b"].partners, rows["b"].strength) == (2, 2, 2)


def test_betweenness_follows_the_heavier_edges() -> None:
    # a-c share 1 activity, a-b and b-c share 3: the way through b is shorter.
    graph = small_graph(
        {
            "X1": "ab",
            "X2": "ab",
            "X3": "ab",
            "Y1": "bc",
            "Y2": "bc",
            "Y3": "bc",
            "Z1": "ac",
        }
    )
    rows = {r.actor: r.betweenness for r in actor_centrality(graph)}
    assert rows == {"a": 0.0, "b": 1.0, "c": 0.0}


def test_communities_small() -> None:
    # Two groups of three that work together, and one shared activity between.
    graph = small_graph(
        {"X1": "abc", "X2": "abc", "Y1": "def", "Y2": "def", "Z1": "cd"}, actors="g"
    )
    groups = actor_communities(actor_projection(graph), seed=1)
    assert groups == [["a", "b", "c"], ["d", "e", "f"], ["g"]]
    assert all(
        actor_communities(actor_projection(graph), seed=s) == groups for s in range(5)
    )


def test_single_actor_small() -> None:
    graph = small_graph({"X1": "a", "X2": "ab", "Y1": "b", "Y2": "c"})
    assert [(s.activity, s.actor) for s in single_actor_activities(graph)] == [
        ("X1", "a"),
        ("Y1", "b"),
        ("Y2", "c"),
    ]


def test_processes_small() -> None:
    graph = small_graph({"X1": "ab", "Y1": "a", "Z1": "a"})
    rows = {r.actor: r.processes for r in processes_by_actor(graph)}
    assert rows == {"a": ("X", "Y", "Z"), "b": ("X",)}


@pytest.mark.parametrize(
    ("links", "size", "covers"),
    [
        # One actor does everything.
        ({"A1": "ab", "A2": "a", "A3": "ac"}, 1, [("a",)]),
        # A triangle: any two of the three actors.
        ({"A1": "ab", "A2": "bc", "A3": "ac"}, 2, [("a", "b"), ("a", "c"), ("b", "c")]),
        # Greedy takes "a" (4 activities) and then needs two more; the
        # optimum is b + c.
        (
            {
                "A1": "ab",
                "A2": "ab",
                "A3": "ac",
                "A4": "ac",
                "B1": "b",
                "B2": "b",
                "B3": "b",
                "C1": "c",
                "C2": "c",
                "C3": "c",
            },
            2,
            [("b", "c")],
        ),
        # Disjoint duties: everyone is needed.
        ({"A1": "a", "B1": "b", "C1": "c"}, 3, [("a", "b", "c")]),
    ],
    ids=["one", "triangle", "greedy-trap", "disjoint"],
)
def test_minimum_covers_small(
    links: dict[str, str], size: int, covers: list[tuple[str, ...]]
) -> None:
    result = minimum_covers(small_graph(links, actors="z"))
    assert (result.size, result.covers) == (size, covers)


def test_minimum_covers_reports_uncovered() -> None:
    graph = small_graph({"A1": "a"})
    graph.add_node("B1", kind="activity")
    result = minimum_covers(graph)
    assert (result.size, result.covers, result.uncovered) == (1, [("a",)], ("B1",))


def test_minimum_covers_against_brute_force() -> None:
    # A random-looking but fixed instance: compare with every subset.
    links = {
        f"T{i}": "".join(sorted({"abcdefgh"[(i * k) % 8] for k in (1, 3, 5)}))
        for i in range(1, 15)
    }
    graph = small_graph(links)
    actors = sorted(n for n, k in graph.nodes(data="kind") if k == "actor")
    need = set(links)
    best = [
        c
        for r in range(1, len(actors) + 1)
        for c in itertools.combinations(actors, r)
        if need <= set().union(*(graph[a] for a in c))
    ]
    smallest = min(map(len, best))
    result = minimum_covers(graph)
    assert result.size == smallest
    assert result.covers == sorted(c for c in best if len(c) == smallest)


# --- exports ----------------------------------------------------------------


def scrambled_copies(graph: nx.Graph) -> tuple[nx.Graph, nx.Graph]:
    again = nx.Graph()
    again.graph.update(graph.graph)
    again.add_nodes_from(reversed(list(graph.nodes(data=True))))
    again.add_edges_from(
        (v, u, d) for u, v, d in reversed(list(graph.edges(data=True)))
    )
    return graph, again


@pytest.mark.parametrize("writer", [write_graphml, write_gexf], ids=["graphml", "gexf"])
def test_exports_are_deterministic(
    data: FrameworkData, tmp_path: Path, writer: object
) -> None:
    graph = bipartite_graph(data)
    first, second = scrambled_copies(graph)
    writer(first, tmp_path / "a")  # type: ignore[operator]
    writer(second, tmp_path / "b")  # type: ignore[operator]
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert b"lastmodifieddate" not in (tmp_path / "a").read_bytes()


def test_graphml_reads_back(data: FrameworkData, tmp_path: Path) -> None:
    graph = bipartite_graph(data)
    write_graphml(graph, tmp_path / "g.graphml")
    text = (tmp_path / "g.graphml").read_text(encoding="utf-8")
    assert ">true</data>" in text and ">True</data>" not in text
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True))
    assert set(map(frozenset, back.edges)) == set(map(frozenset, graph.edges))
    assert back.nodes["https://w3id.org/refsi/id/activite/7.3.1"]["all_actors"] is True


def test_gexf_reads_back(data: FrameworkData, tmp_path: Path) -> None:
    projection = actor_projection(bipartite_graph(data))
    write_gexf(projection, tmp_path / "p.gexf")
    back = nx.read_gexf(tmp_path / "p.gexf")
    assert back.number_of_nodes() == 39 and back.number_of_edges() == 741
    assert back.nodes[ACTOR + "rssi"]["label"] == (
        "Responsable de la sécurité des systèmes d'information"
    )
    assert back[ACTOR + "dsi"][ACTOR + "rsi"]["weight"] == 24
