"""The namespaces of refsi, defined once."""

from __future__ import annotations

from urllib.parse import urlsplit

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from refsi_graph.errors import UsageError

__all__ = [
    "DEFAULT_BASE",
    "DCAT",
    "FOAF",
    "ONTOLOGY_IRI",
    "ORG",
    "REFSI",
    "VANN",
    "VOID",
    "bind_prefixes",
    "check_base",
    "data_namespace",
]

ONTOLOGY_IRI = "https://w3id.org/refsi/ontologie"
REFSI = Namespace(ONTOLOGY_IRI + "#")
DEFAULT_BASE = "https://w3id.org/refsi/id/"
_NOT_IN_IRI = set('<>"{}|\\^`')

ORG = Namespace("http://www.w3.org/ns/org#")
VANN = Namespace("http://purl.org/vocab/vann/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")


def check_base(base: str) -> str:
    """Return *base* if it can prefix data IRIs, else raise UsageError.

    Examples
    --------
    >>> check_base("https://si.example.fr/refsi/")
    'https://si.example.fr/refsi/'
    """
    parsed = urlsplit(base)
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or not base.endswith(("/", "#"))
        or any(c in _NOT_IN_IRI or c.isspace() for c in base)
    ):
        raise UsageError(
            f"base IRI {base!r} is not usable; expected an absolute http(s) IRI "
            "ending with '/' or '#', such as https://si.example.fr/refsi/"
        )
    return base


def data_namespace(base: str = DEFAULT_BASE) -> Namespace:
    """Return the namespace of the data IRIs under *base* (ends with '/')."""
    return Namespace(base if base.endswith(("/", "#")) else base + "/")


def bind_prefixes(graph: Graph, base: str = DEFAULT_BASE) -> None:
    """Bind the prefixes refsi's files use, replacing rdflib's defaults."""
    for prefix, namespace in (
        ("refsi", REFSI),
        ("refsid", data_namespace(base)),
        ("skos", SKOS),
        ("owl", OWL),
        ("rdf", RDF),
        ("rdfs", RDFS),
        ("xsd", XSD),
        ("dct", DCTERMS),
        ("org", ORG),
        ("vann", VANN),
        ("foaf", FOAF),
    ):
        graph.bind(prefix, namespace, override=True, replace=True)
