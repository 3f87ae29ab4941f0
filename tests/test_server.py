"""The linked-data server, through real HTTP clients against uvicorn on loopback.

httpx for dereferencing and content negotiation, http.client for raw paths
that other clients would normalise, SPARQLWrapper as the standard SPARQL
client; its rows are compared with pyoxigraph's in this process.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from conftest import running_server
from refsi_graph.cli import build_parser, main
from refsi_graph.linkeddata import load_linked_data

ACTIVITY = "activite/3.2.4"
LABEL_FR = (
    "Définition et conception générale : rédaction des spécifications fonctionnelles "
    "contribuant au cahier des charges et/ou à l'élaboration du CCTP"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(live_server: str) -> httpx.Client:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        yield client  # type: ignore[misc]


def iri(live_server: str, local: str) -> str:
    return f"{live_server}/id/{local}"


# -- dereferencing ---------------------------------------------------------------


def test_iri_answers_303_to_its_document(
    client: httpx.Client, live_server: str
) -> None:
    answer = client.get(iri(live_server, ACTIVITY))
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/doc/{ACTIVITY}"


def test_303_keeps_the_format_parameter(client: httpx.Client) -> None:
    answer = client.get(f"/id/{ACTIVITY}", params={"format": "nt"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/doc/{ACTIVITY}?format=nt"


def test_following_the_303_gives_turtle_about_the_iri(
    client: httpx.Client, live_server: str
) -> None:
    answer = client.get(
        iri(live_server, ACTIVITY),
        headers={"Accept": "text/turtle"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format="turtle")
    subject = URIRef(iri(live_server, ACTIVITY))
    assert (subject, SKOS.prefLabel, Literal(LABEL_FR, lang="fr")) in graph


@pytest.mark.parametrize(
    "local",
    [
        "acteur/rssi",
        "processus/3.2",
        "macro-processus/3",
        "glossaire/transfert",
        "referentiel",
        "acteurs",
        "glossaire",
        "organisation/anap",
    ],
)
def test_every_kind_of_iri_dereferences(client: httpx.Client, local: str) -> None:
    answer = client.get(f"/id/{local}", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"


def test_every_iri_of_the_graph_dereferences(
    client: httpx.Client, live_server: str
) -> None:
    data = load_linked_data(base=f"{live_server}/id/")
    published = data.published()
    assert len(published) == 9 + 32 + 86 + 39 + 24 + 3 + 1
    for resource in published:
        answer = client.get(resource, headers={"Accept": "application/n-triples"})
        assert answer.status_code == 303, resource
        doc = client.get(
            answer.headers["location"], headers={"Accept": "application/n-triples"}
        )
        assert doc.status_code == 200, resource
        assert f"<{resource}>" in doc.text


@pytest.mark.parametrize(
    "path",
    [
        "/id/activite/99.9.9",
        "/id/acteur/personne",
        "/id/",
        "/doc/acteur/personne",
        "/nulle-part.html",
    ],
)
def test_unknown_iris_and_pages_are_404(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert "Introuvable" in answer.text
    rdf = client.get(path, headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404
    assert rdf.headers["content-type"].startswith("text/plain")


def test_ontology_iri_dereferences(client: httpx.Client) -> None:
    answer = client.get("/ontologie", headers={"Accept": "text/turtle"})
    assert answer.status_code == 303
    doc = client.get(answer.headers["location"], headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=doc.text, format="turtle")
    assert (URIRef("https://w3id.org/refsi/ontologie#concerne"), None, None) in graph


def test_default_base_maps_w3id_iris_to_this_host() -> None:
    with running_server(timeout=3.0, workers=1) as url:
        answer = httpx.get(
            f"{url}/id/{ACTIVITY}",
            headers={"Accept": "text/turtle"},
            follow_redirects=True,
        )
    assert answer.status_code == 200
    assert f"<https://w3id.org/refsi/id/{ACTIVITY}>" in answer.text


# -- content negotiation -----------------------------------------------------------

HTML, TTL, NT, RDF, JSONLD = (
    "text/html",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
)
PARSERS = {
    HTML: None,
    TTL: "turtle",
    "application/x-turtle": "turtle",
    NT: "nt",
    "text/plain": "nt",
    RDF: "xml",
    JSONLD: "json-ld",
    "application/json": "json-ld",
}

MATRIX = [
    (None, HTML),
    ("text/html", HTML),
    ("text/turtle", TTL),
    ("application/x-turtle", "application/x-turtle"),
    ("application/n-triples", NT),
    ("application/rdf+xml", RDF),
    ("application/ld+json", JSONLD),
    ("application/json", "application/json"),
    ("*/*", HTML),
    ("*/*, text/turtle", TTL),
    ("text/turtle, */*", TTL),
    ("*/*;q=0.1, application/rdf+xml", RDF),
    ("text/*", HTML),
    ("text/*;q=0.5, application/ld+json", JSONLD),
    ("text/html;q=0, */*", TTL),
    ("text/html;q=0, text/turtle;q=0, */*;q=0.1", NT),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.8", RDF),
    ("text/turtle;q=0.3, application/ld+json;q=0.9, text/html;q=0.1", JSONLD),
    ("application/*", NT),
    ("TEXT/Turtle", TTL),
    ("text/turtle;charset=utf-8;q=0.7, text/html;level=1;q=0.6", TTL),
    ("text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", HTML),  # old Java
    ("text/turtle;q=1.000, , text/html;q=0.999", TTL),
    ('text/turtle;profile="a,b;c";q=0.5, text/html;q=0.4', TTL),
    (BROWSER, HTML),
]


@pytest.mark.parametrize(
    ("accept", "expected"), MATRIX, ids=[str(a) for a, _ in MATRIX]
)
def test_content_negotiation(
    client: httpx.Client, live_server: str, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    answer = client.get(f"/doc/{ACTIVITY}", headers=headers)
    if accept is None:
        # httpx sends */* by default; ask again with no header at all.
        answer = _raw_get(live_server, f"/doc/{ACTIVITY}", {})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == expected + "; charset=utf-8"
    assert "Accept" in answer.headers["vary"]
    parser = PARSERS[expected]
    if parser is None:
        assert (
            f'<h1 lang="fr" id="label-fr">{LABEL_FR.replace(chr(39), "&#39;")}</h1>'
            in answer.text
        )
        return
    graph = Graph().parse(data=answer.content, format=parser)
    assert (
        URIRef(iri(live_server, ACTIVITY)),
        SKOS.prefLabel,
        Literal(LABEL_FR, lang="fr"),
    ) in graph


@pytest.mark.parametrize(
    "accept", ["image/png", "*/*;q=0", "text/html;q=0", "application/pdf, image/*"]
)
def test_406_when_nothing_offered_is_acceptable(
    client: httpx.Client, accept: str
) -> None:
    answer = client.get(f"/doc/{ACTIVITY}", headers={"Accept": accept})
    assert answer.status_code == 406
    assert "Accept" in answer.headers["vary"]
    assert "text/turtle" in answer.text


MALFORMED_ACCEPT = {
    "text/turtle;q=2": "the quality 'q=2' of 'text/turtle;q=2'",
    ";;;,,,q=abc": "';;;' is not a media range",
    "text/turtle;q=0.1234": "'q=0.1234'",
    "text/turtle;q=-1": "'q=-1'",
    "text/html;q=0.5, text/turtle;q=bad": "the quality 'q=bad' of 'text/turtle;q=bad'",
    "turtle": "'turtle' is not a media range",
}


@pytest.mark.parametrize(("accept", "named"), MALFORMED_ACCEPT.items())
def test_malformed_accept_is_a_bad_request(
    client: httpx.Client, accept: str, named: str
) -> None:
    """A malformed header is the client's fault (400), not a missing type (406)."""
    answer = client.get(f"/doc/{ACTIVITY}", headers={"Accept": accept})
    assert answer.status_code == 400
    assert "Accept" in answer.headers["vary"]
    assert "malformed Accept header" in answer.text
    assert named in answer.text
    void = client.get("/.well-known/void", headers={"Accept": accept})
    assert void.status_code == 400 and named in void.text
    results = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
        headers={"Accept": accept},
    )
    assert results.status_code == 400
    assert "Accept" in results.headers["vary"]
    assert named in results.text


def test_malformed_accept_on_a_missing_page_is_404(client: httpx.Client) -> None:
    answer = client.get("/nowhere", headers={"Accept": "text/html;q=2"})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ttl", TTL),
        ("turtle", TTL),
        ("nt", NT),
        ("rdf", RDF),
        ("xml", RDF),
        ("jsonld", JSONLD),
        ("html", HTML),
    ],
)
def test_format_parameter_wins_over_accept(
    client: httpx.Client, name: str, expected: str
) -> None:
    answer = client.get(
        f"/doc/{ACTIVITY}", params={"format": name}, headers={"Accept": "image/png"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == expected + "; charset=utf-8"


def test_unknown_format_parameter_is_a_bad_request(client: httpx.Client) -> None:
    answer = client.get(f"/doc/{ACTIVITY}", params={"format": "docx"})
    assert answer.status_code == 400
    assert "ttl, nt, rdf, jsonld" in answer.text


def test_negotiated_answer_names_the_file_it_chose(client: httpx.Client) -> None:
    answer = client.get(f"/doc/{ACTIVITY}", headers={"Accept": "application/ld+json"})
    assert answer.headers["content-location"] == "3.2.4.jsonld"
    assert '<3.2.4.ttl>; rel="alternate"; type="text/turtle"' in answer.headers["link"]
    direct = client.get(f"/doc/{ACTIVITY}.jsonld")
    assert direct.content == answer.content
    assert direct.headers["content-type"] == "application/ld+json; charset=utf-8"


def test_head_request(client: httpx.Client) -> None:
    answer = client.head(f"/doc/{ACTIVITY}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/turtle; charset=utf-8"
    assert answer.content == b""


def test_whole_graph_in_each_format(client: httpx.Client) -> None:
    sizes = set()
    for extension, parser in (
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("rdf", "xml"),
        ("jsonld", "json-ld"),
    ):
        answer = client.get(f"/data/refsi.{extension}")
        assert answer.status_code == 200
        sizes.add(len(Graph().parse(data=answer.content, format=parser)))
    assert sizes == {len(load_linked_data().triples)}


def test_void_at_well_known(client: httpx.Client, live_server: str) -> None:
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert "Accept" in answer.headers["vary"]
    graph = Graph().parse(data=answer.text, format="turtle")
    void = "http://rdfs.org/ns/void#"
    assert (
        None,
        URIRef(void + "sparqlEndpoint"),
        URIRef(f"{live_server}/sparql"),
    ) in graph
    triples = next(graph.objects(None, URIRef(void + "triples")))
    assert int(triples) == len(load_linked_data().triples)
    as_json = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_json.content, format="json-ld")) == len(graph)


# -- path traversal ------------------------------------------------------------------


def _raw_get(root: str, path: str, headers: dict[str, str]) -> httpx.Response:
    # http.client sends the path byte for byte; httpx would remove dot segments.
    parts = urlsplit(root)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        raw = conn.getresponse()
        return httpx.Response(raw.status, headers=raw.getheaders(), content=raw.read())
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/doc/..%2f..%2f..%2fetc%2fpasswd",
        "/id/../../pyproject.toml",
        "/static/..%5c..%5cpyproject.toml",
        "/doc/acteur/../../../src/refsi_graph/server.py",
    ],
)
def test_path_traversal_is_refused(live_server: str, path: str) -> None:
    answer = _raw_get(live_server, path, {})
    assert answer.status_code in (400, 404)
    assert b"root:" not in answer.content
    assert b"[project]" not in answer.content and b"import" not in answer.content


# -- SPARQL ------------------------------------------------------------------------

RSSI_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX refsi: <https://w3id.org/refsi/ontologie#>
SELECT ?activite ?notation ?libelle WHERE {{
  ?activite refsi:concerne <{base}acteur/rssi> ;
            skos:notation ?notation ;
            skos:prefLabel ?libelle .
  FILTER (lang(?libelle) = "fr")
}} ORDER BY ?notation
"""


@pytest.fixture(scope="module")
def store(live_server: str) -> ox.Store:
    return load_linked_data(base=f"{live_server}/id/").store


def in_process_rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(row[n].value for n in names) for row in result]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json_gives_the_in_process_rows(
    live_server: str, store: ox.Store, method: str
) -> None:
    query = RSSI_QUERY.format(base=f"{live_server}/id/")
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(query)
    client.setMethod(method)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    names = result["head"]["vars"]
    rows = [tuple(b[n]["value"] for n in names) for b in result["results"]["bindings"]]
    expected = in_process_rows(store, query)
    assert rows == expected
    assert len(rows) == 13
    assert rows[0][1] == "1.2.1"


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_sparqlwrapper_other_result_formats(
    live_server: str, store: ox.Store, fmt: str
) -> None:
    query = RSSI_QUERY.format(base=f"{live_server}/id/")
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    answer = client.query()
    notations = [row[1] for row in in_process_rows(store, query)]
    if fmt == XML:
        document = answer.convert()
        found = [
            n.firstChild.data
            for n in document.getElementsByTagName("literal")
            if n.firstChild.data[:1].isdigit()
        ]
        assert found == notations
        return
    text = answer.convert().decode("utf-8")
    lines = text.splitlines()
    if fmt == CSV:
        assert lines[0] == "activite,notation,libelle"
        assert [line.split(",")[1] for line in lines[1:]] == notations
    else:
        assert lines[0] == "?activite\t?notation\t?libelle"
        assert [line.split("\t")[1] for line in lines[1:]] == [
            f'"{n}"' for n in notations
        ]


def test_sparqlwrapper_construct(live_server: str, store: ox.Store) -> None:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a skos:ConceptScheme ; "
        "skos:prefLabel ?l }"
    )
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == len(list(store.query(query))) == 6


def test_ask(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json() == {"head": {}, "boolean": True}


def test_post_application_sparql_query(client: httpx.Client) -> None:
    answer = client.post(
        "/sparql",
        content="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert answer.status_code == 200
    assert answer.text.splitlines() == ["n", str(len(load_linked_data().triples))]


def test_result_limit_cuts_and_says_so(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql",
        params={
            "query": "SELECT ?a ?b WHERE { ?a <https://w3id.org/refsi/ontologie#"
            "concerne> ?b }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200
    assert len(answer.json()["results"]["bindings"]) == 50
    assert answer.headers["x-refsi-truncated"] == "results cut at 50"


def test_results_406(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
        headers={"Accept": "image/png"},
    )
    assert answer.status_code == 406


def test_form_page_without_query(client: httpx.Client) -> None:
    answer = client.get("/sparql")
    assert answer.status_code == 200
    assert "<textarea" in answer.text


UPDATE = (
    "INSERT DATA { <http://a.example/s> <http://a.example/p> <http://a.example/o> }"
)


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "GET", "params": {"update": UPDATE}},
        {"method": "POST", "data": {"update": UPDATE}},
        {
            "method": "POST",
            "content": UPDATE,
            "headers": {"Content-Type": "application/sparql-update"},
        },
    ],
    ids=["get-update", "post-form-update", "post-sparql-update"],
)
def test_updates_are_refused(client: httpx.Client, request_args: dict) -> None:  # type: ignore[type-arg]
    answer = client.request(url="/sparql", **request_args)
    assert answer.status_code == 403
    assert "read-only" in answer.text
    check = client.get(
        "/sparql",
        params={"query": "ASK { <http://a.example/s> ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert check.json()["boolean"] is False


def test_update_as_query_is_a_bad_request(client: httpx.Client) -> None:
    answer = client.get("/sparql", params={"query": UPDATE})
    assert answer.status_code == 400
    assert "updates are refused" in answer.text


def test_sparqlwrapper_update_is_refused(live_server: str) -> None:
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(UPDATE)
    client.setMethod("POST")
    with pytest.raises(Exception, match="403"):
        client.query()


def test_service_is_refused(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql",
        params={
            "query": "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
        },
    )
    assert answer.status_code == 400
    assert "SERVICE" in answer.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o .SERVICE <http://127.0.0.1:1/sparql> { ?a ?b ?c } }",
        "SELECT * { ?s ?p ?o.service <http://127.0.0.1:1/sparql> { ?a ?b ?c } }",
        "SELECT * { BIND(1 AS ?x).SERVICE <http://127.0.0.1:1/sparql> { } }",
        "SELECT * { ?s ?p 1SERVICE <http://127.0.0.1:1/sparql> { } }",
        "SELECT * { ?s ?p 1.SERVICE <http://127.0.0.1:1/sparql> { } }",
        "ASK{SERVICE?x{}}",
    ],
)
def test_service_glued_to_other_tokens_is_refused(
    client: httpx.Client, query: str
) -> None:
    # The SPARQL parser reads SERVICE here, even with no space before it.
    answer = client.get("/sparql", params={"query": query})
    assert answer.status_code == 400
    assert "SERVICE (federated query) is refused" in answer.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # service",
        'SELECT ?s WHERE { ?s ?p "Service desk" }',
        "SELECT ?s WHERE { ?s ?p 'service' }",
        'SELECT ?s WHERE { ?s ?p """a\nservice""" }',
        "SELECT ?service WHERE { ?service ?p <http://e.example/service> }",
        "PREFIX service: <http://e.example/service#> "
        "SELECT ?s WHERE { ?s service:x ?o }",
        'SELECT ?s WHERE { ?s ?p "x"@service }',
    ],
)
def test_service_as_a_word_is_answered(client: httpx.Client, query: str) -> None:
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/csv"}
    )
    assert answer.status_code == 200, answer.text


def test_label_search_for_service_matches_in_process(
    live_server: str,
    store: ox.Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``service`` is an everyday word of the labels, not a federated call."""
    data = tmp_path / "served.nt"
    data.write_bytes(
        store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    )
    search = ["query", "label_search", "--param", "text=service", "-f", "csv"]
    assert main([*search, "--engine", f"{live_server}/sparql"]) == 0
    remote = capsys.readouterr()
    assert "refused" not in remote.err
    assert main([*search, "--data", str(data)]) == 0
    local = capsys.readouterr().out
    assert remote.out == local
    assert len(local.splitlines()) > 2  # a header and some rows


@pytest.mark.parametrize("query", ["", "   \n\t"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_empty_query_is_a_bad_request(
    client: httpx.Client, query: str, method: str
) -> None:
    if method == "GET":
        answer = client.get("/sparql", params={"query": query})
    else:
        answer = client.post("/sparql", data={"query": query})
    assert answer.status_code == 400
    assert answer.text.startswith("the query is empty")
    assert "[_]" not in answer.text


def test_bad_query_is_a_bad_request(client: httpx.Client) -> None:
    answer = client.get("/sparql", params={"query": "SELECT WHERE nonsense"})
    assert answer.status_code == 400
    assert "not valid SPARQL" in answer.text


def test_too_long_query_is_stopped(client: httpx.Client) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    answer = client.get(
        "/sparql",
        params={"query": slow},
        headers={"Accept": "application/sparql-results+json"},
    )
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert "time limit of 3 s" in answer.text
    assert elapsed < 30
    # The stopped worker is replaced: the endpoint goes on answering.
    after = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert after.status_code == 200 and after.json()["boolean"] is True


# -- the command line ---------------------------------------------------------------


def test_serve_binds_loopback_unless_told() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert args.port == 8000


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--port", "99999", "--port 99999 is not a TCP port; expected 0 to 65535"),
        ("--port", "-1", "--port -1 is not a TCP port; expected 0 to 65535"),
        ("--port", "65536", "--port 65536 is not a TCP port"),
        ("--timeout", "0", "--timeout 0: expected a number of seconds above 0"),
        ("--timeout", "-3", "--timeout -3: expected a number of seconds above 0"),
        ("--timeout", "nan", "--timeout nan: expected"),
        ("--timeout", "inf", "--timeout inf: expected"),
        ("--timeout", "1e9", "at most 86400"),
        ("--max-results", "0", "--max-results 0: expected a positive whole number"),
        ("--workers", "0", "--workers 0: expected a positive whole number"),
        ("--workers", "-2", "--workers -2: expected a positive whole number"),
    ],
)
def test_serve_rejects_bad_options(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    # Refused before the graph is loaded or a socket opened: no traceback.
    assert main(["serve", option, value]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_bind_refuses_a_port_out_of_range() -> None:
    from refsi_graph.errors import UsageError
    from refsi_graph.server import _bind

    with pytest.raises(UsageError, match="expected a port from 0 to 65535"):
        _bind("127.0.0.1", 70000)


def test_serve_graph_option_names_every_rdf_syntax() -> None:
    for command in ("serve", "publish"):
        help_text = " ".join(_help(command).split())
        assert "Turtle)" not in help_text and "in Turtle" not in help_text
        assert ".rdf" in help_text and ".jsonld" in help_text


def _help(command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    return out.getvalue()


def test_serve_rejects_a_bad_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--base", "ftp://x/", "--port", "0"]) == 2
    assert "expected an http(s) IRI ending with '/'" in capsys.readouterr().err


def test_json_results_are_valid_json(client: httpx.Client) -> None:
    answer = client.post(
        "/sparql",
        data={
            "query": "SELECT ?s { ?s a <http://www.w3.org/"
            "2004/02/skos/core#ConceptScheme> }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert len(json.loads(answer.text)["results"]["bindings"]) == 3
