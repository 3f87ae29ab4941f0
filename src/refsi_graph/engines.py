"""Three ways to answer SPARQL: pyoxigraph, rdflib, and any SPARQL endpoint.

Every engine takes query text and gives back a :class:`QueryResult` whose
terms are normalised (:func:`refsi_graph.results.normalize_term`) but in the
engine's own order; :mod:`refsi_graph.api` sorts them.

Security: a query may hold ``SERVICE <url> { ... }``, which makes the engine
fetch data from that URL, so running someone else's query can reach any
host the machine can reach. :meth:`Engine.run` refuses such queries unless
it is called with ``allow_service=True``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib

from refsi_graph.errors import InputError, UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.queries import check_syntax, query_form, uses_service
from refsi_graph.results import QueryResult, Term, normalize_term
from refsi_graph.stats import load_store

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINE_NAMES",
    "EndpointEngine",
    "Engine",
    "OxigraphEngine",
    "RdflibEngine",
    "open_engine",
    "push_graph",
]

logger = logging.getLogger(__name__)

ENGINE_NAMES = ("oxigraph", "rdflib")
DEFAULT_TIMEOUT = 30.0

_SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_TRIPLE_VARIABLES = ("subject", "predicate", "object")
_RDFLIB_FORMATS = {
    ".nt": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".n3": "n3",
    ".trig": "trig",
    ".nq": "nquads",
}


class Engine(ABC):
    """Something that answers SPARQL 1.1 queries.

    Attributes
    ----------
    name : str
        ``oxigraph``, ``rdflib``, or the endpoint's URL.
    """

    name: str

    def run(self, text: str, *, allow_service: bool = False) -> QueryResult:
        """Answer one query.

        Parameters
        ----------
        text : str
            A SPARQL 1.1 query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or
            ``DESCRIBE`` (the last two give rows of subject, predicate and
            object).
        allow_service : bool
            Let ``SERVICE`` clauses run. Security: they make the engine
            (or, for an endpoint, the server) send requests to the URLs the
            query names; leave this False for queries you did not write.

        Returns
        -------
        QueryResult
            Normalised terms in the engine's order.

        Raises
        ------
        UsageError
            If the query holds ``SERVICE`` and *allow_service* is False.
        QuerySyntaxError
            If the query does not parse.
        InputError
            If the engine fails, or the endpoint is down, too slow or
            answers with an error.
        """
        if not allow_service and uses_service(text):
            raise UsageError(
                "the query holds a SERVICE clause, which would send requests to "
                "another host; pass allow_service=True (--allow-service) to run it"
            )
        check_syntax(text)
        logger.debug("running a %s query on %s", query_form(text), self.name)
        return self._run(text)

    @abstractmethod
    def _run(self, text: str) -> QueryResult:
        """Answer a query already checked."""


class OxigraphEngine(Engine):
    """Answer queries in-process with pyoxigraph, refsi's default engine.

    Parameters
    ----------
    store : pyoxigraph.Store
        The graph to query.

    Examples
    --------
    >>> engine = OxigraphEngine.from_file()
    >>> engine.run("ASK { ?a a <https://w3id.org/refsi/ontologie#Activite> }").boolean
    True
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path | str | None = None) -> OxigraphEngine:
        """Load an RDF file (default: the bundled graph) into a new store."""
        return cls(load_store(path or ontology_file()))

    def _run(self, text: str) -> QueryResult:
        try:
            answer = self.store.query(text)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult((), [], bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                variables = tuple(v.value for v in answer.variables)
                rows = [
                    tuple(
                        normalize_term(_oxigraph_term(s[i]))
                        for i in range(len(variables))
                    )
                    for s in answer
                ]
                return QueryResult(variables, rows)
            return _triples_result(answer)
        except OSError as err:
            raise InputError(f"oxigraph could not answer the query: {err}") from err


class RdflibEngine(Engine):
    """Answer queries with rdflib's own SPARQL engine.

    Parameters
    ----------
    graph : rdflib.Graph
        The graph to query.
    """

    name = "rdflib"

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph

    @classmethod
    def from_file(cls, path: Path | str | None = None) -> RdflibEngine:
        """Parse an RDF file (default: the bundled graph) into a new graph.

        Raises
        ------
        InputError
            If the file is missing or does not parse.
        """
        path = Path(path or ontology_file())
        fmt = _RDFLIB_FORMATS.get(path.suffix.lower(), "turtle")
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            graph = rdflib.Graph().parse(path, format=fmt)
        except Exception as err:  # rdflib's parsers raise many unrelated types
            raise InputError(f"{path}: not valid {fmt}: {err}") from err
        logger.debug("rdflib parsed %d triples from %s", len(graph), path)
        return cls(graph)

    def _run(self, text: str) -> QueryResult:
        try:
            answer = self.graph.query(text)
        except Exception as err:  # rdflib raises bare Exceptions for some faults
            raise InputError(f"rdflib could not answer the query: {err}") from err
        if answer.type == "ASK":
            return QueryResult((), [], bool(answer.askAnswer))
        if answer.type == "SELECT":
            variables = tuple(str(v) for v in answer.vars or ())
            rows = [
                tuple(normalize_term(_rdflib_term(value)) for value in row)  # type: ignore[union-attr]
                for row in answer
            ]
            return QueryResult(variables, rows)
        assert answer.graph is not None
        return QueryResult(
            _TRIPLE_VARIABLES,
            [
                tuple(normalize_term(_rdflib_term(t)) for t in triple)
                for triple in answer.graph
            ],
        )


class EndpointEngine(Engine):
    """Answer queries through a SPARQL 1.1 Protocol endpoint.

    Parameters
    ----------
    url : str
        The query endpoint, e.g. ``http://127.0.0.1:7878/query`` for an
        Oxigraph server or ``http://host:3030/ds/sparql`` for Fuseki.
    timeout : float
        Seconds to wait for the server to connect and to answer.

    Notes
    -----
    Queries are sent by POST as ``application/x-www-form-urlencoded``, the
    form every SPARQL 1.1 server accepts; results are read as SPARQL JSON
    (or XML) results, graphs as N-Triples, Turtle or RDF/XML.
    """

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"endpoint {url!r} is not an http:// or https:// URL")
        self.name = self.url = url
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        """Close the HTTP connections kept open."""
        self._client.close()

    def _run(self, text: str) -> QueryResult:
        form = query_form(text)
        accept = _SELECT_ACCEPT if form in ("SELECT", "ASK") else _GRAPH_ACCEPT
        response = _send(
            self._client,
            "POST",
            self.url,
            self.timeout,
            data={"query": text},
            headers={"Accept": accept},
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        try:
            if form in ("SELECT", "ASK"):
                results_format = ox.QueryResultsFormat.from_media_type(media)
                if results_format is None:
                    raise InputError(
                        f"{self.url} answered in {media or 'an unnamed format'}; "
                        "expected SPARQL JSON or XML results"
                    )
                answer = ox.parse_query_results(response.content, results_format)
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult((), [], bool(answer))
                variables = tuple(v.value for v in answer.variables)
                rows = [
                    tuple(
                        normalize_term(_oxigraph_term(s[i]))
                        for i in range(len(variables))
                    )
                    for s in answer
                ]
                return QueryResult(variables, rows)
            rdf_format = ox.RdfFormat.from_media_type(media)
            if rdf_format is None:
                raise InputError(
                    f"{self.url} answered in {media or 'an unnamed format'}; expected "
                    "N-Triples, Turtle or RDF/XML"
                )
            triples = [q.triple for q in ox.parse(response.content, rdf_format)]
            return _triples_result(triples)
        except SyntaxError as err:
            raise InputError(
                f"{self.url} sent results that do not parse: {err}"
            ) from err


def open_engine(
    spec: str | None = None,
    data: Path | str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Engine:
    """Return the engine *spec* names, loaded with *data*.

    Parameters
    ----------
    spec : str, optional
        ``oxigraph`` (the default), ``rdflib``, or the URL of a SPARQL
        endpoint.
    data : Path or str, optional
        The RDF file the in-process engines load (default: the bundled
        graph). An endpoint holds its own data, so it takes none.
    timeout : float
        Seconds an endpoint has to answer.

    Raises
    ------
    UsageError
        If *spec* is none of these, or *data* is given with an endpoint.
    InputError
        If *data* cannot be loaded.

    Examples
    --------
    >>> open_engine("rdflib").name
    'rdflib'
    """
    spec = spec or "oxigraph"
    if spec.startswith(("http://", "https://")):
        if data is not None:
            raise UsageError(
                "an endpoint holds its own data; load a file into it with "
                "'refsi push URL FILE' instead of giving --data"
            )
        return EndpointEngine(spec, timeout)
    if spec == "oxigraph":
        return OxigraphEngine.from_file(data)
    if spec == "rdflib":
        return RdflibEngine.from_file(data)
    raise UsageError(
        f"unknown engine {spec!r}; expected oxigraph, rdflib or an endpoint's "
        "http:// or https:// URL"
    )


def push_graph(
    url: str,
    data: Path | str | None = None,
    *,
    graph: str | None = None,
    replace: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """Load an RDF file into a store by the SPARQL 1.1 Graph Store Protocol.

    Parameters
    ----------
    url : str
        The Graph Store endpoint, e.g. ``http://127.0.0.1:7878/store`` for
        an Oxigraph server or ``http://host:3030/ds/data`` for Fuseki.
    data : Path or str, optional
        The graph to send (default: the bundled ``ontology/refsi.ttl``).
    graph : str, optional
        The IRI of the named graph to fill; the default graph when None.
    replace : bool
        Replace what the graph holds (HTTP PUT), or add to it (POST).
    timeout : float
        Seconds the server has to take the data.

    Returns
    -------
    int
        The number of triples sent.

    Raises
    ------
    InputError
        If the file cannot be read, or the server is down, too slow, or
        refuses the data.
    """
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"store {url!r} is not an http:// or https:// URL")
    store = load_store(data or ontology_file())
    body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert body is not None
    params = {"graph": graph} if graph else {"default": ""}
    with httpx.Client(timeout=timeout) as client:
        _send(
            client,
            "PUT" if replace else "POST",
            url,
            timeout,
            params=params,
            content=body,
            headers={"Content-Type": "application/n-triples"},
        )
    logger.info("pushed %d triples to %s", len(store), url)
    return len(store)


def _send(
    client: httpx.Client, method: str, url: str, timeout: float, **kwargs: object
) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.TimeoutException as err:
        raise InputError(f"{url}: no answer within {timeout:g} s (timeout)") from err
    except httpx.ConnectError as err:
        raise InputError(
            f"{url}: cannot connect ({err}); is the server running?"
        ) from err
    except httpx.HTTPError as err:
        raise InputError(f"{url}: request failed: {err}") from err
    if response.status_code >= 400:
        detail = " ".join(response.text.split())[:300]
        raise InputError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase}"
            + (f": {detail}" if detail else "")
        )
    return response


def _oxigraph_term(term: object) -> Term | None:
    if term is None or isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise InputError(f"refsi cannot show an RDF-star triple term ({term})")


def _rdflib_term(term: object) -> Term | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language.lower())
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"refsi cannot show an rdflib {type(term).__name__}")


def _triples_result(triples: object) -> QueryResult:
    rows = []
    for triple in triples:  # type: ignore[attr-defined]
        rows.append(
            tuple(
                normalize_term(_oxigraph_term(t))
                for t in (triple.subject, triple.predicate, triple.object)
            )
        )
    return QueryResult(_TRIPLE_VARIABLES, rows)
