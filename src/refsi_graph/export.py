"""Export the refsi graph in the formats other tools read.

RDF goes out as Turtle, N-Triples, RDF/XML (what owlready2 and every OWL
tool read) and JSON-LD with an inline context; the activity-by-actor matrix
goes out as CSV for a spreadsheet and as a GraphML bipartite graph for Gephi,
yEd or Cytoscape. Every format is deterministic: the same graph gives the
same bytes, whatever the hash seed of the process.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped, unused-ignore]
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.plugins.serializers.jsonld import from_rdf

from refsi_graph.builder import serialize_turtle
from refsi_graph.cli import emit
from refsi_graph.errors import InputError, UsageError
from refsi_graph.namespaces import (
    DEFAULT_BASE,
    FOAF,
    ORG,
    REFSI,
    VANN,
    bind_prefixes,
    data_namespace,
)
from refsi_graph.paths import ontology_file
from refsi_graph.rdfio import load_graph

__all__ = [
    "CSV_DELIMITERS",
    "FORMATS",
    "JSONLD_CONTEXT",
    "activity_actor_graph",
    "activity_actor_matrix",
    "add_commands",
    "export_graph",
    "read_graph",
    "to_csv",
    "to_graphml",
    "to_jsonld",
    "to_ntriples",
    "to_rdfxml",
]

logger = logging.getLogger(__name__)

#: Export formats and the file suffix each one is written with.
FORMATS: dict[str, str] = {
    "ttl": ".ttl",
    "nt": ".nt",
    "xml": ".rdf",
    "jsonld": ".jsonld",
    "csv": ".csv",
    "graphml": ".graphml",
}
_SUFFIX_FORMATS = {suffix: name for name, suffix in FORMATS.items()} | {
    ".owl": "xml",
    ".xml": "xml",
    ".json": "jsonld",
}

#: Field separators the CSV export offers. The semicolon is the default:
#: a French spreadsheet, whose decimal mark is the comma, splits on it.
CSV_DELIMITERS = (";", ",")


def _language_map(iri: URIRef) -> dict[str, str]:
    return {"@id": str(iri), "@container": "@language"}


def _reference(iri: URIRef) -> dict[str, str]:
    return {"@id": str(iri), "@type": "@id"}


def _dated(iri: URIRef) -> dict[str, str]:
    return {"@id": str(iri), "@type": str(XSD.date)}


# One JSON-LD prefix per kind of data IRI: the compactor only abbreviates an
# IRI up to its last slash, so "acteur:rssi" needs the prefix "acteur".
_DATA_KINDS = (
    "macro-processus",
    "processus",
    "activite",
    "acteur",
    "glossaire",
    "organisation",
)


def _jsonld_context(base: str) -> dict[str, Any]:
    base = str(data_namespace(base))
    return {
        "refsid": base,
        **{kind: f"{base}{kind}/" for kind in _DATA_KINDS},
        **_JSONLD_TERMS,
    }


_JSONLD_TERMS: dict[str, Any] = {
    "refsi": str(REFSI),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dct": str(DCTERMS),
    "org": str(ORG),
    "vann": str(VANN),
    "foaf": str(FOAF),
    "prefLabel": _language_map(SKOS.prefLabel),
    "altLabel": _language_map(SKOS.altLabel),
    "hiddenLabel": _language_map(SKOS.hiddenLabel),
    "editorialNote": _language_map(SKOS.editorialNote),
    "notation": str(SKOS.notation),
    "inScheme": _reference(SKOS.inScheme),
    "broader": _reference(SKOS.broader),
    "narrower": _reference(SKOS.narrower),
    "topConceptOf": _reference(SKOS.topConceptOf),
    "hasTopConcept": _reference(SKOS.hasTopConcept),
    "concerne": _reference(REFSI.concerne),
    "estConcernePar": _reference(REFSI.estConcernePar),
    "mentionne": _reference(REFSI.mentionne),
    # Numbers and booleans stay native JSON values: no @type coercion.
    "concerneTousLesActeurs": str(REFSI.concerneTousLesActeurs),
    "nombreDeclareMacroProcessus": str(REFSI.nombreDeclareMacroProcessus),
    "nombreDeclareProcessus": str(REFSI.nombreDeclareProcessus),
    "nombreDeclareActivites": str(REFSI.nombreDeclareActivites),
    "label": _language_map(RDFS.label),
    "comment": _language_map(RDFS.comment),
    "isDefinedBy": _reference(RDFS.isDefinedBy),
    "subClassOf": _reference(RDFS.subClassOf),
    "domain": _reference(RDFS.domain),
    "range": _reference(RDFS.range),
    "title": _language_map(DCTERMS.title),
    "description": _language_map(DCTERMS.description),
    "rights": _language_map(DCTERMS.rights),
    "name": _language_map(FOAF.name),
    "creator": _reference(DCTERMS.creator),
    "publisher": _reference(DCTERMS.publisher),
    "source": _reference(DCTERMS.source),
    "license": _reference(DCTERMS.license),
    "issued": _dated(DCTERMS.issued),
    "created": _dated(DCTERMS.created),
    "modified": _dated(DCTERMS.modified),
    "versionInfo": str(OWL.versionInfo),
    "versionIRI": _reference(OWL.versionIRI),
    "inverseOf": _reference(OWL.inverseOf),
    "disjointWith": _reference(OWL.disjointWith),
    "preferredNamespacePrefix": str(VANN.preferredNamespacePrefix),
    "preferredNamespaceUri": str(VANN.preferredNamespaceUri),
}

#: The inline JSON-LD context: prefixes (``refsid:`` and one per kind of
#: concept, e.g. ``acteur:rssi``), and short names for every property of the
#: graph. Labels and notes come as language maps (``{"fr": ..., "en":
#: ...}``), links as compact IRIs. Being inline, it needs no network.
JSONLD_CONTEXT: dict[str, Any] = _jsonld_context(DEFAULT_BASE)


def read_graph(path: Path | str) -> Graph:
    """Parse an RDF file into an rdflib graph, its syntax told by its suffix.

    Parameters
    ----------
    path : Path or str
        A Turtle, N-Triples, RDF/XML or JSON-LD file; Turtle when the suffix
        says nothing.

    Returns
    -------
    rdflib.Graph

    Raises
    ------
    InputError
        If the file is missing, not RDF, or holds blank nodes (which no
        refsi graph has, and which would make the output unstable).

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> len(read_graph(ontology_file())) > 2000
    True
    """
    graph = load_graph(path)
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        raise InputError(
            f"{path}: holds blank nodes; expected a refsi graph, where every "
            "node has an IRI"
        )
    logger.debug("read %d triples from %s", len(graph), path)
    return graph


def to_ntriples(graph: Graph) -> bytes:
    """Return *graph* as N-Triples, one triple a line, lines sorted.

    Examples
    --------
    >>> g = Graph().parse(data="<urn:b> <urn:p> 'é' . <urn:a> <urn:p> 1 .",
    ...                   format="turtle")
    >>> print(to_ntriples(g).decode(), end="")
    <urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
    <urn:b> <urn:p> "é" .
    """
    lines = sorted(set(graph.serialize(format="nt", encoding="utf-8").splitlines()))
    return b"".join(line + b"\n" for line in lines if line.strip())


def _ordered(graph: Graph, base: str) -> Graph:
    # rdflib's writers follow the store's insertion order: re-insert the
    # triples in sorted N-Triples order so that their output is stable.
    ordered = Graph()
    bind_prefixes(ordered, base)
    ordered.parse(data=to_ntriples(graph).decode("utf-8"), format="nt")
    return ordered


def _prefixes(base: str) -> dict[str, str]:
    graph = Graph(bind_namespaces="none")
    bind_prefixes(graph, base)
    return {prefix: str(namespace) for prefix, namespace in graph.namespaces()}


def to_rdfxml(graph: Graph, base: str = DEFAULT_BASE) -> bytes:
    """Return *graph* as RDF/XML, one typed element per subject.

    This is the syntax owlready2 and the OWL API read without a plugin.
    pyoxigraph writes it, because rdflib's RDF/XML writer follows the order
    of a Python set; fed sorted triples, pyoxigraph's output is stable.
    """
    triples = ox.parse(to_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
    data = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=_prefixes(base))
    assert data is not None  # None only when an output file is given
    return data


def to_jsonld(graph: Graph, base: str = DEFAULT_BASE) -> bytes:
    """Return *graph* as compacted JSON-LD with the inline `JSONLD_CONTEXT`.

    Nodes are sorted by ``@id`` and every array by value, so that the output
    does not depend on the order of a Python set.
    """
    document = from_rdf(  # type: ignore[no-untyped-call]
        _ordered(graph, base), context_data=_jsonld_context(base)
    )
    if "@graph" not in document:
        # A single node comes out flattened into the top object.
        document = {
            "@context": document.pop("@context"),
            "@graph": [document] if document else [],
        }
    document["@graph"] = sorted(
        (_sorted_arrays(node) for node in document["@graph"]),
        key=lambda node: str(node.get("@id", "")),
    )
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def _sorted_arrays(value: Any) -> Any:
    # Order carries no meaning in this graph's arrays: it has no rdf:List.
    if isinstance(value, dict):
        return {key: _sorted_arrays(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_arrays(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def _notation_key(notation: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", notation))


def _french(graph: Graph, node: URIRef, prop: URIRef = SKOS.prefLabel) -> str:
    labels = sorted(
        str(o)
        for o in graph.objects(node, prop)
        if isinstance(o, Literal) and o.language == "fr"
    )
    return labels[0] if labels else str(node)


def _notation(graph: Graph, node: URIRef) -> str:
    value = graph.value(node, SKOS.notation)
    return "" if value is None else str(value)


def _sorted_members(graph: Graph, cls: URIRef) -> list[URIRef]:
    members = {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    return sorted(members, key=lambda s: (_notation_key(_notation(graph, s)), str(s)))


def activity_actor_matrix(graph: Graph) -> tuple[list[str], list[list[str]]]:
    """Return the activity-by-actor table: French headers, then one row each.

    Rows are the activities in the publication's order, with their number,
    their process and their label; columns are the actors by section number,
    headed by their French label; a cell is ``"x"`` when the activity
    concerns the actor, empty otherwise.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> header, rows = activity_actor_matrix(read_graph(ontology_file()))
    >>> header[:3]
    ['Numéro', 'Processus', 'Activité']
    >>> header[3]
    "Responsable de la sécurité des systèmes d'information"
    >>> len(header) - 3, len(rows), rows[0][0]
    (39, 86, '1.1.1')
    """
    actors = _sorted_members(graph, REFSI.Acteur)
    header = ["Numéro", "Processus", "Activité"] + [_french(graph, a) for a in actors]
    rows = []
    for activity in _sorted_members(graph, REFSI.Activite):
        process = graph.value(activity, SKOS.broader)
        concerned = set(graph.objects(activity, REFSI.concerne))
        rows.append(
            [
                _notation(graph, activity),
                _french(graph, process) if isinstance(process, URIRef) else "",
                _french(graph, activity),
            ]
            + ["x" if actor in concerned else "" for actor in actors]
        )
    return header, rows


def to_csv(graph: Graph, delimiter: str = ";") -> bytes:
    """Return the activity-by-actor matrix as CSV, UTF-8 without a BOM.

    Parameters
    ----------
    graph : rdflib.Graph
        A refsi graph.
    delimiter : str
        ``";"`` (the default, what a French spreadsheet expects) or ``","``.

    Raises
    ------
    UsageError
        If *delimiter* is not one of `CSV_DELIMITERS`.

    Notes
    -----
    Lines end with CRLF as RFC 4180 says; a field is quoted only when it
    holds the delimiter, a quote or a line break.
    """
    if delimiter not in CSV_DELIMITERS:
        raise UsageError(
            f"CSV delimiter {delimiter!r} is not supported; expected one of "
            + ", ".join(repr(d) for d in CSV_DELIMITERS)
        )
    header, rows = activity_actor_matrix(graph)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def activity_actor_graph(graph: Graph) -> nx.Graph[str]:
    """Return the bipartite graph of activities and the actors they concern.

    Nodes are named by IRI and carry ``kind`` (``"activite"`` or
    ``"acteur"``), ``bipartite`` (0 for activities, 1 for actors, networkx's
    convention), ``notation``, ``label`` (French), ``label_en`` and
    ``category`` (the actor's class, or ``Activite``); activities also carry
    ``all_actors``, true for the one given to "Tous les métiers". Nodes and
    edges are added in a fixed order.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> g = activity_actor_graph(read_graph(ontology_file()))
    >>> g.number_of_nodes(), g.number_of_edges()
    (125, 331)
    """
    result: nx.Graph[str] = nx.Graph()
    activities = _sorted_members(graph, REFSI.Activite)
    actors = _sorted_members(graph, REFSI.Acteur)
    for activity in activities:
        flag = graph.value(activity, REFSI.concerneTousLesActeurs)
        result.add_node(
            str(activity),
            **_node_attributes(graph, activity, "activite", 0, "Activite"),
            all_actors=isinstance(flag, Literal) and flag.toPython() is True,
        )
    for actor in actors:
        categories = sorted(
            str(c).removeprefix(str(REFSI))
            for c in graph.objects(actor, RDF.type)
            if str(c).startswith(str(REFSI)) and c != REFSI.Acteur
        )
        result.add_node(
            str(actor),
            **_node_attributes(
                graph, actor, "acteur", 1, categories[0] if categories else "Acteur"
            ),
        )
    for activity in activities:
        concerned = set(graph.objects(activity, REFSI.concerne))
        for actor in actors:
            if actor in concerned:
                result.add_edge(str(activity), str(actor), relation="concerne")
    return result


def _node_attributes(
    graph: Graph, node: URIRef, kind: str, side: int, category: str
) -> dict[str, Any]:
    english = sorted(
        str(o)
        for o in graph.objects(node, SKOS.prefLabel)
        if isinstance(o, Literal) and o.language == "en"
    )
    return {
        "kind": kind,
        "bipartite": side,
        "notation": _notation(graph, node),
        "label": _french(graph, node),
        "label_en": english[0] if english else "",
        "category": category,
    }


def to_graphml(graph: Graph) -> bytes:
    """Return `activity_actor_graph` as GraphML (UTF-8 XML)."""
    buffer = io.BytesIO()
    nx.write_graphml(activity_actor_graph(graph), buffer, encoding="utf-8")
    return buffer.getvalue()


def export_graph(
    graph: Graph, fmt: str, base: str = DEFAULT_BASE, delimiter: str = ";"
) -> bytes:
    """Return *graph* in the export format *fmt*, one of `FORMATS`.

    Parameters
    ----------
    graph : rdflib.Graph
        A refsi graph.
    fmt : str
        ``ttl``, ``nt``, ``xml``, ``jsonld``, ``csv`` or ``graphml``.
    base : str
        Base IRI of the data, for the ``refsid:`` prefix.
    delimiter : str
        Field separator of the CSV.

    Raises
    ------
    UsageError
        If *fmt* or *delimiter* is unknown.

    Examples
    --------
    >>> g = Graph().parse(data="<urn:a> <urn:p> <urn:b> .", format="turtle")
    >>> export_graph(g, "nt")
    b'<urn:a> <urn:p> <urn:b> .\\n'
    """
    writers: dict[str, Callable[[], bytes]] = {
        "ttl": lambda: serialize_turtle(graph, base),
        "nt": lambda: to_ntriples(graph),
        "xml": lambda: to_rdfxml(graph, base),
        "jsonld": lambda: to_jsonld(graph, base),
        "csv": lambda: to_csv(graph, delimiter),
        "graphml": lambda: to_graphml(graph),
    }
    if fmt not in writers:
        raise UsageError(
            f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    logger.debug("exporting %d triples as %s", len(graph), fmt)
    return writers[fmt]()


def add_commands(subparsers: Any) -> None:
    """Register ``export`` on the ``refsi`` parser."""
    cmd = subparsers.add_parser(
        "export",
        help="write the graph as N-Triples, RDF/XML, JSON-LD, CSV or GraphML",
        description="Write the graph in another format: ttl (Turtle), nt "
        "(N-Triples, sorted), xml (RDF/XML, for owlready2 and Protégé), jsonld "
        "(JSON-LD with an inline context), csv (the activity-by-actor matrix) "
        "or graphml (the activity-actor bipartite graph).",
    )
    cmd.add_argument(
        "file",
        nargs="?",
        help="an RDF file (default: the committed ontology/refsi.ttl)",
    )
    cmd.add_argument(
        "-f",
        "--format",
        choices=tuple(FORMATS),
        help="output format (default: told by the suffix of --output, else ttl)",
    )
    cmd.add_argument("-o", "--output", help="where to write (default: stdout)")
    cmd.add_argument(
        "--delimiter",
        choices=CSV_DELIMITERS,
        metavar="CHAR",
        help="CSV field separator, ';' or ',' (default: ';', what a French "
        "spreadsheet expects); only with the csv format",
    )
    cmd.add_argument(
        "--base",
        default=DEFAULT_BASE,
        help=f"base IRI of the data, for the refsid: prefix (default: {DEFAULT_BASE})",
    )
    cmd.set_defaults(handler=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    fmt = args.format or _format_of(args.output)
    if args.delimiter is not None and fmt != "csv":
        if args.format:
            told = ""
        elif args.output in (None, "-"):
            told = " (the default; give -f csv)"
        else:
            told = f" (told by the suffix of {args.output!r})"
        raise UsageError(
            f"--delimiter applies to the csv format only, and the format is {fmt}"
            + told
        )
    graph = read_graph(args.file or ontology_file())
    delimiter = args.delimiter if args.delimiter is not None else ";"
    emit(export_graph(graph, fmt, args.base, delimiter), args.output)
    return 0


def _format_of(output: str | None) -> str:
    if output in (None, "-"):
        return "ttl"
    suffix = Path(output).suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise UsageError(
            f"cannot tell the format of {output!r} from its suffix; give --format "
            f"({', '.join(FORMATS)})"
        )
    return _SUFFIX_FORMATS[suffix]
