"""The ``refsi`` command line.

Each feature module contributes its subcommands through an ``add_commands``
function; this module only assembles them, configures logging and turns
errors into exit statuses (0 success, 1 a check found a fault, 2 bad usage
or bad input).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

from refsi_graph.errors import RefsiError
from refsi_graph.files import write_atomic

__all__ = ["build_parser", "emit", "main"]

logger = logging.getLogger(__name__)

# Modules whose add_commands(subparsers) registers subcommands, in help order.
COMMAND_MODULES = (
    "refsi_graph.commands",
    "refsi_graph.validation",
    "refsi_graph.query_commands",
    "refsi_graph.export",
    "refsi_graph.analytics_commands",
    "refsi_graph.publish",
    "refsi_graph.server",
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``refsi`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="refsi",
        description="Build, check, query and publish the ANAP IS competency "
        "framework as an RDF/SKOS knowledge graph.",
    )
    parser.add_argument(
        "-V", "--version", action="version", version=f"refsi {version('refsi')}"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more (-v for progress, -vv for debugging)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def emit(text: str | bytes, output: str | None) -> None:
    """Write a command's result to stdout, or atomically to a file."""
    if output in (None, "-"):
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.flush()
        else:
            sys.stdout.write(text)
        return
    data = text.encode("utf-8") if isinstance(text, str) else text
    write_atomic(Path(output), data)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``refsi`` with *argv* and return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="refsi: %(levelname)s: %(message)s",
    )
    # A terminal or pipe that cannot show accents must not crash a report.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return handler(args)
    except RefsiError as err:
        print(f"refsi: error: {err}", file=sys.stderr)
        print(f"Try 'refsi {args.command} --help' for help.", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        # The reader (head, less) went away; that is not a failure of ours.
        sys.stderr.close()
        return 0
    except OSError as err:
        # Standard output itself failed (a full disk, a closed terminal).
        print(
            f"refsi: error: cannot write the output: {err.strerror or err}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
