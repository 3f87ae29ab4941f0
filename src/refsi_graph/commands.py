"""The subcommands about the graph itself: ``build`` and ``stats``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from refsi_graph.builder import build, serialize_turtle
from refsi_graph.errors import UsageError
from refsi_graph.namespaces import DEFAULT_BASE, check_base
from refsi_graph.paths import checkout_root, ontology_file
from refsi_graph.stats import compute_stats, format_stats, load_store

__all__ = ["add_commands"]

logger = logging.getLogger(__name__)


def add_commands(subparsers: Any) -> None:
    """Register ``build`` and ``stats`` on the ``refsi`` parser."""
    build_cmd = subparsers.add_parser(
        "build",
        help="build the graph from the publication's text",
        description="Parse the ANAP publication (table of contents, the table of "
        "section 1.4, the glossary) and write the whole graph as Turtle.",
    )
    build_cmd.add_argument(
        "source",
        nargs="?",
        help="the publication as text, '-' for stdin (default: the bundled copy)",
    )
    build_cmd.add_argument(
        "-o",
        "--output",
        help="where to write the Turtle, '-' for stdout (default: ontology/refsi.ttl "
        "of the checkout)",
    )
    build_cmd.add_argument(
        "--registry", help="actor registry (default: data/acteurs.toml)"
    )
    build_cmd.add_argument(
        "--labels", help="English labels (default: data/labels-en.tsv)"
    )
    build_cmd.add_argument(
        "--base",
        default=DEFAULT_BASE,
        help=f"base IRI of the data (default: {DEFAULT_BASE})",
    )
    build_cmd.set_defaults(handler=_run_build)

    stats_cmd = subparsers.add_parser(
        "stats",
        help="count what a graph holds, beside the declared totals",
        description="Count macro-processes, processes, activities, actors, links "
        "and glossary terms, and state the gap with the totals the publication "
        "declares.",
    )
    stats_cmd.add_argument(
        "file",
        nargs="?",
        help="an RDF file (default: the committed ontology/refsi.ttl)",
    )
    stats_cmd.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="output format (default: text)",
    )
    stats_cmd.set_defaults(handler=_run_stats)


def _run_build(args: argparse.Namespace) -> int:
    for name in ("source", "output", "registry", "labels"):
        if getattr(args, name) == "":
            raise UsageError(f"--{name} is an empty string; expected a file name")
    check_base(args.base)
    output = args.output
    if output is None:
        if checkout_root() is None:
            raise UsageError(
                "no source checkout to write ontology/refsi.ttl into; "
                "give the output file with -o FILE (or -o - for stdout)"
            )
        output = str(ontology_file())
    if output != "-":
        _refuse_overwriting_inputs(
            Path(output), args.source, args.registry, args.labels
        )
    graph = build(
        source=args.source,
        output=None if output == "-" else output,
        registry_path=args.registry,
        translations_path=args.labels,
        base=args.base,
    )
    if output == "-":
        sys.stdout.buffer.write(serialize_turtle(graph, args.base))
        sys.stdout.flush()
    else:
        print(f"wrote {len(graph)} triples to {output}", file=sys.stderr)
    return 0


def _refuse_overwriting_inputs(output: Path, *inputs: str | None) -> None:
    for given in inputs:
        if given in (None, "-"):
            continue
        assert given is not None
        if os.path.realpath(given) == os.path.realpath(output):
            raise UsageError(
                f"the output {output} is also an input; expected another file name"
            )


def _run_stats(args: argparse.Namespace) -> int:
    if args.file == "":
        raise UsageError("the file is an empty string; expected a file name")
    store = load_store(args.file or ontology_file())
    sys.stdout.write(format_stats(compute_stats(store, args.file), args.format))
    return 0
