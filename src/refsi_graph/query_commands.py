"""The subcommands that ask the graph: ``query``, ``queries``, ``activities``,
``actors``, ``search`` and ``push``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox

from refsi_graph.api import Referential
from refsi_graph.cli import emit
from refsi_graph.engines import DEFAULT_TIMEOUT, open_engine, push_graph
from refsi_graph.errors import UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.queries import bundled_queries, find_query, parse_query_text
from refsi_graph.results import FORMATS, QueryResult

__all__ = ["add_commands"]

logger = logging.getLogger(__name__)

_SERVICE_HELP = (
    "let SERVICE clauses run; they make the engine send requests to the hosts "
    "the query names, so use this only for queries you trust"
)


def add_commands(subparsers: Any) -> None:
    """Register the query subcommands on the ``refsi`` parser."""
    query = subparsers.add_parser(
        "query",
        help="run a bundled query or a .rq file",
        description="Run a bundled SPARQL query by name (see 'refsi queries'), a "
        ".rq file, or '-' for a query on stdin. Parameter values are bound as "
        "RDF terms, never pasted into the text. A query that may run long or "
        "give millions of rows is best run with --timeout and --max-rows: "
        "without them it runs until it is done, however long and large. A "
        "warning tells when the rows are not the whole answer (--max-rows "
        "reached, or an endpoint's own result limit).",
    )
    query.add_argument("query", metavar="NAME|FILE.rq", help="query name, file, or '-'")
    query.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a parameter (repeatable); an actor, activity or process may "
        "be given by IRI, notation or any label",
    )
    _engine_options(query)
    query.add_argument(
        "--max-rows",
        type=_row_count,
        metavar="N",
        help="stop reading the results after N rows (or triples) and warn that "
        "there are more, so that a huge answer cannot fill the memory "
        "(default: no limit)",
    )
    query.add_argument("--allow-service", action="store_true", help=_SERVICE_HELP)
    query.set_defaults(handler=_run_query)

    listing = subparsers.add_parser(
        "queries",
        help="list the bundled queries",
        description="List the bundled SPARQL queries with what they answer and "
        "their parameters.",
    )
    listing.add_argument(
        "-f",
        "--format",
        choices=("table", "json"),
        default="table",
        help="output format (default: table)",
    )
    listing.set_defaults(handler=_run_queries)

    activities = subparsers.add_parser(
        "activities",
        help="the activities that concern an actor",
        description="List the activities that concern an actor, given by section "
        "number, label, acronym or any spelling (case and accents ignored).",
    )
    activities.add_argument("actor", help='e.g. "RSSI", "2.1", "expert cyber securite"')
    _engine_options(activities)
    activities.set_defaults(handler=_run_activities)

    actors = subparsers.add_parser(
        "actors",
        help="the actors an activity concerns",
        description="List the actors an activity concerns, the activity given by "
        "notation or label.",
    )
    actors.add_argument("activity", help='e.g. "3.2.4"')
    _engine_options(actors)
    actors.set_defaults(handler=_run_actors)

    search = subparsers.add_parser(
        "search",
        help="find concepts by any label",
        description="Find macro-processes, processes, activities, actors and "
        "glossary terms whose labels contain TEXT, ignoring case and accents.",
    )
    search.add_argument("text")
    _engine_options(search)
    search.set_defaults(handler=_run_search)

    push = subparsers.add_parser(
        "push",
        help="load the graph into a store by the Graph Store Protocol",
        description="Send an RDF file (default: the bundled graph) to a SPARQL 1.1 "
        "Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store for an "
        "Oxigraph server. The target graph is replaced unless --append.",
    )
    push.add_argument("url", help="the Graph Store endpoint")
    push.add_argument("file", nargs="?", help="RDF file (default: ontology/refsi.ttl)")
    push.add_argument(
        "--graph", metavar="IRI", help="a named graph (default: the default graph)"
    )
    push.add_argument(
        "--append", action="store_true", help="add to the graph instead of replacing it"
    )
    push.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long the server has to answer (default: {DEFAULT_TIMEOUT:g})",
    )
    push.set_defaults(handler=_run_push)


def _engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-e",
        "--engine",
        default="oxigraph",
        metavar="oxigraph|rdflib|URL",
        help="pyoxigraph in-process (default), rdflib's engine, or a SPARQL "
        "endpoint's URL",
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="RDF file for an in-process engine "
        "(default: the bundled ontology/refsi.ttl)",
    )
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default="table",
        help="output: table for a person, or SPARQL 1.1 csv/tsv, or json "
        "(default: table)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (default: stdout)"
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop a query that runs longer than this, with exit status 2 and "
        f"no output; an endpoint has {DEFAULT_TIMEOUT:g} s unless told; with "
        "oxigraph or rdflib the query runs in a child process that is killed at "
        "the limit (default: no limit)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a positive number of seconds"
        )
    return value


def _row_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number")
    return value


@contextmanager
def _referential(args: argparse.Namespace) -> Iterator[Referential]:
    """Open the engine the options name, and close it (and any child) after."""
    with Referential(open_engine(args.engine, args.data, timeout=args.timeout)) as ref:
        yield ref


def _params(pairs: list[str]) -> dict[str, object]:
    params: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        key = key.strip().lstrip("?$")
        if key in params:
            raise UsageError(f"--param {key} is given twice")
        params[key] = value
    return params


def _run_query(args: argparse.Namespace) -> int:
    if args.query == "-":
        query = parse_query_text(sys.stdin.read(), name="<stdin>")
    else:
        query = find_query(args.query)
    params = _params(args.param)
    with _referential(args) as ref:
        result = ref.query(
            query, params, allow_service=args.allow_service, max_rows=args.max_rows
        )
    emit(result.render(args.format), args.output)
    return 0


def _run_queries(args: argparse.Namespace) -> int:
    queries = bundled_queries()
    if args.format == "json":
        data = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "parameters": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "required": p.required,
                        "description": p.description,
                    }
                    for p in q.parameters
                ],
                "example": q.example,
            }
            for q in queries.values()
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    width = max(len(name) for name in queries)
    for query in queries.values():
        sys.stdout.write(f"{query.name:<{width}}  {query.title}\n")
        for p in query.parameters:
            need = "required" if p.required else "optional"
            sys.stdout.write(f"{'':<{width}}    ?{p.name} ({p.kind}, {need})\n")
    return 0


def _run_activities(args: argparse.Namespace) -> int:
    with _referential(args) as ref:
        actor = ref.actor(args.actor)
        result = ref.query("activities_of_actor", actor=actor.iri)
    columns = ("notation", "label", "processLabel")
    _emit_look_up(
        args, result, columns, f"{actor.label} ({actor.notation})", "activities"
    )
    return 0


def _run_actors(args: argparse.Namespace) -> int:
    with _referential(args) as ref:
        activity = ref.activity(args.activity)
        result = ref.query("actors_of_activity", activity=activity.iri)
    columns = ("notation", "label", "category")
    _emit_look_up(
        args, result, columns, f"{activity.notation} {activity.label}", "actors"
    )
    return 0


def _emit_look_up(
    args: argparse.Namespace,
    result: QueryResult,
    columns: tuple[str, ...],
    subject: str,
    noun: str,
) -> None:
    # A person reads the table with a heading; programs get every column.
    if args.format != "table":
        emit(result.render(args.format), args.output)
        return
    shown = result.select(*columns)
    heading = f"{subject}: {len(shown)} {noun}\n\n"
    emit(heading + shown.render("table"), args.output)


def _run_search(args: argparse.Namespace) -> int:
    with _referential(args) as ref:
        found = ref.search(args.text)
    result = QueryResult(
        ("kind", "notation", "label", "concept"),
        [
            (
                ox.Literal(c.kind),
                ox.Literal(c.notation) if c.notation else None,
                ox.Literal(c.label, language="fr"),
                ox.NamedNode(c.iri),
            )
            for c in found
        ],
    )
    shown = (
        result.select("kind", "notation", "label") if args.format == "table" else result
    )
    emit(shown.render(args.format), args.output)
    return 0


def _run_push(args: argparse.Namespace) -> int:
    count = push_graph(
        args.url,
        args.file,
        graph=args.graph,
        replace=not args.append,
        timeout=args.timeout,
    )
    where = f"graph <{args.graph}>" if args.graph else "the default graph"
    print(
        f"{'added' if args.append else 'loaded'} {count} triples from "
        f"{args.file or ontology_file()} into {where} of {args.url}",
        file=sys.stderr,
    )
    return 0
