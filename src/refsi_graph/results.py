"""Query results that read the same whichever engine produced them.

Engines differ by nature: rdflib keeps ``@FR`` where Oxigraph writes
``@fr``, one writes ``1.0E0`` where the other writes ``1.0``, and
``ORDER BY`` compares strings by code point, which puts "Élaborer" after
"Suivre". A :class:`QueryResult` holds terms in one canonical form, and
:func:`sort_rows` orders rows as a French reader expects.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from refsi_graph.namespaces import DEFAULT_BASE, REFSI
from refsi_graph.queries import OrderCondition
from refsi_graph.registry import fold

__all__ = [
    "FORMATS",
    "QueryResult",
    "Term",
    "collation_key",
    "normalize_term",
    "python_value",
    "sort_rows",
]

logger = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
FORMATS = ("table", "csv", "json", "tsv")

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_DECIMAL = XSD + "decimal"
_FLOATS = {XSD + "double", XSD + "float"}
_BOOLEAN = XSD + "boolean"
_DIGITS = re.compile(r"(\d+)")

# Prefixes a person reads in tables; files and programs get full IRIs.
_TABLE_PREFIXES = (
    ("refsid:", DEFAULT_BASE),
    ("refsi:", str(REFSI)),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd:", XSD),
)


def normalize_term(term: Term | None) -> Term | None:
    """Return *term* in the canonical form refsi compares and prints.

    Language tags are lower case; numbers are in the canonical lexical
    form of their datatype (``1`` for an integer, ``0.5`` for a decimal,
    Python's shortest repr for a double); booleans are ``true`` or
    ``false``.

    Examples
    --------
    >>> normalize_term(ox.Literal("Sécurité", language="FR"))
    <Literal value=Sécurité language=fr>
    >>> normalize_term(ox.Literal("1.0E0", datatype=ox.NamedNode(XSD + "double"))).value
    '1.0'
    """
    if not isinstance(term, ox.Literal):
        return term
    if term.language:
        language = term.language.lower()
        return (
            term
            if language == term.language
            else ox.Literal(term.value, language=language)
        )
    datatype = term.datatype.value
    lexical = term.value
    try:
        if datatype in _INTEGERS:
            lexical = str(int(lexical.strip()))
        elif datatype == _DECIMAL:
            lexical = _canonical_decimal(Decimal(lexical.strip()))
        elif datatype in _FLOATS:
            lexical = _canonical_float(float(lexical.strip()))
        elif datatype == _BOOLEAN:
            lexical = "true" if lexical.strip() in ("true", "1") else "false"
    except (ValueError, InvalidOperation):
        # An ill-typed literal stays as the engine gave it.
        return term
    return (
        term if lexical == term.value else ox.Literal(lexical, datatype=term.datatype)
    )


def python_value(term: Term | None) -> object:
    """Return the Python value of a term: str, int, Decimal, float or bool.

    IRIs and blank nodes give their string; literals of other datatypes
    (dates, language-tagged strings) give their lexical form.

    Examples
    --------
    >>> python_value(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")))
    3
    >>> python_value(ox.NamedNode("https://w3id.org/refsi/id/acteur/rssi"))
    'https://w3id.org/refsi/id/acteur/rssi'
    """
    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype == _DECIMAL:
            return Decimal(term.value)
        if datatype in _FLOATS:
            return float(term.value)
        if datatype == _BOOLEAN:
            return term.value in ("true", "1")
    except (ValueError, InvalidOperation):
        pass
    return term.value


def collation_key(term: Term | None) -> tuple[object, ...]:
    """Return a sort key that orders terms as a French reader expects.

    Strings compare without case or accents first ("Élaborer" before
    "Suivre"), then as written, so the order is total; digit runs compare
    as numbers, so notations go "3.2.9", "3.2.10". Unbound comes first,
    then blank nodes, IRIs, numbers and other literals, as in SPARQL.

    Examples
    --------
    >>> words = ["Suivre", "Élaborer", "élaborer", "Arbitrer"]
    >>> sorted(words, key=lambda w: collation_key(ox.Literal(w)))
    ['Arbitrer', 'Élaborer', 'élaborer', 'Suivre']
    >>> notations = ["3.2.10", "3.2.9", "3.10", "3"]
    >>> sorted(notations, key=lambda n: collation_key(ox.Literal(n)))
    ['3', '3.2.9', '3.2.10', '3.10']
    """
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, _natural(fold(term.value)), term.value)
    value = python_value(term)
    if isinstance(value, bool):
        return (3, int(value), "")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return (3, 0.0 if math.isnan(number) else number, term.value)
    return (4, _natural(fold(term.value)), term.value, term.language or "")


def sort_rows(
    variables: Sequence[str],
    rows: list[tuple[Term | None, ...]],
    order: Sequence[OrderCondition],
) -> list[tuple[Term | None, ...]]:
    """Sort rows by *order* with :func:`collation_key`, ties by whole row.

    The tie-break compares every column as written (by code point), which
    makes the order total: two engines that return the same rows give
    them in the same order.
    """
    index = {name: i for i, name in enumerate(variables)}
    result = sorted(rows, key=_raw_row_key)
    keys: dict[Term, tuple[object, ...]] = {}

    def key_of(term: Term | None) -> tuple[object, ...]:
        if term is None:
            return (0,)
        found = keys.get(term)
        if found is None:
            found = keys[term] = collation_key(term)
        return found

    for condition in reversed(order):
        column = index.get(condition.variable)
        if column is None:
            continue
        result.sort(key=lambda row: key_of(row[column]), reverse=condition.descending)
    return result


def _raw_row_key(row: tuple[Term | None, ...]) -> tuple[tuple[int, str, str], ...]:
    return tuple(
        (0, "", "") if t is None else (1, type(t).__name__, str(t)) for t in row
    )


@dataclass
class QueryResult:
    """The answer to a query: named columns of RDF terms, or a boolean.

    Attributes
    ----------
    variables : tuple of str
        Column names, in the query's projection order.
    rows : list of tuple
        Each row holds a pyoxigraph term, or None where unbound.
    boolean : bool or None
        The answer of an ``ASK`` query; None for other forms.
    truncated : str or None
        None when the rows are the whole answer; otherwise a note saying
        who cut them and where (an endpoint's result limit, or the
        ``max_rows`` the query was run with).

    Examples
    --------
    >>> result = QueryResult(("n", "label"), [
    ...     (ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ...      ox.Literal("Sécurité", language="fr"))])
    >>> result.dicts()
    [{'n': 1, 'label': 'Sécurité'}]
    >>> result.to_csv().splitlines()
    ['n,label', '1,Sécurité']
    """

    variables: tuple[str, ...]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: str | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def values(self) -> list[tuple[object, ...]]:
        """Return the rows as tuples of Python values (see :func:`python_value`)."""
        return [tuple(python_value(t) for t in row) for row in self.rows]

    def dicts(self) -> list[dict[str, object]]:
        """Return the rows as dicts of Python values, unbound columns left out."""
        return [
            {
                name: python_value(t)
                for name, t in zip(self.variables, row, strict=True)
                if t is not None
            }
            for row in self.rows
        ]

    def select(self, *names: str) -> QueryResult:
        """Return a result with only the columns *names*, in that order.

        Raises
        ------
        KeyError
            If a name is not a column.
        """
        missing = [n for n in names if n not in self.variables]
        if missing:
            raise KeyError(
                f"no column {missing[0]!r}; columns: {', '.join(self.variables)}"
            )
        columns = [self.variables.index(n) for n in names]
        rows = [tuple(row[i] for i in columns) for row in self.rows]
        return QueryResult(tuple(names), rows, self.boolean, self.truncated)

    def column(self, name: str) -> list[object]:
        """Return one column as Python values."""
        i = self.variables.index(name)
        return [python_value(row[i]) for row in self.rows]

    def to_csv(self) -> str:
        """Return the rows in the SPARQL 1.1 CSV results format (plain values)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buffer.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if t is None else t.value for t in row])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """Return the rows in the SPARQL 1.1 TSV results format (terms in full)."""
        if self.boolean is not None:
            return f"?boolean\n{'true' if self.boolean else 'false'}\n"
        lines = ["\t".join(f"?{name}" for name in self.variables)]
        for row in self.rows:
            lines.append("\t".join("" if t is None else str(t) for t in row))
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """Return a JSON array of objects, one per row, with native values.

        Integers and doubles are JSON numbers, decimals too (through
        float), booleans JSON booleans; an ``ASK`` answer is
        ``{"boolean": ...}``.
        """
        if self.boolean is not None:
            return json.dumps({"boolean": self.boolean}) + "\n"
        return (
            json.dumps(self.dicts(), ensure_ascii=False, indent=2, default=float) + "\n"
        )

    def to_table(self) -> str:
        """Return an aligned text table for a person, IRIs shortened."""
        if self.boolean is not None:
            return ("yes" if self.boolean else "no") + "\n"
        cells = [[_table_cell(t) for t in row] for row in self.rows]
        widths = [
            max([len(name), *(len(row[i]) for row in cells)])
            for i, name in enumerate(self.variables)
        ]

        def line(values: Sequence[str]) -> str:
            return "  ".join(
                v.ljust(w) for v, w in zip(values, widths, strict=True)
            ).rstrip()

        out = [line(self.variables), line(["-" * w for w in widths])]
        out.extend(line(row) for row in cells)
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def render(self, fmt: str) -> str:
        """Return the result as ``table``, ``csv``, ``json`` or ``tsv``."""
        renderers = {
            "table": self.to_table,
            "csv": self.to_csv,
            "json": self.to_json,
            "tsv": self.to_tsv,
        }
        return renderers[fmt]()


def _table_cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in _TABLE_PREFIXES:
            if term.value.startswith(namespace):
                return prefix + term.value[len(namespace) :]
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return " ".join(term.value.split())


def _natural(text: str) -> tuple[object, ...]:
    parts = _DIGITS.split(text)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _canonical_decimal(number: Decimal) -> str:
    if not number.is_finite():
        raise InvalidOperation
    text = format(number.normalize(), "f")
    return text if "." in text else text + ".0"


def _canonical_float(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    return repr(number)
