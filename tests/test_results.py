"""Results: canonical terms, French collation, and the output formats."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from refsi_graph.api import Referential
from refsi_graph.engines import open_engine
from refsi_graph.queries import OrderCondition, parse_query_text
from refsi_graph.results import QueryResult, collation_key, normalize_term, sort_rows

XSD = "http://www.w3.org/2001/XMLSchema#"


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (typed("+007", "integer"), typed("7", "integer")),
        (typed("0.50", "decimal"), typed("0.5", "decimal")),
        (typed("2", "decimal"), typed("2.0", "decimal")),
        (typed("3.333E-1", "double"), typed("0.3333", "double")),
        (typed("1", "boolean"), typed("true", "boolean")),
        (
            ox.Literal("Sécurité", language="FR-fr"),
            ox.Literal("Sécurité", language="fr-fr"),
        ),
        (typed("not a number", "integer"), typed("not a number", "integer")),
    ],
    ids=[
        "integer",
        "decimal",
        "decimal-whole",
        "double",
        "boolean",
        "language",
        "ill-typed",
    ],
)
def test_normalize_term(given: ox.Literal, expected: ox.Literal) -> None:
    assert normalize_term(given) == expected


def test_french_order_of_words() -> None:
    words = ["Suivre", "élaborer", "Élaborer", "arbitrer", "Œuvre", "oeuvrer", "Zèle"]
    ordered = sorted(words, key=lambda w: collation_key(ox.Literal(w)))
    assert ordered == [
        "arbitrer",
        "Élaborer",
        "élaborer",
        "Œuvre",
        "oeuvrer",
        "Suivre",
        "Zèle",
    ]


WORDS = (
    'SELECT ?w WHERE { VALUES ?w { "Suivre" "Élaborer" "arbitrer" "Zèle" } } '
    "ORDER BY ?w"
)


def test_engines_sort_by_code_point_refsi_does_not() -> None:
    store = ox.Store()
    raw = [s["w"].value for s in store.query(WORDS)]  # type: ignore[index,union-attr]
    assert raw == ["Suivre", "Zèle", "arbitrer", "Élaborer"]
    ref = Referential.load()
    assert ref.query(WORDS).column("w") == ["arbitrer", "Élaborer", "Suivre", "Zèle"]
    rdflib_ref = Referential.load(engine="rdflib")
    assert rdflib_ref.query(WORDS).column("w") == [
        "arbitrer",
        "Élaborer",
        "Suivre",
        "Zèle",
    ]


def test_labels_of_the_graph_in_french_order() -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?label WHERE { ?c skos:prefLabel ?label "
        'FILTER (langMatches(lang(?label), "fr")) } ORDER BY ?label'
    )
    labels = [str(v) for v in Referential.load().query(query).column("label")]
    first_d = [label for label in labels if label.lower().startswith(("d", "é"))]
    # "Définition" goes before "Diffusion" for a French reader, after it by
    # code point.
    assert first_d.index("Définition de la sécurité du SI") < next(
        i for i, label in enumerate(first_d) if label.startswith("Di")
    )


def test_notations_sort_as_numbers() -> None:
    ref = Referential.load()
    notations = [str(n) for n in ref.query("hierarchy_outline").column("notation")]
    assert notations.index("3.2.9") + 1 == notations.index("3.2.10")
    assert notations == sorted(notations, key=lambda n: [int(p) for p in n.split(".")])
    assert len(notations) == 9 + 32 + 86


def test_sort_rows_is_total() -> None:
    a, b = ox.Literal("a"), ox.Literal("b")
    rows = [(a, b), (a, a), (b, a)]
    assert sort_rows(("x", "y"), rows, [OrderCondition("x")]) == [
        (a, a),
        (a, b),
        (b, a),
    ]
    assert sort_rows(("x", "y"), rows, [OrderCondition("x", True)]) == [
        (b, a),
        (a, a),
        (a, b),
    ]


@pytest.fixture
def small() -> QueryResult:
    return QueryResult(
        ("concept", "n", "label", "missing"),
        [
            (
                ox.NamedNode("https://w3id.org/refsi/id/acteur/rssi"),
                typed("13", "integer"),
                ox.Literal('Responsable, "sécurité"', language="fr"),
                None,
            ),
        ],
    )


def test_csv(small: QueryResult) -> None:
    rows = list(csv.reader(io.StringIO(small.to_csv())))
    assert rows == [
        ["concept", "n", "label", "missing"],
        ["https://w3id.org/refsi/id/acteur/rssi", "13", 'Responsable, "sécurité"', ""],
    ]
    assert small.to_csv().endswith("\r\n")  # SPARQL 1.1 CSV uses CRLF


def test_tsv_round_trips_through_a_sparql_parser(small: QueryResult) -> None:
    parsed = ox.parse_query_results(small.to_tsv(), ox.QueryResultsFormat.TSV)
    solutions = list(parsed)  # type: ignore[arg-type]
    assert solutions[0]["label"] == ox.Literal('Responsable, "sécurité"', language="fr")
    assert solutions[0]["missing"] is None


def test_json(small: QueryResult) -> None:
    assert json.loads(small.to_json()) == [
        {
            "concept": "https://w3id.org/refsi/id/acteur/rssi",
            "n": 13,
            "label": 'Responsable, "sécurité"',
        }
    ]


def test_table(small: QueryResult) -> None:
    lines = small.to_table().splitlines()
    assert lines[0].split() == ["concept", "n", "label", "missing"]
    assert lines[2].startswith("refsid:acteur/rssi  13")
    assert lines[-1] == "(1 row)"


def test_ask_in_every_format() -> None:
    result = open_engine().run(parse_query_text("ASK { ?s ?p ?o }").text)
    assert result.boolean is True
    assert result.to_table() == "yes\n"
    assert json.loads(result.to_json()) == {"boolean": True}
    assert result.to_csv() == "boolean\r\ntrue\r\n"
    assert result.to_tsv() == "?boolean\ntrue\n"


def test_select_columns(small: QueryResult) -> None:
    assert small.select("n", "concept").variables == ("n", "concept")
    with pytest.raises(KeyError, match="no column 'nope'"):
        small.select("nope")
