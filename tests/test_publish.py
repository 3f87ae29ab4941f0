"""The static site: ``refsi publish`` run in-process, then read and crawled.

The crawl serves the written directory with the standard library's HTTP
server on loopback (a plain static host, with no rewriting) and follows
every link of every HTML page.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from refsi_graph.cli import main
from refsi_graph.paths import ontology_file
from refsi_graph.registry import fold

BASE = "https://w3id.org/refsi/id/"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert main(["publish", "--out", str(out)]) == 0
    return out


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_publish_reports_what_it_wrote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "publish", "--out", str(tmp_path / "s"))
    assert code == 0
    assert re.fullmatch(r"wrote \d+ files to .*/s\n", out)


def test_rebuild_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["publish", "--out", str(again)]) == 0
    assert digest(again) == digest(site)
    # Publishing over a previous site replaces it whole, with the same bytes.
    assert main(["publish", "--out", str(again)]) == 0
    assert digest(again) == digest(site)


def test_refuses_a_directory_that_is_not_a_site(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    code, _, err = run(capsys, "publish", "--out", str(tmp_path))
    assert code == 2
    assert "holds no refsi site" in err
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_bad_graph_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix : <http://x/> .\n:a :b \n")
    code, _, err = run(
        capsys, "publish", "--out", str(tmp_path / "o"), "--graph", str(bad)
    )
    assert code == 2
    assert "bad.ttl: not valid Turtle" in err
    assert not (tmp_path / "o").exists()


def test_publishes_an_rdf_xml_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, site: Path
) -> None:
    """``--graph`` reads any RDF syntax by its suffix, not only Turtle."""
    exported = tmp_path / "out-of-export.rdf"
    assert main(["export", "-f", "xml", "-o", str(exported)]) == 0
    assert exported.read_bytes().startswith(b"<?xml")
    code, out, err = run(
        capsys, "publish", "--out", str(tmp_path / "s"), "--graph", str(exported)
    )
    assert code == 0, err
    assert out.startswith("wrote ")
    # The same graph, so the same pages and documents as from the Turtle file.
    assert digest(tmp_path / "s") == digest(site)


def test_every_resource_has_a_page_and_four_rdf_documents(site: Path) -> None:
    graph = Graph().parse(ontology_file(), format="turtle")
    subjects = {str(s) for s in graph.subjects() if str(s).startswith(BASE)}
    assert len(subjects) == 194
    for iri in subjects:
        doc = site / "doc" / iri[len(BASE) :]
        for extension in ("html", "ttl", "nt", "rdf", "jsonld", "var"):
            assert doc.with_name(doc.name + "." + extension).is_file(), (iri, extension)


def test_per_resource_rdf_describes_the_resource(site: Path) -> None:
    for extension, parser in (
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("rdf", "xml"),
        ("jsonld", "json-ld"),
    ):
        graph = Graph().parse(site / f"doc/acteur/rssi.{extension}", format=parser)
        rssi = URIRef(BASE + "acteur/rssi")
        assert set(graph.subjects()) == {rssi}
        assert (rssi, SKOS.altLabel, Literal("RSSI", lang="fr")) in graph


def test_whole_graph_dumps_hold_the_graph(site: Path) -> None:
    committed = Graph().parse(ontology_file(), format="turtle")
    for extension, parser in (
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("rdf", "xml"),
        ("jsonld", "json-ld"),
    ):
        dumped = Graph().parse(site / f"data/refsi.{extension}", format=parser)
        assert dumped.isomorphic(committed), extension


def test_activity_page(site: Path) -> None:
    html = (site / "doc/activite/3.2.4.html").read_text()
    assert '<h1 lang="fr" id="label-fr">Définition et conception générale' in html
    assert 'lang="en" id="label-en">Definition and high-level design' in html
    assert '<span class="notation" id="notation">3.2.4</span>' in html
    # The breadcrumb: scheme, macro-process, process, then the activity.
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S)
    assert crumbs is not None
    assert re.findall(r'href="([^"]+)"', crumbs.group(0)) == [
        "../referentiel.html",
        "../macro-processus/3.html",
        "../processus/3.2.html",
    ]
    assert 'href="../acteur/chef-de-projet-metier.html"' in html
    assert 'href="../processus/3.2.html"' in html


def test_actor_page_groups_activities_by_process(site: Path) -> None:
    html = (site / "doc/acteur/rssi.html").read_text()
    assert "Responsable de la sécurité des systèmes d&#39;information" in html
    assert "Chief information security officer" in html
    assert "Activités qui concernent cet acteur" in html and "(13)" in html
    section = html[html.index('class="activities"') :]
    processes = re.findall(r'<h3><a href="\.\./processus/([\d.]+)\.html"', section)
    assert processes == sorted(processes, key=lambda n: [int(x) for x in n.split(".")])
    assert "1.2" in processes and "9.1" in processes
    assert "Titre complété par refsi" in html  # the editorial note
    assert '<span lang="fr">RSSI</span>' in html  # an alternative label


def test_scheme_page_tree_works_without_script(site: Path) -> None:
    html = (site / "doc/referentiel.html").read_text()
    assert html.count("<details>") == 9 + 32
    assert 'href="activite/3.2.4.html"' in html


def test_pages_are_french_first_with_english_beside(site: Path) -> None:
    for page in ("index.html", "doc/activite/3.2.4.html", "alphabetique.html"):
        html = (site / page).read_text()
        assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
        assert 'lang="en"' in html


def test_alphabetical_index_sorts_as_a_french_reader(tmp_path: Path) -> None:
    graph = Graph().parse(ontology_file(), format="turtle")
    extra = URIRef(BASE + "glossaire/elaboration")
    graph.add(
        (extra, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKOS.Concept)
    )
    graph.add(
        (
            extra,
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/refsi/ontologie#TermeGlossaire"),
        )
    )
    graph.add((extra, SKOS.prefLabel, Literal("Élaboration", lang="fr")))
    graph.add((extra, SKOS.inScheme, URIRef(BASE + "glossaire")))
    path = tmp_path / "g.ttl"
    graph.serialize(path, format="turtle")
    assert main(["publish", "--out", str(tmp_path / "s"), "--graph", str(path)]) == 0
    html = (tmp_path / "s/alphabetique.html").read_text()
    labels = re.findall(r'<li><a href="[^"]+" lang="fr">([^<]+)</a>', html)
    assert len(labels) == 9 + 32 + 86 + 39 + 24 + 1
    assert [fold(x) for x in labels] == sorted(fold(x) for x in labels)
    position = labels.index("Élaboration")
    assert fold(labels[position - 1]) < "elaboration" < fold(labels[position + 1])
    assert labels.index("Élaboration") < min(
        i for i, x in enumerate(labels) if x.startswith("S")
    )
    letters = re.findall(r'<a href="#lettre-([^"]+)">', html)
    assert "É" not in letters and "E" in letters


def test_every_literal_is_escaped(tmp_path: Path) -> None:
    graph = Graph().parse(ontology_file(), format="turtle")
    rssi = URIRef(BASE + "acteur/rssi")
    evil = '<script>alert("x")</script> & </script><b>'
    graph.add((rssi, SKOS.altLabel, Literal(evil, lang="fr")))
    graph.add(
        (rssi, SKOS.editorialNote, Literal("<img src=x onerror=alert(1)>", lang="fr"))
    )
    path = tmp_path / "g.ttl"
    graph.serialize(path, format="turtle")
    out = tmp_path / "s"
    assert main(["publish", "--out", str(out), "--graph", str(path)]) == 0
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "<b>" not in text, page
    html = (out / "doc/acteur/rssi.html").read_text()
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;/script&gt;" in html
    )
    script = (out / "static/search-index.js").read_text()
    assert "</script>" not in script and "<\\/script>" in script


def test_search_index_is_folded(site: Path) -> None:
    entries = json.loads((site / "search-index.json").read_text())
    assert len(entries) == 9 + 32 + 86 + 39 + 24
    found = [e for e in entries if "sauvegarde" in e["t"]]
    assert sorted(e["n"] for e in found) == ["5.2.2", "5.4.1"]
    assert all(e["t"] == fold(e["t"]) for e in entries)
    dpd = next(e for e in entries if e["u"] == "doc/acteur/dpd.html")
    assert "dpo" in dpd["t"]


def test_void_and_dcat(site: Path) -> None:
    void = Graph().parse(site / "void.ttl", format="turtle")
    assert (site / ".well-known/void").read_bytes() == (site / "void.ttl").read_bytes()
    ns = "http://rdfs.org/ns/void#"
    dumps = set(void.objects(None, URIRef(ns + "dataDump")))
    assert URIRef("https://w3id.org/refsi/data/refsi.ttl") in dumps
    assert (None, URIRef(ns + "uriSpace"), Literal(BASE)) in void
    # The static site has no endpoint, so its description names none.
    assert not list(void.objects(None, URIRef(ns + "sparqlEndpoint")))
    dcat = Graph().parse(site / "dcat.ttl", format="turtle")
    dist = URIRef("http://www.w3.org/ns/dcat#distribution")
    assert len(list(dcat.objects(None, dist))) == 4


def test_ontology_documentation(site: Path) -> None:
    html = (site / "doc/ontologie.html").read_text()
    for term in (
        "Activite",
        "Acteur",
        "MetierSI",
        "concerne",
        "estConcernePar",
        "mentionne",
        "nombreDeclareActivites",
    ):
        assert f'id="{term}"' in html, term
    assert "Relie une activité à un acteur qu&#39;elle concerne." in html


def test_sitemap_lists_every_page(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert sorted(loc.removeprefix("https://w3id.org/refsi/") for loc in locs) == pages


def test_server_configurations(site: Path) -> None:
    htaccess = (site / ".htaccess").read_text()
    assert "RewriteRule ^id/(.+)$ doc/$1 [R=303,L]" in htaccess
    assert "AddHandler type-map .var" in htaccess
    var = (site / "doc/activite/3.2.4.var").read_text()
    assert "URI: 3.2.4.ttl\nContent-type: text/turtle; qs=0.9" in var
    nginx = (site / "refsi-nginx.conf").read_text()
    assert "return 303 /refsi/doc/$1$is_args$args;" in nginx
    assert "add_header Vary Accept always;" in nginx


def test_other_base(tmp_path: Path) -> None:
    out = tmp_path / "s"
    assert (
        main(
            ["publish", "--out", str(out), "--base", "https://si.chu.example/refsi/id/"]
        )
        == 0
    )
    turtle = (out / "doc/acteur/rssi.ttl").read_text()
    assert "<https://si.chu.example/refsi/id/acteur/rssi>" in turtle
    assert "w3id.org/refsi/id/" not in (out / "data/refsi.nt").read_text()


# -- the crawl ------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name) and (tag != "form"):
                self.links.append(values[name] or "")
        if tag == "form" and values.get("action"):
            self.links.append(values["action"] or "")


@contextlib.contextmanager
def static_host(root: Path) -> Iterator[str]:
    """Serve *root* with the standard library's static file server on loopback."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def static_site(site: Path) -> Iterator[str]:
    with static_host(site) as url:
        yield url


def test_every_link_of_the_site_resolves(static_site: str, site: Path) -> None:
    root = "https://w3id.org/refsi/"
    pending = [static_site + "index.html"]
    seen: set[str] = set()
    anchors: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    checked: dict[str, int] = {}
    with httpx.Client(timeout=30) as client:
        while pending:
            url = pending.pop()
            if url in seen:
                continue
            seen.add(url)
            answer = client.get(url)
            assert answer.status_code == 200, url
            parser = _Links()
            parser.feed(answer.text)
            anchors[url] = parser.ids
            for link in parser.links:
                target = urljoin(url, link)
                page, _, fragment = target.partition("#")
                if target.startswith(root):
                    # An IRI of the graph: the .htaccess maps it to a document.
                    local = unquote(urlsplit(target).path).removeprefix("/refsi/")
                    doc = "doc/" + local.removeprefix("id/")
                    assert (site / (doc + ".html")).is_file(), (url, link)
                    continue
                if not target.startswith(static_site):
                    continue  # another site: the licence, the publisher
                if fragment:
                    fragments.append((url, page, fragment))
                if page.endswith(".html") or page.endswith("/"):
                    pending.append(page)
                elif page not in checked:
                    checked[page] = client.get(page).status_code
    assert all(code == 200 for code in checked.values()), {
        k: v for k, v in checked.items() if v != 200
    }
    for source, page, fragment in fragments:
        if "?" in page:
            continue
        assert fragment in anchors.get(page, set()), (source, page, fragment)
    html_files = {str(p.relative_to(site)) for p in site.rglob("*.html")}
    reached = {u.removeprefix(static_site) for u in seen}
    assert html_files <= reached, html_files - reached
