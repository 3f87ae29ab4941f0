"""The bundled SPARQL queries: their headers, their parameters, their binding.

Each file of ``queries/`` holds one standard SPARQL 1.1 query, preceded by a
comment header laid out like a numpydoc docstring::

    # Activities of an actor.
    #
    # A longer description.
    #
    # Parameters
    # ----------
    # ?actor : refsi:Acteur, optional
    #     What the parameter is.
    #
    # Example
    # -------
    # refsi query activities_of_actor --param actor=RSSI

A parameter is a variable of the query. Binding it adds ``VALUES ?actor
{ <iri> }`` at the start of the query's outermost group, with the value
written by the RDF library's own term serialiser: the value is data, never
syntax, whatever quotes, braces or ``#`` it holds. Left unbound, the query
runs unchanged in any SPARQL tool.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib

from refsi_graph.errors import InputError, SourceError, UsageError
from refsi_graph.files import read_text
from refsi_graph.paths import queries_dir
from refsi_graph.rdfio import to_oxigraph

__all__ = [
    "CONCEPT_KINDS",
    "NamedQuery",
    "OrderCondition",
    "Parameter",
    "QuerySyntaxError",
    "bind_parameters",
    "bundled_queries",
    "check_syntax",
    "find_query",
    "load_query",
    "parse_query_text",
    "query_form",
    "to_term",
    "holds_service",
    "masked_syntax_error",
    "uses_service",
]

logger = logging.getLogger(__name__)
_SERVICE = re.compile("SERVICE", re.IGNORECASE)

XSD = "http://www.w3.org/2001/XMLSchema#"
REFSI_TERMS = "https://w3id.org/refsi/ontologie#"

# Parameter kinds that name a concept of the framework; refsi resolves a
# notation or a label of that class to its IRI.
CONCEPT_KINDS = {
    "refsi:MacroProcessus": "macro-process",
    "refsi:Processus": "process",
    "refsi:Activite": "activity",
    "refsi:Acteur": "actor",
}
_SCALAR_KINDS = ("iri", "string", "integer", "decimal", "boolean")
_TRUE = ("true", "1", "yes", "oui")
_FALSE = ("false", "0", "no", "non")

_PARAM_LINE = re.compile(r"^\?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<spec>.+)$")
_SECTION_RULE = re.compile(r"^-{3,}$")
_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)

# A small SPARQL scanner: enough to find braces, keywords and variables
# outside comments, strings and IRIs, never a full parser.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             |'''(?:[^'\\]|\\.|'(?!''))*'''
             |"(?:[^"\\\n]|\\.)*"
             |'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
  | (?P<word>[^\s{}()\[\],;"'\#?$<>]+)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class QuerySyntaxError(SourceError):
    """A SPARQL query does not parse; the message gives line and column.

    Parameters
    ----------
    path : Path or str
        The file holding the query, or ``"<query>"`` for inline text.
    line, column : int or None
        The 1-based position the parser stopped at; None when the fault is
        the whole text (an empty query).
    message : str
        What the parser expected.
    label : str
        What kind of fault it is, put before *message*.
    """

    def __init__(
        self,
        path: Path | str,
        line: int | None,
        column: int | None,
        message: str,
        label: str = "SPARQL syntax error",
    ) -> None:
        text = f"{label}: {message}" if label else message
        super().__init__(path, line, text)
        self.column = column
        # Editors jump to path:line:column; SourceError only gives the line.
        where = str(self.path)
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        self.args = (f"{where}: {text}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Parameter:
    """One parameter of a query, as its header declares it.

    Attributes
    ----------
    name : str
        The variable's name, without ``?``.
    kind : str
        ``iri``, ``string``, ``integer``, ``decimal``, ``boolean``, or a
        concept class (``refsi:Acteur``, ``refsi:Activite``,
        ``refsi:Processus``, ``refsi:MacroProcessus``).
    required : bool
        Whether the query must be given a value.
    description : str
        What the value is.
    """

    name: str
    kind: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class OrderCondition:
    """One key of a top-level ``ORDER BY``: a variable and its direction."""

    variable: str
    descending: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with what its header says about it.

    Attributes
    ----------
    name : str
        The file's stem (``activities_of_actor``), or ``"<query>"``.
    text : str
        The whole query, header included.
    path : Path or None
        Where it was read from.
    title : str
        The header's first line.
    description : str
        The rest of the header's first section.
    parameters : tuple of Parameter
        Declared parameters, in header order.
    example : str
        The header's Example section.
    declared : bool
        Whether the header has a Parameters section; without one, any
        variable of the query may be bound and its value's form decides
        its kind.
    order : tuple of OrderCondition or None
        The top-level ``ORDER BY`` keys when they are all variables (bare
        or in ``ASC()``/``DESC()``); None when there is no ``ORDER BY`` or
        it holds an expression, and the engine's order stands.
    """

    name: str
    text: str
    path: Path | None = None
    title: str = ""
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    example: str = ""
    declared: bool = False
    order: tuple[OrderCondition, ...] | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """The file name to quote in messages."""
        return str(self.path) if self.path else self.name

    def parameter(self, name: str) -> Parameter:
        """Return the parameter *name* (with or without ``?``).

        Raises
        ------
        UsageError
            If the query has no such parameter; the message lists those it
            has.
        """
        bare = name.lstrip("?$")
        for parameter in self.parameters:
            if parameter.name == bare:
                return parameter
        if not self.declared and bare in _variables(self.text):
            return Parameter(bare, "auto")
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise UsageError(
            f"query {self.name!r} has no parameter {bare!r}; its parameters: {known}"
        )


def load_query(path: Path | str) -> NamedQuery:
    """Read a ``.rq`` file and its header.

    Parameters
    ----------
    path : Path or str
        A SPARQL query file.

    Returns
    -------
    NamedQuery

    Raises
    ------
    InputError
        If the file is missing or unreadable.
    SourceError
        If the header's Parameters section is malformed (the message gives
        the line).
    QuerySyntaxError
        If the query does not parse.

    Examples
    --------
    >>> from refsi_graph.paths import queries_dir
    >>> query = load_query(queries_dir() / "activities_of_actor.rq")
    >>> query.title
    'Activities of an actor.'
    >>> [(p.name, p.kind, p.required) for p in query.parameters]
    [('actor', 'refsi:Acteur', False)]
    """
    path = Path(path)
    text = read_text(path)
    return parse_query_text(text, name=path.stem, path=path)


def parse_query_text(
    text: str, *, name: str = "<query>", path: Path | None = None
) -> NamedQuery:
    """Build a :class:`NamedQuery` from SPARQL text and its comment header.

    Raises
    ------
    SourceError
        If the Parameters section is malformed.
    QuerySyntaxError
        If the query does not parse.
    """
    check_syntax(text, path or name)
    where = path or Path(name)
    header = _header_lines(text)
    sections = _split_sections(header)
    intro = sections.get("", [])
    paragraphs = "\n".join(line for _, line in intro).strip().split("\n\n")
    title = " ".join(paragraphs[0].split()) if paragraphs and paragraphs[0] else ""
    description = "\n\n".join(" ".join(p.split()) for p in paragraphs[1:] if p.strip())
    declared = "parameters" in sections
    parameters = _read_parameters(where, sections.get("parameters", []), text)
    example = "\n".join(line for _, line in sections.get("example", [])).strip()
    return NamedQuery(
        name=name,
        text=text,
        path=path,
        title=title,
        description=description,
        parameters=parameters,
        example=example,
        declared=declared,
        order=_order_conditions(text),
    )


def bundled_queries() -> dict[str, NamedQuery]:
    """Return the queries of ``queries/``, by name, in name order.

    Examples
    --------
    >>> "actor_overlap" in bundled_queries()
    True
    """
    return dict(_bundled(str(queries_dir())))


@lru_cache(maxsize=4)
def _bundled(directory: str) -> tuple[tuple[str, NamedQuery], ...]:
    paths = sorted(Path(directory).glob("*.rq"))
    logger.debug("reading %d bundled queries from %s", len(paths), directory)
    return tuple((p.stem, load_query(p)) for p in paths)


def find_query(name_or_path: str) -> NamedQuery:
    """Return a bundled query by name, or the query of a ``.rq`` file.

    Raises
    ------
    UsageError
        If *name_or_path* is neither a bundled query nor a file; the
        message lists the closest names.
    InputError
        If it names a ``.rq`` file that does not exist.
    QuerySyntaxError
        If the file's query does not parse.
    """
    queries = bundled_queries()
    if name_or_path in queries:
        return queries[name_or_path]
    path = Path(name_or_path)
    if name_or_path.endswith(".rq") or path.is_file() or "/" in name_or_path:
        if not path.exists():
            raise InputError(f"{path}: no such file")
        return load_query(path)
    close = difflib.get_close_matches(name_or_path, list(queries), n=3, cutoff=0.4)
    listing = f"known queries: {', '.join(queries)}; or give a .rq file"
    if close:
        closest = ", ".join(repr(name) for name in close)
        raise UsageError(
            f"unknown query {name_or_path!r}; closest queries: {closest} ({listing})"
        )
    raise UsageError(
        f"unknown query {name_or_path!r}; no query has a close name ({listing})"
    )


def check_syntax(text: str, where: Path | str = "<query>") -> None:
    """Parse *text* as SPARQL 1.1 without running it.

    Raises
    ------
    QuerySyntaxError
        With the line and column the parser stopped at.
    """
    _check_syntax_cached(text, str(where))


@lru_cache(maxsize=256)
def _check_syntax_cached(text: str, where: str) -> None:
    tokens = list(_tokens(text))
    if not tokens:
        raise QuerySyntaxError(
            where,
            None,
            None,
            "the query is empty (nothing but comments or white space); expected "
            "a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            label="",
        )
    try:
        # pyoxigraph parses at once and evaluates lazily: nothing runs here.
        ox.Store().query(text)
    except SyntaxError as err:
        update = _update_operation(tokens)
        if update is not None:
            operation, offset = update
            at_line, at_column = _position(text, offset)
            raise QuerySyntaxError(
                where,
                at_line,
                at_column,
                f"{operation} is a SPARQL update, and refsi query runs queries, "
                "not updates; expected SELECT, ASK, CONSTRUCT or DESCRIBE",
                label="not a query",
            ) from err
        found = _OXIGRAPH_POSITION.match(str(err))
        if found is None:
            raise QuerySyntaxError(where, 1, 1, _shorten(str(err))) from err
        line, column, message = found.groups()
        undefined = _undefined_prefix(tokens)
        if undefined is not None:
            # The parser cannot get past an undeclared prefix, but it words
            # the fault in many ways ("Prefix not found", "expected
            # OPTIONAL"...) and may stop a little after it.
            prefix, offset = undefined
            at_line, at_column = _position(text, offset)
            if (at_line, at_column) <= (int(line), int(column)):
                raise QuerySyntaxError(
                    where, at_line, at_column, _undefined_prefix_message(prefix)
                ) from err
        raise QuerySyntaxError(
            where, int(line), int(column), _shorten(message)
        ) from err


_UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)
_PREFIXED_NAME = re.compile(r"^(?:\^\^)?([^\W\d_][\w.\-\u00b7]*)?:", re.UNICODE)


def _update_operation(tokens: list[tuple[str, str, int]]) -> tuple[str, int] | None:
    """Return the update keyword that opens the text, and its offset."""
    i = 0
    while i < len(tokens):
        kind, token, offset = tokens[i]
        upper = token.upper() if kind == "word" else ""
        if upper == "PREFIX":
            i += 3
        elif upper == "BASE":
            i += 2
        elif upper in _UPDATE_KEYWORDS:
            following = tokens[i + 1][1].upper() if i + 1 < len(tokens) else ""
            if upper in ("INSERT", "DELETE") and following in ("DATA", "WHERE"):
                return f"{upper} {following}", offset
            return upper, offset
        else:
            return None
    return None


def _undefined_prefix(tokens: list[tuple[str, str, int]]) -> tuple[str, int] | None:
    """Return the first prefix used but not declared, and where it is used."""
    declared: set[str] = set()
    previous = ""
    for kind, token, offset in tokens:
        if kind != "word":
            previous = ""
            continue
        if previous == "PREFIX":
            declared.add(token[:-1] if token.endswith(":") else token)
        else:
            used = _PREFIXED_NAME.match(token)
            if used is not None and (used.group(1) or "") not in declared:
                return used.group(1) or "", offset + token.index(":") - len(
                    used.group(1) or ""
                )
        previous = token.upper()
    return None


def _undefined_prefix_message(prefix: str) -> str:
    from rdflib import Graph

    from refsi_graph.namespaces import bind_prefixes

    known = Graph(bind_namespaces="none")
    bind_prefixes(known)
    namespace = dict(known.namespaces()).get(prefix)
    iri = f"<{namespace}>" if namespace else "<namespace IRI>"
    return (
        f"undefined prefix '{prefix}:'; declare it at the start of the query "
        f"with PREFIX {prefix}: {iri}"
    )


def _position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of *offset* in *text*."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@lru_cache(maxsize=256)
def query_form(text: str) -> str:
    """Return ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Examples
    --------
    >>> query_form("PREFIX ex: <http://e/> # SELECT\\nASK { ?s ?p ?o }")
    'ASK'
    """
    for kind, token, _ in _tokens(text):
        if kind == "word" and token.upper() in (
            "SELECT",
            "ASK",
            "CONSTRUCT",
            "DESCRIBE",
        ):
            return token.upper()
    return "SELECT"


@lru_cache(maxsize=256)
def uses_service(text: str) -> bool:
    """Tell whether a query holds a ``SERVICE`` clause (a federated call).

    Examples
    --------
    >>> uses_service('SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }')
    True
    >>> uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    False
    """
    return any(k == "word" and t.upper() == "SERVICE" for k, t, _ in _tokens(text))


def holds_service(query: str) -> bool | None:
    """Tell whether *query* holds a ``SERVICE`` clause.

    :func:`uses_service` reads the query with a small
    scanner. As a second guard, every ``SERVICE`` in the text (in any case,
    even inside a longer word) is masked and the masked query parsed: masking
    a word inside a string, an IRI, a comment or a name leaves a query that
    still parses, while masking the keyword leaves a bare word that does not.
    The masked query holds no ``SERVICE`` at all, so parsing it (which
    pyoxigraph does by starting to evaluate it, on an empty store) sends no
    request anywhere.

    Returns
    -------
    bool or None
        True for a ``SERVICE`` clause, False for none, None when the query
        is not valid SPARQL for another reason.

    Examples
    --------
    >>> holds_service('SELECT * { ?s ?p "service desk" } # SERVICE')
    False
    >>> holds_service('SELECT * { ?s ?p 1.SERVICE <http://e/sparql> { } }')
    True
    """
    if uses_service(query):
        return True
    found = list(_SERVICE.finditer(query))
    if not found:
        return False
    masked = _mask(query)
    message = _syntax_error(masked)
    if message is None:
        return False
    position = _OXIGRAPH_POSITION.match(message)
    if position is None:
        return True
    line, column = (int(g) for g in position.groups()[:2])
    lines = masked.split("\n")
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    # The parser stops at the masked keyword, or just after it.
    if any(m.start() <= offset <= m.end() + 1 for m in found):
        return True
    return None


def _mask(query: str) -> str:
    """Replace the last letter of every ``SERVICE`` by ``Z``, keeping offsets."""
    return _SERVICE.sub(lambda m: m.group()[:-1] + "Z", query)


def _syntax_error(query: str) -> str | None:
    """Return the parser's message for *query*, or None if it parses.

    Never call it on a query that may hold ``SERVICE``: pyoxigraph starts
    evaluating a query when it parses it.
    """
    try:
        ox.Store().query(query)
    except SyntaxError as err:
        return str(err)
    return None


def masked_syntax_error(query: str) -> str | None:
    """Return the parser's message on *query* with every ``SERVICE`` masked.

    Safe on any text: the masked query holds no ``SERVICE``, so the parse
    (which pyoxigraph does by starting to evaluate) calls no one.
    """
    return _syntax_error(_mask(query))


def to_term(
    value: object, parameter: Parameter, where: str = "<query>"
) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """Turn a Python value into the RDF term a parameter takes.

    Parameters
    ----------
    value : object
        A pyoxigraph or rdflib term (used as it is), or a ``str``, ``int``,
        ``float``, ``bool`` or ``decimal.Decimal``.
    parameter : Parameter
        Its declared kind decides the term: an IRI for ``iri`` and the
        concept classes, a literal of the matching XSD datatype otherwise.
        An undeclared (``auto``) parameter takes ``<...>`` as an IRI, a
        Python number or bool as a typed literal, and any other text as a
        plain string.
    where : str
        The query's name, for messages.

    Raises
    ------
    UsageError
        If the value does not fit the kind (an invalid IRI, a word given
        for an integer, ...).

    Examples
    --------
    >>> to_term('a "quoted" {brace} #', Parameter("text", "string"))
    <Literal value=a "quoted" {brace} # datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    >>> to_term("https://w3id.org/refsi/id/acteur/rssi", Parameter("actor", "iri"))
    <NamedNode value=https://w3id.org/refsi/id/acteur/rssi>
    """
    if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        return value
    if isinstance(value, rdflib.term.Identifier):
        return _from_rdflib(value)
    kind = parameter.kind
    if kind == "auto":
        kind = _auto_kind(value)
    try:
        if kind == "iri" or kind in CONCEPT_KINDS:
            text = str(value).strip()
            if text.startswith("<") and text.endswith(">"):
                text = text[1:-1]
            if ":" not in text:
                raise ValueError("not an absolute IRI")
            return ox.NamedNode(text)
        if kind == "string":
            return ox.Literal(str(value))
        if kind == "integer":
            if isinstance(value, bool) or not str(value).strip().lstrip("+-").isdigit():
                raise ValueError("not an integer")
            return ox.Literal(
                str(int(str(value).strip())), datatype=ox.NamedNode(XSD + "integer")
            )
        if kind == "decimal":
            from decimal import Decimal, InvalidOperation

            try:
                number = Decimal(str(value).strip())
            except InvalidOperation as err:
                raise ValueError("not a decimal number") from err
            if not number.is_finite():
                raise ValueError("not a finite decimal number")
            return ox.Literal(
                format(number, "f"), datatype=ox.NamedNode(XSD + "decimal")
            )
        if kind == "double":
            return ox.Literal(
                repr(float(str(value))), datatype=ox.NamedNode(XSD + "double")
            )
        if kind == "boolean":
            return _boolean(value)
    except ValueError as err:
        takes = _kind_phrase(parameter.kind)
        raise UsageError(
            f"{where}: parameter {parameter.name!r} takes {takes}; {value!r} is {err}"
        ) from err
    raise UsageError(
        f"{where}: parameter {parameter.name!r} has an unknown kind {kind!r}"
    )


def bind_parameters(
    query: NamedQuery,
    params: Mapping[str, object],
    resolve: Callable[[Parameter, object], object] | None = None,
) -> str:
    """Return the query's text with its parameters bound by ``VALUES``.

    Parameters
    ----------
    query : NamedQuery
        The query.
    params : mapping
        Parameter name (with or without ``?``) to value. A value of None
        leaves the parameter unbound.
    resolve : callable, optional
        Called as ``resolve(parameter, value)`` for parameters of a concept
        kind, to turn a notation or label into an IRI.

    Returns
    -------
    str
        The query text; unchanged when nothing is bound.

    Raises
    ------
    UsageError
        If a parameter is unknown, a required one is missing, a value does
        not fit, or a variable is used only inside a subquery (where
        ``VALUES`` on the outer group cannot reach).

    Examples
    --------
    >>> q = parse_query_text('SELECT ?x WHERE { ?x ?p ?text }')
    >>> print(bind_parameters(q, {"text": 'say "hi" } #'}))
    SELECT ?x WHERE {
      VALUES ?text { "say \\"hi\\" } #" }
     ?x ?p ?text }
    """
    terms: dict[str, ox.NamedNode | ox.Literal | ox.BlankNode] = {}
    for name, value in params.items():
        parameter = query.parameter(name)
        if value is None:
            continue
        if resolve is not None and parameter.kind in CONCEPT_KINDS:
            value = resolve(parameter, value)
        terms[parameter.name] = to_term(value, parameter, query.where)
    missing = [p.name for p in query.parameters if p.required and p.name not in terms]
    if missing:
        options = " ".join(f"--param {name}=VALUE" for name in missing)
        raise UsageError(
            f"query {query.name!r} needs a value for {', '.join(missing)} ({options})"
        )
    if not terms:
        return query.text
    _check_reachable(query, terms)
    block = "".join(f"\n  VALUES ?{name} {{ {term} }}" for name, term in terms.items())
    at = _outer_group_start(query.text)
    if at is None:
        raise UsageError(
            f"{query.where}: found no WHERE group to bind {', '.join(terms)} in"
        )
    logger.debug("binding %s in %s", ", ".join(terms), query.name)
    return query.text[:at] + block + "\n" + query.text[at:]


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("space", "comment"):
            continue
        yield kind, match.group(), match.start()


def _variables(text: str) -> set[str]:
    return {t[1:] for k, t, _ in _tokens(text) if k == "var"}


@lru_cache(maxsize=256)
def _outer_group_start(text: str) -> int | None:
    """Return the offset just after the ``{`` that opens the outer group."""
    depth = 0
    first_brace: int | None = None
    after_where = False
    for kind, token, offset in _tokens(text):
        if kind == "word" and token.upper() == "WHERE" and depth == 0:
            after_where = True
        elif token == "{":
            if depth == 0 and after_where:
                return offset + 1
            if depth == 0 and first_brace is None:
                first_brace = offset + 1
            depth += 1
        elif token == "}":
            depth -= 1
    # SELECT and ASK may leave WHERE out; CONSTRUCT's first brace is its
    # template, so it needs the keyword.
    return first_brace if query_form(text) in ("SELECT", "ASK") else None


def _check_reachable(query: NamedQuery, terms: Mapping[str, object]) -> None:
    """Refuse to bind a variable that only a subquery uses."""
    outside, inside = _variable_scopes(query.text)
    for name in terms:
        if name not in outside:
            where = "only inside a subquery" if name in inside else "nowhere"
            raise UsageError(
                f"{query.where}: ?{name} is used {where} in the query's outer "
                "group, so a bound value cannot reach it"
            )


@lru_cache(maxsize=256)
def _variable_scopes(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return the variables used outside any subquery, and those inside."""
    outside: set[str] = set()
    inside: set[str] = set()
    stack: list[bool] = []  # for each open brace: does it open a subquery?
    previous = ""
    for kind, token, _ in _tokens(text):
        if token == "{":
            stack.append(False)
        elif token == "}":
            if stack:
                stack.pop()
        elif kind == "word" and token.upper() == "SELECT" and previous == "{":
            stack[-1] = True
        elif kind == "var":
            (inside if any(stack) else outside).add(token[1:])
        previous = token
    return frozenset(outside), frozenset(inside)


def _order_conditions(text: str) -> tuple[OrderCondition, ...] | None:
    tokens = list(_tokens(text))
    depth = 0
    start = None
    for i, (kind, token, _) in enumerate(tokens):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif (
            depth == 0
            and kind == "word"
            and token.upper() == "ORDER"
            and i + 1 < len(tokens)
            and tokens[i + 1][1].upper() == "BY"
        ):
            start = i + 2
    if start is None:
        return None
    conditions: list[OrderCondition] = []
    i = start
    while i < len(tokens):
        kind, token, _ = tokens[i]
        upper = token.upper()
        if kind == "var":
            conditions.append(OrderCondition(token[1:]))
            i += 1
        elif upper in ("ASC", "DESC") and _is_call_on_variable(tokens[i + 1 : i + 4]):
            conditions.append(OrderCondition(tokens[i + 2][1][1:], upper == "DESC"))
            i += 4
        elif upper in ("LIMIT", "OFFSET", "VALUES"):
            break
        else:
            return None
    return tuple(conditions) or None


def _is_call_on_variable(tokens: list[tuple[str, str, int]]) -> bool:
    return (
        len(tokens) == 3
        and tokens[0][1] == "("
        and tokens[1][0] == "var"
        and tokens[2][1] == ")"
    )


def _header_lines(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            lines.append((number, ""))
            continue
        body = stripped[1:]
        lines.append((number, body[1:] if body.startswith(" ") else body))
    return lines


def _split_sections(lines: list[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    sections: dict[str, list[tuple[int, str]]] = {"": []}
    current = ""
    i = 0
    while i < len(lines):
        number, line = lines[i]
        following = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
        if line.strip() and _SECTION_RULE.match(following):
            current = line.strip().lower()
            current = "example" if current == "examples" else current
            sections[current] = []
            i += 2
            continue
        sections[current].append((number, line))
        i += 1
    return sections


def _read_parameters(
    where: Path, lines: list[tuple[int, str]], text: str
) -> tuple[Parameter, ...]:
    parameters: list[Parameter] = []
    pending: tuple[int, str, str, bool] | None = None
    description: list[str] = []

    def close() -> None:
        if pending is not None:
            number, name, kind, required = pending
            parameters.append(Parameter(name, kind, required, " ".join(description)))

    for number, line in lines:
        if not line.strip() or line.strip().lower() in ("none", "none."):
            continue
        if line.startswith((" ", "\t")):
            if pending is None:
                raise SourceError(
                    where, number, "parameter description before any ?name"
                )
            description.append(line.strip())
            continue
        found = _PARAM_LINE.match(line.strip())
        if found is None:
            raise SourceError(
                where,
                number,
                f"expected '?name : kind[, required|optional]' in Parameters, "
                f"found {line.strip()!r}",
            )
        close()
        description = []
        spec = [part.strip() for part in found["spec"].split(",")]
        kind, flags = spec[0], set(spec[1:])
        if kind not in _SCALAR_KINDS and kind not in CONCEPT_KINDS:
            allowed = ", ".join((*_SCALAR_KINDS, *CONCEPT_KINDS))
            raise SourceError(
                where,
                number,
                f"unknown parameter kind {kind!r}; expected one of {allowed}",
            )
        unknown = flags - {"required", "optional"}
        if unknown:
            raise SourceError(
                where,
                number,
                f"unknown flag {sorted(unknown)[0]!r}; expected "
                "'required' or 'optional'",
            )
        if found["name"] not in _variables(_strip_header(text)):
            raise SourceError(
                where,
                number,
                f"parameter ?{found['name']} is not a variable of the query",
            )
        pending = (number, found["name"], kind, "required" in flags)
    close()
    return tuple(parameters)


def _strip_header(text: str) -> str:
    return "\n".join(ln for ln in text.split("\n") if not ln.lstrip().startswith("#"))


def _auto_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if type(value).__name__ == "Decimal":
        return "decimal"
    text = str(value).strip()
    return "iri" if text.startswith("<") and text.endswith(">") else "string"


def _boolean(value: object) -> ox.Literal:
    if isinstance(value, bool):
        flag = value
    elif str(value).strip().lower() in _TRUE:
        flag = True
    elif str(value).strip().lower() in _FALSE:
        flag = False
    else:
        raise ValueError("not true or false")
    return ox.Literal(
        "true" if flag else "false", datatype=ox.NamedNode(XSD + "boolean")
    )


def _from_rdflib(
    term: rdflib.term.Identifier,
) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    try:
        return to_oxigraph(term)
    except TypeError as err:
        raise UsageError(f"cannot bind {err} as a parameter") from err


def _kind_phrase(kind: str) -> str:
    if kind in CONCEPT_KINDS:
        name = CONCEPT_KINDS[kind]
        article = "an" if name[0] in "aeiou" else "a"
        return f"{article} {name} (an IRI, a notation or a label)"
    return {
        "iri": "an absolute IRI",
        "integer": "an integer",
        "boolean": "true or false",
        "decimal": "a decimal number",
        "double": "a number",
    }.get(kind, f"a {kind}")


def _shorten(message: str, limit: int = 160) -> str:
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
