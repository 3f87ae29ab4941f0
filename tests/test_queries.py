"""Query files: their headers, parameter binding, syntax errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from refsi_graph.engines import open_engine
from refsi_graph.errors import InputError, SourceError, UsageError
from refsi_graph.paths import queries_dir
from refsi_graph.queries import (
    CONCEPT_KINDS,
    OrderCondition,
    Parameter,
    QuerySyntaxError,
    bind_parameters,
    bundled_queries,
    find_query,
    load_query,
    parse_query_text,
    query_form,
    to_term,
    uses_service,
)

NAMES = sorted(p.stem for p in queries_dir().glob("*.rq"))
REQUIRED_QUERIES = {
    "activities_of_actor",
    "actors_of_activity",
    "actors_per_process",
    "actors_per_macro_process",
    "actor_overlap",
    "single_actor_activities",
    "actors_absent_from_macro_process",
    "hierarchy_outline",
    "label_search",
}


def test_the_issue_asks_for_these_queries() -> None:
    assert REQUIRED_QUERIES <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name: str) -> None:
    query = load_query(queries_dir() / f"{name}.rq")
    assert query.title.endswith(".") and len(query.title) < 80
    assert query.description
    assert query.declared, "a Parameters section (or 'None.') is expected"
    assert query.example.startswith(f"refsi query {name}")
    assert query.order, "a plain ORDER BY keeps the rows in a known order"
    assert query_form(query.text) == "SELECT"
    for parameter in query.parameters:
        assert parameter.description


@pytest.mark.parametrize("name", NAMES)
def test_standard_sparql_only(name: str) -> None:
    """No engine extension: rdflib and pyoxigraph both parse it unchanged."""
    from rdflib.plugins.sparql import prepareQuery

    text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    prepareQuery(text)
    assert "SERVICE" not in text.upper().replace("SERVICES", "")


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_reaches_the_outer_group(name: str) -> None:
    query = bundled_queries()[name]
    values: dict[str, object] = {
        p.name: "https://w3id.org/refsi/id/x" if p.kind in CONCEPT_KINDS else "x"
        for p in query.parameters
    }
    text = bind_parameters(query, values)
    for parameter in query.parameters:
        assert f"VALUES ?{parameter.name} {{" in text
    open_engine().run(text)  # still parses and runs


def test_actor_overlap_keeps_the_names_analytics_rely_on() -> None:
    query = bundled_queries()["actor_overlap"]
    rows = open_engine().run(query.text)
    for name in ("actorA", "actorB", "labelA", "labelB", "shared", "jaccard"):
        assert name in rows.variables


def test_header_parameters() -> None:
    query = bundled_queries()["shared_activities"]
    assert query.parameters == (
        Parameter("actor_a", "refsi:Acteur", True, query.parameters[0].description),
        Parameter("actor_b", "refsi:Acteur", True, query.parameters[1].description),
    )
    assert "One actor" in query.parameters[0].description
    assert bundled_queries()["actor_overlap"].parameters == ()


def test_order_conditions() -> None:
    query = bundled_queries()["actor_overlap"]
    assert query.order == (
        OrderCondition("jaccard", True),
        OrderCondition("shared", True),
        OrderCondition("labelA"),
        OrderCondition("labelB"),
    )
    expression = parse_query_text("SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a)")
    assert expression.order is None
    limited = parse_query_text("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 3")
    assert limited.order == (OrderCondition("a"),)


def _write(tmp_path: Path, text: str, name: str = "mine.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# Mine.\nSELECT ?a\nWHERE {\n  ?a ?b ?c .\n  BIND (1 AS ?d\n  ?x ?y ?z\n}\n",
    )
    with pytest.raises(QuerySyntaxError) as caught:
        load_query(path)
    assert (caught.value.line, caught.value.column) == (6, 3)
    assert str(caught.value) == f'{path}:6:3: SPARQL syntax error: expected ")"'


def test_malformed_parameter_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# Mine.\n#\n# Parameters\n# ----------\n# actor the actor\n"
        "SELECT ?actor WHERE { ?actor ?p ?o }\n",
    )
    with pytest.raises(SourceError, match=r"mine.rq:5: expected '\?name : kind"):
        load_query(path)


def test_unknown_parameter_kind(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# Mine.\n#\n# Parameters\n# ----------\n# ?n : number\n"
        "#     A number.\nSELECT ?n WHERE { ?n ?p ?o }\n",
    )
    with pytest.raises(
        SourceError, match=r"mine.rq:5: unknown parameter kind 'number'"
    ):
        load_query(path)


def test_parameter_that_is_not_a_variable(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# Mine.\n#\n# Parameters\n# ----------\n# ?x : string\n"
        "#     Text.\nSELECT ?n WHERE { ?n ?p ?o }\n",
    )
    with pytest.raises(
        SourceError, match=r"mine.rq:5: parameter \?x is not a variable"
    ):
        load_query(path)


def test_unknown_query_suggests() -> None:
    with pytest.raises(
        UsageError,
        match=r"unknown query 'actor_overlaps'; closest queries: "
        r"'actor_overlap'",
    ):
        find_query("actor_overlaps")
    with pytest.raises(
        UsageError, match=r"unknown query 'zzz'; no query has a close name"
    ):
        find_query("zzz")


def test_missing_query_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="absent.rq: no such file"):
        find_query(str(tmp_path / "absent.rq"))


def test_unknown_parameter_lists_the_known_ones() -> None:
    with pytest.raises(
        UsageError,
        match=r"query 'shared_activities' has no parameter "
        r"'actor'; its parameters: actor_a, actor_b",
    ):
        bind_parameters(bundled_queries()["shared_activities"], {"actor": "x"})


def test_missing_required_parameter() -> None:
    with pytest.raises(
        UsageError, match=r"needs a value for text \(--param text=VALUE\)"
    ):
        bind_parameters(bundled_queries()["label_search"], {})


HOSTILE = ['" } } DELETE WHERE { ?s ?p ?o } #', "a'b\"c", "{}#\n\\", "x\u2028y", "é\t"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_values_are_data_not_syntax(spec: str, value: str) -> None:
    query = parse_query_text("SELECT ?text WHERE { }")
    text = bind_parameters(query, {"text": value})
    result = open_engine(spec).run(text)
    assert result.values() == [(value,)]


def test_a_hostile_value_finds_nothing() -> None:
    query = bundled_queries()["label_search"]
    result = open_engine().run(bind_parameters(query, {"text": HOSTILE[0]}))
    assert result.rows == []


def test_binding_leaves_other_tools_a_valid_query() -> None:
    query = bundled_queries()["activities_of_actor"]
    assert bind_parameters(query, {}) == query.text
    assert bind_parameters(query, {"actor": None}) == query.text


def test_variable_only_in_a_subquery_cannot_be_bound() -> None:
    query = parse_query_text(
        "SELECT ?n WHERE { { SELECT (COUNT(?a) AS ?n) WHERE { ?a ?p ?inner } } }"
    )
    with pytest.raises(UsageError, match=r"\?inner is used only inside a subquery"):
        bind_parameters(query, {"inner": "x"})


def test_undeclared_parameters_take_their_kind_from_the_value() -> None:
    query = parse_query_text("SELECT ?a ?b ?c WHERE { }")
    text = bind_parameters(query, {"a": "<http://e/x>", "b": 3, "c": True})
    assert open_engine().run(text).values() == [("http://e/x", 3, True)]


def test_construct_binds_in_its_where() -> None:
    query = parse_query_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    text = bind_parameters(query, {"o": "3.2.4"})
    assert text.index("VALUES") > text.index("WHERE")
    assert len(open_engine().run(text)) == 1


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("integer", "three", "takes an integer; 'three' is not an integer"),
        ("boolean", "maybe", "takes true or false; 'maybe' is not true or false"),
        ("iri", "not an iri", "takes an absolute IRI"),
        ("iri", "http://e/a b", "takes an absolute IRI"),
        ("decimal", "1,5", "takes a decimal number"),
    ],
)
def test_ill_formed_values(kind: str, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        to_term(value, Parameter("p", kind))


def test_typed_values() -> None:
    assert str(to_term("42", Parameter("n", "integer"))) == (
        '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    assert str(to_term("oui", Parameter("b", "boolean"))).startswith('"true"')
    assert str(to_term("1.50", Parameter("d", "decimal"))).startswith('"1.50"')


def test_service_detection() -> None:
    assert uses_service("SELECT * { service <http://e/> { ?s ?p ?o } }")
    assert not uses_service("SELECT * { ?s <http://e/SERVICE> 'SERVICE' } # SERVICE")


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        ("refsi:Acteur", "takes an actor (an IRI"),
        ("refsi:Activite", "takes an activity (an IRI"),
        ("refsi:Processus", "takes a process (an IRI"),
        ("refsi:MacroProcessus", "takes a macro-process (an IRI"),
    ],
)
def test_concept_kinds_take_the_right_article(kind: str, phrase: str) -> None:
    # Regression: the message said "takes a actor".
    with pytest.raises(UsageError, match=re.escape(phrase)):
        to_term("no-colon", Parameter("p", kind))


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (
            "SELECT ?s WHERE { ?s foo:bar ?t }\n",
            "1:22",
            "undefined prefix 'foo:'; declare it at the start of the query with "
            "PREFIX foo: <",
        ),
        (
            "SELECT ?s WHERE { ?s ?p ?o ; foo:bar ?t }\n",
            "1:30",
            "undefined prefix 'foo:'; declare it at the start of the query with "
            "PREFIX foo: <",
        ),
        (
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?n WHERE {\n  ?c skos:notation ?n ; refsi:x ?y }\n",
            "3:25",
            "undefined prefix 'refsi:'; declare it at the start of the query with "
            "PREFIX refsi: <https://w3id.org/refsi/ontologie#>",
        ),
    ],
)
def test_undefined_prefix_is_named(
    tmp_path: Path, text: str, position: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(QuerySyntaxError) as caught:
        load_query(path)
    assert str(caught.value).startswith(f"{path}:{position}: ")
    assert message in str(caught.value)
    assert "expected one of" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "operation", "position"),
    [
        ("INSERT DATA { <http://e/a> <http://e/b> 'c' }", "INSERT DATA", "1:1"),
        ("PREFIX e: <http://e/>\nDELETE WHERE { ?s e:p ?o }", "DELETE WHERE", "2:1"),
        ("# Mine.\nLOAD <http://e/data.ttl>", "LOAD", "2:1"),
        ("CLEAR ALL", "CLEAR", "1:1"),
        ("DROP GRAPH <http://e/g>", "DROP", "1:1"),
        ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", "1:1"),
    ],
)
def test_an_update_is_not_a_query(
    tmp_path: Path, text: str, operation: str, position: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(QuerySyntaxError) as caught:
        load_query(path)
    assert str(caught.value) == (
        f"{path}:{position}: not a query: {operation} is a SPARQL update, and "
        "refsi query runs queries, not updates; expected SELECT, ASK, CONSTRUCT "
        "or DESCRIBE"
    )


@pytest.mark.parametrize("text", ["", "\n  \n", "# only a comment\n#\n"])
def test_an_empty_query_is_called_empty(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    # A file with nothing but white space is caught by files.read_text.
    with pytest.raises(SourceError, match=r"^\S+mine\.rq: the (query|file) is empty"):
        load_query(path)
    with pytest.raises(QuerySyntaxError, match="^<query>: the query is empty"):
        parse_query_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { ?s ?p ?o.SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } }",
        "SELECT * { ?s ?p 1.SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } }",
        "SELECT * { ?s ?p ?o . service <http://127.0.0.1:9/sparql> { ?a ?b ?c } }",
    ],
    ids=["glued-to-variable", "glued-to-number", "lower-case"],
)
def test_glued_service_is_refused_before_any_parse(text: str) -> None:
    from refsi_graph.engines import open_engine
    from refsi_graph.errors import UsageError

    with pytest.raises(UsageError, match="SERVICE clause"):
        open_engine("oxigraph").run(text)
