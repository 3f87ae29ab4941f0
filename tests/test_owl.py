"""The graph as OWL: the OWL API (Protégé's library), owlready2 and HermiT.

The OWL API check is a small Java program, ``tests/owlapi/OwlApiCheck.java``,
compiled here against Debian's ``libowlapi-java`` jars; the tests that need
Java skip, saying why, when it is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import owlready2
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from refsi_graph.builder import ONTOLOGY_VERSION
from refsi_graph.cli import main
from refsi_graph.namespaces import ONTOLOGY_IRI, REFSI, VANN
from refsi_graph.paths import ontology_file

JAVA_DIR = Path("/usr/share/java")
CHECK_SOURCE = Path(__file__).parent / "owlapi" / "OwlApiCheck.java"
# The OWL API and what it needs at run time (Debian's libowlapi-java depends
# on all of them); slf4j-simple makes its parse warnings visible.
OWLAPI_JAR = "owlapi-distribution.jar"
RUNTIME_JARS = (
    "guava.jar",
    "caffeine.jar",
    "commons-io.jar",
    "commons-codec.jar",
    "commons-rdf-api.jar",
    "hppcrt.jar",
    "jsr305.jar",
    "atinject-jsr330-api.jar",
    "slf4j-api.jar",
    "slf4j-simple.jar",
    "xz.jar",
    "jackson-core.jar",
    "jackson-databind.jar",
    "jackson-annotations.jar",
)
# Only quietens javac about guava's annotations; not needed to run.
OPTIONAL_JARS = ("error_prone_annotations.jar",)

ID = "https://w3id.org/refsi/id/"


def _classpath() -> str:
    missing = [j for j in (OWLAPI_JAR, *RUNTIME_JARS) if not (JAVA_DIR / j).is_file()]
    if missing:
        pytest.skip(
            f"OWL API jars missing in {JAVA_DIR}: {', '.join(missing)} "
            "(apt-get install libowlapi-java)"
        )
    jars = [JAVA_DIR / j for j in (OWLAPI_JAR, *RUNTIME_JARS)]
    jars += [JAVA_DIR / j for j in OPTIONAL_JARS if (JAVA_DIR / j).is_file()]
    # rdf4j's parsers, which the OWL API registers for its RDF syntaxes.
    jars += sorted(p for p in JAVA_DIR.glob("rdf4j-*.jar") if not p.stem[-1].isdigit())
    return ":".join(str(j) for j in jars)


@pytest.fixture(scope="session")
def owlapi_check(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Compile the OWL API check once; return the command that runs it."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None:
        pytest.skip("java not found (apt-get install default-jdk-headless)")
    if javac is None:
        pytest.skip("javac not found (apt-get install default-jdk-headless)")
    classpath = _classpath()
    classes = tmp_path_factory.mktemp("owlapi")
    subprocess.run(
        [javac, "-d", str(classes), "-cp", classpath, str(CHECK_SOURCE)],
        check=True,
        capture_output=True,
        text=True,
    )
    return [java, "-cp", f"{classpath}:{classes}", "OwlApiCheck"]


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The committed graph exported as RDF/XML and N-Triples by the CLI."""
    out = tmp_path_factory.mktemp("owl-exports")
    paths = {"xml": out / "refsi.rdf", "nt": out / "refsi.nt"}
    for fmt, path in paths.items():
        assert main(["export", "--format", fmt, "-o", str(path)]) == 0
    return paths


def _run_check(command: list[str], path: Path, syntax: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [*command, str(path), syntax], capture_output=True, text=True, timeout=300
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="session")
def owlapi_results(
    owlapi_check: list[str], exports: dict[str, Path]
) -> dict[str, tuple[int, str, str]]:
    """Run the check once on the committed Turtle and on two exports."""
    sources = {
        "turtle": ontology_file(),
        "rdfxml": exports["xml"],
        "ntriples": exports["nt"],
    }
    return {
        syntax: _run_check(owlapi_check, path, syntax)
        for syntax, path in sources.items()
    }


@pytest.mark.parametrize(
    "source",
    ["turtle", "rdfxml", "ntriples"],
    ids=["committed-turtle", "rdfxml-export", "ntriples-export"],
)
def test_owlapi_loads_with_no_problem(
    source: str, owlapi_results: dict[str, tuple[int, str, str]]
) -> None:
    code, out, err = owlapi_results[source]
    assert "problems 0" in out, out + err
    assert code == 0, err
    assert " WARN " not in err and " ERROR " not in err, err
    lines = set(out.splitlines())
    assert f"ontology {ONTOLOGY_IRI} version {ONTOLOGY_IRI}/{ONTOLOGY_VERSION}" in lines
    # Every individual read as one: 190 concepts, 3 schemes and ANAP.
    assert "count NamedIndividual 194" in lines
    assert "count Class 12" in lines


@pytest.fixture(scope="session")
def owlapi_report(owlapi_results: dict[str, tuple[int, str, str]]) -> set[str]:
    code, out, err = owlapi_results["turtle"]
    assert code == 0, out + err
    return set(out.splitlines())


@pytest.mark.parametrize(
    ("kind", "iri"),
    [
        ("AnnotationProperty", SKOS.prefLabel),
        ("AnnotationProperty", SKOS.altLabel),
        ("AnnotationProperty", SKOS.hiddenLabel),
        ("AnnotationProperty", SKOS.notation),
        ("AnnotationProperty", SKOS.editorialNote),
        ("AnnotationProperty", DCTERMS.issued),
        ("ObjectProperty", SKOS.broader),
        ("ObjectProperty", SKOS.narrower),
        ("ObjectProperty", SKOS.inScheme),
        ("ObjectProperty", SKOS.topConceptOf),
        ("ObjectProperty", SKOS.hasTopConcept),
        ("ObjectProperty", REFSI.concerne),
        ("ObjectProperty", REFSI.estConcernePar),
        ("ObjectProperty", REFSI.mentionne),
        ("DataProperty", REFSI.nombreDeclareActivites),
        ("DataProperty", REFSI.concerneTousLesActeurs),
        ("Class", SKOS.Concept),
        ("Class", REFSI.Acteur),
    ],
    ids=lambda v: str(v).rsplit("/", 1)[-1],
)
def test_owlapi_sees_each_term_as_protege_expects(
    kind: str, iri: URIRef, owlapi_report: set[str]
) -> None:
    assert f"declared {kind} {iri}" in owlapi_report
    # One kind only: no line declares the same IRI with another kind.
    others = {line for line in owlapi_report if line.endswith(f" {iri}")}
    assert others == {f"declared {kind} {iri}"}


def test_owlapi_reads_the_ontology_header(owlapi_report: set[str]) -> None:
    header = {
        line.split(" ", 1)[1] for line in owlapi_report if line.startswith("header ")
    }
    assert {
        str(DCTERMS.title),
        str(DCTERMS.description),
        str(DCTERMS.creator),
        str(DCTERMS.license),
        str(DCTERMS.created),
        str(DCTERMS.modified),
        str(OWL.versionInfo),
        str(VANN.preferredNamespacePrefix),
        str(VANN.preferredNamespaceUri),
        str(RDFS.label),
    } <= header


def test_owlapi_check_reports_faults(owlapi_check: list[str], tmp_path: Path) -> None:
    """The check must be able to fail: punning and undeclared terms."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        "<http://example.org/o> a owl:Ontology .\n"
        "ex:p a owl:ObjectProperty, owl:AnnotationProperty .\n"
        "ex:a a owl:NamedIndividual, ex:Undeclared ; ex:p ex:b .\n",
        encoding="utf-8",
    )
    code, out, _ = _run_check(owlapi_check, bad, "turtle")
    assert code == 1
    assert (
        "problem: punned IRI: http://example.org/p is AnnotationProperty, "
        "ObjectProperty" in out
    )
    assert "Use of undeclared class: <http://example.org/Undeclared>" in out
    assert "problem: parser log:" in out


def test_owlapi_check_rejects_a_file_it_cannot_read(
    owlapi_check: list[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix : <urn:x#> .\n:a :b \n", encoding="utf-8")
    code, _, err = _run_check(owlapi_check, broken, "turtle")
    assert code == 2 and "cannot load it" in err


# The header and the terms, checked in the graph itself (no Java needed).


def test_every_refsi_term_is_declared_once_labelled_and_defined_by(
    committed_graph: Graph,
) -> None:
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
    )
    terms = {s for s in committed_graph.subjects() if str(s).startswith(str(REFSI))}
    assert len(terms) == 15
    for term in terms:
        declared = [k for k in kinds if (term, RDF.type, k) in committed_graph]
        assert len(declared) == 1, term
        assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in committed_graph
        for prop in (RDFS.label, RDFS.comment):
            languages = sorted(o.language for o in committed_graph.objects(term, prop))
            assert languages == ["en", "fr"], (term, prop)


def test_ontology_header_has_what_documentation_tools_show(
    committed_graph: Graph,
) -> None:
    o = URIRef(ONTOLOGY_IRI)
    g = committed_graph

    def languages(prop: URIRef) -> list[str | None]:
        return sorted(lit.language for lit in g.objects(o, prop))

    assert (o, RDF.type, OWL.Ontology) in g
    assert languages(DCTERMS.title) == ["en", "fr"]
    assert languages(DCTERMS.description) == ["en", "fr"]
    assert languages(RDFS.label) == ["en", "fr"]
    assert g.value(o, DCTERMS.creator) is not None
    assert g.value(o, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert g.value(o, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}")
    assert g.value(o, OWL.versionInfo) == Literal(ONTOLOGY_VERSION)
    assert g.value(o, VANN.preferredNamespacePrefix) == Literal("refsi")
    assert g.value(o, VANN.preferredNamespaceUri) == Literal(str(REFSI))
    for prop in (DCTERMS.created, DCTERMS.modified):
        value = g.value(o, prop)
        assert isinstance(value, Literal) and value.datatype == XSD.date, prop


# owlready2 reads RDF/XML and N-Triples, not Turtle.


def _owlready_world(path: Path) -> owlready2.World:
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    return world


@pytest.mark.parametrize("fmt", ["xml", "nt"])
def test_owlready2_finds_classes_individuals_and_french_labels(
    fmt: str, exports: dict[str, Path]
) -> None:
    world = _owlready_world(exports[fmt])
    refsi = world.get_namespace(str(REFSI))
    classes = {c.iri for c in world.classes()}
    assert {
        str(REFSI[n])
        for n in (
            "MacroProcessus",
            "Processus",
            "Activite",
            "Acteur",
            "MetierSI",
            "RoleSI",
            "ProfilUtilisateur",
            "TermeGlossaire",
        )
    } <= classes
    assert len(list(refsi.Activite.instances())) == 86
    assert len(list(refsi.Acteur.instances())) == 39
    assert len(list(refsi.MetierSI.instances())) == 13
    rssi = world[ID + "acteur/rssi"]
    assert rssi.prefLabel.fr == [
        "Responsable de la sécurité des systèmes d'information"
    ]
    activity = world[ID + "activite/3.1.3"]
    assert activity.notation == ["3.1.3"]
    assert {a.iri for a in activity.concerne} == {
        ID + "acteur/chef-de-projet-informatique",
        ID + "acteur/chef-de-projet-metier",
    }
    assert refsi.Activite.label.fr == ["Activité"]


@pytest.fixture(scope="session")
def java_for_hermit() -> None:
    if shutil.which("java") is None:
        pytest.skip(
            "java not found: HermiT needs it (apt-get install default-jdk-headless)"
        )


def test_hermit_finds_the_graph_consistent(
    java_for_hermit: None, exports: dict[str, Path]
) -> None:
    world = _owlready_world(exports["xml"])
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []


def test_hermit_reports_an_inconsistent_variant(
    java_for_hermit: None, exports: dict[str, Path], tmp_path: Path
) -> None:
    """The reasoner must be able to fail: an activity that is also an actor."""
    variant = tmp_path / "inconsistent.nt"
    variant.write_bytes(
        exports["nt"].read_bytes()
        + f"<{ID}activite/1.1.1> <{RDF.type}> <{REFSI.Acteur}> .\n".encode()
    )
    world = _owlready_world(variant)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
