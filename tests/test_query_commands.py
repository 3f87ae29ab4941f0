"""The query subcommands, run in-process."""

from __future__ import annotations

import csv
import io
import json
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
        "unknown query 'actor_overlaps'; did you mean actor_overlap",
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
    "unknown-actor": (["activities", "Responsable sécurité"], "no actor is named"),
    "unknown-activity": (["actors", "12.1.1"], "no activity is named '12.1.1'"),
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
