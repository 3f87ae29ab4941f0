"""The query subcommands, run in-process."""

from __future__ import annotations

import csv
import io
import json
import logging
import multiprocessing
import time
from pathlib import Path

import pytest

from refsi_graph.cli import main
from refsi_graph.queries import bundled_queries


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_queries_lists_every_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "queries")
    assert code == 0
    for name, query in bundled_queries().items():
        assert f"{name}  " in out and query.title in out
    assert "?actor_a (refsi:Acteur, required)" in out


def test_queries_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "queries", "--format", "json")
    data = {q["name"]: q for q in json.loads(out)}
    assert code == 0
    assert data["label_search"]["parameters"] == [
        {
            "name": "text",
            "kind": "string",
            "required": True,
            "description": "The text to look for.",
        }
    ]


def test_query_with_a_parameter_by_label(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "query",
        "activities_of_actor",
        "--param",
        "actor=expert cyber securite",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {r["actor"] for r in rows} == {
        "https://w3id.org/refsi/id/acteur/expert-cybersecurite"
    }
    assert [r["notation"] for r in rows] == sorted(
        (r["notation"] for r in rows), key=lambda n: [int(p) for p in n.split(".")]
    )


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "tsv"])
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_formats_and_engines(
    capsys: pytest.CaptureFixture[str], fmt: str, engine: str
) -> None:
    code, out, _ = run(
        capsys,
        "query",
        "actors_of_activity",
        "-p",
        "activity=3.2.4",
        "--engine",
        engine,
        "--format",
        fmt,
    )
    assert code == 0
    assert "Chef de projet informatique" in out
    if fmt == "json":
        assert [r["notation"] for r in json.loads(out)] == ["2.4", "3.1", "3.2"]


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "overlap.csv"
    code, out, _ = run(capsys, "query", "actor_overlap", "-f", "csv", "-o", str(target))
    assert code == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 355
    assert float(rows[0]["jaccard"]) >= float(rows[-1]["jaccard"])
    pairs = {(r["actorA"], r["actorB"]) for r in rows}
    assert not any((b, a) in pairs for a, b in pairs)


def test_query_file_and_stdin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?n WHERE { ?c skos:notation ?n FILTER (?n = ?wanted) }\n"
    )
    path = tmp_path / "mine.rq"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "query", str(path), "-p", "wanted=3.2.4", "-f", "csv")
    assert code == 0 and out == "n\r\n3.2.4\r\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, _ = run(capsys, "query", "-", "-p", "wanted=5", "-f", "csv")
    assert code == 0 and out == "n\r\n5\r\n"


def test_activities_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "activities", "RSSI")
    assert code == 0
    assert out.startswith(
        "Responsable de la sécurité des systèmes d'information (2.1): 13 activities"
    )
    assert "5.2.2     Mise en œuvre des plans de secours" in out


def test_actors_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "actors", "3.2.4", "--format", "json")
    assert code == 0
    assert [r["notation"] for r in json.loads(out)] == ["2.4", "3.1", "3.2"]


def test_search_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "securite")
    assert code == 0
    assert "macro-process  5" in out and "Gestion de la sécurité du SI" in out


ERRORS = {
    "unknown-query": (
        ["query", "actor_overlaps"],
        "unknown query 'actor_overlaps'; closest queries: 'actor_overlap'",
    ),
    "unknown-parameter": (
        ["query", "actor_overlap", "-p", "actor=RSSI"],
        "query 'actor_overlap' has no parameter 'actor'; its parameters: none",
    ),
    "missing-parameter": (["query", "label_search"], "needs a value for text"),
    "bad-param-syntax": (
        ["query", "label_search", "-p", "text"],
        "--param 'text': expected KEY=VALUE",
    ),
    "unknown-actor": (
        ["activities", "Responsable sécurité"],
        "unknown actor 'Responsable sécurité'; closest actors: ",
    ),
    "unknown-activity": (
        ["actors", "12.1.1"],
        "unknown activity '12.1.1'; closest activities: \"2.1.1 Mise en œuvre",
    ),
    "unknown-engine": (
        ["query", "hierarchy_outline", "-e", "jena"],
        "unknown engine 'jena'",
    ),
    "missing-file": (["query", "absent.rq"], "absent.rq: no such file"),
    "missing-data": (
        ["query", "hierarchy_outline", "--data", "absent.ttl"],
        "absent.ttl: no such file",
    ),
    "service": (
        [
            "query",
            "-",
        ],
        "SERVICE clause",
    ),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_exit_2(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv, message = ERRORS[name]
    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"),
    )
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err, err
    assert out == ""


def test_syntax_error_in_a_users_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(
        "# Broken.\nSELECT ?a\nWHERE {\n  BIND (1 AS ?a\n  ?x ?y ?z\n}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "query", str(path))
    assert code == 2
    assert f'refsi: error: {path}:5:3: SPARQL syntax error: expected ")"' in err
    assert out == ""


def test_failed_query_leaves_the_output_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous", encoding="utf-8")
    code, _, _ = run(capsys, "query", "label_search", "-o", str(target))
    assert code == 2
    assert target.read_text(encoding="utf-8") == "previous"


# -- Regressions of the fix round ---------------------------------------------

# Every triple against every triple: about 9,000² rows, which pyoxigraph
# makes at some 80 MB/s until the memory runs out.
HUGE_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }\n"


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    path = tmp_path / "huge.rq"
    path.write_text(HUGE_QUERY, encoding="utf-8")
    return path


def _query_children() -> list[object]:
    """The child processes of in-process engines still running."""
    return [p for p in multiprocessing.active_children() if p.name.endswith("-query")]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_truncated_endpoint_answer_is_reported(
    live_server: str,
    huge: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # live_server runs `refsi serve --max-results 50` on 127.0.0.1.
    endpoint = live_server + "/sparql"
    with caplog.at_level(logging.WARNING):
        code, out, _ = run(capsys, "query", str(huge), "-e", endpoint, "-f", "csv")
    assert code == 0
    assert len(out.splitlines()) == 1 + 50
    assert _warnings(caplog) == [
        f"the endpoint {endpoint} cut the results (X-Refsi-Truncated: results cut "
        "at 50); the 50 rows received are not the whole answer"
    ]


def test_an_endpoint_answer_in_full_gives_no_warning(
    live_server: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = f"activity={live_server}/id/activite/3.2.4"  # an IRI: no look-up
    with caplog.at_level(logging.WARNING):
        code, out, _ = run(
            capsys,
            "query",
            "actors_of_activity",
            "-p",
            activity,
            "--engine",
            live_server + "/sparql",
            "-f",
            "csv",
        )
    assert code == 0 and len(out.splitlines()) == 4
    assert _warnings(caplog) == []


def test_look_ups_refuse_a_truncated_endpoint(
    live_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Names are looked up in every label; with 50 of them, '3.2.4' would be
    # "unknown" for no good reason.
    endpoint = live_server + "/sparql"
    code, out, err = run(capsys, "actors", "3.2.4", "--engine", endpoint)
    assert code == 2 and out == ""
    assert f"refsi: error: the endpoint {endpoint} cut the results" in err
    assert "it needs the whole answer: raise the endpoint's result limit" in err


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_timeout_stops_a_runaway_local_query(
    engine: str, huge: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "h.csv"
    started = time.monotonic()
    code, out, err = run(
        capsys,
        "query",
        str(huge),
        "--engine",
        engine,
        "-f",
        "csv",
        "-o",
        str(target),
        "--timeout",
        "1",
    )
    assert code == 2
    assert "refsi: error: the query ran longer than 1 s and was stopped" in err
    assert out == ""
    assert not target.exists()
    assert time.monotonic() - started < 60
    # The child that ran the query is gone.
    assert _query_children() == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_query_within_the_timeout_gives_the_same_answer(
    engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["query", "actors_of_activity", "-p", "activity=3.2.4", "-e", engine]
    code, limited, _ = run(capsys, *argv, "-f", "csv", "--timeout", "60")
    assert code == 0
    code, unlimited, _ = run(capsys, *argv, "-f", "csv")
    assert code == 0 and limited == unlimited
    # The look-ups of `refsi activities` run in the child too.
    code, out, _ = run(capsys, "activities", "RSSI", "-e", engine, "--timeout", "60")
    assert code == 0 and ": 13 activities" in out
    assert _query_children() == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_max_rows_stops_reading_and_warns(
    engine: str,
    huge: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        code, out, _ = run(
            capsys, "query", str(huge), "-e", engine, "-f", "csv", "--max-rows", "7"
        )
    assert code == 0
    assert len(out.splitlines()) == 1 + 7
    assert _warnings(caplog) == [
        f"{engine}: stopped reading the results at 7 rows, the row limit "
        "(max_rows, --max-rows); the query has more"
    ]


def test_max_rows_above_the_answer_changes_nothing(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        code, out, _ = run(capsys, "query", "hierarchy_outline", "--max-rows", "1000")
    assert code == 0 and "(127 rows)" in out
    assert _warnings(caplog) == []


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_max_rows_must_be_a_positive_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "query", "hierarchy_outline", "--max-rows", value)
    assert code == 2 and "--max-rows" in err


def test_the_help_tells_of_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "--max-rows N" in flat and "fill the memory" in flat
    assert "with oxigraph or rdflib the query runs in a child process" in flat


SYNTAX_MESSAGES = {
    "undefined-prefix": (
        "SELECT ?s WHERE { ?s foo:bar ?t }\n",
        "{path}:1:22: SPARQL syntax error: undefined prefix 'foo:'; declare it at "
        "the start of the query with PREFIX foo: <namespace IRI>",
    ),
    "insert-data": (
        "# Add a triple.\nINSERT DATA { <http://e/a> <http://e/b> <http://e/c> }\n",
        "{path}:2:1: not a query: INSERT DATA is a SPARQL update, and refsi query "
        "runs queries, not updates; expected SELECT, ASK, CONSTRUCT or DESCRIBE",
    ),
    "clear": (
        "CLEAR DEFAULT\n",
        "{path}:1:1: not a query: CLEAR is a SPARQL update",
    ),
    "comments-only": (
        "# Nothing yet.\n",
        "{path}: the query is empty (nothing but comments or white space); "
        "expected a SELECT, ASK, CONSTRUCT or DESCRIBE query",
    ),
}


@pytest.mark.parametrize("name", sorted(SYNTAX_MESSAGES))
def test_query_file_faults_are_explained(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = SYNTAX_MESSAGES[name]
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "query", str(path))
    assert code == 2 and out == ""
    assert f"refsi: error: {message.format(path=path)}" in err
    assert "expected one of" not in err and "expected CONSTRUCT" not in err


def test_an_empty_query_on_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    code, _, err = run(capsys, "query", "-")
    assert code == 2
    assert "refsi: error: <stdin>: the query is empty" in err


UNKNOWN_NAMES = {
    "actor-typo": (
        ["activities", "rsssi"],
        "unknown actor 'rsssi'; closest actors: "
        '"Responsable de la sécurité des systèmes d\'information"',
    ),
    "actor-far": (
        ["activities", "nobody"],
        "unknown actor 'nobody'; no actor has a close name "
        "(refsi search TEXT lists names)",
    ),
    "activity-by-label": (
        ["actors", "Archivage des donnees"],
        "unknown activity 'Archivage des donnees'; closest activities: "
        "'4.6.1 Archivage des données informatiques'",
    ),
    "activity-notation-far": (
        ["actors", "99.9"],
        "unknown activity '99.9'; no activity has a close name (activity "
        "notations run from 1.1.1 to 9.1.4; refsi search TEXT lists names)",
    ),
    "activity-notation-near": (
        ["actors", "3.2.99"],
        "unknown activity '3.2.99'; closest activities: \"3.2.9 ",
    ),
    "parameter": (
        ["query", "activities_of_actor", "-p", "actor=nobody"],
        "unknown actor 'nobody'; no actor has a close name",
    ),
}


@pytest.mark.parametrize("name", sorted(UNKNOWN_NAMES))
def test_unknown_names_use_one_wording(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, message = UNKNOWN_NAMES[name]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"refsi: error: {message}" in err, err
    assert "is named" not in err


@pytest.mark.parametrize("graph", ["not iri", "no-scheme", "http://e/a b"])
def test_push_checks_the_graph_iri_before_sending(
    graph: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("push reached the network with a bad --graph")

    monkeypatch.setattr("httpx.Client.request", no_network)
    code, _, err = run(capsys, "push", "http://127.0.0.1:9/store", "--graph", graph)
    assert code == 2
    assert f"refsi: error: --graph {graph!r} is not an absolute IRI" in err
