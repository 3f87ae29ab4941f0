"""The linked-data server: dereferenceable IRIs and a SPARQL endpoint.

Built on Starlette and run by uvicorn. It answers from the same files as the
static site (:class:`refsi_graph.publish.Site`, rendered once at start-up),
and adds what a static host cannot do by itself:

- ``GET /id/<name>``: 303 See Other to ``/doc/<name>`` for every IRI of the
  graph, 404 for any other;
- ``GET /doc/<name>``: HTML, Turtle, N-Triples, RDF/XML or JSON-LD chosen by
  the ``Accept`` header (q-values and wildcards as RFC 9110 says) or by
  ``?format=``, with ``Vary: Accept``; 406 when nothing offered is acceptable,
  400 when the ``Accept`` header is malformed;
- ``GET|POST /sparql``: the SPARQL 1.1 Protocol, read-only, with a time
  limit and a result limit (:class:`refsi_graph.endpoint.QueryRunner`);
- ``GET /.well-known/void``: the VoID description, negotiated.

Request paths mirror the IRIs' paths under the site root, whatever the host:
``https://w3id.org/refsi/id/acteur/rssi`` is ``/id/acteur/rssi`` here.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from refsi_graph.endpoint import QueryRunner
from refsi_graph.errors import UsageError
from refsi_graph.linkeddata import (
    GRAPH_HELP,
    LinkedData,
    load_linked_data,
    serialize_triples,
)
from refsi_graph.namespaces import DEFAULT_BASE
from refsi_graph.negotiation import (
    HTML,
    RDF_FORMATS,
    AcceptError,
    Format,
    choose,
    format_by_name,
)
from refsi_graph.publish import Site

__all__ = ["add_commands", "create_app", "serve"]

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: The longest time limit ``--timeout`` takes, in seconds (a day): the
#: waits on the worker processes cannot take much longer ones.
MAX_TIMEOUT = 86_400
#: The longest query text accepted, in bytes.
MAX_QUERY_BYTES = 100_000

_DOC_OFFERS = (HTML, *RDF_FORMATS)
_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "json": "application/json",
    "js": "text/javascript",
    "css": "text/css",
    "svg": "image/svg+xml",
    "xml": "application/xml",
    "txt": "text/plain",
}
# Files of the static site that are configuration for other servers.
_HIDDEN = (".htaccess", "refsi-nginx.conf")


class _Publication:
    """The rendered site, the VoID documents and the query runner."""

    def __init__(self, data: LinkedData, runner: QueryRunner | None) -> None:
        site = Site(data, server=True)
        self.site = site
        self.files = {
            path: content
            for path, content in site.files().items()
            if path not in _HIDDEN and not path.endswith(".var")
        }
        void = site.void_triples()
        self.void = {fmt.key: serialize_triples(void, fmt) for fmt in RDF_FORMATS}
        self.runner = runner


def create_app(
    data: LinkedData,
    *,
    timeout: float = 10.0,
    max_results: int = 10_000,
    workers: int = 2,
) -> Starlette:
    """Return the ASGI application that publishes *data*.

    Parameters
    ----------
    data : LinkedData
        The graph to publish.
    timeout : float, default 10.0
        Seconds a SPARQL query may run.
    max_results : int, default 10000
        Rows or triples a SPARQL answer holds at most.
    workers : int, default 2
        SPARQL queries that can run at once (one process each).

    Returns
    -------
    starlette.applications.Starlette
        The application; its lifespan starts and stops the query workers.
    """
    state: dict[str, _Publication] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner = QueryRunner(
            data.store, workers=workers, timeout=timeout, max_results=max_results
        )
        state["pub"] = _Publication(data, runner)
        logger.info(
            "serving %d files and %d IRIs",
            len(state["pub"].files),
            len(data.published()),
        )
        try:
            yield
        finally:
            runner.close()

    async def sparql(request: Request) -> Response:
        return await _sparql(request, state["pub"])

    async def dispatch(request: Request) -> Response:
        return _dispatch(request, state["pub"])

    return Starlette(
        routes=[
            Route("/sparql", sparql, methods=["GET", "POST"]),
            Route("/{path:path}", dispatch, methods=["GET", "HEAD"]),
        ],
        lifespan=lifespan,
    )


def _dispatch(request: Request, pub: _Publication) -> Response:
    path = request.url.path.lstrip("/")
    segments = path.split("/")
    if any(s in (".", "..") for s in segments) or "\\" in path or "\x00" in path:
        return PlainTextResponse("path traversal refused\n", status_code=400)
    if path == "":
        path = "index.html"
    if path == "favicon.ico":
        # Asked for by browsers on pages that are not HTML (SPARQL results).
        return _file("static/favicon.svg", pub.files["static/favicon.svg"])
    if path == ".well-known/void":
        return _negotiated(request, pub.void, RDF_FORMATS, None)
    if path in pub.files:
        return _file(path, pub.files[path])
    if path + "/index.html" in pub.files:
        return RedirectResponse("/" + path + "/index.html", status_code=301)
    layout = pub.site.layout
    iri = layout.iri_for_path(path)
    if iri is not None:
        doc = layout.doc_path(iri)
        if doc is not None and doc + ".html" in pub.files:
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse("/" + doc + query, status_code=303)
        return _not_found(request, pub, path, unknown_iri=iri)
    if path.startswith("doc/") and path + ".html" in pub.files:
        variants = {
            fmt.key: pub.files[f"{path}.{fmt.extension}"] for fmt in _DOC_OFFERS
        }
        return _negotiated(request, variants, _DOC_OFFERS, path.rpartition("/")[2])
    return _not_found(request, pub, path)


def _file(path: str, content: bytes) -> Response:
    extension = path.rpartition(".")[2] if "." in path.rpartition("/")[2] else "txt"
    media_type = _TYPES.get(extension, "application/octet-stream")
    return Response(content, media_type=_with_charset(media_type))


def _negotiated(
    request: Request,
    variants: dict[str, bytes],
    offers: tuple[Format, ...],
    name: str | None,
) -> Response:
    headers = {"Vary": "Accept"}
    wanted = request.query_params.get("format")
    chosen: tuple[Format, str] | None
    if wanted:
        fmt = format_by_name(wanted, offers)
        if fmt is None:
            names = ", ".join(o.key for o in offers)
            return PlainTextResponse(
                f"format {wanted!r} is not offered; expected one of {names}\n",
                status_code=400,
                headers=headers,
            )
        chosen = (fmt, fmt.media_type)
    else:
        try:
            chosen = choose(request.headers.get("accept"), offers)
        except AcceptError as err:
            return PlainTextResponse(
                f"400 Bad Request: {err}\n", status_code=400, headers=headers
            )
    if chosen is None:
        listing = "\n".join(f"  {o.media_type}" for o in offers)
        return PlainTextResponse(
            f"406 Not Acceptable: none of the types accepted "
            f"({request.headers.get('accept')}) is offered here. Offered:\n{listing}\n",
            status_code=406,
            headers=headers,
        )
    fmt, media_type = chosen
    if name is not None:
        # Relative to the document's URL: the file that was chosen, and the others.
        headers["Content-Location"] = f"{name}.{fmt.extension}"
        headers["Link"] = ", ".join(
            f'<{name}.{o.extension}>; rel="alternate"; type="{o.media_type}"'
            for o in offers
            if o is not fmt
        )
    return Response(
        variants[fmt.key], media_type=_with_charset(media_type), headers=headers
    )


def _not_found(
    request: Request, pub: _Publication, path: str, unknown_iri: str | None = None
) -> Response:
    if unknown_iri is not None:
        fr = f"L'IRI {unknown_iri} n'est pas dans le graphe."
        en = f"The IRI {unknown_iri} is not in the graph."
    else:
        fr = "Aucune page à cette adresse."
        en = "No page at this address."
    try:
        html = choose(request.headers.get("accept"), (HTML,)) is not None
    except AcceptError:
        html = False  # the page is missing whatever the header says
    if not html:
        return PlainTextResponse(f"404 Not Found: {en}\n", status_code=404)
    body = pub.site.render(
        "notfound.html",
        None,
        title="Introuvable",
        path="/" + path,
        heading_fr="Introuvable",
        heading_en="Not found",
        message_fr=fr,
        message_en=en,
    )
    return Response(body, status_code=404, media_type="text/html; charset=utf-8")


async def _sparql(request: Request, pub: _Publication) -> Response:
    params: dict[str, list[str]] = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return _refuse(413, f"the request is over {MAX_QUERY_BYTES} bytes")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type == "application/sparql-update":
            return _refuse(403, "updates are refused: this endpoint is read-only")
        if content_type == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8", "replace"))
        elif content_type == "application/x-www-form-urlencoded":
            for key, values in parse_qs(
                body.decode("utf-8", "replace"), keep_blank_values=True
            ).items():
                params.setdefault(key, []).extend(values)
        else:
            return _refuse(
                415,
                f"unsupported Content-Type {content_type!r}; expected "
                "application/sparql-query or application/x-www-form-urlencoded",
            )
    if "update" in params:
        return _refuse(403, "updates are refused: this endpoint is read-only")
    queries = params.get("query", [])
    if not queries:
        if request.method == "GET":
            return _file("sparql.html", pub.files["sparql.html"])
        return _refuse(400, "no query given; expected a 'query' parameter")
    if len(queries) > 1:
        return _refuse(400, "more than one 'query' parameter; expected exactly one")
    if params.get("default-graph-uri") or params.get("named-graph-uri"):
        return _refuse(
            400,
            "default-graph-uri and named-graph-uri are not supported: "
            "the endpoint has a single default graph",
        )
    query = queries[0]
    if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        return _refuse(413, f"the query is over {MAX_QUERY_BYTES} bytes")
    names = params.get("format") or params.get("output") or []
    format_name = names[0] if names else None
    assert pub.runner is not None
    from starlette.concurrency import run_in_threadpool

    answer = await run_in_threadpool(
        pub.runner.run, query, request.headers.get("accept"), format_name
    )
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Refsi-Truncated"] = f"results cut at {pub.runner.max_results}"
    return Response(
        answer.body,
        status_code=answer.status,
        media_type=answer.media_type,
        headers=headers,
    )


def _refuse(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(
        ("+xml", "+json", "/json", "/xml", "/n-triples", "/javascript", "/x-turtle")
    )
    return media_type + "; charset=utf-8" if textual else media_type


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    base: str | None = None,
    graph: Path | str | None = None,
    **options: Any,
) -> None:
    """Serve the graph over HTTP until interrupted.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        The address to listen on; loopback unless told otherwise.
    port : int, default 8000
        The TCP port (0 picks a free one).
    base : str, optional
        The base IRI (default: the graph's own, mapped to this host's paths).
    graph : Path or str, optional
        An RDF file, its syntax told by its suffix (default: the committed
        ``ontology/refsi.ttl``).
    **options
        ``timeout``, ``max_results`` and ``workers``, passed to :func:`create_app`.
    """
    data = load_linked_data(graph, base)
    app = create_app(data, **options)
    sock = _bind(host, port)
    actual = sock.getsockname()[1]
    print(
        f"refsi: serving {data.layout.base} at http://{host}:{actual}/ "
        "(Ctrl-C to stop)",
        flush=True,
    )
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on such sockets,
    # and without it a keep-alive client waits 40 ms for each small answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OverflowError as err:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: expected a port from 0 to 65535"
        ) from err
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from err
    sock.listen(128)
    return sock


def add_commands(subparsers: Any) -> None:
    """Register ``serve`` on the ``refsi`` parser."""
    cmd = subparsers.add_parser(
        "serve",
        help="serve the graph as linked data with a SPARQL endpoint",
        description="Answer every IRI with a 303 to its document, negotiate HTML and "
        "RDF formats, and offer a read-only SPARQL 1.1 endpoint at /sparql.",
    )
    cmd.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, loopback)",
    )
    cmd.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default: {DEFAULT_PORT}; 0 for a free one)",
    )
    cmd.add_argument(
        "--base",
        help=f"base IRI of the data (default: the graph's own, {DEFAULT_BASE})",
    )
    cmd.add_argument("--graph", help=GRAPH_HELP)
    cmd.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds a SPARQL query may run (default: 10)",
    )
    cmd.add_argument(
        "--max-results",
        type=int,
        default=10_000,
        help="rows a SPARQL answer holds at most (default: 10000)",
    )
    cmd.add_argument(
        "--workers",
        type=int,
        default=2,
        help="SPARQL queries run at once, one process each (default: 2)",
    )
    cmd.set_defaults(handler=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(
            f"--port {args.port} is not a TCP port; expected 0 to 65535 "
            "(0 picks a free one)"
        )
    if not 0 < args.timeout <= MAX_TIMEOUT:  # also refuses nan
        raise UsageError(
            f"--timeout {args.timeout:g}: expected a number of seconds above 0 "
            f"and at most {MAX_TIMEOUT}"
        )
    counts = (("--max-results", args.max_results), ("--workers", args.workers))
    for option, value in counts:
        if value < 1:
            raise UsageError(f"{option} {value}: expected a positive whole number")
    serve(
        args.host,
        args.port,
        args.base,
        args.graph,
        timeout=args.timeout,
        max_results=args.max_results,
        workers=args.workers,
    )
    return 0
