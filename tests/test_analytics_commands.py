"""``refsi overlap`` and ``refsi analyse``, run in-process."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from refsi_graph.cli import main

ACTOR = "https://w3id.org/refsi/id/acteur/"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_overlap_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", "--metric", "shared", "--top", "3")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "Role overlap by shared, 86 activities of the framework"
    assert lines[2].split()[:4] == ["1", "24", "0.600", "0.828"]
    assert lines[2].endswith(
        "Directeur des systèmes d'information (2.2) / "
        "Responsable des systèmes d'information (2.3)"
    )
    assert len(lines) == 5


def test_overlap_excluding_all_actors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", "-m", "shared", "--top", "1", "--exclude-all")
    assert code == 0
    assert "85 activities of the framework, leaving out 1 that concerns all" in out
    # The Formateur has 7.3.1 only, the activity that concerns everyone.
    assert out.splitlines()[1] == (
        "1 actor has no activity in the framework besides that one and is left out"
    )
    assert out.splitlines()[3].split()[:3] == ["1", "23", "0.590"]


def test_overlap_csv_lists_pairs_sharing_something(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "overlap", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert len(rows) == 741  # 7.3.1 makes every pair share one activity
    code, out, _ = run(capsys, "overlap", "-f", "csv", "--exclude-all")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert all(int(r["shared"]) >= 1 for r in rows)
    assert len(rows) < 741
    pair = next(r for r in rows if {r["notation_a"], r["notation_b"]} == {"2.5", "2.8"})
    assert (pair["shared"], float(pair["jaccard"])) == ("13", 13 / 15)


@pytest.mark.parametrize(
    "name", ["expert cyber sécurité", "EXPERT EN CYBERSECURITE", "2.9"]
)
def test_overlap_of_one_actor(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "overlap", "--actor", name, "-f", "json")
    document = json.loads(out)
    assert code == 0
    pairs = document["pairs"]
    assert len(pairs) == 38
    assert all(
        ACTOR + "expert-cybersecurite" in (p["actor_a"], p["actor_b"]) for p in pairs
    )
    first = pairs[0]
    assert (first["actor_a"], first["shared"]) == (ACTOR + "rssi", 10)
    assert first["jaccard"] == pytest.approx(10 / 13)


def test_overlap_within_a_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "overlap", "--process", "1.3", "-m", "overlap", "-f", "json"
    )
    pairs = json.loads(out)["pairs"]
    assert code == 0
    dsi_rsi = next(
        p
        for p in pairs
        if p["actor_a"] == ACTOR + "dsi" and p["actor_b"] == ACTOR + "rsi"
    )
    assert (dsi_rsi["activities_a"], dsi_rsi["activities_b"], dsi_rsi["shared"]) == (
        5,
        3,
        3,
    )


def test_overlap_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "pairs.csv"
    code, out, _ = run(
        capsys, "overlap", "-f", "csv", "--macro", "6", "-o", str(target)
    )
    assert code == 0 and out == ""
    # Macro-process 6 concerns the DPD alone: no pair shares anything.
    assert target.read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--actor", "Expert cyber"],
            r"unknown actor 'Expert cyber'; closest actors: 'Expert en cybersécurité'",
        ),
        (
            ["--actor", "Gestionaire de parc logiciel"],
            r"closest actors: 'Gestionnaire de parc logiciels'",
        ),
        (["--macro", "11"], r"no macro-process '11' in the graph"),
        (["--process", "3.9"], r"no process '3.9' in the graph"),
        (["--top", "-1"], r"--top must be at least 1, got -1"),
        (["--top", "0"], r"--top must be at least 1, got 0"),
        (
            ["--actor", "qqqqqqqqqqqq"],
            r"unknown actor 'qqqqqqqqqqqq'; no actor has a close name "
            r"\(refsi search TEXT lists names\)",
        ),
        (["-f", "csv", "--delimiter", "|"], r"invalid choice: '\|'"),
        (["--metric", "cosine"], r"invalid choice: 'cosine'"),
        (["--macro", "5", "--process", "5.1"], r"not allowed with argument"),
    ],
    ids=[
        "actor",
        "actor-typo",
        "macro",
        "process",
        "top",
        "top-0",
        "actor-far",
        "delimiter",
        "metric",
        "both",
    ],
)
def test_overlap_bad_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "overlap", *argv)
    assert code == 2
    assert re.search(message, err), err
    assert out == ""


def test_overlap_missing_graph(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "overlap", str(tmp_path / "none.ttl"))
    assert code == 2 and "none.ttl: no such file" in err


def test_analyse_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyse")
    assert code == 0
    assert out.startswith("Analysis of 86 activities of the framework\n")
    for heading in (
        "Most involved actors (top 5)",
        "Communities of actors (Louvain",
        "Processes each actor touches",
        "Most overlapping pairs, by jaccard",
        "Activities carried by a single actor (23)",
    ):
        assert heading in out
    tail = out[out.index("Minimum covering sets") :]
    assert tail.startswith(
        "Minimum covering sets: 16 actors cover every activity; 8 minimum sets"
    )
    assert "  set 8: + " in tail
    assert "\n  6.1.3   Analyse d'impact sur les données -> DPD\n" in out


def test_analyse_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyse", "-f", "json", "--top", "2", "--exclude-all")
    document = json.loads(out)
    assert code == 0
    assert len(document["pairs"]) == 2
    assert document["minimum_covers"]["size"] == 16
    assert len(document["minimum_covers"]["covers"]) == 8
    assert len(document["single_actor_activities"]) == 23
    assert document["centrality"][0]["actor"] == ACTOR + "rsi"
    # Without 7.3.1 the Formateur has nothing to do: it is left out.
    assert document["actors_left_out"] == [
        {"actor": ACTOR + "formateur", "label": "Formateur"}
    ]
    assert sum(len(c) for c in document["communities"]) == 38
    assert len(document["centrality"]) == 38


def test_analyse_exports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("a", "b"):
        code, _, err = run(
            capsys,
            "analyse",
            "--exclude-all",
            "--graphml",
            str(tmp_path / f"{name}.graphml"),
            "--gexf",
            str(tmp_path / f"{name}.gexf"),
        )
        assert code == 0 and "wrote the actor projection" in err
    for suffix in ("graphml", "gexf"):
        assert (tmp_path / f"a.{suffix}").read_bytes() == (
            tmp_path / f"b.{suffix}"
        ).read_bytes()
    graph = nx.read_graphml(tmp_path / "a.graphml")
    assert graph.number_of_nodes() == 38  # all but the Formateur, idle here
    assert graph[ACTOR + "dsi"][ACTOR + "rsi"]["weight"] == 23
    assert {"community", "betweenness", "activities"} <= set(
        graph.nodes[ACTOR + "rssi"]
    )
    gexf = nx.read_gexf(tmp_path / "a.gexf")
    assert gexf.nodes[ACTOR + "dpd"]["label"] == "Délégué à la protection des données"


def test_analyse_output_dir_is_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "figures"
    blocker.write_text("not a directory", encoding="utf-8")
    code, _, err = run(capsys, "analyse", "-d", str(blocker))
    assert code == 2 and f"--output-dir {blocker}: is a file" in err
    assert blocker.read_text(encoding="utf-8") == "not a directory"


# --- regressions of the new-user test -----------------------------------------


@pytest.mark.parametrize("command", ["overlap", "analyse"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.ttl", ""),
        (
            "bad.rdf",
            '<?xml version="1.0"?><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>',
        ),
        ("other.ttl", "<urn:a> <urn:p> <urn:b> .\n"),
    ],
)
def test_a_graph_without_refsi_is_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
    name: str,
    content: str,
) -> None:
    # These used to print "0 activities" and exit 0, where stats refuses them.
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, command, str(path))
    assert code == 2
    assert f"{path}: holds no refsi concept" in err
    assert out == ""


@pytest.mark.parametrize("top", ["0", "-3"])
def test_analyse_refuses_top_below_one(
    capsys: pytest.CaptureFixture[str], top: str
) -> None:
    code, out, err = run(capsys, "analyse", "--top", top)
    assert code == 2
    assert f"--top must be at least 1, got {top}" in err
    assert out == ""


def test_analyse_leaves_out_actors_with_nothing_in_scope(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "analyse", "--macro", "6", "--exclude-all")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [
        "Analysis of 4 activities of macro-process 6, none of which concerns "
        "all actors",
        "38 actors have no activity in macro-process 6 and are left out",
    ]
    involved = out[out.index("Most involved") : out.index("highest betweenness")]
    assert involved.count("\n") == 3  # heading, column names, the DPD
    assert "Délégué à la protection des données (3.7)" in involved
    communities = out[out.index("Communities") : out.index("Processes each")]
    assert communities.strip().splitlines()[1:] == ["  1. (1) DPD"]
    assert "1 actor covers every activity; 1 minimum set" in out

    code, out, _ = run(capsys, "analyse", "--macro", "6", "-f", "json")
    document = json.loads(out)
    assert len(document["actors_left_out"]) == 38
    assert [row["actor"] for row in document["centrality"]] == [ACTOR + "dpd"]


def test_overlap_of_an_actor_out_of_scope(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", "--macro", "6", "--actor", "rssi")
    assert code == 0
    assert out.splitlines()[1:] == [
        "38 actors have no activity in macro-process 6 and are left out",
        "  Responsable de la sécurité des systèmes d'information has no activity "
        "in macro-process 6",
    ]


def test_top_level_help_names_the_default_metric(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    entry = " ".join(out[out.index("    overlap") : out.index("    analyse")].split())
    assert entry == (
        "overlap rank pairs of actors by the overlap of their activities "
        "(default: Jaccard index)"
    )
    assert "by how many activities they share" not in out


def test_overlap_csv_delimiter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "overlap", "-f", "csv", "--top", "2")
    assert code == 0
    assert out.splitlines()[0].startswith("actor_a,actor_b,notation_a,")
    code, out, _ = run(capsys, "overlap", "-f", "csv", "--top", "2", "--delimiter", ";")
    rows = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert code == 0
    assert len(rows) == 2 and rows[0]["shared"] == "3"
    code, out, _ = run(capsys, "overlap", "--help")
    help_text = " ".join(out.split())
    assert "csv is for programs: comma separated" in help_text
    assert "(default: ',', unlike refsi export whose spreadsheet CSV uses ';')" in (
        help_text
    )
