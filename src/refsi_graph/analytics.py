"""Graph analytics: how the work of the framework is shared between actors.

The RDF graph is read once into plain records (:class:`FrameworkData`), then
turned into networkx graphs:

- the *bipartite* graph of activities and actors (one edge per
  ``refsi:concerne`` link), the input of every analysis below;
- the *hierarchy* of macro-processes, processes and activities;
- the *projection* on actors, two actors linked by the number of activities
  they share (the edge's ``weight``).

On the bipartite graph the module computes the role overlap of every pair of
actors (shared activities, Jaccard index, overlap coefficient), degree and
betweenness in the projection, Louvain communities, the activities carried by
a single actor, the processes each actor touches and every minimum set of
actors that covers all activities. Each function returns plain data
(dataclasses, lists, dicts), and works on any graph whose nodes carry a
``kind`` attribute of ``"activity"`` or ``"actor"``, so that the algorithms
can be checked on small graphs built by hand.

Nodes are IRI strings for graphs read from RDF. Node attributes: ``kind``,
``notation``, ``label`` (French), ``label_en``; actors also have ``category``
and ``short_label``; activities ``process``, ``macro_process`` and
``all_actors`` (the ``refsi:concerneTousLesActeurs`` flag).
"""

from __future__ import annotations

import difflib
import io
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
from networkx.algorithms import bipartite as nx_bipartite
from networkx.readwrite.gexf import GEXFWriter

from refsi_graph.errors import UsageError
from refsi_graph.files import write_atomic
from refsi_graph.loader import notation_key
from refsi_graph.namespaces import REFSI
from refsi_graph.registry import fold

__all__ = [
    "DEFAULT_SEED",
    "METRICS",
    "ActivityInfo",
    "ActorCentrality",
    "ActorInfo",
    "ActorProcesses",
    "CoverResult",
    "FrameworkData",
    "MacroProcessInfo",
    "Overlap",
    "ProcessInfo",
    "SingleActorActivity",
    "activity_nodes",
    "actor_centrality",
    "actor_communities",
    "actor_nodes",
    "actor_projection",
    "bipartite_graph",
    "hierarchy_graph",
    "idle_actors",
    "minimum_covers",
    "notation_key",
    "processes_by_actor",
    "rank_overlaps",
    "read_framework",
    "role_overlap",
    "single_actor_activities",
    "write_gexf",
    "write_graphml",
]

logger = logging.getLogger(__name__)

#: The seed of the Louvain method, so that communities are the same every run.
DEFAULT_SEED = 20200120

#: The overlap measures, by their command-line name.
METRICS = ("shared", "jaccard", "overlap")

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PREFIXES = f"PREFIX skos: <{_SKOS}>\nPREFIX refsi: <{REFSI}>\n"

_MACROS = (
    _PREFIXES
    + """
SELECT ?m ?notation ?label ?label_en WHERE {
  ?m a refsi:MacroProcessus ; skos:notation ?notation .
  OPTIONAL { ?m skos:prefLabel ?label FILTER (lang(?label) = "fr") }
  OPTIONAL { ?m skos:prefLabel ?label_en FILTER (lang(?label_en) = "en") }
}"""
)

_PROCESSES = (
    _PREFIXES
    + """
SELECT ?p ?notation ?label ?label_en ?macro WHERE {
  ?p a refsi:Processus ; skos:notation ?notation ; skos:broader ?m .
  ?m a refsi:MacroProcessus ; skos:notation ?macro .
  OPTIONAL { ?p skos:prefLabel ?label FILTER (lang(?label) = "fr") }
  OPTIONAL { ?p skos:prefLabel ?label_en FILTER (lang(?label_en) = "en") }
}"""
)

_ACTIVITIES = (
    _PREFIXES
    + """
SELECT ?a ?notation ?label ?label_en ?process ?all WHERE {
  ?a a refsi:Activite ; skos:notation ?notation ; skos:broader ?p .
  ?p a refsi:Processus ; skos:notation ?process .
  OPTIONAL { ?a skos:prefLabel ?label FILTER (lang(?label) = "fr") }
  OPTIONAL { ?a skos:prefLabel ?label_en FILTER (lang(?label_en) = "en") }
  OPTIONAL { ?a refsi:concerneTousLesActeurs ?all }
}"""
)

# Both directions, so that a graph stating only the inverse still counts.
_LINKS = (
    _PREFIXES
    + """
SELECT DISTINCT ?a ?actor WHERE {
  { ?a refsi:concerne ?actor } UNION { ?actor refsi:estConcernePar ?a }
  ?a a refsi:Activite . ?actor a refsi:Acteur .
}"""
)

_ACTORS = (
    _PREFIXES
    + """
SELECT ?x ?notation ?label ?label_en ?type WHERE {
  ?x a refsi:Acteur ; skos:notation ?notation .
  OPTIONAL { ?x skos:prefLabel ?label FILTER (lang(?label) = "fr") }
  OPTIONAL { ?x skos:prefLabel ?label_en FILTER (lang(?label_en) = "en") }
  OPTIONAL { ?x a ?type
    FILTER (?type IN (refsi:MetierSI, refsi:RoleSI, refsi:ProfilUtilisateur)) }
}"""
)

_NAMES = (
    _PREFIXES
    + """
SELECT ?x ?name WHERE {
  ?x a refsi:Acteur ; skos:prefLabel|skos:altLabel|skos:hiddenLabel ?name .
}"""
)

_ACRONYMS = (
    _PREFIXES
    + """
SELECT ?x ?name WHERE {
  ?x a refsi:Acteur ; skos:altLabel ?name FILTER (lang(?name) = "fr")
}"""
)


@dataclass(frozen=True)
class MacroProcessInfo:
    """A macro-process as the graph states it."""

    iri: str
    notation: str
    label: str
    label_en: str


@dataclass(frozen=True)
class ProcessInfo:
    """A process and the notation of its macro-process."""

    iri: str
    notation: str
    label: str
    label_en: str
    macro_process: str


@dataclass(frozen=True)
class ActivityInfo:
    """An activity, where it sits and the IRIs of the actors it concerns."""

    iri: str
    notation: str
    label: str
    label_en: str
    process: str
    macro_process: str
    all_actors: bool
    actors: tuple[str, ...]


@dataclass(frozen=True)
class ActorInfo:
    """An actor, with every name a look-up may use."""

    iri: str
    notation: str
    label: str
    label_en: str
    category: str
    short_label: str
    names: tuple[str, ...] = ()


@dataclass
class FrameworkData:
    """The hierarchy, the actors and the links of a refsi graph, in order."""

    macro_processes: list[MacroProcessInfo]
    processes: list[ProcessInfo]
    activities: list[ActivityInfo]
    actors: list[ActorInfo]
    _names: dict[str, ActorInfo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for actor in self.actors:
            for name in (actor.label, actor.label_en, actor.notation, *actor.names):
                self._names.setdefault(fold(name), actor)

    def actor(self, name: str) -> ActorInfo:
        """Return the actor that *name* designates.

        Any preferred, alternative or hidden label (French or English), an
        acronym, the section number or the IRI finds the actor; case, accents
        and spacing are ignored.

        Raises
        ------
        UsageError
            If no actor has that name; the message lists the closest ones.
        """
        by_iri = {a.iri: a for a in self.actors}
        found = by_iri.get(name) or self._names.get(fold(name))
        if found is not None:
            return found
        key = fold(name)
        # A fragment of a name ("cyber") is a better hint than a look-alike.
        within = [k for k in self._names if key and key in k]
        close = difflib.get_close_matches(key, list(self._names), n=9, cutoff=0.5)
        labels = list(dict.fromkeys(self._names[k].label for k in within + close))[:3]
        hint = (
            "closest actors: " + ", ".join(repr(label) for label in labels)
            if labels
            else "no actor has a close name (refsi search TEXT lists names)"
        )
        raise UsageError(f"unknown actor {name!r}; {hint}")

    def select(
        self,
        macro_process: str | None = None,
        process: str | None = None,
        exclude_all: bool = False,
    ) -> list[ActivityInfo]:
        """Return the activities of one macro-process or process, or all.

        Parameters
        ----------
        macro_process : str, optional
            A macro-process notation such as ``"5"``.
        process : str, optional
            A process notation such as ``"3.2"``; it must lie in
            *macro_process* when both are given.
        exclude_all : bool
            Leave out the activities flagged ``refsi:concerneTousLesActeurs``.

        Raises
        ------
        UsageError
            If the macro-process or process is not in the graph; the message
            lists those that are.
        """
        if macro_process is not None and macro_process not in {
            m.notation for m in self.macro_processes
        }:
            known = ", ".join(m.notation for m in self.macro_processes)
            raise UsageError(
                f"no macro-process {macro_process!r} in the graph; expected one of "
                f"{known}"
            )
        if process is not None:
            info = next((p for p in self.processes if p.notation == process), None)
            if info is None:
                known = ", ".join(p.notation for p in self.processes)
                raise UsageError(
                    f"no process {process!r} in the graph; expected one of {known}"
                )
            if macro_process is not None and info.macro_process != macro_process:
                raise UsageError(
                    f"process {process} belongs to macro-process "
                    f"{info.macro_process}, not {macro_process}"
                )
        return [
            a
            for a in self.activities
            if (macro_process is None or a.macro_process == macro_process)
            and (process is None or a.process == process)
            and not (exclude_all and a.all_actors)
        ]


def read_framework(store: ox.Store) -> FrameworkData:
    """Read the hierarchy, actors and links of a refsi graph.

    Parameters
    ----------
    store : pyoxigraph.Store
        A store holding a refsi graph (see :func:`refsi_graph.stats.load_store`).

    Returns
    -------
    FrameworkData
        Every list in publication order (by notation).

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> from refsi_graph.stats import load_store
    >>> data = read_framework(load_store(ontology_file()))
    >>> len(data.activities), len(data.actors)
    (86, 39)
    >>> data.actor("rssi").label
    "Responsable de la sécurité des systèmes d'information"
    """
    macros = [
        MacroProcessInfo(
            _iri(row["m"]),
            _text(row["notation"]),
            _text(row["label"]),
            _text(row["label_en"]),
        )
        for row in _select(store, _MACROS)
    ]
    processes = [
        ProcessInfo(
            _iri(row["p"]),
            _text(row["notation"]),
            _text(row["label"]),
            _text(row["label_en"]),
            _text(row["macro"]),
        )
        for row in _select(store, _PROCESSES)
    ]
    macro_of = {p.notation: p.macro_process for p in processes}
    links: dict[str, set[str]] = {}
    for row in _select(store, _LINKS):
        links.setdefault(_iri(row["a"]), set()).add(_iri(row["actor"]))
    activities = [
        ActivityInfo(
            iri=_iri(row["a"]),
            notation=_text(row["notation"]),
            label=_text(row["label"]),
            label_en=_text(row["label_en"]),
            process=_text(row["process"]),
            macro_process=macro_of.get(_text(row["process"]), ""),
            all_actors=_text(row["all"]) in ("true", "1"),
            actors=tuple(sorted(links.get(_iri(row["a"]), ()))),
        )
        for row in _select(store, _ACTIVITIES)
    ]
    actors = _read_actors(store)
    # Actors are ordered by section, so the links follow that order too.
    rank = {a.iri: i for i, a in enumerate(actors)}
    activities = [
        replace(a, actors=tuple(sorted(a.actors, key=rank.__getitem__)))
        for a in activities
    ]
    data = FrameworkData(
        macro_processes=sorted(macros, key=lambda m: notation_key(m.notation)),
        processes=sorted(processes, key=lambda p: notation_key(p.notation)),
        activities=sorted(activities, key=lambda a: notation_key(a.notation)),
        actors=actors,
    )
    logger.debug(
        "read %d activities, %d actors and %d links",
        len(data.activities),
        len(data.actors),
        sum(len(v) for v in links.values()),
    )
    return data


def _read_actors(store: ox.Store) -> list[ActorInfo]:
    names: dict[str, set[str]] = {}
    for row in _select(store, _NAMES):
        names.setdefault(_iri(row["x"]), set()).add(_text(row["name"]))
    acronyms: dict[str, list[str]] = {}
    for row in _select(store, _ACRONYMS):
        name = _text(row["name"])
        if name.isupper() and name.isalpha() and len(name) <= 6:
            acronyms.setdefault(_iri(row["x"]), []).append(name)
    rows: dict[str, dict[str, str]] = {}
    for row in _select(store, _ACTORS):
        iri = _iri(row["x"])
        record = rows.setdefault(
            iri,
            {
                "notation": _text(row["notation"]),
                "label": _text(row["label"]),
                "label_en": _text(row["label_en"]),
                "category": "",
            },
        )
        if row["type"] is not None:
            record["category"] = _iri(row["type"]).removeprefix(str(REFSI))
    actors = []
    for iri, record in rows.items():
        short = sorted(acronyms.get(iri, []), key=lambda n: (len(n), n))
        actors.append(
            ActorInfo(
                iri=iri,
                short_label=short[0] if short else record["label"],
                names=tuple(sorted(names.get(iri, ()))),
                **record,
            )
        )
    return sorted(actors, key=lambda a: notation_key(a.notation))


def _select(store: ox.Store, query: str) -> Iterable[Any]:
    return store.query(query)  # type: ignore[return-value]


def _iri(term: Any) -> str:
    return str(term.value)


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


# --- graphs -----------------------------------------------------------------


def bipartite_graph(
    data: FrameworkData, activities: Sequence[ActivityInfo] | None = None
) -> nx.Graph[Any]:
    """Return the bipartite graph of activities and actors.

    Parameters
    ----------
    data : FrameworkData
        What :func:`read_framework` returns.
    activities : sequence of ActivityInfo, optional
        The activities to keep (see :meth:`FrameworkData.select`); all of
        them by default. Every actor is a node, even one that no kept
        activity concerns.

    Returns
    -------
    networkx.Graph
        Nodes are IRIs with a ``kind`` of ``"activity"`` or ``"actor"``, added
        in publication order so that seeded algorithms give stable results.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> from refsi_graph.stats import load_store
    >>> data = read_framework(load_store(ontology_file()))
    >>> graph = bipartite_graph(data)
    >>> len(activity_nodes(graph)), len(actor_nodes(graph)), graph.number_of_edges()
    (86, 39, 331)
    """
    chosen = data.activities if activities is None else list(activities)
    graph: nx.Graph[Any] = nx.Graph(name="refsi activities and actors")
    for actor in data.actors:
        graph.add_node(
            actor.iri,
            kind="actor",
            notation=actor.notation,
            label=actor.label,
            label_en=actor.label_en,
            category=actor.category,
            short_label=actor.short_label,
        )
    for activity in chosen:
        graph.add_node(
            activity.iri,
            kind="activity",
            notation=activity.notation,
            label=activity.label,
            label_en=activity.label_en,
            process=activity.process,
            macro_process=activity.macro_process,
            all_actors=activity.all_actors,
        )
        graph.add_edges_from((activity.iri, actor) for actor in activity.actors)
    return graph


def hierarchy_graph(data: FrameworkData) -> nx.DiGraph[Any]:
    """Return the tree of macro-processes, processes and activities.

    Edges go from the broader concept to the narrower one.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> from refsi_graph.stats import load_store
    >>> tree = hierarchy_graph(read_framework(load_store(ontology_file())))
    >>> tree.number_of_nodes(), nx.is_forest(tree)
    (127, True)
    """
    tree: nx.DiGraph[Any] = nx.DiGraph(name="refsi hierarchy")
    macro_iri = {m.notation: m.iri for m in data.macro_processes}
    process_iri = {p.notation: p.iri for p in data.processes}
    for macro in data.macro_processes:
        tree.add_node(
            macro.iri,
            kind="macro_process",
            notation=macro.notation,
            label=macro.label,
            label_en=macro.label_en,
        )
    for proc in data.processes:
        tree.add_node(
            proc.iri,
            kind="process",
            notation=proc.notation,
            label=proc.label,
            label_en=proc.label_en,
        )
        tree.add_edge(macro_iri[proc.macro_process], proc.iri)
    for activity in data.activities:
        tree.add_node(
            activity.iri,
            kind="activity",
            notation=activity.notation,
            label=activity.label,
            label_en=activity.label_en,
        )
        tree.add_edge(process_iri[activity.process], activity.iri)
    return tree


def actor_nodes(graph: nx.Graph[Any]) -> list[Any]:
    """Return the actor nodes of *graph*, in notation order."""
    return _sorted_nodes(graph, "actor")


def activity_nodes(graph: nx.Graph[Any]) -> list[Any]:
    """Return the activity nodes of *graph*, in notation order."""
    return _sorted_nodes(graph, "activity")


def _sorted_nodes(graph: nx.Graph[Any], kind: str) -> list[Any]:
    nodes = [n for n, attrs in graph.nodes(data=True) if attrs.get("kind") == kind]
    return sorted(nodes, key=lambda n: _node_key(graph, n))


def _node_key(graph: nx.Graph[Any], node: Any) -> tuple[tuple[int, ...], str]:
    return notation_key(str(graph.nodes[node].get("notation", ""))), str(node)


def _label(graph: nx.Graph[Any], node: Any) -> str:
    return str(graph.nodes[node].get("label", node))


def idle_actors(bipartite: nx.Graph[Any]) -> list[Any]:
    """Return the actors that no activity of *bipartite* concerns.

    In a restricted scope (one macro-process, or without the activities that
    concern all actors) most actors may have nothing to do; ranked or
    clustered, they would only add rows of zeros and communities of one.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b"], kind="actor")
    >>> g.add_node("x", kind="activity")
    >>> g.add_edge("x", "a")
    >>> idle_actors(g)
    ['b']
    """
    return [a for a in actor_nodes(bipartite) if not bipartite.degree(a)]


def actor_projection(bipartite: nx.Graph[Any]) -> nx.Graph[Any]:
    """Project the bipartite graph on actors, weighted by shared activities.

    Two actors are linked when at least one activity concerns both; the
    edge's ``weight`` is the number of such activities. Every actor is a
    node, and keeps its attributes.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="actor")
    >>> g.add_nodes_from(["x", "y"], kind="activity")
    >>> g.add_edges_from([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b")])
    >>> sorted(actor_projection(g).edges(data="weight"))
    [('a', 'b', 2)]
    """
    projection = nx_bipartite.weighted_projected_graph(
        bipartite, actor_nodes(bipartite)
    )
    projection.graph["name"] = "refsi actors, linked by shared activities"
    return projection


# --- overlap ----------------------------------------------------------------


@dataclass(frozen=True)
class Overlap:
    """The overlap of two actors' activities.

    Attributes
    ----------
    actor_a, actor_b : str
        The two actors (IRIs for a graph read from RDF), *actor_a* first in
        notation order.
    notation_a, notation_b : str
        Their section numbers ("2.1"), or the nodes themselves when the
        graph gives none.
    label_a, label_b : str
        Their French labels.
    activities_a, activities_b : int
        How many activities concern each.
    shared : int
        How many concern both.
    jaccard : float
        ``shared / (activities_a + activities_b - shared)``; 0 when neither
        has any activity.
    overlap : float
        The overlap (Szymkiewicz-Simpson) coefficient,
        ``shared / min(activities_a, activities_b)``; 0 when either has none.
    """

    actor_a: str
    actor_b: str
    notation_a: str
    notation_b: str
    label_a: str
    label_b: str
    activities_a: int
    activities_b: int
    shared: int
    jaccard: float
    overlap: float

    def value(self, metric: str) -> float:
        """Return the measure named *metric*, one of :data:`METRICS`."""
        if metric not in METRICS:
            raise UsageError(f"unknown metric {metric!r}; expected one of {METRICS}")
        return float(getattr(self, metric))


def role_overlap(bipartite: nx.Graph[Any]) -> list[Overlap]:
    """Return the overlap of every unordered pair of actors.

    Parameters
    ----------
    bipartite : networkx.Graph
        Activities and actors (see :func:`bipartite_graph`); restrict it
        beforehand to look at one macro-process or process, or to leave out
        the activities that concern all actors.

    Returns
    -------
    list of Overlap
        One per pair, pairs with nothing shared included, in notation order
        of the first actor, then the second.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b"], kind="actor")
    >>> g.add_nodes_from(["x", "y", "z"], kind="activity")
    >>> g.add_edges_from([("x", "a"), ("y", "a"), ("y", "b"), ("z", "b"),
    ...                   ("x", "b")])
    >>> [(o.shared, round(o.jaccard, 3), o.overlap) for o in role_overlap(g)]
    [(2, 0.667, 1.0)]
    """
    actors = actor_nodes(bipartite)
    reach = {a: frozenset(bipartite[a]) for a in actors}
    pairs = []
    for i, first in enumerate(actors):
        for second in actors[i + 1 :]:
            pairs.append(
                _overlap(bipartite, first, second, reach[first], reach[second])
            )
    return pairs


def _overlap(
    graph: nx.Graph[Any],
    first: Any,
    second: Any,
    set_a: frozenset[Any],
    set_b: frozenset[Any],
) -> Overlap:
    shared = len(set_a & set_b)
    union = len(set_a) + len(set_b) - shared
    smaller = min(len(set_a), len(set_b))
    return Overlap(
        actor_a=first,
        actor_b=second,
        notation_a=str(graph.nodes[first].get("notation", first)),
        notation_b=str(graph.nodes[second].get("notation", second)),
        label_a=_label(graph, first),
        label_b=_label(graph, second),
        activities_a=len(set_a),
        activities_b=len(set_b),
        shared=shared,
        jaccard=shared / union if union else 0.0,
        overlap=shared / smaller if smaller else 0.0,
    )


def rank_overlaps(
    overlaps: Iterable[Overlap],
    metric: str = "jaccard",
    top: int | None = None,
    actor: str | None = None,
    min_shared: int = 0,
) -> list[Overlap]:
    """Return the pairs in decreasing order of one overlap measure.

    Ties go to the pair sharing more activities, then to publication order,
    so that the ranking is the same every run.

    Parameters
    ----------
    overlaps : iterable of Overlap
        What :func:`role_overlap` returns.
    metric : str
        ``"shared"``, ``"jaccard"`` or ``"overlap"``.
    top : int, optional
        Keep only the first *top* pairs.
    actor : str, optional
        Keep only the pairs this actor (a node, e.g. its IRI) belongs to.
    min_shared : int
        Keep only the pairs sharing at least this many activities.

    Raises
    ------
    UsageError
        If *metric* is unknown or *top* is negative.

    Examples
    --------
    >>> pairs = [Overlap("a", "b", "1", "2", "A", "B", 4, 2, 2, 0.5, 1.0),
    ...          Overlap("a", "c", "1", "3", "A", "C", 4, 4, 3, 0.6, 0.75)]
    >>> [(o.actor_a, o.actor_b) for o in rank_overlaps(pairs, "overlap")]
    [('a', 'b'), ('a', 'c')]
    >>> [(o.actor_a, o.actor_b) for o in rank_overlaps(pairs, "jaccard", top=1)]
    [('a', 'c')]
    """
    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r}; expected one of {METRICS}")
    if top is not None and top < 0:
        raise UsageError(f"--top must be 0 or more, got {top}")
    kept = [
        (position, o)
        for position, o in enumerate(overlaps)
        if o.shared >= min_shared and (actor is None or actor in (o.actor_a, o.actor_b))
    ]
    kept.sort(key=lambda item: (-item[1].value(metric), -item[1].shared, item[0]))
    ranked = [o for _, o in kept]
    return ranked if top is None else ranked[:top]


# --- centrality, communities, coverage ----------------------------------------


@dataclass(frozen=True)
class ActorCentrality:
    """How central an actor is: its reach in the framework and the projection.

    Attributes
    ----------
    actor, label : str
        The actor and its French label.
    activities : int
        Degree in the bipartite graph: the activities that concern it.
    processes, macro_processes : int
        How many processes and macro-processes those activities belong to.
    partners : int
        Degree in the projection: the actors it shares an activity with.
    strength : int
        Weighted degree in the projection: the sum of shared activities.
    betweenness : float
        Normalised betweenness centrality in the projection, an edge being
        as long as the inverse of its weight (sharing more is being closer).
    """

    actor: str
    label: str
    activities: int
    processes: int
    macro_processes: int
    partners: int
    strength: int
    betweenness: float


def actor_centrality(bipartite: nx.Graph[Any]) -> list[ActorCentrality]:
    """Return degree and betweenness of every actor, most activities first.

    Ties go to the greater betweenness, then to publication order.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="actor")
    >>> g.add_nodes_from(["x", "y"], kind="activity", process="1.1",
    ...                  macro_process="1")
    >>> g.add_edges_from([("x", "a"), ("x", "b"), ("y", "b"), ("y", "c")])
    >>> [(c.actor, c.activities, c.partners, c.betweenness)
    ...  for c in actor_centrality(g)]
    [('b', 2, 2, 1.0), ('a', 1, 1, 0.0), ('c', 1, 1, 0.0)]
    """
    projection = actor_projection(bipartite)
    for _, _, attrs in projection.edges(data=True):
        attrs["distance"] = 1.0 / attrs["weight"]
    betweenness = nx.betweenness_centrality(projection, weight="distance")
    touched = {p.actor: p for p in processes_by_actor(bipartite)}
    rows = [
        ActorCentrality(
            actor=actor,
            label=_label(bipartite, actor),
            activities=bipartite.degree(actor),
            processes=len(touched[actor].processes),
            macro_processes=len(touched[actor].macro_processes),
            partners=projection.degree(actor),
            strength=int(projection.degree(actor, weight="weight")),
            betweenness=betweenness[actor],
        )
        for actor in actor_nodes(bipartite)
    ]
    order = {row.actor: i for i, row in enumerate(rows)}
    return sorted(rows, key=lambda r: (-r.activities, -r.betweenness, order[r.actor]))


def actor_communities(
    projection: nx.Graph[Any], seed: int = DEFAULT_SEED, resolution: float = 1.0
) -> list[list[Any]]:
    """Group the actors that work together, by the Louvain method.

    Parameters
    ----------
    projection : networkx.Graph
        The actor projection (see :func:`actor_projection`); edge weights
        count the shared activities.
    seed : int
        The random seed of the method: the same seed on the same graph gives
        the same communities.
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.

    Returns
    -------
    list of list
        The communities, largest first, each in notation order; an actor
        that shares nothing is a community of its own.

    Examples
    --------
    Two triangles joined by one light edge make two communities:

    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("a", "c", 3),
    ...     ("d", "e", 3), ("e", "f", 3), ("d", "f", 3), ("c", "d", 1)])
    >>> actor_communities(g)
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    found = nx.community.louvain_communities(
        projection, weight="weight", resolution=resolution, seed=seed
    )
    groups = [sorted(group, key=lambda n: _node_key(projection, n)) for group in found]
    return sorted(groups, key=lambda g: (-len(g), _node_key(projection, g[0])))


@dataclass(frozen=True)
class SingleActorActivity:
    """An activity that concerns one actor only."""

    activity: str
    notation: str
    label: str
    actor: str
    actor_label: str


def single_actor_activities(bipartite: nx.Graph[Any]) -> list[SingleActorActivity]:
    """Return the activities carried by a single actor, in notation order.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b"], kind="actor")
    >>> g.add_nodes_from(["x", "y"], kind="activity")
    >>> g.add_edges_from([("x", "a"), ("y", "a"), ("y", "b")])
    >>> [(s.activity, s.actor) for s in single_actor_activities(g)]
    [('x', 'a')]
    """
    rows = []
    for activity in activity_nodes(bipartite):
        if bipartite.degree(activity) == 1:
            (actor,) = bipartite[activity]
            rows.append(
                SingleActorActivity(
                    activity=activity,
                    notation=str(bipartite.nodes[activity].get("notation", activity)),
                    label=_label(bipartite, activity),
                    actor=actor,
                    actor_label=_label(bipartite, actor),
                )
            )
    return rows


@dataclass(frozen=True)
class ActorProcesses:
    """The processes and macro-processes an actor's activities belong to."""

    actor: str
    label: str
    processes: tuple[str, ...]
    macro_processes: tuple[str, ...]


def processes_by_actor(bipartite: nx.Graph[Any]) -> list[ActorProcesses]:
    """Return, for every actor, the processes it touches, in notation order.

    The processes come from the ``process`` and ``macro_process`` attributes
    of the activity nodes.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node("a", kind="actor")
    >>> g.add_node("x", kind="activity", process="3.2", macro_process="3")
    >>> g.add_node("y", kind="activity", process="1.1", macro_process="1")
    >>> g.add_edges_from([("x", "a"), ("y", "a")])
    >>> processes_by_actor(g)[0].processes
    ('1.1', '3.2')
    """
    rows = []
    for actor in actor_nodes(bipartite):
        activities = [bipartite.nodes[n] for n in bipartite[actor]]
        procs = {str(a["process"]) for a in activities if a.get("process")}
        macros = {str(a["macro_process"]) for a in activities if a.get("macro_process")}
        rows.append(
            ActorProcesses(
                actor=actor,
                label=_label(bipartite, actor),
                processes=tuple(sorted(procs, key=lambda n: (notation_key(n), n))),
                macro_processes=tuple(
                    sorted(macros, key=lambda n: (notation_key(n), n))
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class CoverResult:
    """The minimum sets of actors that cover every activity.

    Attributes
    ----------
    size : int
        The number of actors in a minimum set.
    covers : list of tuple
        Every minimum set, each in notation order, the sets in lexicographic
        notation order.
    uncovered : tuple
        Activities that no actor concerns, which no set can cover (left out
        of the search).
    """

    size: int
    covers: list[tuple[Any, ...]]
    uncovered: tuple[Any, ...] = ()


def minimum_covers(bipartite: nx.Graph[Any]) -> CoverResult:
    """Find every smallest set of actors that together cover all activities.

    An exact branch and bound: it branches on the uncovered activity with
    the fewest candidate actors, and in the branch of its *i*-th candidate
    forbids the candidates before it, so that each set is met once. A branch
    is cut when the actors already chosen, plus a lower bound on those still
    needed, exceed the best size found.

    Returns
    -------
    CoverResult

    Notes
    -----
    Set cover is NP-hard and the number of minimum sets can grow
    exponentially with the graph; on the framework's 86 activities and 39
    actors the search takes milliseconds, because 23 activities have a
    single actor, which forces a third of the answer.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="actor")
    >>> g.add_nodes_from(["x", "y", "z"], kind="activity")
    >>> g.add_edges_from([("x", "a"), ("y", "a"), ("y", "b"), ("z", "b"),
    ...                   ("z", "c"), ("x", "c")])
    >>> result = minimum_covers(g)
    >>> result.size, result.covers
    (2, [('a', 'b'), ('a', 'c'), ('b', 'c')])
    """
    activities = activity_nodes(bipartite)
    actors = actor_nodes(bipartite)
    rank = {a: i for i, a in enumerate(actors)}
    uncovered = tuple(a for a in activities if bipartite.degree(a) == 0)
    # Bit sets: activity i is bit i, which keeps the search cheap.
    bit = {a: 1 << i for i, a in enumerate(a for a in activities if a not in uncovered)}
    cover = {
        actor: sum(bit[x] for x in bipartite[actor] if x in bit) for actor in actors
    }
    candidates = {bit[x]: sorted(bipartite[x], key=rank.__getitem__) for x in bit}
    best = _greedy_size(cover, sum(bit.values()))
    found: list[frozenset[Any]] = []

    def search(left: int, chosen: list[Any], forbidden: frozenset[Any]) -> None:
        nonlocal best, found
        if not left:
            if len(chosen) < best:
                best, found = len(chosen), []
            found.append(frozenset(chosen))
            return
        allowed = [a for a in actors if a not in forbidden and cover[a] & left]
        if not allowed:
            return
        widest = max(_popcount(cover[a] & left) for a in allowed)
        if len(chosen) + math.ceil(_popcount(left) / widest) > best:
            return
        pick = min(
            (b for b in candidates if b & left),
            key=lambda b: (sum(a not in forbidden for a in candidates[b]), b),
        )
        options = [a for a in candidates[pick] if a not in forbidden]
        for i, actor in enumerate(options):
            search(left & ~cover[actor], [*chosen, actor], forbidden | set(options[:i]))

    search(sum(bit.values()), [], frozenset())
    covers = sorted(
        (tuple(sorted(c, key=rank.__getitem__)) for c in found if len(c) == best),
        key=lambda c: [rank[a] for a in c],
    )
    logger.debug("%d minimum covers of %d actors", len(covers), best)
    return CoverResult(size=best if covers else 0, covers=covers, uncovered=uncovered)


def _popcount(value: int) -> int:
    return bin(value).count("1")


def _greedy_size(cover: dict[Any, int], everything: int) -> int:
    """Return the size of a greedy cover: an upper bound for the search."""
    left, size = everything, 0
    while left:
        gain = max(_popcount(c & left) for c in cover.values())
        if gain == 0:
            break
        chosen = next(a for a, c in cover.items() if _popcount(c & left) == gain)
        left &= ~cover[chosen]
        size += 1
    return size


# --- exports ----------------------------------------------------------------


def write_graphml(graph: nx.Graph[Any], path: Path | str) -> None:
    """Write *graph* as GraphML, the same bytes for the same graph.

    Nodes, edges and attributes are written in sorted order, whatever the
    order they were added in; attributes whose value is None are left out,
    since GraphML has no null. The file is replaced atomically.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph; node ids and attribute values are written as strings,
        integers, floats or booleans.
    path : Path or str
        The file to write (for Gephi, Cytoscape, yEd).

    Examples
    --------
    >>> import tempfile
    >>> g = nx.Graph()
    >>> g.add_edge("b", "a", weight=2)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_graphml(g, Path(tmp) / "g.graphml")
    ...     text = (Path(tmp) / "g.graphml").read_text(encoding="utf-8")
    >>> '<edge source="a" target="b">' in text
    True
    """
    buffer = io.BytesIO()
    nx.write_graphml(_canonical(graph), buffer, encoding="utf-8", prettyprint=True)
    write_atomic(Path(path), _xsd_booleans(buffer.getvalue()))


def _xsd_booleans(document: bytes) -> bytes:
    """Spell booleans ``true``/``false``: networkx writes Python's ``True``.

    GraphML types its data with XML Schema, whose booleans are lower-case;
    yEd and Cytoscape read ``True`` as a parse error or as false.
    """
    keys = set(re.findall(rb'<key id="([^"]+)"[^>]*attr\.type="boolean"', document))
    if not keys:
        return document

    def lower(match: re.Match[bytes]) -> bytes:
        if match.group(1) not in keys:
            return match.group(0)
        return match.group(0).replace(match.group(2), match.group(2).lower())

    return re.sub(rb'<data key="([^"]+)">(True|False)</data>', lower, document)


def write_gexf(graph: nx.Graph[Any], path: Path | str) -> None:
    """Write *graph* as GEXF 1.2, the same bytes for the same graph.

    Like :func:`write_graphml`, with nodes, edges and attributes sorted; the
    ``lastmodifieddate`` that networkx stamps with today's date is left out
    (it is optional in GEXF), so that a rebuild gives the same file.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.Graph()
    >>> g.add_edge("b", "a", weight=2)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_gexf(g, Path(tmp) / "g.gexf")
    ...     text = (Path(tmp) / "g.gexf").read_text(encoding="utf-8")
    >>> "lastmodifieddate" in text, '<edge source="a" target="b" id="0"' in text
    (False, True)
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(_canonical(graph, edge_ids=True))
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(Path(path), buffer.getvalue())


def _canonical(graph: nx.Graph[Any], edge_ids: bool = False) -> nx.Graph[Any]:
    """Copy *graph* with nodes, edges and attributes in a sorted order."""

    def clean(attrs: dict[str, Any]) -> dict[str, Any]:
        return {k: attrs[k] for k in sorted(attrs) if attrs[k] is not None}

    copy: nx.Graph[Any] = graph.__class__()
    copy.graph.update(clean(dict(graph.graph)))
    for node in sorted(graph.nodes, key=str):
        copy.add_node(node, **clean(graph.nodes[node]))
    edges: list[tuple[Any, Any, dict[str, Any]]] = []
    for u, v, attrs in graph.edges(data=True):
        if not graph.is_directed() and str(v) < str(u):
            u, v = v, u
        edges.append((u, v, attrs))
    edges.sort(key=lambda e: (str(e[0]), str(e[1])))
    for number, (u, v, attrs) in enumerate(edges):
        extra = {"id": str(number)} if edge_ids else {}
        copy.add_edge(u, v, **clean(attrs), **extra)
    return copy
