"""The graph built from the source: IRIs, classes, labels, links, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from refsi_graph.builder import build, serialize_turtle
from refsi_graph.namespaces import REFSI
from refsi_graph.paths import ontology_file

ID = "https://w3id.org/refsi/id/"


def iri(local: str) -> URIRef:
    return URIRef(ID + local)


def test_committed_file_is_byte_identical_to_a_rebuild(graph: Graph) -> None:
    assert serialize_turtle(graph) == ontology_file().read_bytes()


def test_rebuild_in_another_process_is_identical(tmp_path: Path) -> None:
    out = tmp_path / "refsi.ttl"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run(
        [sys.executable, "-m", "refsi_graph.cli", "build", "-o", str(out)],
        check=True,
        env=env,
        capture_output=True,
    )
    assert out.read_bytes() == ontology_file().read_bytes()


def test_class_counts(graph: Graph) -> None:
    def count(cls: URIRef) -> int:
        return len(set(graph.subjects(RDF.type, cls)))

    assert count(REFSI.MacroProcessus) == 9
    assert count(REFSI.Processus) == 32
    assert count(REFSI.Activite) == 86
    assert count(REFSI.Acteur) == 39
    assert count(REFSI.MetierSI) == 13
    assert count(REFSI.RoleSI) == 15
    assert count(REFSI.ProfilUtilisateur) == 11
    assert count(REFSI.TermeGlossaire) == 24
    # Every concept is a skos:Concept too: SKOS tools do not infer.
    assert count(SKOS.Concept) == 9 + 32 + 86 + 39 + 24


def test_iris_follow_the_design(graph: Graph) -> None:
    activity = iri("activite/3.1.3")
    assert (activity, SKOS.notation, Literal("3.1.3")) in graph
    assert (activity, SKOS.broader, iri("processus/3.1")) in graph
    assert (iri("processus/3.1"), SKOS.narrower, activity) in graph
    assert (iri("processus/3.1"), SKOS.broader, iri("macro-processus/3")) in graph
    assert (activity, SKOS.inScheme, iri("referentiel")) in graph
    label = graph.value(activity, SKOS.prefLabel)
    assert label is not None
    fr = {o for o in graph.objects(activity, SKOS.prefLabel) if o.language == "fr"}
    assert fr == {
        Literal(
            "Suivi, contrôle, arbitrage et reporting sur l'avancée du projet", lang="fr"
        )
    }
    assert (iri("macro-processus/3"), SKOS.topConceptOf, iri("referentiel")) in graph
    assert (iri("referentiel"), SKOS.hasTopConcept, iri("macro-processus/3")) in graph


def test_every_concept_has_french_and_english_labels(graph: Graph) -> None:
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        languages = sorted(o.language for o in graph.objects(concept, SKOS.prefLabel))
        assert languages == ["en", "fr"], concept


def test_declared_totals_are_integers(graph: Graph) -> None:
    scheme = iri("referentiel")
    for prop, value in (
        (REFSI.nombreDeclareMacroProcessus, 11),
        (REFSI.nombreDeclareProcessus, 35),
        (REFSI.nombreDeclareActivites, 97),
    ):
        assert (scheme, prop, Literal(value, datatype=XSD.integer)) in graph


def test_concerne_and_its_inverse(graph: Graph) -> None:
    pairs = set(graph.subject_objects(REFSI.concerne))
    inverse = {(a, b) for b, a in graph.subject_objects(REFSI.estConcernePar)}
    assert pairs == inverse
    assert len(pairs) == 331
    assert (REFSI.concerne, OWL.inverseOf, REFSI.estConcernePar) in graph


def test_all_actors_activity_is_flagged(graph: Graph) -> None:
    flagged = set(graph.subjects(REFSI.concerneTousLesActeurs, Literal(True)))
    assert flagged == {iri("activite/7.3.1")}
    assert len(set(graph.objects(iri("activite/7.3.1"), REFSI.concerne))) == 39


def test_variant_spellings_are_hidden_labels(graph: Graph) -> None:
    hidden = set(graph.objects(iri("acteur/expert-cybersecurite"), SKOS.hiddenLabel))
    assert Literal("Expert cyber sécurité", lang="fr") in hidden
    alt = set(graph.objects(iri("acteur/dpd"), SKOS.altLabel))
    assert {Literal("DPD", lang="fr"), Literal("DPO", lang="fr")} <= alt
    assert Literal("Médecin DIM", lang="fr") in set(
        graph.objects(iri("acteur/medecin-dim"), SKOS.altLabel)
    )


def test_completed_titles_carry_an_editorial_note(graph: Graph) -> None:
    notes = list(graph.objects(iri("acteur/rssi"), SKOS.editorialNote))
    assert any("Responsable de la..." in n for n in notes)
    assert not list(graph.objects(iri("acteur/formateur"), SKOS.editorialNote))


def test_mentions_link_glossary_terms(graph: Graph) -> None:
    assert (iri("activite/3.3.2"), REFSI.mentionne, iri("glossaire/transfert")) in graph
    assert (
        iri("processus/4.2"),
        REFSI.mentionne,
        iri("glossaire/utilisateur"),
    ) in graph
    assert len(list(graph.subject_objects(REFSI.mentionne))) == 4


def test_every_term_is_labelled_and_commented(graph: Graph) -> None:
    terms = [
        s
        for s in graph.subjects(RDFS.isDefinedBy, None)
        if str(s).startswith(str(REFSI))
    ]
    assert len(terms) >= 15
    for term in terms:
        assert {o.language for o in graph.objects(term, RDFS.label)} == {"fr", "en"}
        assert {o.language for o in graph.objects(term, RDFS.comment)} == {"fr", "en"}


def test_no_blank_nodes_and_ascii_iris(graph: Graph) -> None:
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(ID):
                assert str(term).isascii(), term


def test_base_iri_is_a_setting(tmp_path: Path) -> None:
    base = "https://si.example-chu.fr/refsi/"
    graph = build(output=tmp_path / "local.ttl", base=base)
    assert (URIRef(base + "activite/3.1.3"), RDF.type, REFSI.Activite) in graph
    assert not any(str(s).startswith(ID) for s in graph.subjects())
    assert (
        "@prefix refsid: <https://si.example-chu.fr/refsi/>"
        in (tmp_path / "local.ttl").read_text()
    )


def test_class_labels_are_the_curated_words(graph: Graph) -> None:
    labels = {o.language: str(o) for o in graph.objects(REFSI.Activite, RDFS.label)}
    assert labels == {"fr": "Activité", "en": "Activity"}
