"""The graph as linked data: which IRIs it serves, where their documents live.

This module is shared by the static site (:mod:`refsi_graph.publish`) and the
server (:mod:`refsi_graph.server`). It loads the graph into a pyoxigraph
store, moves it under another base IRI when asked, and maps IRIs to paths.

The layout, relative to the *site root* (the base IRI without its last
segment: ``https://w3id.org/refsi/`` for the base ``https://w3id.org/refsi/id/``):

============================  ===============================================
path                          what
============================  ===============================================
``id/activite/3.2.4``         the concept's IRI: 303 to its document
``doc/activite/3.2.4``        the document, negotiated (HTML or RDF)
``doc/activite/3.2.4.html``   the same document in one format (also ``.ttl``,
                              ``.nt``, ``.rdf``, ``.jsonld``)
``ontologie``                 the ontology's IRI: 303 to ``doc/ontologie``
============================  ===============================================
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from refsi_graph.errors import InputError, UsageError
from refsi_graph.namespaces import DEFAULT_BASE, ONTOLOGY_IRI, REFSI
from refsi_graph.negotiation import JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from refsi_graph.paths import ontology_file
from refsi_graph.rdfio import RDF_SUFFIXES, load_store

__all__ = [
    "GRAPH_HELP",
    "ONTOLOGY_DOC",
    "PREFIXES",
    "Layout",
    "LinkedData",
    "load_linked_data",
    "serialize_triples",
]

logger = logging.getLogger(__name__)

#: The help of the ``--graph`` option of ``refsi publish`` and ``refsi serve``.
GRAPH_HELP = (
    "an RDF file, its syntax told by its suffix ("
    + ", ".join(RDF_SUFFIXES)
    + "; Turtle otherwise) (default: the committed ontology/refsi.ttl)"
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CONCEPT_SCHEME = SKOS + "ConceptScheme"

#: Document path (without extension) of the ontology's documentation.
ONTOLOGY_DOC = "doc/ontologie"

#: Prefixes of the Turtle documents, the same as ``ontology/refsi.ttl``'s.
PREFIXES = {
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "refsi": str(REFSI),
    "skos": SKOS,
    "vann": "http://purl.org/vocab/vann/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

_OX_FORMATS = {
    TURTLE.key: ox.RdfFormat.TURTLE,
    NTRIPLES.key: ox.RdfFormat.N_TRIPLES,
    RDFXML.key: ox.RdfFormat.RDF_XML,
    JSONLD.key: ox.RdfFormat.JSON_LD,
}
# A local name is segments of unreserved characters; no dot-only segment.
_LOCAL = re.compile(
    r"^(?!.*(?:^|/)\.{1,2}(?:/|$))[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*$"
)


@dataclass(frozen=True)
class Layout:
    """Where the IRIs of a base are published.

    Parameters
    ----------
    base : str
        The base IRI of the data, ending with ``/`` (``https://w3id.org/refsi/id/``).

    Examples
    --------
    >>> layout = Layout("https://w3id.org/refsi/id/")
    >>> layout.root, layout.id_path
    ('https://w3id.org/refsi/', 'id/')
    >>> layout.doc_path("https://w3id.org/refsi/id/activite/3.2.4")
    'doc/activite/3.2.4'
    >>> layout.iri_for_path("id/acteur/rssi")
    'https://w3id.org/refsi/id/acteur/rssi'
    """

    base: str

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^/]+/", self.base) or not self.base.endswith("/"):
            raise UsageError(
                f"base IRI {self.base!r}: expected an http(s) IRI ending with '/', "
                f"e.g. {DEFAULT_BASE}"
            )

    @property
    def root(self) -> str:
        """The site root: the base without its last path segment."""
        origin = re.match(r"^https?://[^/]+/", self.base)
        assert origin is not None
        path = self.base[origin.end() :]
        if not path:
            return self.base
        head = path[:-1].rpartition("/")[0]
        return origin.group(0) + (head + "/" if head else "")

    @property
    def id_path(self) -> str:
        """The base's path under the root (``id/``), empty when they coincide."""
        return self.base[len(self.root) :]

    def local_name(self, iri: str) -> str | None:
        """Return the part of *iri* after the base, or None if it is not a data IRI."""
        if not iri.startswith(self.base):
            return None
        local = iri[len(self.base) :]
        return local if _LOCAL.match(local) else None

    def doc_path(self, iri: str) -> str | None:
        """Return the path of *iri*'s document (no extension), or None."""
        if iri == ONTOLOGY_IRI or iri.startswith(str(REFSI)):
            return ONTOLOGY_DOC
        local = self.local_name(iri)
        return None if local is None else "doc/" + local

    def iri_for_path(self, path: str) -> str | None:
        """Return the IRI that a request path (without ``/``) names, or None."""
        if path == "ontologie":
            return ONTOLOGY_IRI
        if not path.startswith(self.id_path):
            return None
        local = path[len(self.id_path) :]
        return self.base + local if _LOCAL.match(local) else None

    def iri_path(self, iri: str) -> str | None:
        """Return the request path (no leading ``/``) of an IRI of the site."""
        if iri.startswith(self.root):
            return iri[len(self.root) :]
        return None


class LinkedData:
    """The graph held in a pyoxigraph store, indexed by subject.

    Parameters
    ----------
    store : pyoxigraph.Store
        The graph, in the default graph of the store.
    base : str
        The base IRI of its data.
    """

    def __init__(self, store: ox.Store, base: str) -> None:
        self.store = store
        self.layout = Layout(base)
        self._by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        self.triples: list[ox.Triple] = sorted(
            (quad.triple for quad in store), key=_triple_key
        )
        for triple in self.triples:
            if isinstance(triple.subject, ox.NamedNode):
                self._by_subject[triple.subject.value].append(triple)

    @property
    def base(self) -> str:
        """The base IRI of the data."""
        return self.layout.base

    def subjects(self) -> list[str]:
        """Return the IRIs that have a description in the graph, sorted."""
        return sorted(self._by_subject)

    def describe(self, iri: str) -> list[ox.Triple]:
        """Return the triples whose subject is *iri*, sorted."""
        return list(self._by_subject.get(iri, ()))

    def values(self, iri: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
        """Return the objects of *iri* for *predicate*, in a stable order."""
        found = []
        for triple in self._by_subject.get(iri, ()):
            if triple.predicate.value == predicate:
                obj = triple.object
                if isinstance(obj, ox.NamedNode | ox.Literal):
                    found.append(obj)
        return found

    def iris(self, iri: str, predicate: str) -> list[str]:
        """Return the IRIs that *iri* links to through *predicate*."""
        return [
            o.value for o in self.values(iri, predicate) if isinstance(o, ox.NamedNode)
        ]

    def types(self, iri: str) -> set[str]:
        """Return the classes of *iri*."""
        return set(self.iris(iri, RDF_TYPE))

    def literal(self, iri: str, predicate: str, lang: str | None = None) -> str | None:
        """Return one literal of *iri*: in *lang* if given, else the first one."""
        for value in self.values(iri, predicate):
            if isinstance(value, ox.Literal) and (
                lang is None or value.language == lang
            ):
                return value.value
        return None

    def literals(self, iri: str, predicate: str) -> list[tuple[str, str | None]]:
        """Return every literal of *iri* for *predicate* with its language."""
        return [
            (v.value, v.language)
            for v in self.values(iri, predicate)
            if isinstance(v, ox.Literal)
        ]

    def published(self) -> list[str]:
        """Return the data IRIs that get a document of their own, sorted."""
        return [iri for iri in self.subjects() if self.layout.local_name(iri)]

    def vocabulary(self) -> list[str]:
        """Return the ontology's IRI and its terms, sorted."""
        return [
            iri
            for iri in self.subjects()
            if iri == ONTOLOGY_IRI or iri.startswith(str(REFSI))
        ]

    def document_triples(self, doc: str) -> list[ox.Triple]:
        """Return the triples of one document (a resource, or the ontology)."""
        if doc == ONTOLOGY_DOC:
            return [t for iri in self.vocabulary() for t in self.describe(iri)]
        iri = self.layout.base + doc[len("doc/") :]
        return self.describe(iri)


def load_linked_data(
    graph: Path | str | None = None, base: str | None = None
) -> LinkedData:
    """Load a graph as linked data, moved under *base* if it is given.

    Parameters
    ----------
    graph : Path or str, optional
        An RDF file, its syntax told by its suffix (default: the committed
        ``ontology/refsi.ttl``).
    base : str, optional
        The base IRI to publish under. Data IRIs of the graph's own base are
        rewritten to it, so that the committed graph can be served from
        another domain or from ``http://127.0.0.1:PORT/id/``.

    Returns
    -------
    LinkedData
        The graph, indexed.

    Raises
    ------
    InputError
        If the file cannot be read or parsed, or holds no ``refsid:referentiel``.
    UsageError
        If *base* is not an http(s) IRI ending with ``/``.

    Examples
    --------
    >>> data = load_linked_data(base="http://127.0.0.1:8000/id/")
    >>> data.layout.root
    'http://127.0.0.1:8000/'
    >>> "http://127.0.0.1:8000/id/acteur/rssi" in data.published()
    True
    """
    path = Path(graph) if graph is not None else ontology_file()
    store = load_store(path)
    own_base = _graph_base(store, path)
    if base is not None:
        Layout(base)
    if base is not None and base != own_base:
        logger.info("moving the graph from %s to %s", own_base, base)
        store = _rebase(store, own_base, base)
    logger.debug("loaded %d triples from %s", len(store), path)
    return LinkedData(store, base or own_base)


def serialize_triples(triples: Iterable[ox.Triple], fmt: Format) -> bytes:
    """Serialise triples, already in a stable order, in one RDF format.

    Parameters
    ----------
    triples : iterable of pyoxigraph.Triple
        What to write.
    fmt : Format
        One of :data:`refsi_graph.negotiation.RDF_FORMATS`.

    Returns
    -------
    bytes
        The document; the same triples give the same bytes.
    """
    prefixes = PREFIXES if fmt.key in (TURTLE.key, RDFXML.key) else None
    data = ox.serialize(list(triples), format=_OX_FORMATS[fmt.key], prefixes=prefixes)
    assert data is not None
    return data


def _graph_base(store: ox.Store, path: Path) -> str:
    schemes = [
        q.subject.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(CONCEPT_SCHEME)
        )
        if isinstance(q.subject, ox.NamedNode)
        and q.subject.value.endswith("/referentiel")
    ]
    if not schemes:
        raise InputError(
            f"{path}: no concept scheme '<base>referentiel' found; expected a graph "
            "made by 'refsi build'"
        )
    return min(schemes)[: -len("referentiel")]


def _rebase(store: ox.Store, old: str, new: str) -> ox.Store:
    def move(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        if isinstance(term, ox.NamedNode) and term.value.startswith(old):
            return ox.NamedNode(new + term.value[len(old) :])
        return term

    moved = ox.Store()
    moved.extend(
        ox.Quad(move(q.subject), move(q.predicate), move(q.object))  # type: ignore[arg-type]
        for q in store
    )
    return moved


def _triple_key(triple: ox.Triple) -> tuple[str, str, str]:
    return (str(triple.subject), str(triple.predicate), str(triple.object))
