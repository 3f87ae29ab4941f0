"""``refsi export``: every format parses back, stays stable and valid."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from refsi_graph.cli import main
from refsi_graph.errors import UsageError
from refsi_graph.export import FORMATS, JSONLD_CONTEXT, export_graph, to_csv
from refsi_graph.namespaces import REFSI
from refsi_graph.paths import ontology_file

ID = "https://w3id.org/refsi/id/"
RDF_FORMATS = {
    # export format: (rdflib parser, pyoxigraph format)
    "ttl": ("turtle", ox.RdfFormat.TURTLE),
    "nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "xml": ("xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
}
# The local names the design allows under refsid: (ASCII slugs and notations).
LOCAL_NAME = re.compile(
    r"(macro-processus/\d+|processus/\d+\.\d+|activite/\d+\.\d+\.\d+"
    r"|acteur/[a-z0-9]+(-[a-z0-9]+)*|glossaire/[a-z0-9]+(-[a-z0-9]+)*"
    r"|organisation/anap|referentiel|acteurs|glossaire)"
)
# RFC 3987 restricted to ASCII: unreserved, reserved and percent-encoding.
IRI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format, written by the CLI with the suffix telling the format."""
    out = tmp_path_factory.mktemp("export")
    paths = {fmt: out / f"refsi{suffix}" for fmt, suffix in FORMATS.items()}
    for path in paths.values():
        assert main(["export", "-o", str(path)]) == 0
    return paths


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to reach a host fail loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _from_oxigraph(triples: list[ox.Triple]) -> Graph:
    # pyoxigraph writes each triple as N-Triples; rdflib then compares.
    return Graph().parse(data="".join(f"{t} .\n" for t in triples), format="nt")


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rdf_export_parses_back_with_rdflib(
    fmt: str, exported: dict[str, Path], committed_graph: Graph, no_network: None
) -> None:
    parsed = Graph().parse(exported[fmt], format=RDF_FORMATS[fmt][0])
    assert len(parsed) == len(committed_graph)
    assert isomorphic(parsed, committed_graph)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rdf_export_parses_back_with_pyoxigraph(
    fmt: str, exported: dict[str, Path], committed_graph: Graph, no_network: None
) -> None:
    triples = list(ox.parse(path=str(exported[fmt]), format=RDF_FORMATS[fmt][1]))
    assert len(triples) == len(committed_graph)
    assert isomorphic(_from_oxigraph(triples), committed_graph)


def test_turtle_export_is_the_committed_file(exported: dict[str, Path]) -> None:
    assert exported["ttl"].read_bytes() == ontology_file().read_bytes()


def test_ntriples_are_sorted_and_utf8(exported: dict[str, Path]) -> None:
    data = exported["nt"].read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(set(lines))
    assert data.endswith(b" .\n")
    assert "Activité" in data.decode("utf-8")  # raw UTF-8, not \\u escapes


def test_exports_are_identical_in_another_process(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    # A different hash seed reorders every Python set: the bytes must not move.
    env = dict(os.environ, PYTHONHASHSEED="4242")
    for fmt, path in exported.items():
        again = tmp_path / path.name
        subprocess.run(
            [
                sys.executable,
                "-m",
                "refsi_graph.cli",
                "export",
                "-f",
                fmt,
                "-o",
                str(again),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        assert again.read_bytes() == path.read_bytes(), fmt


def test_jsonld_has_an_inline_context_with_short_names(
    exported: dict[str, Path],
) -> None:
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    assert document["@context"] == JSONLD_CONTEXT
    nodes = {node["@id"]: node for node in document["@graph"]}
    rssi = nodes["acteur:rssi"]
    assert (
        rssi["prefLabel"]["fr"] == "Responsable de la sécurité des systèmes "
        "d'information"
    )
    assert "refsi:MetierSI" in rssi["@type"]
    assert rssi["notation"] == "2.1"
    activity = nodes["activite:3.1.3"]
    assert activity["broader"] == "processus:3.1"
    assert sorted(activity["concerne"]) == [
        "acteur:chef-de-projet-informatique",
        "acteur:chef-de-projet-metier",
    ]
    scheme = nodes["refsid:referentiel"]
    assert scheme["nombreDeclareActivites"] == 97  # a JSON number
    assert scheme["issued"] == "2020-01-20"
    flagged = [n for n in nodes.values() if "concerneTousLesActeurs" in n]
    assert [n["concerneTousLesActeurs"] for n in flagged] == [True]  # a JSON boolean
    assert len(flagged[0]["concerne"]) == 39


def test_jsonld_parses_with_no_network(
    exported: dict[str, Path], committed_graph: Graph, no_network: None
) -> None:
    text = exported["jsonld"].read_text(encoding="utf-8")
    # An inline object, not the URL of a remote context nor an @import.
    context = json.loads(text)["@context"]
    assert isinstance(context, dict) and "@import" not in context
    assert isomorphic(Graph().parse(data=text, format="json-ld"), committed_graph)


def test_the_network_guard_really_blocks(no_network: None) -> None:
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_iris_are_ascii_and_local_names_are_slugs(
    fmt: str, exported: dict[str, Path]
) -> None:
    parsed = Graph().parse(exported[fmt], format=RDF_FORMATS[fmt][0])
    iris = {t for triple in parsed for t in triple if isinstance(t, URIRef)}
    for iri in iris:
        assert IRI_CHARS.fullmatch(str(iri)), iri
        if str(iri).startswith(ID):
            assert LOCAL_NAME.fullmatch(str(iri)[len(ID) :]), iri
    assert len([i for i in iris if str(i).startswith(ID)]) == 194
    # Accents and quotes live in labels only.
    assert any("é" in str(o) for o in parsed.objects(None, SKOS.prefLabel))


def test_rdfxml_is_plain_xml_with_ascii_attributes(exported: dict[str, Path]) -> None:
    text = exported["xml"].read_text(encoding="utf-8")
    for value in re.findall(r'rdf:(?:about|resource)="([^"]*)"', text):
        assert value.isascii() and " " not in value, value


def _csv_rows(data: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    )


def test_csv_is_the_activity_by_actor_matrix(
    exported: dict[str, Path], committed_graph: Graph
) -> None:
    data = exported["csv"].read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    assert data.count(b"\r\n") == 87 and data.count(b"\n") == 87
    rows = _csv_rows(data)
    header = rows[0]
    assert header[:3] == ["Numéro", "Processus", "Activité"]
    assert len(header) == 3 + 39 and len(set(header)) == len(header)
    assert header[3] == "Responsable de la sécurité des systèmes d'information"
    assert header[-1] == "Personnel de fonctions supports"
    body = rows[1:]
    assert len(body) == 86 and all(len(r) == len(header) for r in body)
    assert [r[0] for r in body[:3]] == ["1.1.1", "1.1.2", "1.1.3"]
    assert {c for r in body for c in r[3:]} == {"x", ""}
    # No label a spreadsheet would run as a formula.
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
    assert sum(r[3:].count("x") for r in body) == 331
    # The "Tous les métiers" activity concerns every actor.
    flagged = {
        str(s)
        for s in committed_graph.subjects(REFSI.concerneTousLesActeurs, Literal(True))
    }
    full = [r[0] for r in body if r[3:].count("x") == 39]
    assert [ID + "activite/" + n for n in full] == sorted(flagged)
    by_number = {r[0]: r for r in body}
    row = by_number["3.1.3"]
    assert row[2] == "Suivi, contrôle, arbitrage et reporting sur l'avancée du projet"
    concerned = {header[i] for i, cell in enumerate(row) if i >= 3 and cell == "x"}
    assert concerned == {"Chef de projet informatique", "Chef de projet métier"}


def test_csv_with_commas_quotes_the_labels_that_hold_one(
    committed_graph: Graph,
) -> None:
    data = to_csv(committed_graph, delimiter=",")
    assert b'"Suivi, contr' in data
    assert _csv_rows(data, ",") == _csv_rows(to_csv(committed_graph))


def test_csv_rejects_another_delimiter(committed_graph: Graph) -> None:
    with pytest.raises(UsageError, match=r"CSV delimiter '\\t' is not supported"):
        to_csv(committed_graph, delimiter="\t")


def test_graphml_is_the_bipartite_activity_actor_graph(
    exported: dict[str, Path], committed_graph: Graph
) -> None:
    g = nx.read_graphml(exported["graphml"])
    assert g.number_of_nodes() == 86 + 39
    links = {
        (str(s), str(o)) for s, o in committed_graph.subject_objects(REFSI.concerne)
    }
    assert {tuple(sorted(e)) for e in g.edges()} == {tuple(sorted(e)) for e in links}
    activities = {n for n, d in g.nodes(data=True) if d["bipartite"] == 0}
    assert len(activities) == 86 and nx.is_bipartite(g)
    assert all(n.startswith(ID + "activite/") for n in activities)
    rssi = g.nodes[ID + "acteur/rssi"]
    assert rssi["label"] == "Responsable de la sécurité des systèmes d'information"
    assert rssi["category"] == "MetierSI" and rssi["notation"] == "2.1"
    assert sum(1 for n in activities if g.nodes[n]["all_actors"]) == 1
    assert all(IRI_CHARS.fullmatch(n) for n in g.nodes)


def test_format_from_the_output_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = run(capsys, "export", "-o", str(tmp_path / "g.owl"))
    assert code == 0
    assert (tmp_path / "g.owl").read_bytes().startswith(b"<?xml")


def test_export_to_stdout_defaults_to_turtle(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    assert main(["export"]) == 0
    assert capsysbinary.readouterr().out == ontology_file().read_bytes()


def test_unknown_suffix_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "g.xlsx"))
    assert code == 2
    assert "cannot tell the format of" in err and "give --format" in err
    assert not (tmp_path / "g.xlsx").exists()


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["-f", "xml"], "the format is xml"),
        (["-f", "nt"], "the format is nt"),
        (["-o", "g.jsonld"], "the format is jsonld (told by the suffix of"),
        ([], "the format is ttl (the default; give -f csv)"),
    ],
)
@pytest.mark.parametrize("delimiter", [";", ","])
def test_delimiter_with_another_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    named: str,
    delimiter: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "export", *argv, "--delimiter", delimiter)
    assert code == 2
    assert "--delimiter applies to the csv format only" in err and named in err
    assert out == "" and not (tmp_path / "g.jsonld").exists()


def test_delimiter_with_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run(
        capsys, "export", "-o", str(tmp_path / "m.csv"), "--delimiter", ","
    )
    assert code == 0
    header = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Numéro,Processus,Activité,")


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "export", "--format", "xlsx")
    assert code == 2 and "invalid choice: 'xlsx'" in err


def test_export_graph_names_the_formats() -> None:
    with pytest.raises(UsageError, match="expected one of ttl, nt, xml, jsonld"):
        export_graph(Graph(), "rdfa")


def test_missing_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "export", str(tmp_path / "absent.ttl"), "-f", "nt")
    assert code == 2 and f"{tmp_path / 'absent.ttl'}: no such file" in err


def test_input_that_is_not_rdf(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    out = tmp_path / "out.nt"
    code, _, err = run(capsys, "export", str(bad), "-o", str(out))
    assert code == 2 and f"{bad}: not valid Turtle" in err
    assert not out.exists()


def test_input_with_blank_nodes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bnode.ttl"
    bad.write_text("<urn:a> <urn:b> [ <urn:c> 1 ] .\n", encoding="utf-8")
    code, _, err = run(capsys, "export", str(bad), "-f", "nt")
    assert code == 2 and "holds blank nodes" in err


def test_export_keeps_the_previous_file_on_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "refsi.nt"
    out.write_bytes(b"previous")
    code, _, _ = run(capsys, "export", str(tmp_path / "absent.ttl"), "-o", str(out))
    assert code == 2 and out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refsi.nt"]


def test_export_from_an_export(
    capsys: pytest.CaptureFixture[str], exported: dict[str, Path], tmp_path: Path
) -> None:
    # The RDF/XML read back gives the same N-Triples as the committed graph.
    out = tmp_path / "again.nt"
    code, _, _ = run(capsys, "export", str(exported["xml"]), "-o", str(out))
    assert code == 0 and out.read_bytes() == exported["nt"].read_bytes()
