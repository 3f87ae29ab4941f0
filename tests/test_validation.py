"""SHACL validation: the committed graph, one broken graph per shape, the CLI."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, SKOS

from refsi_graph.cli import main
from refsi_graph.paths import ontology_file, shapes_dir
from refsi_graph.validation import (
    REFSISH,
    Result,
    format_report,
    load_data,
    load_shapes,
    validate,
    validate_graph,
)
from shape_fixtures import BREAKS, NEIGHBOURS

ID = Namespace("https://w3id.org/refsi/id/")

# (severity, shape, focus, subject, value, French message) identifies a result.
Key = tuple[str, str, str, str, str, str]

# The warnings the source itself explains: the publication declares 11, 35
# and 97 but its table holds 9, 32 and 86; and it names process 4.6 and its
# only activity 4.6.1 alike.
EXPECTED_WARNINGS = [
    (
        "CompletenessShape",
        None,
        "« Référentiel de compétences en système d'information » : la publication "
        "annonce 11 macro-processus, le graphe en contient 9 : écart de 2.",
    ),
    (
        "CompletenessShape",
        None,
        "« Référentiel de compétences en système d'information » : la publication "
        "annonce 35 processus, le graphe en contient 32 : écart de 3.",
    ),
    (
        "CompletenessShape",
        None,
        "« Référentiel de compétences en système d'information » : la publication "
        "annonce 97 activités, le graphe en contient 86 : écart de 11.",
    ),
    (
        "OverlappingLabelShape",
        "4.6",
        "4.6 « Archivage des données informatiques » : le libellé « Archivage des "
        "données informatiques » est aussi un libellé de 4.6.1",
    ),
    (
        "OverlappingLabelShape",
        "4.6",
        "4.6 « Archivage des données informatiques » : le libellé « Archiving of "
        "computer data » est aussi un libellé de 4.6.1",
    ),
    (
        "OverlappingLabelShape",
        "4.6.1",
        "4.6.1 « Archivage des données informatiques » : le libellé « Archivage des "
        "données informatiques » est aussi un libellé de 4.6 ",
    ),
    (
        "OverlappingLabelShape",
        "4.6.1",
        "4.6.1 « Archivage des données informatiques » : le libellé « Archiving of "
        "computer data » est aussi un libellé de 4.6 ",
    ),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def key(result: Result) -> Key:
    return (
        result.severity_name,
        str(result.shape),
        str(result.focus),
        str(result.subject),
        "" if result.value is None else result.value.n3(),
        result.messages.get("fr", ""),
    )


def named_shapes() -> list[str]:
    shapes, _ = load_shapes()
    names = {
        str(s)[len(REFSISH) :]
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if str(s).startswith(REFSISH)
    }
    return sorted(names)


# --- Validating many graphs in worker processes --------------------------------

_WORKER_SHAPES: Graph | None = None


def _start_worker() -> None:
    global _WORKER_SHAPES
    _WORKER_SHAPES, _ = load_shapes()


def _validate_ntriples(data: str) -> list[tuple[Key, list[str]]]:
    assert _WORKER_SHAPES is not None
    graph = Graph().parse(data=data, format="nt")
    report = validate_graph(graph, _WORKER_SHAPES)
    return [(key(r), sorted(r.messages)) for r in report.results]


def edited(base: Graph, *names: str, table: dict = BREAKS) -> str:  # type: ignore[type-arg]
    graph = Graph()
    for triple in base:
        graph.add(triple)
    for name in names:
        table[name](graph)
    return graph.serialize(format="nt")


@pytest.fixture(scope="module")
def baseline(committed_graph: Graph) -> set[Key]:
    shapes, _ = load_shapes()
    return {key(r) for r in validate_graph(committed_graph, shapes).results}


@pytest.fixture(scope="module")
def broken_reports(committed_graph: Graph) -> Iterator[dict[str, list]]:  # type: ignore[type-arg]
    """Validate every broken graph, and all the neighbours in one graph."""
    jobs = {name: edited(committed_graph, name) for name in sorted(BREAKS)}
    for name in sorted(NEIGHBOURS):
        jobs[f"neighbour:{name}"] = edited(committed_graph, name, table=NEIGHBOURS)
    jobs["<neighbours>"] = edited(
        committed_graph, *sorted(NEIGHBOURS), table=NEIGHBOURS
    )
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, initializer=_start_worker) as pool:
        futures = {
            name: pool.submit(_validate_ntriples, data) for name, data in jobs.items()
        }
        yield {name: future.result() for name, future in futures.items()}


# --- The committed graph -------------------------------------------------------


def test_committed_graph_conforms_with_the_explained_warnings_only() -> None:
    report = validate()
    assert report.conforms
    assert report.exit_status() == 0
    assert report.exit_status(strict=True) == 1
    got = [
        (str(r.shape)[len(REFSISH) :], r.notation, r.messages["fr"])
        for r in report.results
    ]
    assert [r.severity_name for r in report.results] == ["warning"] * 7
    assert len(got) == len(EXPECTED_WARNINGS)
    for (shape, notation, message), (want_shape, want_notation, start) in zip(
        got, EXPECTED_WARNINGS, strict=True
    ):
        assert (shape, notation) == (want_shape, want_notation)
        assert message.startswith(start), message


def test_every_result_speaks_french_and_english() -> None:
    for result in validate().results:
        assert sorted(result.messages) == ["en", "fr"]
    completeness = validate().results[0]
    assert completeness.messages["en"].startswith(
        '"IS competency framework": the publication declares 11 macro-processes, '
        "the graph holds 9: a gap of 2."
    )


def test_every_shape_is_labelled_and_has_messages_in_both_languages() -> None:
    shapes, _ = load_shapes()
    for name in named_shapes():
        node = URIRef(REFSISH + name)
        messages = {m.language for m in shapes.objects(node, SH.message)}
        labels = {
            m.language
            for m in shapes.objects(
                node, URIRef("http://www.w3.org/2000/01/rdf-schema#label")
            )
        }
        assert messages == {"fr", "en"}, name
        assert labels == {"fr", "en"}, name


def test_shapes_are_valid_shacl() -> None:
    import pyshacl

    shapes, _ = load_shapes()
    # An empty data graph: what is checked is the shapes graph, against the
    # SHACL-SHACL shapes of the specification.
    conforms, _, text = pyshacl.validate(
        Graph(), shacl_graph=shapes, meta_shacl=True, inference="none"
    )
    assert conforms, text


def test_sparql_constraints_use_declared_prefixes_only() -> None:
    shapes, _ = load_shapes()
    selects = list(shapes.subject_objects(SH.select))
    assert len(selects) >= 10
    for constraint, select in selects:
        declared: set[str] = set()
        for owner in shapes.objects(constraint, SH.prefixes):
            for decl in shapes.objects(owner, SH.declare):
                declared.add(str(shapes.value(decl, SH.prefix)))
        # Drop IRIs and strings, then every prefixed name must be declared.
        text = re.sub(r"<[^>\s]*>|\"[^\"]*\"|'[^']*'", " ", str(select))
        used = set(re.findall(r"(?<![\w?$])([A-Za-z][\w-]*):[A-Za-z_]", text))
        assert used <= declared, (select, used - declared)


def test_results_do_not_depend_on_the_prefixes_the_data_binds(
    committed_graph: Graph, baseline: set[Key]
) -> None:
    graph = Graph(bind_namespaces="none")
    graph.bind("skos", Namespace("http://example.org/not-skos#"))
    graph.bind("refsi", Namespace("http://example.org/not-refsi#"))
    graph.bind("xsd", Namespace("http://example.org/not-xsd#"))
    for triple in committed_graph:
        graph.add(triple)
    shapes, _ = load_shapes()
    assert {key(r) for r in validate_graph(graph, shapes).results} == baseline


def test_a_graph_under_another_base_iri_gives_the_same_warnings(tmp_path: Path) -> None:
    out = tmp_path / "local.ttl"
    assert (
        main(["build", "-o", str(out), "--base", "https://si.example-chu.fr/r/"]) == 0
    )
    report = validate([out])
    assert report.conforms
    assert [r.shape for r in report.results] == [r.shape for r in validate().results]


def test_validation_does_not_change_the_data(committed_graph: Graph) -> None:
    data = load_data([ontology_file()])
    before = len(data)
    shapes, _ = load_shapes()
    validate_graph(data, shapes)
    assert len(data) == before == len(committed_graph)


# --- One broken graph per shape ------------------------------------------------


def test_every_shape_has_a_breaking_fixture() -> None:
    assert sorted(BREAKS) == named_shapes()


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_fixture_breaks_exactly_its_shape(
    name: str,
    broken_reports: dict[str, list],
    baseline: set[Key],  # type: ignore[type-arg]
) -> None:
    results = broken_reports[name]
    new = [(k, langs) for k, langs in results if k not in baseline]
    assert new, f"{name}: the fixture breaks nothing"
    shapes = {k[1][len(REFSISH) :] for k, _ in new}
    assert shapes == {name}, f"{name}: also breaks {shapes - {name}}"
    for _, langs in new:
        assert langs == ["en", "fr"]


@pytest.mark.parametrize("name", sorted(NEIGHBOURS))
def test_neighbour_passes(
    name: str,
    broken_reports: dict[str, list],  # type: ignore[type-arg]
    baseline: set[Key],
) -> None:
    new = [k for k, _ in broken_reports[f"neighbour:{name}"] if k not in baseline]
    assert new == [], f"{name}: the neighbour breaks {new}"


def test_the_neighbours_together_break_nothing(
    broken_reports: dict[str, list],
    baseline: set[Key],  # type: ignore[type-arg]
) -> None:
    results = broken_reports["<neighbours>"]
    new = [k for k, _ in results if k not in baseline]
    assert new == []
    # The completeness neighbour declares what is present: no gap is left.
    assert not [k for k, _ in results if k[1].endswith("CompletenessShape")]
    assert len(NEIGHBOURS) >= 35


def test_a_violation_fails_and_a_warning_only_fails_when_strict(
    committed_graph: Graph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    violation = tmp_path / "violation.nt"
    violation.write_text(
        edited(committed_graph, "ActiviteParentShape"), encoding="utf-8"
    )
    code, out, _ = run(capsys, "validate", str(violation))
    assert code == 1
    assert "violation: refsish:ActiviteParentShape (1)" in out
    assert (
        "  fr: 3.2.4 « Définition et conception générale : rédaction des "
        "spécifications" in out
    )
    assert "» : une activité a exactement un concept plus large (skos:broader)" in out
    assert (
        "summary: 1 violation, 7 warnings, 0 infos: the graph does not conform" in out
    )

    warning = tmp_path / "warning.nt"
    warning.write_text(edited(committed_graph, "WhiteSpaceShape"), encoding="utf-8")
    assert run(capsys, "validate", str(warning))[0] == 0
    code, out, _ = run(capsys, "validate", "--strict", str(warning))
    assert code == 1
    assert (
        "(path skos:prefLabel|skos:altLabel|skos:hiddenLabel|rdfs:label; "
        'value "Suivi  du projet"@fr)' in out
    )


# --- The command line ----------------------------------------------------------


def test_cli_text_report_groups_by_shape_and_sorts_by_notation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0
    headings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert headings == [
        "warning: refsish:CompletenessShape (3) Gap between declared and present "
        "totals / Écart entre totaux déclarés et présents",
        "warning: refsish:OverlappingLabelShape (4) Overlapping labels in a scheme / "
        "Libellés partagés dans un schéma",
    ]
    french = [line for line in out.splitlines() if line.startswith("  fr: 4.6")]
    assert [line.split(" «")[0] for line in french] == ["  fr: 4.6"] * 2 + [
        "  fr: 4.6.1"
    ] * 2
    assert out.endswith(
        "summary: 0 violations, 7 warnings, 0 infos: the graph conforms\n"
    )
    assert run(capsys, "validate", "--strict")[0] == 1


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["conforms"], data["violations"], data["warnings"]) == (True, 0, 7)
    first = data["results"][0]
    assert first["shape"] == "refsish:CompletenessShape"
    assert first["severity"] == "warning"
    assert first["subject"] == str(ID.referentiel)
    assert set(first["message"]) == {"fr", "en"}
    overlap = data["results"][3]
    assert (overlap["notation"], overlap["subject"]) == (
        "4.6",
        str(ID["processus/4.6"]),
    )


def test_cli_turtle_is_a_shacl_report_and_deterministic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    assert run(capsys, "validate", "-f", "turtle", "-o", str(first))[0] == 0
    assert run(capsys, "validate", "-f", "turtle", "-o", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    report = Graph().parse(first)
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(True)
    results = list(report.objects(node, SH.result))
    assert len(results) == 7
    messages = {
        m.language for r in results for m in report.objects(r, SH.resultMessage)
    }
    assert messages == {"fr", "en"}


def test_cli_validates_several_files_together(
    committed_graph: Graph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The concepts need their schemes: apart they fail, together they conform.
    schemes, rest = Graph(), Graph()
    scheme_nodes = set(committed_graph.subjects(RDF.type, SKOS.ConceptScheme))
    for triple in committed_graph:
        (schemes if triple[0] in scheme_nodes else rest).add(triple)
    (tmp_path / "schemes.ttl").write_bytes(schemes.serialize(format="turtle").encode())
    (tmp_path / "rest.nt").write_bytes(rest.serialize(format="nt").encode())
    code, out, _ = run(
        capsys, "validate", str(tmp_path / "schemes.ttl"), str(tmp_path / "rest.nt")
    )
    assert code == 0, out
    assert "summary: 0 violations, 7 warnings" in out
    code, out, _ = run(capsys, "validate", str(tmp_path / "rest.nt"))
    assert code == 1
    assert "violation: refsish:InSchemeShape (190)" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b "open .\n',
            r"bad\.ttl:3: not valid turtle: newline found in string literal",
        ),
        ("", r"bad\.ttl: no triples to validate"),
    ],
    ids=["syntax-error", "empty"],
)
def test_cli_bad_data_exits_2(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and out == ""
    assert re.search(message, err), err


def test_cli_missing_inputs_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "absent.ttl"))
    assert code == 2 and "absent.ttl: no such file" in err
    code, _, err = run(capsys, "validate", "--shapes", str(tmp_path / "none"))
    assert code == 2 and "none: no such shapes directory or file" in err
    code, _, err = run(capsys, "validate", "--shapes", str(tmp_path))
    assert code == 2 and "no shapes here; expected *.ttl files" in err
    code, _, err = run(capsys, "validate", "--format", "csv")
    assert code == 2 and "invalid choice: 'csv'" in err


def test_cli_bad_shapes_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://x/S> a sh:NodeShape ; sh:targetNode <http://x/a> ;\n"
        '    sh:minCount "many" .\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "validate", "--shapes", str(tmp_path))
    assert code == 2 and out == ""
    assert "the shapes cannot be used" in err


def test_cli_one_shape_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate", "--shapes", str(shapes_dir() / "structure.ttl")
    )
    assert code == 0
    assert "summary: 0 violations, 0 warnings, 0 infos: the graph conforms" in out


def test_format_report_rejects_unknown_formats() -> None:
    with pytest.raises(
        ValueError, match=r"unknown report format 'csv'; expected one of"
    ):
        format_report(validate(), "csv")


# --- Another engine: Apache Jena SHACL ------------------------------------------

JENA_JAR = Path("/usr/share/java/jena-shacl.jar")
JENA_BATCH = Path(__file__).parent / "jena" / "ShaclBatch.java"


def _jena_classpath(overlay: Path) -> str:
    """Return the class path of Debian's Jena and its dependencies.

    Debian's jena-core moves the bundled Xerces classes to ``xerces.*`` but
    leaves their message files under ``org/apache/jena/ext/xerces``, so the
    regex parser cannot start; a copy of those files at the path the classes
    read makes it work (see bench/README.md).
    """
    import subprocess
    import zipfile

    seen: set[str] = set()
    todo = ["libapache-jena-java"]
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        depends = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", package],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for alternative in filter(None, (d.strip() for d in depends.split(","))):
            todo.append(alternative.split("|")[0].split()[0].split(":")[0])
    jars: set[str] = set()
    for package in seen:
        listing = subprocess.run(
            ["dpkg", "-L", package], capture_output=True, text=True, check=True
        ).stdout.split()
        for path in listing:
            name = Path(path).name
            if not (path.startswith("/usr/share/java/") and name.endswith(".jar")):
                continue
            if re.search(r"-\d[\d.]*\.jar$", name):
                continue  # the versioned twin of an unversioned jar
            if "slf4j" in name and name not in ("slf4j-api.jar", "slf4j-nop.jar"):
                continue  # one SLF4J binding only
            jars.add(path)
    with zipfile.ZipFile("/usr/share/java/jena-core.jar") as jar:
        prefix = "org/apache/jena/ext/xerces/"
        for entry in jar.namelist():
            if entry.startswith(prefix) and entry.endswith(".properties"):
                target = overlay / "xerces" / entry[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(entry))
    return ":".join([str(overlay), *sorted(jars)])


def _jena_available() -> str | None:
    import shutil

    if shutil.which("java") is None or shutil.which("javac") is None:
        return "no Java development kit (apt-get install openjdk-17-jdk-headless)"
    if not JENA_JAR.exists() or shutil.which("dpkg-query") is None:
        return "no Debian Jena SHACL (apt-get install libapache-jena-java)"
    return None


@pytest.mark.skipif(_jena_available() is not None, reason=str(_jena_available()))
def test_jena_agrees_with_pyshacl_on_the_committed_and_broken_graphs(
    committed_graph: Graph,
    broken_reports: dict[str, list],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    import subprocess

    files: dict[str, Path] = {"<committed>": ontology_file()}
    for name in sorted(BREAKS):
        files[name] = tmp_path / f"{name}.nt"
        files[name].write_text(edited(committed_graph, name), encoding="utf-8")
    classpath = _jena_classpath(tmp_path / "overlay")
    done = subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            str(JENA_BATCH),
            str(shapes_dir()),
            *(str(p) for p in files.values()),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    jena: dict[str, set[tuple[str, str, str]]] = {}
    current = ""
    for line in done.stdout.splitlines():
        if line.startswith("# "):
            current = line[2:]
            jena[current] = set()
        elif line:
            severity, focus, shape, _ = line.split("\t", 3)
            jena[current].add((severity.lower(), focus, shape))
    shapes, _ = load_shapes()
    committed = {
        (k[0], k[2], k[1])
        for k in map(key, validate_graph(committed_graph, shapes).results)
    }
    assert jena[str(ontology_file())] == committed
    for name, path in files.items():
        if name == "<committed>":
            continue
        ours = {(k[0], k[2], k[1]) for k, _ in broken_reports[name]}
        assert jena[str(path)] == ours, name
