"""Check a graph against the SHACL shapes of ``shapes/``: ``refsi validate``.

pySHACL validates the data exactly as given (no inference, which could hide
a missing triple behind an entailed one). Each result is then described for
the people who read it: the concept at fault by its notation and label, in
the language of each message, and the report is sorted so that the same
graph always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result as QueryResult
from rdflib.term import Node
from rdflib.util import guess_format

from refsi_graph.errors import InputError
from refsi_graph.files import read_bytes
from refsi_graph.namespaces import bind_prefixes
from refsi_graph.paths import ontology_file, shapes_dir

__all__ = [
    "FORMATS",
    "REFSISH",
    "Report",
    "Result",
    "add_commands",
    "format_report",
    "load_data",
    "load_shapes",
    "validate",
    "validate_graph",
]

logger = logging.getLogger(__name__)

REFSISH = "https://w3id.org/refsi/shapes#"
FORMATS = ("text", "turtle", "json")
LANGUAGES = ("fr", "en")

_SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
_TEMPLATE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Result:
    """One validation result, described for a reader.

    Attributes
    ----------
    shape : rdflib.term.Node
        The shape whose constraint failed (``sh:sourceShape``).
    severity : rdflib.URIRef
        ``sh:Violation``, ``sh:Warning`` or ``sh:Info``.
    focus : rdflib.term.Node
        The focus node (``sh:focusNode``).
    subject : rdflib.term.Node
        The resource at fault: the focus node, or for a check run on a
        whole scheme or on the ontology, the concept or term it names.
    notation, labels : str or None, dict of str to str
        The subject's ``skos:notation`` and its label in each language.
    messages : dict of str to str
        The messages by language, each led by the subject's notation and
        label; the key is ``""`` for a message without a language.
    path : rdflib.URIRef or None
        ``sh:resultPath`` when it is a single property.
    path_text : str or None
        ``sh:resultPath`` in SPARQL syntax, whatever its form.
    value, component : rdflib.term.Node or None
        ``sh:value`` and ``sh:sourceConstraintComponent``.
    """

    shape: Node
    severity: URIRef
    focus: Node
    subject: Node
    notation: str | None
    labels: dict[str, str]
    messages: dict[str, str]
    path: URIRef | None = None
    path_text: str | None = None
    value: Node | None = None
    component: Node | None = None

    @property
    def severity_name(self) -> str:
        """Return ``"violation"``, ``"warning"`` or ``"info"``."""
        return _SEVERITY_NAMES.get(self.severity, str(self.severity))

    def sort_key(self) -> tuple[Any, ...]:
        """Return the key that sorts results by notation within a shape."""
        return (
            _notation_key(self.notation),
            self.labels.get("fr", ""),
            str(self.subject),
            str(self.value or ""),
            tuple(sorted(self.messages.items())),
        )


@dataclass
class Report:
    """The outcome of validating a graph.

    Attributes
    ----------
    results : list of Result
        Grouped by severity and shape, sorted by notation within a shape.
    shape_titles : dict
        The ``rdfs:label`` of each shape by language, for headings.
    data_files, shape_files : list of str
        What was validated, against what.
    """

    results: list[Result]
    shape_titles: dict[Node, dict[str, str]] = field(default_factory=dict)
    data_files: list[str] = field(default_factory=list)
    shape_files: list[str] = field(default_factory=list)
    prefixes: Graph = field(default_factory=Graph)

    def count(self, severity: URIRef) -> int:
        """Return how many results have *severity*."""
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def conforms(self) -> bool:
        """Whether the graph has no violation (warnings and infos allowed)."""
        return self.count(SH.Violation) == 0

    def exit_status(self, strict: bool = False) -> int:
        """Return 0 when the graph conforms, 1 otherwise.

        Parameters
        ----------
        strict : bool
            Count warnings and infos as faults too.
        """
        if strict:
            return 1 if self.results else 0
        return 0 if self.conforms else 1


def load_shapes(directory: Path | str | None = None) -> tuple[Graph, list[Path]]:
    """Load every ``*.ttl`` file of a shapes directory into one graph.

    Parameters
    ----------
    directory : Path or str, optional
        A directory of Turtle files, or one Turtle file; the bundled
        ``shapes/`` by default.

    Returns
    -------
    tuple of rdflib.Graph and list of Path
        The shapes graph and the files read, in name order.

    Raises
    ------
    InputError
        If the directory is missing, holds no Turtle file, or a file does
        not parse (the message gives its line).

    Examples
    --------
    >>> shapes, files = load_shapes()
    >>> sorted(f.name for f in files)[:2]
    ['completeness.ttl', 'metadata.ttl']
    """
    directory = Path(directory) if directory is not None else shapes_dir()
    if directory.is_file():
        files = [directory]
    elif directory.is_dir():
        files = sorted(directory.glob("*.ttl"))
        if not files:
            raise InputError(f"{directory}: no shapes here; expected *.ttl files")
    else:
        raise InputError(f"{directory}: no such shapes directory or file")
    graph = Graph()
    for path in files:
        _parse_into(graph, path, "turtle")
    logger.debug("loaded %d shape triples from %d files", len(graph), len(files))
    return graph, files


def load_data(paths: Sequence[Path | str]) -> Graph:
    """Load RDF files into one data graph, exactly as they are.

    Parameters
    ----------
    paths : sequence of Path or str
        RDF files; the format follows the extension (Turtle when unknown),
        and ``-`` reads Turtle from standard input.

    Returns
    -------
    rdflib.Graph
        The union of the files' triples.

    Raises
    ------
    InputError
        If a file is missing, does not parse (the message gives its line),
        or the files hold no triple at all.
    """
    graph = Graph()
    for path in paths:
        if str(path) == "-":
            _parse_stdin(graph)
            continue
        path = Path(path)
        _parse_into(graph, path, guess_format(str(path)) or "turtle")
    if len(graph) == 0:
        names = ", ".join(str(p) for p in paths)
        raise InputError(f"{names}: no triples to validate; expected an RDF graph")
    logger.debug("loaded %d data triples from %d files", len(graph), len(paths))
    return graph


def validate_graph(data: Graph, shapes: Graph) -> Report:
    """Validate *data* against *shapes* and describe every result.

    Parameters
    ----------
    data : rdflib.Graph
        The graph to check; it is not changed.
    shapes : rdflib.Graph
        The SHACL shapes.

    Returns
    -------
    Report
        The results, sorted.

    Raises
    ------
    InputError
        If pySHACL cannot use the shapes (a malformed constraint).

    Notes
    -----
    A result whose focus node is a concept scheme or the ontology, with a
    concept or a term as ``sh:value``, comes from a check run once per
    scheme; its subject is that value. pySHACL drops the language tag of a
    SPARQL message whose placeholders it fills, so the tag is recovered by
    matching the message against the shape's templates.

    Examples
    --------
    >>> from refsi_graph.paths import ontology_file
    >>> shapes, _ = load_shapes()
    >>> report = validate_graph(load_data([ontology_file()]), shapes)
    >>> report.conforms, report.count(SH.Violation)
    (True, 0)
    """
    logger.debug(
        "validating %d triples against %d shape triples", len(data), len(shapes)
    )
    try:
        _, report_graph, _ = pyshacl.validate(
            _PreparedQueryGraph(data),
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=True,
        )
    except ReportableRuntimeError as err:
        raise InputError(f"the shapes cannot be used: {err.message}") from err
    if isinstance(report_graph, ReportableRuntimeError):
        # pySHACL returns, rather than raises, a query it refuses to run.
        raise InputError(f"the shapes cannot be used: {report_graph.message}")
    assert isinstance(report_graph, Graph)
    prefixes = _prefixes(data)
    results = [
        _describe(report_graph, node, data, shapes, prefixes)
        for node in report_graph.subjects(RDF.type, SH.ValidationResult)
    ]
    results.sort(
        key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), str(r.shape), r.sort_key())
    )
    logger.debug("%d results", len(results))
    return Report(
        results=results,
        shape_titles={r.shape: _texts(shapes, r.shape, RDFS.label) for r in results},
        prefixes=prefixes,
    )


def validate(
    files: Sequence[Path | str] | None = None, shapes: Path | str | None = None
) -> Report:
    """Load and validate RDF files against a shapes directory.

    Parameters
    ----------
    files : sequence of Path or str, optional
        The data; the committed ``ontology/refsi.ttl`` by default.
    shapes : Path or str, optional
        The shapes directory; the bundled ``shapes/`` by default.

    Returns
    -------
    Report

    Raises
    ------
    InputError
        If an input is missing or malformed.
    """
    files = list(files) if files else [ontology_file()]
    shapes_graph, shape_files = load_shapes(shapes)
    report = validate_graph(load_data(files), shapes_graph)
    report.data_files = [str(f) for f in files]
    report.shape_files = [str(f) for f in shape_files]
    return report


class _PreparedQueryGraph(Graph):
    """A view of a graph that parses each distinct SPARQL text only once.

    pySHACL sends the text of a SPARQL-based constraint once per focus
    node, and rdflib parses it every time; parsing is most of the cost of
    such a constraint. The view shares the store, so nothing is copied.
    """

    def __init__(self, graph: Graph) -> None:
        super().__init__(
            store=graph.store,
            identifier=graph.identifier,
            namespace_manager=graph.namespace_manager,
        )
        self._prepared: dict[str, Any] = {}

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> QueryResult:
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                # The same namespaces as Graph.query would lend an undeclared
                # prefix; the query's own PREFIX lines take precedence.
                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def _prefixes(data: Graph) -> Graph:
    prefixes = Graph(bind_namespaces="none")
    bind_prefixes(prefixes)
    prefixes.bind("sh", SH)
    prefixes.bind("refsish", REFSISH)
    known = {str(ns) for _, ns in prefixes.namespaces()}
    taken = {p for p, _ in prefixes.namespaces()}
    for prefix, namespace in data.namespaces():
        if str(namespace) not in known and prefix not in taken:
            prefixes.bind(prefix, namespace)
    return prefixes


def format_report(report: Report, fmt: str = "text") -> str:
    """Render *report* as ``text`` for a person, ``json`` or ``turtle``.

    Raises
    ------
    ValueError
        If *fmt* is not one of :data:`FORMATS`.
    """
    if fmt == "text":
        return _report_text(report)
    if fmt == "json":
        return json.dumps(_report_json(report), ensure_ascii=False, indent=2) + "\n"
    if fmt == "turtle":
        return _report_turtle(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {FORMATS}")


def add_commands(subparsers: Any) -> None:
    """Register ``validate`` on the ``refsi`` parser."""
    cmd = subparsers.add_parser(
        "validate",
        help="check a graph against the SHACL shapes",
        description="Validate RDF files against the SHACL shapes (structure, SKOS "
        "integrity, quality, metadata, completeness), with no inference. Exit "
        "status 0 when the graph conforms (warnings allowed unless --strict), 1 "
        "on a violation, 2 for bad input.",
    )
    cmd.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="RDF files to validate together, '-' for Turtle on stdin "
        "(default: the committed ontology/refsi.ttl)",
    )
    cmd.add_argument(
        "--shapes",
        metavar="DIR",
        help="a directory of SHACL shapes in Turtle, or one file (default: shapes/)",
    )
    cmd.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default="text",
        help="report format (default: text)",
    )
    cmd.add_argument(
        "--strict", action="store_true", help="fail on warnings and infos too"
    )
    cmd.add_argument("-o", "--output", help="write the report here (default: stdout)")
    cmd.set_defaults(handler=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    from refsi_graph.cli import emit

    report = validate(args.files, args.shapes)
    emit(format_report(report, args.format), args.output)
    if args.output not in (None, "-"):
        print(_summary(report), file=sys.stderr)
    return report.exit_status(args.strict)


# --- Loading -----------------------------------------------------------------


def _parse_into(graph: Graph, path: Path, fmt: str) -> None:
    data = read_bytes(path, expected="an RDF file")
    _parse_bytes(graph, data, fmt, str(path))


def _parse_stdin(graph: Graph) -> None:
    _parse_bytes(graph, sys.stdin.buffer.read(), "turtle", "<stdin>")


def _parse_bytes(graph: Graph, data: bytes, fmt: str, name: str) -> None:
    try:
        graph.parse(data=data, format=fmt)
    except SyntaxError as err:
        line = getattr(err, "lines", None)
        why = getattr(err, "_why", None) or str(err).split("\n")[0]
        where = f"{name}:{line + 1}" if isinstance(line, int) else name
        raise InputError(f"{where}: not valid {fmt}: {why}") from err
    except Exception as err:  # rdflib's parsers raise many kinds
        raise InputError(f"{name}: not valid {fmt}: {err}") from err


# --- Describing results ------------------------------------------------------


def _describe(
    report: Graph, node: Node, data: Graph, shapes: Graph, prefixes: Graph
) -> Result:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    severity = report.value(node, SH.resultSeverity)
    assert focus is not None and shape is not None and isinstance(severity, URIRef)
    subject = _subject(focus, value, data)
    notation = _notation(data, subject)
    labels = _labels(data, subject)
    templates = _templates(shapes, report.value(node, SH.sourceConstraint), shape)
    messages: dict[str, str] = {}
    for message in report.objects(node, SH.resultMessage):
        lang = _language(message, templates)
        messages[lang] = _lead(notation, labels, lang) + str(message)
    return Result(
        shape=shape,
        severity=severity,
        focus=focus,
        subject=subject,
        notation=notation,
        labels=labels,
        messages=messages,
        path=path if isinstance(path, URIRef) else None,
        path_text=None if path is None else _path_text(report, path, prefixes),
        value=value,
        component=report.value(node, SH.sourceConstraintComponent),
    )


def _subject(focus: Node, value: Node | None, data: Graph) -> Node:
    # Checks run on a whole scheme or on the ontology name what is at fault
    # as the value; a reader wants that concept or term, not the container.
    container = (focus, RDF.type, SKOS.ConceptScheme) in data or (
        focus,
        RDF.type,
        OWL.Ontology,
    ) in data
    if container and isinstance(value, URIRef) and value != focus:
        return value
    return focus


def _notation(data: Graph, node: Node) -> str | None:
    notations = sorted(str(n) for n in data.objects(node, SKOS.notation))
    return notations[0] if notations else None


def _labels(data: Graph, node: Node) -> dict[str, str]:
    labels: dict[str, str] = {}
    for prop in (SKOS.prefLabel, DCTERMS.title, RDFS.label):
        for lang, text in sorted(_texts(data, node, prop).items()):
            labels.setdefault(lang, text)
    return labels


def _texts(graph: Graph, node: Node, prop: URIRef) -> dict[str, str]:
    texts: dict[str, str] = {}
    for literal in sorted(graph.objects(node, prop), key=str):
        if isinstance(literal, Literal):
            texts.setdefault(literal.language or "", str(literal))
    return texts


def _templates(shapes: Graph, constraint: Node | None, shape: Node) -> list[Literal]:
    owner = constraint if constraint is not None else shape
    found = [m for m in shapes.objects(owner, SH.message) if isinstance(m, Literal)]
    if not found and owner is not shape:
        found = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
    return found


def _language(message: Node, templates: Iterable[Literal]) -> str:
    if isinstance(message, Literal) and message.language:
        return message.language
    # pySHACL fills in {?var} placeholders but drops the template's language
    # tag; find the template the message was made from.
    for template in templates:
        # split() alternates literal text and variable names.
        pattern = "".join(
            "(?s:.*?)" if i % 2 else re.escape(part)
            for i, part in enumerate(_TEMPLATE_VARIABLE.split(str(template)))
        )
        if re.fullmatch(pattern, str(message)) and template.language:
            return template.language
    return ""


def _lead(notation: str | None, labels: dict[str, str], lang: str) -> str:
    label = labels.get(lang) or labels.get("fr") or labels.get("") or ""
    quoted = f"« {label} »" if lang == "fr" else f'"{label}"'
    parts = [p for p in (notation, quoted if label else None) if p]
    if not parts:
        return ""
    return " ".join(parts) + (" : " if lang == "fr" else ": ")


def _path_text(graph: Graph, path: Node, prefixes: Graph) -> str:
    """Render a SHACL property path of *graph* in SPARQL syntax."""
    if isinstance(path, URIRef):
        return _compact(prefixes, path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse, prefixes)
    alternative = graph.value(path, SH.alternativePath)
    if alternative is not None:
        return "|".join(
            _path_text(graph, p, prefixes) for p in Collection(graph, alternative)
        )
    for prop, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, prop)
        if inner is not None:
            return f"({_path_text(graph, inner, prefixes)}){suffix}"
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, p, prefixes) for p in Collection(graph, path))
    return str(path)


def _compact(prefixes: Graph, node: Node) -> str:
    """Write *node* with the longest bound namespace, for reading only."""
    if isinstance(node, Literal):
        return node.n3()
    if not isinstance(node, URIRef):
        return f"_:{node}"
    text = str(node)
    best = ("", "")
    for prefix, namespace in prefixes.namespaces():
        if text.startswith(str(namespace)) and len(namespace) > len(best[1]):
            best = (prefix, str(namespace))
    if not best[1] or len(text) == len(best[1]):
        return f"<{text}>"
    return f"{best[0]}:{text[len(best[1]) :]}"


def _notation_key(notation: str | None) -> tuple[tuple[int, int | str], ...]:
    if notation is None:
        return ((2, ""),)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in notation.split("."))


# --- Rendering ---------------------------------------------------------------


def _summary(report: Report) -> str:
    violations = report.count(SH.Violation)
    warnings = report.count(SH.Warning)
    infos = report.count(SH.Info)
    verdict = "the graph conforms" if report.conforms else "the graph does not conform"
    return (
        f"summary: {violations} violation{'s' * (violations != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}, {infos} info"
        f"{'s' * (infos != 1)}: {verdict}"
    )


def _report_text(report: Report) -> str:
    out: list[str] = []
    if report.data_files:
        out.append(
            f"validated {', '.join(report.data_files)} against "
            f"{len(report.shape_files)} shape files"
        )
    groups: dict[tuple[URIRef, Node], list[Result]] = {}
    for result in report.results:
        groups.setdefault((result.severity, result.shape), []).append(result)
    for (severity, shape), results in groups.items():
        titles = report.shape_titles.get(shape, {})
        title = " / ".join(titles[lang] for lang in ("en", "fr") if lang in titles)
        out.append("")
        out.append(
            f"{_SEVERITY_NAMES.get(severity, str(severity))}: "
            f"{_compact(report.prefixes, shape)} ({len(results)})"
            + (f" {title}" if title else "")
        )
        for result in results:
            out.extend(_result_lines(report, result))
    out.append("")
    out.append(_summary(report))
    return "\n".join(out) + "\n"


def _result_lines(report: Report, result: Result) -> list[str]:
    lines = []
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    for lang in sorted(result.messages, key=lambda k: (order.get(k, len(order)), k)):
        tag = f"{lang}: " if lang else ""
        lines.append(f"  {tag}{result.messages[lang]}")
    if not result.messages:
        lines.append(f"  {_compact(report.prefixes, result.subject)}")
    details = []
    if result.path_text is not None:
        details.append(f"path {result.path_text}")
    if result.value is not None and result.value not in (result.subject, result.focus):
        details.append(f"value {_compact(report.prefixes, result.value)}")
    if result.subject != result.focus:
        details.append(f"in {_compact(report.prefixes, result.focus)}")
    if details:
        lines.append("    (" + "; ".join(details) + ")")
    return lines


def _report_json(report: Report) -> dict[str, Any]:
    return {
        "conforms": report.conforms,
        "violations": report.count(SH.Violation),
        "warnings": report.count(SH.Warning),
        "infos": report.count(SH.Info),
        "data": report.data_files,
        "shapes": report.shape_files,
        "results": [
            {
                "severity": r.severity_name,
                "shape": _compact(report.prefixes, r.shape),
                "focus": str(r.focus),
                "subject": str(r.subject),
                "notation": r.notation,
                "label": r.labels,
                "path": r.path_text,
                "value": None
                if r.value is None
                else _compact(report.prefixes, r.value),
                "component": None
                if r.component is None
                else _compact(report.prefixes, r.component),
                "message": r.messages,
            }
            for r in report.results
        ],
    }


def _report_turtle(report: Report) -> str:
    graph = Graph()
    for prefix, namespace in report.prefixes.namespaces():
        graph.bind(prefix, namespace, override=True, replace=True)
    # Blank-node labels follow the sorted results, so that the serialisation
    # is the same on every run.
    root = BNode("report")
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    width = len(str(len(report.results)))
    for index, result in enumerate(report.results, 1):
        node = BNode(f"result{index:0{width}d}")
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, result.severity))
        graph.add((node, SH.focusNode, result.focus))
        if not isinstance(result.shape, BNode):
            graph.add((node, SH.sourceShape, result.shape))
        if result.component is not None:
            graph.add((node, SH.sourceConstraintComponent, result.component))
        if result.path is not None:
            graph.add((node, SH.resultPath, result.path))
        if result.value is not None and not isinstance(result.value, BNode):
            graph.add((node, SH.value, result.value))
        for lang, text in result.messages.items():
            graph.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
    return graph.serialize(format="turtle")
