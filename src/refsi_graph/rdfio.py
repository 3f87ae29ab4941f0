"""Loading RDF files the same way in every command, with clear errors.

Every command that takes an RDF file goes through here, so that the format
follows the suffix everywhere, a broken file is refused everywhere with its
line and column, and a file that holds no refsi graph is named as such.
"""

from __future__ import annotations

import logging
import xml.parsers.expat
from pathlib import Path

import pyoxigraph as ox
import rdflib

from refsi_graph.errors import InputError
from refsi_graph.namespaces import REFSI

__all__ = [
    "RDF_SUFFIXES",
    "load_graph",
    "load_store",
    "rdf_format",
    "require_refsi",
    "to_oxigraph",
]

logger = logging.getLogger(__name__)

#: File suffixes and the RDF syntax each names; any other suffix is Turtle.
RDF_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}

_NAMES = {
    ox.RdfFormat.TURTLE: "Turtle",
    ox.RdfFormat.N_TRIPLES: "N-Triples",
    ox.RdfFormat.RDF_XML: "RDF/XML",
    ox.RdfFormat.JSON_LD: "JSON-LD",
    ox.RdfFormat.N_QUADS: "N-Quads",
    ox.RdfFormat.TRIG: "TriG",
}


def rdf_format(path: Path | str) -> ox.RdfFormat:
    """Return the RDF syntax that *path*'s suffix names (Turtle by default).

    Examples
    --------
    >>> rdf_format("refsi.rdf") == ox.RdfFormat.RDF_XML
    True
    """
    return RDF_SUFFIXES.get(Path(path).suffix.lower(), ox.RdfFormat.TURTLE)


def load_store(path: Path | str) -> ox.Store:
    """Load an RDF file into an in-memory pyoxigraph store.

    Parameters
    ----------
    path : Path or str
        A Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG file; the
        suffix tells which (Turtle when it says nothing).

    Returns
    -------
    pyoxigraph.Store

    Raises
    ------
    InputError
        If the path is empty, the file is missing, or it does not parse; the
        message gives the parser's line and column.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> len(load_store(ontology_file())) > 2000
    True
    """
    if str(path) == "":
        raise InputError("an empty path was given; expected an RDF file")
    path = Path(path)
    fmt = rdf_format(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected an RDF file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml(path)
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except SyntaxError as err:
        raise InputError(f"{path}: not valid {_NAMES[fmt]}: {err}") from err
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot be loaded: {err}") from err
    logger.debug("loaded %d triples from %s", len(store), path)
    return store


def load_graph(path: Path | str) -> rdflib.Graph:
    """Load an RDF file into an rdflib graph, through :func:`load_store`.

    pyoxigraph parses, so the errors and the accepted syntaxes are the same
    as for every other command.
    """
    store = load_store(path)
    data = store.dump(format=ox.RdfFormat.N_QUADS, from_graph=ox.DefaultGraph())
    graph = rdflib.Graph()
    graph.parse(data=data or b"", format="nt")
    return graph


def require_refsi(store: ox.Store, path: Path | str | None = None) -> None:
    """Raise InputError unless *store* holds refsi concepts."""
    query = f"ASK {{ ?c a ?k VALUES ?k {{ <{REFSI.Activite}> <{REFSI.Acteur}> }} }}"
    if not store.query(query):
        where = str(path) if path is not None else "the graph"
        raise InputError(
            f"{where}: holds no refsi concept; expected a graph built by refsi "
            "build (refsi:Activite, refsi:Acteur …)"
        )


def to_oxigraph(
    term: rdflib.term.Identifier,
) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Return the pyoxigraph term equal to an rdflib IRI, blank node or literal.

    Raises
    ------
    TypeError
        For any other rdflib node (a variable, a quoted graph).

    Examples
    --------
    >>> to_oxigraph(rdflib.Literal("Cadre", lang="fr"))
    <Literal value=Cadre language=fr>
    """
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"an rdflib {type(term).__name__}")


def _check_xml(path: Path) -> None:
    # pyoxigraph's RDF/XML parser accepts a file cut off before its closing
    # tags; expat does not, and names the line.
    parser = xml.parsers.expat.ParserCreate()
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except xml.parsers.expat.ExpatError as err:
        raise InputError(
            f"{path}:{err.lineno}: not well-formed XML at column {err.offset + 1}: "
            f"{xml.parsers.expat.ErrorString(err.code)}; expected RDF/XML"
        ) from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read: {err.strerror}") from err
