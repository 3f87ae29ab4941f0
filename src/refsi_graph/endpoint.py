"""A read-only SPARQL query service with a time limit and a result limit.

pyoxigraph cannot interrupt a query once it runs, so each query runs in a
worker *process* that holds its own copy of the graph; a query still running
when its time is up has its worker killed, and a fresh worker takes its place.
Results are cut at a maximum number of rows (or triples), and the answer says
so in a header.

Caution: a SPARQL ``SERVICE`` clause would make pyoxigraph send HTTP requests
to any host named in the query. This service refuses every query that holds
one: the word ``SERVICE`` outside strings, IRIs and comments, as
:func:`refsi_graph.queries.uses_service` finds it, or anywhere SPARQL's own
parser reads it as a keyword (see :func:`holds_service`). The word inside a
string or a comment (``"service desk"``) is allowed.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from refsi_graph.negotiation import (
    RDF_FORMATS,
    AcceptError,
    Format,
    choose,
    format_by_name,
    parse_accept,
)
from refsi_graph.queries import holds_service, masked_syntax_error

__all__ = [
    "RESULT_FORMATS",
    "QueryAnswer",
    "QueryRunner",
    "execute_query",
]

logger = logging.getLogger(__name__)

JSON = Format("json", "srj", "application/sparql-results+json", ("application/json",))
XML = Format(
    "xml", "srx", "application/sparql-results+xml", ("application/xml", "text/xml")
)
CSV = Format("csv", "csv", "text/csv")
TSV = Format("tsv", "tsv", "text/tab-separated-values")

#: The formats of SELECT and ASK results, in the order of preference.
RESULT_FORMATS = (JSON, XML, CSV, TSV)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_OX_RDF = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_OX_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


@dataclass(frozen=True)
class QueryAnswer:
    """What the endpoint answers to one query.

    Attributes
    ----------
    status : int
        The HTTP status: 200, or 400 (bad query), 406 (no acceptable format),
        503 (time limit reached or no worker free).
    media_type : str
        The ``Content-Type`` of *body*.
    body : bytes
        The results, or a plain-text message for an error.
    truncated : bool
        True when the results were cut at the result limit.
    """

    status: int
    media_type: str
    body: bytes
    truncated: bool = False


def _error(status: int, message: str) -> QueryAnswer:
    return QueryAnswer(status, "text/plain; charset=utf-8", (message + "\n").encode())


def execute_query(
    store: ox.Store,
    query: str,
    accept: str | None = None,
    format_name: str | None = None,
    max_results: int = 10_000,
) -> QueryAnswer:
    """Run one query on *store* in this process and serialise its results.

    This function has no time limit; :class:`QueryRunner` gives it one.

    Parameters
    ----------
    store : pyoxigraph.Store
        The graph.
    query : str
        A SPARQL 1.1 query (not an update).
    accept : str, optional
        The request's ``Accept`` header.
    format_name : str, optional
        A ``format`` or ``output`` parameter (``json``, ``xml``, ``csv``,
        ``tsv``, or an RDF format for CONSTRUCT), which wins over *accept*.
    max_results : int, default 10000
        Rows (or triples) beyond this number are left out.

    Returns
    -------
    QueryAnswer
        The answer, or an error answer for a bad query.

    Examples
    --------
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://a.example/s"),
    ...                   ox.NamedNode("http://a.example/p"), ox.Literal("o")))
    >>> answer = execute_query(store, "SELECT ?o { ?s ?p ?o }", "text/csv")
    >>> answer.status, answer.media_type, answer.body
    (200, 'text/csv; charset=utf-8', b'o\\r\\no\\r\\n')
    """
    if not query.strip():
        return _error(400, "the query is empty; expected a SPARQL 1.1 query")
    if not format_name:
        try:
            parse_accept(accept)
        except AcceptError as err:
            return _error(400, str(err))
    service = holds_service(query)
    if service:
        return _error(
            400,
            "SERVICE (federated query) is refused: this endpoint queries its own "
            "graph only",
        )
    if service is None:
        # Not run: the parser's message on the masked text, at the same place.
        return _error(
            400,
            "the query is not valid SPARQL 1.1 (updates are refused): "
            f"{masked_syntax_error(query)}",
        )
    try:
        result = store.query(query)
    except SyntaxError as err:
        return _error(
            400, f"the query is not valid SPARQL 1.1 (updates are refused): {err}"
        )
    try:
        if isinstance(result, ox.QuerySolutions):
            return _select(result, accept, format_name, max_results)
        if isinstance(result, ox.QueryBoolean):
            return _ask(result, accept, format_name)
        return _graph(result, accept, format_name, max_results)
    except (OSError, ValueError, RuntimeError) as err:
        return _error(400, f"the query failed: {err}")


def _negotiate(
    offers: tuple[Format, ...], accept: str | None, format_name: str | None
) -> tuple[Format, str] | QueryAnswer:
    if format_name:
        found = format_by_name(format_name, offers)
        if found is None:
            names = ", ".join(o.key for o in offers)
            return _error(
                400, f"format {format_name!r} is not offered; expected one of {names}"
            )
        return found, found.media_type
    chosen = choose(accept, offers)
    if chosen is None:
        types = ", ".join(o.media_type for o in offers)
        return _error(
            406,
            f"none of the types accepted ({accept}) is offered; "
            f"this query's results come as {types}",
        )
    return chosen


def _select(
    result: ox.QuerySolutions, accept: str | None, name: str | None, limit: int
) -> QueryAnswer:
    chosen = _negotiate(RESULT_FORMATS, accept, name)
    if isinstance(chosen, QueryAnswer):
        return chosen
    fmt, media_type = chosen
    variables = [v.value for v in result.variables]
    rows: list[list[Any]] = []
    truncated = False
    for solution in result:
        if len(rows) == limit:
            truncated = True
            break
        rows.append([solution[v] for v in variables])
    if fmt.key == TSV.key:
        body = _write_tsv(variables, rows)
    else:
        body = _rdflib_results(variables, rows, fmt.key)
    return QueryAnswer(200, media_type + "; charset=utf-8", body, truncated)


def _ask(result: ox.QueryBoolean, accept: str | None, name: str | None) -> QueryAnswer:
    chosen = _negotiate((JSON, XML), accept, name)
    if isinstance(chosen, QueryAnswer):
        return chosen
    fmt, media_type = chosen
    body = result.serialize(format=_OX_RESULTS[fmt.key])
    assert body is not None
    return QueryAnswer(200, media_type + "; charset=utf-8", body)


def _graph(
    result: ox.QueryTriples, accept: str | None, name: str | None, limit: int
) -> QueryAnswer:
    chosen = _negotiate(RDF_FORMATS, accept, name)
    if isinstance(chosen, QueryAnswer):
        return chosen
    fmt, media_type = chosen
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == limit:
            truncated = True
            break
        triples.append(triple)
    body = ox.serialize(triples, format=_OX_RDF[fmt.key])
    assert body is not None
    return QueryAnswer(200, media_type + "; charset=utf-8", body, truncated)


def _rdflib_results(variables: list[str], rows: list[list[Any]], key: str) -> bytes:
    # rdflib's serialisers are well tested; pyoxigraph's cannot stop at a limit.
    from rdflib import BNode, Literal, URIRef, Variable
    from rdflib.query import Result

    def convert(term: Any) -> Any:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            if term.datatype.value in (_XSD_STRING, _RDF_LANG_STRING):
                return Literal(term.value)
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        return Literal(str(term))

    names = [Variable(v) for v in variables]
    result = Result("SELECT")
    result.vars = names
    result.bindings = [
        {n: convert(t) for n, t in zip(names, row, strict=True) if t is not None}
        for row in rows
    ]
    data = result.serialize(format=key)
    assert isinstance(data, bytes)
    return data


def _tsv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        escaped = (
            term.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{escaped}"@{term.language}'
        if term.datatype.value == _XSD_STRING:
            return f'"{escaped}"'
        return f'"{escaped}"^^<{term.datatype.value}>'
    return str(term)


def _write_tsv(variables: list[str], rows: list[list[Any]]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- worker processes ----------------------------------------------------------


def _worker_main(conn: Connection, ntriples: bytes, max_results: int) -> None:
    """Serve queries received on *conn* until the parent closes it."""
    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    conn.send("ready")
    while True:
        try:
            query, accept, format_name = conn.recv()
        except (EOFError, OSError):
            return
        answer = execute_query(store, query, accept, format_name, max_results)
        conn.send(answer)


class _Worker:
    def __init__(self, ntriples: bytes, max_results: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, ntriples, max_results),
            name="refsi-sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # killed while starting (the pool closed)
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryRunner:
    """A pool of worker processes that run queries under a time limit.

    Parameters
    ----------
    store : pyoxigraph.Store
        The graph; each worker gets a copy.
    workers : int, default 2
        How many queries can run at once.
    timeout : float, default 10.0
        Seconds a query may run before its worker is killed.
    max_results : int, default 10000
        Rows or triples beyond this number are left out.

    Notes
    -----
    A worker starts a Python interpreter and loads the graph (under a second
    for refsi's graph); the pool starts one more whenever a query is stopped.
    Call :meth:`close` to stop the workers.
    """

    def __init__(
        self,
        store: ox.Store,
        *,
        workers: int = 2,
        timeout: float = 10.0,
        max_results: int = 10_000,
    ) -> None:
        self.timeout = timeout
        self.max_results = max_results
        self._ntriples = (
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            or b""
        )
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(max(1, workers))]
        for worker in started:
            if not worker.wait_ready(60):
                raise RuntimeError("a SPARQL worker process did not start")
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self._ntriples, self.max_results)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        fresh = self._start()
        ready = fresh.wait_ready(60)
        if self._closed:
            # close() ran meanwhile, and may not have seen this worker.
            fresh.kill()
        elif ready:
            self._idle.put(fresh)
        else:
            logger.error("a replacement SPARQL worker did not start")

    def run(
        self, query: str, accept: str | None = None, format_name: str | None = None
    ) -> QueryAnswer:
        """Run *query* in a worker, and stop it when the time limit is reached.

        Parameters
        ----------
        query : str
            A SPARQL 1.1 query.
        accept : str, optional
            The request's ``Accept`` header.
        format_name : str, optional
            An explicit result format (see :func:`execute_query`).

        Returns
        -------
        QueryAnswer
            The answer; status 503 when the query ran out of time or every
            worker stayed busy for the whole time limit.
        """
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return _error(503, "every query worker is busy; try again later")
        try:
            worker.conn.send((query, accept, format_name))
            if worker.conn.poll(self.timeout):
                answer: QueryAnswer = worker.conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            logger.warning("a SPARQL worker died", exc_info=True)
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return _error(500, "the query worker failed; the query was not answered")
        logger.warning("stopping a query that ran over %.1f s", self.timeout)
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return _error(
            503,
            f"the query ran longer than the time limit of {self.timeout:g} s and "
            "was stopped; narrow it down or add a LIMIT",
        )

    def close(self) -> None:
        """Stop every worker process."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
