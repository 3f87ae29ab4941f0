"""The Python API: the referential as objects, and its queries by name.

>>> from refsi_graph.api import Referential
>>> ref = Referential.load()
>>> ref.actor("rssi").label
"Responsable de la sécurité des systèmes d'information"
>>> [a.notation for a in ref.activities_of(ref.actor("RSSI"))][:3]
['1.2.1', '1.3.5', '3.2.5']
>>> ref.query("actors_of_activity", activity="3.2.4").column("notation")
['2.4', '3.1', '3.2']
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pyoxigraph as ox

from refsi_graph.engines import Engine, open_engine
from refsi_graph.errors import InputError, UsageError
from refsi_graph.loader import shorten
from refsi_graph.namespaces import REFSI
from refsi_graph.queries import (
    CONCEPT_KINDS,
    NamedQuery,
    Parameter,
    bind_parameters,
    bundled_queries,
    find_query,
    parse_query_text,
)
from refsi_graph.registry import fold
from refsi_graph.results import QueryResult, Term, collation_key, sort_rows

__all__ = [
    "Activity",
    "Actor",
    "Concept",
    "GlossaryTerm",
    "MacroProcess",
    "Process",
    "Referential",
    "UnknownConceptError",
    "run_query",
]

logger = logging.getLogger(__name__)

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_LABEL_PROPERTIES = {
    _SKOS + "prefLabel": "pref",
    _SKOS + "altLabel": "alt",
    _SKOS + "hiddenLabel": "hidden",
}
_CLASSES = {
    f"{REFSI}MacroProcessus": "macro-process",
    f"{REFSI}Processus": "process",
    f"{REFSI}Activite": "activity",
    f"{REFSI}MetierSI": "actor",
    f"{REFSI}RoleSI": "actor",
    f"{REFSI}ProfilUtilisateur": "actor",
    f"{REFSI}TermeGlossaire": "glossary term",
}

_CONCEPTS_QUERY = f"""
PREFIX skos: <{_SKOS}>
PREFIX refsi: <{REFSI}>
SELECT ?concept ?class ?notation ?property ?label WHERE {{
  VALUES ?class {{ {" ".join(f"<{c}>" for c in _CLASSES)} }}
  VALUES ?property {{ skos:prefLabel skos:altLabel skos:hiddenLabel }}
  ?concept a ?class ; ?property ?label .
  OPTIONAL {{ ?concept skos:notation ?notation }}
}}
"""
_LINKS_QUERY = f"""
PREFIX skos: <{_SKOS}>
PREFIX refsi: <{REFSI}>
SELECT ?from ?link ?to WHERE {{
  VALUES ?link {{ skos:broader refsi:concerne refsi:concerneTousLesActeurs }}
  ?from ?link ?to .
}}
"""

C = TypeVar("C", bound="Concept")

_PLURALS = {
    "macro-process": "macro-processes",
    "process": "processes",
    "activity": "activities",
    "actor": "actors",
    "glossary term": "glossary terms",
}
_NOTATION = re.compile(r"^\d+(?:\.\d+)*$")


class UnknownConceptError(UsageError):
    """No concept of the kind asked for has that IRI, notation or label."""


@dataclass(frozen=True)
class Concept:
    """What every concept of the referential has.

    Attributes
    ----------
    iri : str
        Its IRI.
    notation : str
        ``"3"``, ``"3.2"``, ``"3.2.4"``, an actor's section number
        (``"2.1"``), or ``""`` for a glossary term.
    label : str
        The French preferred label, as published.
    label_en : str
        The English preferred label.
    alt_labels : tuple of str
        Acronyms and other names (``skos:altLabel``), any language.
    hidden_labels : tuple of str
        Variant spellings met in the publication (``skos:hiddenLabel``).
    """

    iri: str
    notation: str
    label: str
    label_en: str = ""
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()

    kind = "concept"

    def names(self) -> tuple[str, ...]:
        """Every label of the concept, preferred first."""
        return tuple(
            n
            for n in (self.label, self.label_en, *self.alt_labels, *self.hidden_labels)
            if n
        )

    def __str__(self) -> str:
        return f"{self.notation} {self.label}".strip()


@dataclass(frozen=True)
class MacroProcess(Concept):
    """A macro-process (``refsi:MacroProcessus``); *processes* are IRIs."""

    processes: tuple[str, ...] = ()

    kind = "macro-process"


@dataclass(frozen=True)
class Process(Concept):
    """A process (``refsi:Processus``) inside one macro-process."""

    macro_process: str = ""
    activities: tuple[str, ...] = ()

    kind = "process"


@dataclass(frozen=True)
class Activity(Concept):
    """An activity (``refsi:Activite``) and the actors it concerns.

    Attributes
    ----------
    process : str
        The IRI of its process.
    actors : tuple of str
        The IRIs of the actors it concerns (``refsi:concerne``), in
        section order.
    all_actors : bool
        True for the activity the publication gives to "Tous les métiers".
    """

    process: str = ""
    actors: tuple[str, ...] = ()
    all_actors: bool = False

    kind = "activity"


@dataclass(frozen=True)
class Actor(Concept):
    """An actor (``refsi:Acteur``): an IS job, IS role or user profile.

    Attributes
    ----------
    category : str
        ``MetierSI``, ``RoleSI`` or ``ProfilUtilisateur``.
    activities : tuple of str
        The IRIs of the activities that concern it, in notation order.
    """

    category: str = ""
    activities: tuple[str, ...] = ()

    kind = "actor"


@dataclass(frozen=True)
class GlossaryTerm(Concept):
    """A term of the publication's glossary (``refsi:TermeGlossaire``)."""

    kind = "glossary term"


@dataclass
class _Index:
    by_iri: dict[str, Concept] = field(default_factory=dict)
    by_kind: dict[str, list[Concept]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[str, list[Concept]] = field(default_factory=lambda: defaultdict(list))


class Referential:
    """The ANAP referential, through one SPARQL engine.

    Parameters
    ----------
    engine : Engine
        Where the graph lives; see :meth:`load` for the usual ways in.

    Notes
    -----
    The objects (:meth:`actors`, :meth:`actor`, ...) are read from the
    engine once, on first use, with three queries; :meth:`query` always
    asks the engine.

    Look-ups fold case, accents, ligatures and spacing
    (:func:`refsi_graph.registry.fold`), so "securite" finds "sécurité"
    and "oeuvre" finds "œuvre".
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index: _Index | None = None

    def close(self) -> None:
        """Close the engine (its connections, or its child process)."""
        self.engine.close()

    def __enter__(self) -> Referential:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @classmethod
    def load(
        cls,
        source: str | Path | None = None,
        *,
        engine: str = "oxigraph",
        timeout: float | None = None,
    ) -> Referential:
        """Open the referential from the bundled graph, a file, or an endpoint.

        Parameters
        ----------
        source : str or Path, optional
            None for the bundled ``ontology/refsi.ttl``, the path of an RDF
            file, or the URL of a SPARQL 1.1 query endpoint.
        engine : str
            ``oxigraph`` or ``rdflib``, for a file; ignored for a URL.
        timeout : float, optional
            Seconds each query may take: an endpoint has this long to answer
            (default 30); an in-process engine then runs queries in a child
            process killed at the limit (default: no limit). See
            :func:`refsi_graph.engines.open_engine`.

        Examples
        --------
        >>> len(Referential.load(engine="rdflib").actors())
        39
        """
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            return cls(open_engine(source, timeout=timeout))
        return cls(open_engine(engine, source, timeout=timeout))

    # Queries.

    def query(
        self,
        name_or_text: str | NamedQuery,
        params: Mapping[str, object] | None = None,
        /,
        *,
        allow_service: bool = False,
        max_rows: int | None = None,
        **kwparams: object,
    ) -> QueryResult:
        """Run a bundled query, a ``.rq`` file or SPARQL text.

        Parameters
        ----------
        name_or_text : str or NamedQuery
            A bundled query's name (see :func:`bundled_queries`), the path
            of a ``.rq`` file, the text of a query, or a loaded query.
        params : mapping, optional
            Parameter values, for names that are not Python identifiers or
            that clash with *allow_service*; merged with *kwparams*.
        allow_service : bool
            Let ``SERVICE`` clauses run. Security: a ``SERVICE`` clause
            makes the engine send requests to any URL the query names; keep
            this False for queries you did not write.
        max_rows : int, optional
            Stop reading the results after this many rows; the result's
            ``truncated`` note then says so. None reads them all.
        **kwparams
            Parameter values, bound as RDF terms (never pasted into the
            text). A concept parameter takes an IRI, a notation or any
            label; None leaves a parameter unbound.

        Returns
        -------
        QueryResult
            Sorted by the query's ``ORDER BY`` keys with French collation;
            its ``truncated`` note tells when the rows are not the whole
            answer (*max_rows* reached, or an endpoint's own limit).

        Raises
        ------
        UsageError
            For an unknown query or parameter, a missing or ill-formed
            value, or a ``SERVICE`` clause not allowed.
        QuerySyntaxError
            If the query text does not parse (with line and column).
        InputError
            If the engine fails or the endpoint cannot be reached.

        Examples
        --------
        >>> ref = Referential.load()
        >>> ref.query("label_search", text='a "quoted" {value} #').rows
        []
        >>> ref.query("SELECT (COUNT(?a) AS ?n) WHERE { "
        ...           "?a a <https://w3id.org/refsi/ontologie#Activite> }").values()
        [(86,)]
        """
        query = (
            name_or_text
            if isinstance(name_or_text, NamedQuery)
            else _named(name_or_text)
        )
        return run_query(
            self.engine,
            query,
            {**(params or {}), **kwparams},
            resolve=self.resolve_parameter,
            allow_service=allow_service,
            max_rows=max_rows,
        )

    # Objects.

    def macro_processes(self) -> list[MacroProcess]:
        """Return the macro-processes, in notation order."""
        return self._all("macro-process", MacroProcess)

    def processes(self) -> list[Process]:
        """Return the processes, in notation order."""
        return self._all("process", Process)

    def activities(self) -> list[Activity]:
        """Return the activities, in notation order."""
        return self._all("activity", Activity)

    def actors(self) -> list[Actor]:
        """Return the actors, in section order."""
        return self._all("actor", Actor)

    def glossary(self) -> list[GlossaryTerm]:
        """Return the glossary terms, in French alphabetical order."""
        return self._all("glossary term", GlossaryTerm)

    def get(self, iri: str) -> Concept:
        """Return the concept with this IRI.

        Raises
        ------
        UnknownConceptError
            If no concept has it.
        """
        concept = self._loaded().by_iri.get(iri.strip("<>"))
        if concept is None:
            raise UnknownConceptError(
                f"no concept of the referential has the IRI {iri!r}"
            )
        return concept

    def macro_process(self, key: str) -> MacroProcess:
        """Return a macro-process by IRI, number ("5") or any label."""
        return self._lookup("macro-process", key, MacroProcess)

    def process(self, key: str) -> Process:
        """Return a process by IRI, notation ("3.2") or any label."""
        return self._lookup("process", key, Process)

    def activity(self, key: str) -> Activity:
        """Return an activity by IRI, notation ("3.2.4") or any label."""
        return self._lookup("activity", key, Activity)

    def actor(self, key: str) -> Actor:
        """Return an actor by IRI, section number, label, acronym or spelling.

        Examples
        --------
        >>> ref = Referential.load()
        >>> ref.actor("expert cyber securite").iri
        'https://w3id.org/refsi/id/acteur/expert-cybersecurite'
        >>> ref.actor("DPO") == ref.actor("3.7")
        True
        """
        return self._lookup("actor", key, Actor)

    def find(self, key: str) -> list[Concept]:
        """Return every concept whose IRI, notation or some label is *key*.

        The match ignores case and accents; notations are shared between
        levels and actors ("2.1" is a process and an actor), hence a list.
        """
        index = self._loaded()
        if key.strip("<>") in index.by_iri:
            return [index.by_iri[key.strip("<>")]]
        return list(index.by_name.get(fold(key), []))

    def search(self, text: str) -> list[Concept]:
        """Return the concepts with a label that contains *text*.

        The match ignores case, accents and spacing; results come by kind
        (macro-processes, processes, activities, actors, glossary terms),
        then in notation order.

        Examples
        --------
        >>> [c.notation for c in Referential.load().search("securite")][:3]
        ['5', '5.1', '5.2']
        """
        needle = fold(text)
        if not needle:
            raise UsageError("the search text is empty")
        found = []
        for kind in ("macro-process", "process", "activity", "actor", "glossary term"):
            for concept in self._loaded().by_kind[kind]:
                if any(needle in fold(name) for name in concept.names()):
                    found.append(concept)
        return found

    # Traversal.

    def parent(self, concept: Concept) -> Concept | None:
        """Return the concept one level up, or None for a macro-process."""
        if isinstance(concept, Process):
            return self.get(concept.macro_process)
        if isinstance(concept, Activity):
            return self.get(concept.process)
        return None

    def children(self, concept: Concept) -> list[Concept]:
        """Return the concepts one level down, in notation order."""
        if isinstance(concept, MacroProcess):
            return [self.get(iri) for iri in concept.processes]
        if isinstance(concept, Process):
            return [self.get(iri) for iri in concept.activities]
        return []

    def walk(self) -> Iterator[tuple[int, Concept]]:
        """Yield ``(depth, concept)`` down the hierarchy, as an outline.

        Examples
        --------
        >>> depth, first = next(Referential.load().walk())
        >>> depth, first.notation, first.label
        (1, '1', 'Pilotage stratégique du SI et de la numérisation')
        """

        def down(concept: Concept, depth: int) -> Iterator[tuple[int, Concept]]:
            yield depth, concept
            for child in self.children(concept):
                yield from down(child, depth + 1)

        for macro in self.macro_processes():
            yield from down(macro, 1)

    def activities_of(self, concept: Concept) -> list[Activity]:
        """Return the activities of an actor, a process or a macro-process."""
        if isinstance(concept, Actor):
            return [self._typed(iri, Activity) for iri in concept.activities]
        if isinstance(concept, Activity):
            return [concept]
        found: list[Activity] = []
        for child in self.children(concept):
            found.extend(self.activities_of(child))
        return found

    def actors_of(self, concept: Concept) -> list[Actor]:
        """Return the actors of an activity, a process or a macro-process.

        Each actor comes once, in section order.
        """
        iris = {iri for a in self.activities_of(concept) for iri in a.actors}
        return [a for a in self.actors() if a.iri in iris]

    # Internals.

    def resolve_parameter(self, parameter: Parameter, value: object) -> object:
        """Turn a concept parameter's value into the IRI it designates.

        Parameters
        ----------
        parameter : Parameter
            A parameter of a concept kind (``refsi:Acteur``, ...).
        value : object
            An IRI (kept as given, so that a graph other than the bundled
            one may be queried), a notation or any label; a value that is
            not a ``str`` is returned unchanged.

        Raises
        ------
        UnknownConceptError
            If no concept of that kind has the notation or label.

        Examples
        --------
        >>> from refsi_graph.queries import Parameter
        >>> Referential.load().resolve_parameter(Parameter("a", "refsi:Acteur"), "DPO")
        'https://w3id.org/refsi/id/acteur/dpd'
        """
        if not isinstance(value, str):
            return value
        text = value.strip()
        kind = CONCEPT_KINDS[parameter.kind]
        if text.startswith("<") or "://" in text:
            # An IRI stays as given: a graph other than the bundled one may
            # hold concepts refsi does not know.
            return text
        return self._lookup(kind, text, Concept).iri

    def _lookup(self, kind: str, key: str, cls: type[C]) -> C:
        index = self._loaded()
        bare = key.strip().strip("<>")
        concept = index.by_iri.get(bare)
        if concept is None:
            concept = next((c for c in index.by_kind[kind] if c.notation == bare), None)
        if concept is None:
            matches = [c for c in index.by_name.get(fold(key), []) if c.kind == kind]
            concept = matches[0] if matches else None
        if concept is None or concept.kind != kind:
            raise UnknownConceptError(self._unknown_message(kind, key))
        assert isinstance(concept, cls)
        return concept

    def _unknown_message(self, kind: str, key: str) -> str:
        plural = _PLURALS.get(kind, kind + "s")
        suggestions = self._closest(kind, key)
        if suggestions:
            listed = ", ".join(repr(s) for s in suggestions)
            return f"unknown {kind} {key!r}; closest {plural}: {listed}"
        hint = "refsi search TEXT lists names"
        concepts = self._loaded().by_kind[kind]
        if _NOTATION.match(key.strip()) and concepts and concepts[0].notation:
            hint = (
                f"{kind} notations run from {concepts[0].notation} to "
                f"{concepts[-1].notation}; {hint}"
            )
        return f"unknown {kind} {key!r}; no {kind} has a close name ({hint})"

    def _closest(self, kind: str, key: str, limit: int = 3) -> list[str]:
        """Return the concepts of *kind* whose names are nearest to *key*.

        A name that holds the key ("cyber") is a better hint than a
        look-alike, so those come first; a key that looks like a notation
        is compared with the notations.
        """
        needle = fold(key)
        names: dict[str, Concept] = {}
        for concept in self._loaded().by_kind[kind]:
            if _NOTATION.match(key.strip()):
                if concept.notation:
                    names.setdefault(concept.notation, concept)
                continue
            for name in concept.names():
                names.setdefault(fold(name), concept)
        within = [n for n in names if len(needle) >= 3 and needle in n]
        close = difflib.get_close_matches(needle, list(names), n=9, cutoff=0.6)
        shown: list[str] = []
        for name in within + close:
            concept = names[name]
            text = concept.label if kind == "actor" else shorten(str(concept), 60)
            if text not in shown:
                shown.append(text)
        return shown[:limit]

    def _typed(self, iri: str, cls: type[C]) -> C:
        concept = self.get(iri)
        assert isinstance(concept, cls)
        return concept

    def _all(self, kind: str, cls: type[C]) -> list[C]:
        return [c for c in self._loaded().by_kind[kind] if isinstance(c, cls)]

    def _loaded(self) -> _Index:
        if self._index is None:
            self._index = _build_index(self.engine)
        return self._index


def run_query(
    engine: Engine,
    query: NamedQuery,
    params: Mapping[str, object] | None = None,
    *,
    resolve: Callable[[Parameter, object], object] | None = None,
    allow_service: bool = False,
    max_rows: int | None = None,
) -> QueryResult:
    """Bind a query's parameters, run it on *engine* and sort its rows.

    Rows are sorted by the query's top-level ``ORDER BY`` variables with
    :func:`refsi_graph.results.collation_key` (French order, notations by
    number), ties broken by the whole row, so that every engine gives the
    same rows in the same order. A query whose ``ORDER BY`` holds an
    expression keeps the engine's order.

    Security: a ``SERVICE`` clause makes the engine send requests to the
    URLs the query names; *allow_service* must be True for it to run.

    *max_rows* stops reading the results after that many rows (before the
    sort, so the rows kept are the first the engine gave); the result's
    ``truncated`` note then says so.

    Examples
    --------
    >>> from refsi_graph.engines import open_engine
    >>> query = bundled_queries()["hierarchy_outline"]
    >>> run_query(open_engine(), query).values()[1][:2]
    ('1.1', 2)
    """
    text = bind_parameters(query, params or {}, resolve)
    result = engine.run(text, allow_service=allow_service, max_rows=max_rows)
    if query.order and result.boolean is None:
        result.rows = sort_rows(result.variables, result.rows, query.order)
    logger.debug("%s on %s: %d rows", query.name, engine.name, len(result.rows))
    return result


def _named(name_or_text: str) -> NamedQuery:
    queries = bundled_queries()
    if name_or_text in queries:
        return queries[name_or_text]
    if not name_or_text.strip():
        return parse_query_text(name_or_text)  # reports the query as empty
    if "{" not in name_or_text and "\n" not in name_or_text:
        return find_query(name_or_text)  # a .rq file, or an unknown name to report
    return parse_query_text(name_or_text)


def _whole(engine: Engine, text: str) -> list[tuple[Term | None, ...]]:
    """Run one of the look-up queries; its answer must be complete."""
    result = engine.run(text)
    if result.truncated:
        raise InputError(
            f"{result.truncated}; refsi reads every concept and label to look "
            "names up, so it needs the whole answer: raise the endpoint's result "
            "limit (refsi serve --max-results), or give IRIs to refsi query"
        )
    return result.rows


def _build_index(engine: Engine) -> _Index:
    labels: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    kinds: dict[str, tuple[str, str]] = {}
    notations: dict[str, str] = {}
    for subject, cls, notation, prop, label in _whole(engine, _CONCEPTS_QUERY):
        assert subject is not None and cls is not None and prop is not None
        assert label is not None
        kinds[subject.value] = (_CLASSES[cls.value], cls.value.rsplit("#", 1)[-1])
        if notation is not None:
            notations[subject.value] = notation.value
        language = getattr(label, "language", None) or ""
        labels[subject.value][_LABEL_PROPERTIES[prop.value]].append(
            (label.value, language)
        )
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    all_actors: set[str] = set()
    for source, link, target in _whole(engine, _LINKS_QUERY):
        assert source is not None and link is not None and target is not None
        name = link.value.rsplit("#", 1)[-1]
        if name == "concerneTousLesActeurs":
            if target.value in ("true", "1"):
                all_actors.add(source.value)
        else:
            links[name][source.value].append(target.value)

    def order(iris: Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted(iris, key=lambda i: _notation_key(notations.get(i, ""), i)))

    narrower: dict[str, list[str]] = defaultdict(list)
    for child, parents in links["broader"].items():
        for parent in parents:
            narrower[parent].append(child)
    actor_activities: dict[str, list[str]] = defaultdict(list)
    for activity, targets in links["concerne"].items():
        for actor in targets:
            actor_activities[actor].append(activity)

    index = _Index()
    for iri, (kind, local) in kinds.items():
        concept_labels = labels[iri]
        common: dict[str, Any] = {
            "iri": iri,
            "notation": notations.get(iri, ""),
            "label": _pick(concept_labels["pref"], "fr"),
            "label_en": _pick(concept_labels["pref"], "en"),
            "alt_labels": tuple(sorted({v for v, _ in concept_labels["alt"]})),
            "hidden_labels": tuple(sorted({v for v, _ in concept_labels["hidden"]})),
        }
        parents = links["broader"].get(iri, [])
        concept: Concept
        if kind == "macro-process":
            concept = MacroProcess(**common, processes=order(narrower[iri]))
        elif kind == "process":
            concept = Process(
                **common,
                macro_process=parents[0] if parents else "",
                activities=order(narrower[iri]),
            )
        elif kind == "activity":
            concept = Activity(
                **common,
                process=parents[0] if parents else "",
                actors=order(links["concerne"].get(iri, [])),
                all_actors=iri in all_actors,
            )
        elif kind == "actor":
            concept = Actor(
                **common, category=local, activities=order(actor_activities[iri])
            )
        else:
            concept = GlossaryTerm(**common)
        index.by_iri[iri] = concept
    for concept in sorted(
        index.by_iri.values(), key=lambda c: _notation_key(c.notation, c.label)
    ):
        index.by_kind[concept.kind].append(concept)
        for name in {fold(n) for n in (*concept.names(), concept.notation) if n}:
            index.by_name[name].append(concept)
    logger.debug("indexed %d concepts from %s", len(index.by_iri), engine.name)
    return index


def _pick(labels: list[tuple[str, str]], language: str) -> str:
    matching = sorted(v for v, lang in labels if lang.split("-")[0] == language)
    return matching[0] if matching else ""


def _notation_key(notation: str, tie: str) -> tuple[object, ...]:
    return (collation_key(ox.Literal(notation)), collation_key(ox.Literal(tie)))
