"""Three ways to answer SPARQL: pyoxigraph, rdflib, and any SPARQL endpoint.

Every engine takes query text and gives back a :class:`QueryResult` whose
terms are normalised (:func:`refsi_graph.results.normalize_term`) but in the
engine's own order; :mod:`refsi_graph.api` sorts them.

Limits: an endpoint has *timeout* seconds to answer. An in-process engine
given a *timeout* runs each query in a child process, killed when the time
is up (pyoxigraph cannot stop a query in its own thread); without one, the
query runs in this process for as long as it takes. ``max_rows`` stops
reading the results after that many rows, so that a huge answer cannot fill
the memory; :attr:`QueryResult.truncated` then says so, as it does when an
endpoint cut the results itself.

Security: a query may hold ``SERVICE <url> { ... }``, which makes the engine
fetch data from that URL, so running someone else's query can reach any
host the machine can reach. :meth:`Engine.run` refuses such queries unless
it is called with ``allow_service=True``.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

import httpx
import pyoxigraph as ox
import rdflib

from refsi_graph.errors import InputError, RefsiError, UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.queries import check_syntax, holds_service, query_form
from refsi_graph.rdfio import load_graph, load_store, to_oxigraph
from refsi_graph.results import QueryResult, Term, normalize_term

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINE_NAMES",
    "EndpointEngine",
    "Engine",
    "OxigraphEngine",
    "QueryTimeoutError",
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
# Response headers by which an endpoint says it cut the results: refsi's own
# server, and Virtuoso's ResultSetMaxRows.
_TRUNCATION_HEADERS = ("X-Refsi-Truncated", "X-SPARQL-MaxRows")
# Seconds a child process has to start and load the graph before the time
# limit of its first query starts to run.
_CHILD_START_LIMIT = 120.0

Row = tuple[Term | None, ...]
T = TypeVar("T")


class QueryTimeoutError(InputError):
    """A query ran past the engine's time limit and was stopped."""


class Engine(ABC):
    """Something that answers SPARQL 1.1 queries.

    Attributes
    ----------
    name : str
        ``oxigraph``, ``rdflib``, or the endpoint's URL.
    """

    name: str
    timeout: float | None = None

    def run(
        self, text: str, *, allow_service: bool = False, max_rows: int | None = None
    ) -> QueryResult:
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
        max_rows : int, optional
            Stop reading the results after this many rows (or triples); the
            result's ``truncated`` note then says so, and a warning is
            logged. None reads them all.

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
        QueryTimeoutError
            If the query ran longer than the engine's *timeout* (an
            in-process engine's child process is then killed).
        InputError
            If the engine fails, or the endpoint is down, too slow or
            answers with an error.
        """
        if max_rows is not None and max_rows < 1:
            raise UsageError(f"max_rows {max_rows!r}: expected a positive number")
        # holds_service also catches a SERVICE glued to the token before it
        # ("?o.SERVICE"), which the scanner alone reads as one word.
        if not allow_service and holds_service(text):
            raise UsageError(
                "the query holds a SERVICE clause, which would send requests to "
                "another host; pass allow_service=True (--allow-service) to run it"
            )
        check_syntax(text)
        logger.debug("running a %s query on %s", query_form(text), self.name)
        result = self._run(text, max_rows)
        if result.truncated:
            logger.warning("%s", result.truncated)
        return result

    def close(self) -> None:  # noqa: B027 (most engines hold nothing to free)
        """Free what the engine holds open (connections, a child process)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _run(self, text: str, max_rows: int | None) -> QueryResult:
        """Answer a query already checked."""


class _LocalEngine(Engine):
    """An engine holding its graph in memory, with an optional time limit.

    With a *timeout*, queries run in a child process started on first use
    (``spawn``, so that no lock of this process is inherited) with a copy of
    the graph; the child is killed when a query outlasts the limit, and the
    next query starts a new one.
    """

    def __init__(self, timeout: float | None = None) -> None:
        if timeout is not None and not timeout > 0:
            raise UsageError(f"timeout {timeout!r}: expected a positive number")
        self.timeout = timeout
        self._child: _Child | None = None

    def close(self) -> None:
        """Stop the child process, if one runs."""
        if self._child is not None:
            self._child.kill()
            self._child = None

    def _run(self, text: str, max_rows: int | None) -> QueryResult:
        if self.timeout is None:
            return self._answer(text, max_rows)
        return self._run_in_child(text, max_rows, self.timeout)

    def _run_in_child(
        self, text: str, max_rows: int | None, limit: float
    ) -> QueryResult:
        if self._child is None:
            kind, payload = self._payload()
            child = _Child(kind, payload)
            if not child.wait_ready(_CHILD_START_LIMIT):
                reason = child.failure() or "it did not start"
                child.kill()
                raise InputError(f"{self.name}: the query process failed: {reason}")
            self._child = child
        child = self._child
        try:
            child.conn.send((text, max_rows))
            answered = child.conn.poll(limit)
            reply = child.conn.recv() if answered else None
        except (EOFError, OSError) as err:
            self.close()
            raise InputError(
                f"{self.name}: the query process died before answering "
                f"(exit status {child.process.exitcode})"
            ) from err
        except BaseException:
            self.close()  # an interrupt must not leave the query running
            raise
        if reply is None:
            self.close()
            raise QueryTimeoutError(
                f"the query ran longer than {limit:g} s and was stopped; narrow "
                "it down, add a LIMIT, or give a longer --timeout"
            )
        status, value = reply
        if status == "error":
            raise InputError(str(value))
        assert isinstance(value, QueryResult)
        return value

    @abstractmethod
    def _answer(self, text: str, max_rows: int | None) -> QueryResult:
        """Answer a query in this process."""

    @abstractmethod
    def _payload(self) -> tuple[str, bytes]:
        """Return the engine's kind and its graph as bytes, for a child."""


class OxigraphEngine(_LocalEngine):
    """Answer queries in-process with pyoxigraph, refsi's default engine.

    Parameters
    ----------
    store : pyoxigraph.Store
        The graph to query.
    timeout : float, optional
        Seconds a query may run; with it, queries run in a child process
        that is killed at the limit. None: no limit.

    Examples
    --------
    >>> engine = OxigraphEngine.from_file()
    >>> engine.run("ASK { ?a a <https://w3id.org/refsi/ontologie#Activite> }").boolean
    True
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store, *, timeout: float | None = None) -> None:
        super().__init__(timeout)
        self.store = store

    @classmethod
    def from_file(
        cls, path: Path | str | None = None, *, timeout: float | None = None
    ) -> OxigraphEngine:
        """Load an RDF file (default: the bundled graph) into a new store."""
        return cls(load_store(path or ontology_file()), timeout=timeout)

    def _answer(self, text: str, max_rows: int | None) -> QueryResult:
        try:
            answer = self.store.query(text)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult((), [], bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                return _solutions_result(answer, max_rows, self.name)
            return _triples_result(answer, max_rows, self.name)
        except OSError as err:
            raise InputError(f"oxigraph could not answer the query: {err}") from err

    def _payload(self) -> tuple[str, bytes]:
        return "oxigraph", self.store.dump(format=ox.RdfFormat.N_QUADS) or b""


class RdflibEngine(_LocalEngine):
    """Answer queries with rdflib's own SPARQL engine.

    Parameters
    ----------
    graph : rdflib.Graph
        The graph to query.
    timeout : float, optional
        Seconds a query may run; with it, queries run in a child process
        that is killed at the limit. None: no limit.
    """

    name = "rdflib"

    def __init__(self, graph: rdflib.Graph, *, timeout: float | None = None) -> None:
        super().__init__(timeout)
        self.graph = graph

    @classmethod
    def from_file(
        cls, path: Path | str | None = None, *, timeout: float | None = None
    ) -> RdflibEngine:
        """Parse an RDF file (default: the bundled graph) into a new graph.

        Raises
        ------
        InputError
            If the file is missing or does not parse.
        """
        graph = load_graph(path or ontology_file())
        logger.debug("rdflib holds %d triples", len(graph))
        return cls(graph, timeout=timeout)

    def _answer(self, text: str, max_rows: int | None) -> QueryResult:
        try:
            answer = self.graph.query(text)
            if answer.type == "ASK":
                return QueryResult((), [], bool(answer.askAnswer))
            if answer.type == "SELECT":
                variables = tuple(str(v) for v in answer.vars or ())
                rows, note = _take(
                    answer,
                    max_rows,
                    lambda row: tuple(
                        normalize_term(_rdflib_term(value))
                        for value in row  # type: ignore[union-attr]
                    ),
                    self.name,
                )
                return QueryResult(variables, rows, truncated=note)
            assert answer.graph is not None
            rows, note = _take(
                answer.graph,
                max_rows,
                lambda triple: tuple(normalize_term(_rdflib_term(t)) for t in triple),
                self.name,
            )
            return QueryResult(_TRIPLE_VARIABLES, rows, truncated=note)
        except RefsiError:
            raise
        except Exception as err:  # rdflib raises bare Exceptions for some faults
            raise InputError(f"rdflib could not answer the query: {err}") from err

    def _payload(self) -> tuple[str, bytes]:
        return "rdflib", self.graph.serialize(format="nt", encoding="utf-8")


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
    (or XML) results, graphs as N-Triples, Turtle or RDF/XML. An answer the
    server says it cut (the ``X-Refsi-Truncated`` header of ``refsi
    serve``, or Virtuoso's ``X-SPARQL-MaxRows``) gets a ``truncated`` note
    and a logged warning.
    """

    timeout: float

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"endpoint {url!r} is not an http:// or https:// URL")
        self.name = self.url = url
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        """Close the HTTP connections kept open."""
        self._client.close()

    def _run(self, text: str, max_rows: int | None) -> QueryResult:
        form = query_form(text)
        accept = _SELECT_ACCEPT if form in ("SELECT", "ASK") else _GRAPH_ACCEPT
        response = _send(
            self._client,
            "POST",
            self.url,
            self.timeout,
            data={"query": text},
            headers={"Accept": accept},
            stream=True,
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        try:
            # The body is parsed as it comes, so that max_rows stops the
            # download too, not only the reading.
            body = io.BufferedReader(_ChunkStream(response.iter_bytes()))
            result = self._parse(body, form, media, max_rows)
        except httpx.TimeoutException as err:
            raise InputError(
                f"{self.url}: the results stopped coming for {self.timeout:g} s "
                "(timeout)"
            ) from err
        except httpx.HTTPError as err:
            raise InputError(f"{self.url}: reading the results failed: {err}") from err
        finally:
            response.close()
        cut = next(
            (
                f"{header}: {response.headers[header]}"
                for header in _TRUNCATION_HEADERS
                if header in response.headers
            ),
            None,
        )
        if cut is not None and result.truncated is None:
            # (When max_rows stopped the reading first, its note says enough.)
            result.truncated = (
                f"the endpoint {self.url} cut the results ({cut}); "
                f"the {len(result.rows)} rows received are not the whole answer"
            )
        return result

    def _parse(
        self, body: IO[bytes], form: str, media: str, max_rows: int | None
    ) -> QueryResult:
        try:
            if form in ("SELECT", "ASK"):
                results_format = ox.QueryResultsFormat.from_media_type(media)
                if results_format is None:
                    raise InputError(
                        f"{self.url} answered in {media or 'an unnamed format'}; "
                        "expected SPARQL JSON or XML results"
                    )
                answer = ox.parse_query_results(body, results_format)
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult((), [], bool(answer))
                return _solutions_result(answer, max_rows, self.url)
            rdf_format = ox.RdfFormat.from_media_type(media)
            if rdf_format is None:
                raise InputError(
                    f"{self.url} answered in {media or 'an unnamed format'}; expected "
                    "N-Triples, Turtle or RDF/XML"
                )
            triples = (q.triple for q in ox.parse(body, rdf_format))
            return _triples_result(triples, max_rows, self.url)
        except SyntaxError as err:
            raise InputError(
                f"{self.url} sent results that do not parse: {err}"
            ) from err


def open_engine(
    spec: str | None = None,
    data: Path | str | None = None,
    *,
    timeout: float | None = None,
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
    timeout : float, optional
        Seconds a query may take: an endpoint has this long to answer
        (default 30 s); an in-process engine given a timeout runs each
        query in a child process killed at the limit (default: no limit).

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
        return EndpointEngine(spec, DEFAULT_TIMEOUT if timeout is None else timeout)
    if spec == "oxigraph":
        return OxigraphEngine.from_file(data, timeout=timeout)
    if spec == "rdflib":
        return RdflibEngine.from_file(data, timeout=timeout)
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
    UsageError
        If *url* is not an http(s) URL or *graph* not an absolute IRI
        (checked before anything is read or sent).
    InputError
        If the file cannot be read, or the server is down, too slow, or
        refuses the data.
    """
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"store {url!r} is not an http:// or https:// URL")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as err:
            raise UsageError(
                f"--graph {graph!r} is not an absolute IRI ({err}); expected "
                "e.g. https://example.org/graphs/refsi"
            ) from err
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
    client: httpx.Client,
    method: str,
    url: str,
    timeout: float,
    *,
    stream: bool = False,
    **kwargs: object,
) -> httpx.Response:
    """Send a request; with *stream*, the body is left to read (and close)."""
    try:
        request = client.build_request(method, url, **kwargs)  # type: ignore[arg-type]
        response = client.send(request, stream=stream)
        if response.status_code >= 400:
            response.read()
    except httpx.TimeoutException as err:
        raise InputError(f"{url}: no answer within {timeout:g} s (timeout)") from err
    except httpx.ConnectError as err:
        raise InputError(
            f"{url}: cannot connect ({err}); is the server running?"
        ) from err
    except httpx.HTTPError as err:
        raise InputError(f"{url}: request failed: {err}") from err
    if response.status_code >= 400:
        response.close()
        detail = " ".join(response.text.split())[:300]
        raise InputError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase}"
            + (f": {detail}" if detail else "")
        )
    return response


class _ChunkStream(io.RawIOBase):
    """A streamed HTTP body as a binary file, for pyoxigraph's parsers."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _oxigraph_term(term: object) -> Term | None:
    if term is None or isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise InputError(f"refsi cannot show an RDF-star triple term ({term})")


def _rdflib_term(term: object) -> Term | None:
    if term is None:
        return None
    try:
        return to_oxigraph(term)  # type: ignore[arg-type]
    except TypeError as err:
        raise InputError(f"refsi cannot show {err}") from err


def _take(
    items: Iterable[T],
    max_rows: int | None,
    convert: Callable[[T], Row],
    source: str,
) -> tuple[list[Row], str | None]:
    """Convert *items* into rows, stopping after *max_rows* of them.

    Returns the rows and, when some were left unread, a note saying so.
    """
    rows: list[Row] = []
    for item in items:
        if max_rows is not None and len(rows) >= max_rows:
            return rows, (
                f"{source}: stopped reading the results at {max_rows} rows, the "
                "row limit (max_rows, --max-rows); the query has more"
            )
        rows.append(convert(item))
    return rows, None


def _solutions_result(
    solutions: ox.QuerySolutions, max_rows: int | None, source: str
) -> QueryResult:
    variables = tuple(v.value for v in solutions.variables)
    rows, note = _take(
        solutions,
        max_rows,
        lambda s: tuple(
            normalize_term(_oxigraph_term(s[i])) for i in range(len(variables))
        ),
        source,
    )
    return QueryResult(variables, rows, truncated=note)


def _triples_result(
    triples: Iterable[ox.Triple], max_rows: int | None, source: str
) -> QueryResult:
    rows, note = _take(
        triples,
        max_rows,
        lambda t: tuple(
            normalize_term(_oxigraph_term(term))
            for term in (t.subject, t.predicate, t.object)
        ),
        source,
    )
    return QueryResult(_TRIPLE_VARIABLES, rows, truncated=note)


# -- the child process of an in-process engine with a time limit --------------


def _child_main(conn: Connection, kind: str, payload: bytes) -> None:
    """Load the graph, then answer the queries sent on *conn* until it closes."""
    try:
        engine: _LocalEngine
        if kind == "oxigraph":
            store = ox.Store()
            store.bulk_load(payload, format=ox.RdfFormat.N_QUADS)
            engine = OxigraphEngine(store)
        else:
            engine = RdflibEngine(rdflib.Graph().parse(data=payload, format="nt"))
    except Exception as err:  # reported to the parent, which raises it
        conn.send(("error", f"could not load the graph: {err}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            text, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", engine._answer(text, max_rows)))
        except RefsiError as err:
            conn.send(("error", str(err)))
        except Exception as err:  # the parent raises it as an InputError
            conn.send(("error", f"{kind} could not answer the query: {err}"))


class _Child:
    """A child process that holds a copy of the graph and answers queries."""

    def __init__(self, kind: str, payload: bytes) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_child_main,
            args=(child, kind, payload),
            name=f"refsi-{kind}-query",
            daemon=True,
        )
        self.process.start()
        child.close()
        self._failure: str | None = None

    def wait_ready(self, limit: float) -> bool:
        try:
            if not self.conn.poll(limit):
                return False
            status, value = self.conn.recv()
        except (EOFError, OSError):
            self._failure = f"it exited with status {self.process.exitcode}"
            return False
        if status != "ready":
            self._failure = str(value)
            return False
        return True

    def failure(self) -> str | None:
        return self._failure

    def kill(self) -> None:
        self.process.kill()
        self.process.join(10)
        self.conn.close()
