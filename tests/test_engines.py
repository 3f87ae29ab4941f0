"""The three engines: same rows for every bundled query, and a real server.

The endpoint tests start the Oxigraph server of PyPI's ``oxigraph`` package
on 127.0.0.1 with a free port, push the committed graph by the Graph Store
Protocol, query it by the SPARQL 1.1 Protocol, and stop it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from refsi_graph.api import Referential, run_query
from refsi_graph.cli import main
from refsi_graph.engines import (
    EndpointEngine,
    Engine,
    OxigraphEngine,
    QueryTimeoutError,
    RdflibEngine,
    open_engine,
    push_graph,
)
from refsi_graph.errors import InputError, UsageError
from refsi_graph.paths import ontology_file
from refsi_graph.queries import bundled_queries
from refsi_graph.stats import load_store

# Parameter values for each bundled query: its header's example, plus the
# unbound run where every parameter is optional.
CASES: list[tuple[str, dict[str, object]]] = [
    ("activities_of_actor", {"actor": "RSSI"}),
    ("activities_of_actor", {}),
    ("actor_overlap", {}),
    ("actors_absent_from_macro_process", {"macro_process": "5"}),
    ("actors_absent_from_macro_process", {}),
    ("actors_of_activity", {"activity": "3.2.4"}),
    ("actors_of_activity", {}),
    ("actors_per_macro_process", {"macro_process": "5"}),
    ("actors_per_macro_process", {}),
    ("actors_per_process", {"process": "3.2"}),
    ("actors_per_process", {}),
    ("hierarchy_outline", {}),
    ("label_search", {"text": "securite"}),
    ("label_search", {"text": "oeuvre"}),
    ("shared_activities", {"actor_a": "RSSI", "actor_b": "DSI"}),
    ("single_actor_activities", {"actor": "DSI"}),
    ("single_actor_activities", {}),
]
CASE_IDS = [
    f"{name}-{'-'.join(map(str, p.values())) or 'unbound'}" for name, p in CASES
]


def _oxigraph_binary() -> str | None:
    here = str(Path(sys.executable).parent)
    return shutil.which("oxigraph", path=here + os.pathsep + os.environ.get("PATH", ""))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``oxigraph serve`` on loopback; yield its base URL; stop it."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    location = tmp_path_factory.mktemp("oxigraph")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(
                    f"oxigraph serve exited with {process.returncode}: {stderr}"
                )
            try:
                httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not answer within 30 s")
                time.sleep(0.1)
        push_graph(base + "/store")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def engines(server: str) -> dict[str, Engine]:
    return {
        "oxigraph": OxigraphEngine.from_file(),
        "rdflib": RdflibEngine.from_file(),
        "endpoint": EndpointEngine(server + "/query"),
    }


@pytest.fixture(scope="module")
def referential() -> Referential:
    return Referential.load()


def test_every_bundled_query_has_a_case() -> None:
    assert {name for name, _ in CASES} == set(bundled_queries())


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_engines_give_the_same_rows(
    name: str,
    params: dict[str, object],
    engines: dict[str, Engine],
    referential: Referential,
) -> None:
    query = bundled_queries()[name]
    results = {
        label: run_query(engine, query, params, resolve=referential.resolve_parameter)
        for label, engine in engines.items()
    }
    reference = results["oxigraph"]
    assert reference.rows, f"{name} gave no rows; the comparison would prove nothing"
    for label, result in results.items():
        assert result.variables == reference.variables, label
        assert result.rows == reference.rows, label


def test_push_loads_every_triple(server: str) -> None:
    expected = len(load_store(ontology_file()))
    engine = EndpointEngine(server + "/query")
    assert engine.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values() == [
        (expected,)
    ]


def test_push_to_a_named_graph_by_the_cli(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = "https://example.org/graphs/refsi"
    code = main(["push", server + "/store", "--graph", graph])
    _, err = capsys.readouterr()
    assert code == 0
    assert f"into graph <{graph}>" in err
    engine = EndpointEngine(server + "/query")
    count = engine.run(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    ).values()
    assert count == [(len(load_store(ontology_file())),)]


def test_referential_from_an_endpoint(server: str) -> None:
    ref = Referential.load(server + "/query")
    assert len(ref.actors()) == 39
    assert [a.notation for a in ref.activities_of(ref.actor("RSSI"))] == [
        a.notation
        for a in Referential.load().activities_of(Referential.load().actor("2.1"))
    ]


def test_cli_query_on_the_endpoint(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "query",
            "actors_of_activity",
            "--param",
            "activity=3.2.4",
            "--engine",
            server + "/query",
            "--format",
            "csv",
        ]
    )
    out, _ = capsys.readouterr()
    local = main(
        ["query", "actors_of_activity", "--param", "activity=3.2.4", "--format", "csv"]
    )
    local_out, _ = capsys.readouterr()
    assert code == local == 0
    assert out == local_out
    assert out.count("\n") == 4


def test_wrong_endpoint_path(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "hierarchy_outline", "--engine", server + "/nowhere"])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{server}/nowhere answered HTTP 404" in err


def test_endpoint_down(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_free_port()}/query"
    code = main(["query", "hierarchy_outline", "--engine", url])
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{url}: cannot connect" in err and "is the server running?" in err


def test_push_to_a_store_that_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{_free_port()}/store"
    code = main(["push", url])
    _, err = capsys.readouterr()
    assert code == 2 and f"{url}: cannot connect" in err


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def test_endpoint_too_slow(
    silent_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code = main(
        ["query", "hierarchy_outline", "--engine", silent_server, "--timeout", "0.5"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{silent_server}: no answer within 0.5 s (timeout)" in err
    assert time.monotonic() - started < 20


SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_service_is_refused_by_default(spec: str) -> None:
    with pytest.raises(UsageError, match="SERVICE clause.*allow_service=True"):
        open_engine(spec).run(SERVICE_QUERY)


def test_service_runs_when_allowed() -> None:
    # Port 1 is closed on loopback: the call fails, which proves it was made.
    with pytest.raises(InputError, match="oxigraph could not answer"):
        open_engine("oxigraph").run(SERVICE_QUERY, allow_service=True)


def test_endpoint_is_given_no_data(server: str) -> None:
    with pytest.raises(UsageError, match="an endpoint holds its own data"):
        open_engine(server + "/query", "other.ttl")


def test_unknown_engine() -> None:
    with pytest.raises(
        UsageError, match=r"unknown engine 'jena'; expected oxigraph, rdflib"
    ):
        open_engine("jena")


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_engine_on_a_missing_file(spec: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="absent.ttl: no such file"):
        open_engine(spec, tmp_path / "absent.ttl")


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_engine_on_a_broken_file(spec: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.ttl: not valid"):
        open_engine(spec, broken)


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_construct_and_ask(spec: str) -> None:
    engine = open_engine(spec)
    triples = engine.run(
        "CONSTRUCT { ?a <http://e/p> ?n } WHERE { "
        "?a <http://www.w3.org/2004/02/skos/core#notation> ?n "
        "FILTER (?n = '3.2.4') }"
    )
    assert triples.variables == ("subject", "predicate", "object")
    assert triples.values() == [
        ("https://w3id.org/refsi/id/activite/3.2.4", "http://e/p", "3.2.4")
    ]
    assert engine.run("ASK { ?s ?p ?o }").boolean is True


def test_construct_through_the_endpoint(server: str) -> None:
    engine = EndpointEngine(server + "/query")
    triples = engine.run(
        "CONSTRUCT { ?a <http://e/p> ?n } WHERE { "
        "?a <http://www.w3.org/2004/02/skos/core#notation> ?n FILTER (?n = '3.2.4') }"
    )
    assert triples.values() == [
        ("https://w3id.org/refsi/id/activite/3.2.4", "http://e/p", "3.2.4")
    ]
    assert engine.run("ASK { ?s ?p 'nothing like this' }").boolean is False


# -- Regressions of the fix round ---------------------------------------------

HUGE_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def _query_children() -> list[object]:
    return [p for p in multiprocessing.active_children() if p.name.endswith("-query")]


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_a_local_engine_stops_a_query_at_its_timeout(spec: str) -> None:
    with open_engine(spec, timeout=1) as engine:
        started = time.monotonic()
        with pytest.raises(
            QueryTimeoutError, match=r"^the query ran longer than 1 s and was stopped"
        ):
            engine.run(HUGE_QUERY)
        assert time.monotonic() - started < 30
        assert _query_children() == []  # killed, not left to run
        assert engine.run("ASK { ?s ?p ?o }").boolean is True  # a fresh child
        assert len(_query_children()) == 1
    assert _query_children() == []


def test_without_a_timeout_no_child_is_started() -> None:
    engine = open_engine("oxigraph")
    assert engine.timeout is None
    engine.run("ASK { ?s ?p ?o }")
    assert _query_children() == []


@pytest.mark.parametrize("spec", ["oxigraph", "rdflib"])
def test_a_child_reports_query_failures(spec: str) -> None:
    # The error raised in the child comes back as an InputError.
    with open_engine(spec, timeout=30) as engine:
        with pytest.raises(InputError):
            engine.run(SERVICE_QUERY, allow_service=True)


def test_max_rows_on_the_endpoint(server: str) -> None:
    engine = EndpointEngine(server + "/query")
    result = engine.run(HUGE_QUERY, max_rows=3)
    assert len(result.rows) == 3
    assert result.truncated == (
        f"{server}/query: stopped reading the results at 3 rows, the row limit "
        "(max_rows, --max-rows); the query has more"
    )
    # oxigraph serve sends everything, and says nothing of a cut.
    assert engine.run("SELECT ?s WHERE { ?s a ?c } LIMIT 60").truncated is None


def test_the_endpoint_engine_reads_the_truncation_header(live_server: str) -> None:
    engine = EndpointEngine(live_server + "/sparql")
    result = engine.run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(result.rows) == 50
    assert result.truncated == (
        f"the endpoint {live_server}/sparql cut the results (X-Refsi-Truncated: "
        "results cut at 50); the 50 rows received are not the whole answer"
    )


@pytest.mark.parametrize("value", [0, -1])
def test_max_rows_must_be_positive(value: int) -> None:
    with pytest.raises(UsageError, match="expected a positive number"):
        open_engine().run("ASK {}", max_rows=value)


def test_push_refuses_a_graph_that_is_no_iri() -> None:
    url = f"http://127.0.0.1:{_free_port()}/store"  # closed: never reached
    with pytest.raises(UsageError, match=r"--graph 'not iri' is not an absolute IRI"):
        push_graph(url, graph="not iri")
