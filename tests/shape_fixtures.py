"""Small edits of the committed graph that break exactly one shape, or none.

``BREAKS[name]`` edits a copy of the committed graph so that the shape
``refsish:<name>`` reports a fault and no other shape reports anything new;
``NEIGHBOURS[name]``, where there is one, makes a similar edit that every
shape accepts. The neighbours touch different concepts, so that all of them
can be applied to one graph together.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from refsi_graph.namespaces import ONTOLOGY_IRI, REFSI

__all__ = ["BREAKS", "NEIGHBOURS", "ID"]

ID = Namespace("https://w3id.org/refsi/id/")
EX = Namespace("http://example.org/")
ONTOLOGY = URIRef(ONTOLOGY_IRI)
R, ACTEURS, GLOSSAIRE = ID.referentiel, ID.acteurs, ID.glossaire

Edit = Callable[[Graph], None]


def by_notation(graph: Graph, notation: str, cls: URIRef) -> URIRef:
    found = [
        s
        for s in graph.subjects(SKOS.notation, Literal(notation))
        if (s, RDF.type, cls) in graph
    ]
    assert len(found) == 1, (notation, cls, found)
    node = found[0]
    assert isinstance(node, URIRef)
    return node


def act(graph: Graph, notation: str) -> URIRef:
    return by_notation(graph, notation, REFSI.Activite)


def proc(graph: Graph, notation: str) -> URIRef:
    return by_notation(graph, notation, REFSI.Processus)


def macro(graph: Graph, notation: str) -> URIRef:
    return by_notation(graph, notation, REFSI.MacroProcessus)


def actor(graph: Graph, notation: str) -> URIRef:
    return by_notation(graph, notation, REFSI.Acteur)


def term(graph: Graph, index: int) -> URIRef:
    terms = sorted(graph.subjects(RDF.type, REFSI.TermeGlossaire), key=str)
    node = terms[index]
    assert isinstance(node, URIRef)
    return node


def fr_label(graph: Graph, node: URIRef) -> Literal:
    return next(
        o
        for o in graph.objects(node, SKOS.prefLabel)
        if isinstance(o, Literal) and o.language == "fr"
    )


def set_one(graph: Graph, node: URIRef, prop: URIRef, value: URIRef | Literal) -> None:
    graph.remove((node, prop, None))
    graph.add((node, prop, value))


def untop(graph: Graph, node: URIRef) -> None:
    for scheme in list(graph.objects(node, SKOS.topConceptOf)):
        graph.remove((node, SKOS.topConceptOf, scheme))
        graph.remove((scheme, SKOS.hasTopConcept, node))


def make_top(graph: Graph, node: URIRef, scheme: URIRef) -> None:
    graph.add((node, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, node))


def link(graph: Graph, child: URIRef, parent: URIRef) -> None:
    graph.add((child, SKOS.broader, parent))
    graph.add((parent, SKOS.narrower, child))


def unlink(graph: Graph, child: URIRef, parent: URIRef) -> None:
    graph.remove((child, SKOS.broader, parent))
    graph.remove((parent, SKOS.narrower, child))


_SCHEME_METADATA = (
    RDF.type,
    SKOS.prefLabel,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.rights,
    DCTERMS.publisher,
    DCTERMS.creator,
    DCTERMS.source,
    DCTERMS.issued,
    DCTERMS.modified,
    OWL.versionInfo,
)


def copy_metadata(
    graph: Graph, source: URIRef, target: URIRef, labels: bool = True
) -> None:
    for prop in _SCHEME_METADATA:
        if prop == SKOS.prefLabel and not labels:
            continue
        for value in list(graph.objects(source, prop)):
            graph.add((target, prop, value))


def move_to_new_scheme(
    graph: Graph, scheme: URIRef, child: URIRef, parent: URIRef, top: bool
) -> None:
    """Move two glossary terms into a new scheme, one below the other."""
    copy_metadata(graph, GLOSSAIRE, scheme)
    for node in (child, parent):
        untop(graph, node)
        set_one(graph, node, SKOS.inScheme, scheme)
    link(graph, child, parent)
    if top:
        make_top(graph, parent, scheme)


def renumber(graph: Graph, node: URIRef, notation: str) -> None:
    set_one(graph, node, SKOS.notation, Literal(notation))


def add(*triples: tuple[Callable[[Graph], URIRef] | URIRef, URIRef, object]) -> Edit:
    """An edit that adds triples whose nodes may be looked up in the graph."""

    def edit(graph: Graph) -> None:
        for s, p, o in triples:
            subject = s(graph) if callable(s) else s
            obj = o(graph) if callable(o) else o
            graph.add((subject, p, obj))  # type: ignore[arg-type]

    return edit


# --- Structure ---------------------------------------------------------------


def _two_parents(graph: Graph) -> None:
    link(graph, act(graph, "3.2.4"), proc(graph, "3.1"))


def _move_activity(graph: Graph) -> None:
    node = act(graph, "1.1.2")
    unlink(graph, node, proc(graph, "1.1"))
    link(graph, node, proc(graph, "1.2"))
    renumber(graph, node, "1.2.99")


def _process_two_parents(graph: Graph) -> None:
    link(graph, proc(graph, "3.2"), macro(graph, "4"))


def _move_process(graph: Graph) -> None:
    node, child = proc(graph, "5.3"), act(graph, "5.3.1")
    unlink(graph, node, macro(graph, "5"))
    link(graph, node, macro(graph, "6"))
    renumber(graph, node, "6.99")
    renumber(graph, child, "6.99.1")


def _macro_with_parent(graph: Graph) -> None:
    link(graph, macro(graph, "3"), macro(graph, "4"))


def _macro_not_top(graph: Graph) -> None:
    untop(graph, macro(graph, "3"))


def _no_narrower(graph: Graph) -> None:
    graph.remove((proc(graph, "3.2"), SKOS.narrower, act(graph, "3.2.4")))


def _no_has_top(graph: Graph) -> None:
    graph.remove((GLOSSAIRE, SKOS.hasTopConcept, term(graph, 0)))


def _two_schemes(graph: Graph) -> None:
    graph.add((actor(graph, "2.1"), SKOS.inScheme, GLOSSAIRE))


def _not_a_concept(graph: Graph) -> None:
    graph.remove((term(graph, 0), RDF.type, SKOS.Concept))


def _top_elsewhere(graph: Graph) -> None:
    make_top(graph, term(graph, 0), ACTEURS)


def _parent_elsewhere(graph: Graph) -> None:
    child, parent = term(graph, 0), term(graph, 1)
    untop(graph, child)
    set_one(graph, child, SKOS.inScheme, ACTEURS)
    link(graph, child, parent)


def _typed_notation(node: Callable[[Graph], URIRef], notation: str) -> Edit:
    def edit(graph: Graph) -> None:
        set_one(
            graph, node(graph), SKOS.notation, Literal(notation, datatype=XSD.token)
        )

    return edit


def _notation(node: Callable[[Graph], URIRef], notation: str) -> Edit:
    def edit(graph: Graph) -> None:
        renumber(graph, node(graph), notation)

    return edit


def _no_actor_notation(graph: Graph) -> None:
    graph.remove((actor(graph, "2.1"), SKOS.notation, None))


def _concerns_nobody(graph: Graph) -> None:
    node = act(graph, "3.2.4")
    for target in list(graph.objects(node, REFSI.concerne)):
        graph.remove((node, REFSI.concerne, target))
        graph.remove((target, REFSI.estConcernePar, node))


def _concerns_one_more(graph: Graph) -> None:
    node, target = act(graph, "3.2.4"), actor(graph, "4.1")
    graph.add((node, REFSI.concerne, target))
    graph.add((target, REFSI.estConcernePar, node))


def _concerns_a_term(graph: Graph) -> None:
    node, target = act(graph, "3.2.4"), term(graph, 0)
    graph.add((node, REFSI.concerne, target))
    graph.add((target, REFSI.estConcernePar, node))


def _no_inverse(graph: Graph) -> None:
    node = act(graph, "3.2.4")
    target = sorted(graph.objects(node, REFSI.concerne), key=str)[0]
    graph.remove((target, REFSI.estConcernePar, node))


def _no_category(graph: Graph) -> None:
    graph.remove((actor(graph, "2.1"), RDF.type, REFSI.MetierSI))


# --- SKOS integrity ----------------------------------------------------------


def _concept_and_scheme(graph: Graph) -> None:
    node = term(graph, 0)
    # The scheme's metadata, so that the shapes of schemes are met too.
    copy_metadata(graph, GLOSSAIRE, node, labels=False)


def _alt_is_pref(graph: Graph) -> None:
    node = actor(graph, "2.1")
    graph.add((node, SKOS.altLabel, fr_label(graph, node)))


def _alt_is_pref_in_english(graph: Graph) -> None:
    node = actor(graph, "2.2")
    graph.add((node, SKOS.altLabel, Literal(str(fr_label(graph, node)), lang="en")))


def _hidden_is_alt(graph: Graph) -> None:
    node = actor(graph, "2.1")
    graph.add((node, SKOS.hiddenLabel, Literal("RSSI", lang="fr")))


def _related_to_parent(graph: Graph) -> None:
    graph.add((act(graph, "3.2.4"), SKOS.related, proc(graph, "3.2")))


def _related_elsewhere(graph: Graph) -> None:
    graph.add((act(graph, "4.1.1"), SKOS.related, proc(graph, "3.1")))


def _collection(graph: Graph) -> None:
    collection = ID["collection/voisine"]
    graph.add((collection, RDF.type, SKOS.Collection))
    graph.add((collection, SKOS.member, term(graph, 2)))


# --- Quality -----------------------------------------------------------------


def _label(
    node: Callable[[Graph], URIRef],
    text: str,
    lang: str | None = "fr",
    prop: URIRef = SKOS.altLabel,
) -> Edit:
    def edit(graph: Graph) -> None:
        graph.add((node(graph), prop, Literal(text, lang=lang)))

    return edit


def _no_labels(graph: Graph) -> None:
    graph.remove((term(graph, 0), SKOS.prefLabel, None))


def _no_english(graph: Graph) -> None:
    node = act(graph, "3.2.4")
    for label in list(graph.objects(node, SKOS.prefLabel)):
        if isinstance(label, Literal) and label.language == "en":
            graph.remove((node, SKOS.prefLabel, label))


def _overlap(graph: Graph) -> None:
    graph.add(
        (actor(graph, "2.1"), SKOS.altLabel, fr_label(graph, actor(graph, "2.2")))
    )


def _overlap_other_scheme(graph: Graph) -> None:
    graph.add((actor(graph, "2.3"), SKOS.altLabel, fr_label(graph, term(graph, 3))))


def _two_notations(graph: Graph) -> None:
    graph.add((term(graph, 0), SKOS.notation, Literal("G1")))
    graph.add((term(graph, 0), SKOS.notation, Literal("G2")))


def _cycle(graph: Graph) -> None:
    first, second = term(graph, 0), term(graph, 1)
    untop(graph, first)
    untop(graph, second)
    link(graph, first, second)
    link(graph, second, first)


def _top_with_parent(graph: Graph) -> None:
    link(graph, term(graph, 0), term(graph, 1))


def _below_another_term(graph: Graph) -> None:
    child, parent = term(graph, 5), term(graph, 6)
    untop(graph, child)
    link(graph, child, parent)


# --- Metadata ----------------------------------------------------------------


def _remove(
    node: URIRef | Callable[[Graph], URIRef], prop: URIRef, lang: str | None = None
) -> Edit:
    def edit(graph: Graph) -> None:
        subject = node(graph) if callable(node) else node
        for value in list(graph.objects(subject, prop)):
            if lang is None or (isinstance(value, Literal) and value.language == lang):
                graph.remove((subject, prop, value))

    return edit


def _vary(node: URIRef | Callable[[Graph], URIRef], prop: URIRef) -> Edit:
    """Replace each value by another of the same kind, which stays valid."""

    def edit(graph: Graph) -> None:
        subject = node(graph) if callable(node) else node
        for value in list(graph.objects(subject, prop)):
            graph.remove((subject, prop, value))
            if isinstance(value, URIRef):
                new: URIRef | Literal = EX[f"autre-{prop.split('/')[-1]}"]
            elif value.datatype == XSD.date:
                new = Literal("2021-06-30", datatype=XSD.date)
            else:
                new = Literal(
                    f"{value} (variante)", lang=value.language, datatype=value.datatype
                )
            graph.add((subject, prop, new))

    return edit


def _no_declared_activities(graph: Graph) -> None:
    graph.remove((R, REFSI.nombreDeclareActivites, None))


def _declared(macro_n: int, proc_n: int, act_n: int) -> Edit:
    def edit(graph: Graph) -> None:
        set_one(graph, R, REFSI.nombreDeclareMacroProcessus, Literal(macro_n))
        set_one(graph, R, REFSI.nombreDeclareProcessus, Literal(proc_n))
        set_one(graph, R, REFSI.nombreDeclareActivites, Literal(act_n))

    return edit


def _scheme_metadata(prop: URIRef) -> tuple[Edit, Edit]:
    return _remove(GLOSSAIRE, prop), _vary(ACTEURS, prop)


def _ontology_metadata(prop: URIRef) -> tuple[Edit, Edit]:
    return _remove(ONTOLOGY, prop), _vary(ONTOLOGY, prop)


FIXTURES: dict[str, tuple[Edit, Edit | None]] = {
    # structure
    "ActiviteParentShape": (_two_parents, _move_activity),
    "ProcessusParentShape": (_process_two_parents, _move_process),
    "MacroProcessusRootShape": (
        _macro_with_parent,
        add((lambda g: macro(g, "7"), SKOS.related, lambda g: macro(g, "8"))),
    ),
    "MacroProcessusTopShape": (_macro_not_top, None),
    "NarrowerMirrorShape": (_no_narrower, None),
    "TopConceptMirrorShape": (_no_has_top, None),
    "InSchemeShape": (_two_schemes, None),
    "ConceptTypeShape": (_not_a_concept, None),
    "TopConceptInSchemeShape": (_top_elsewhere, None),
    "ParentInSchemeShape": (_parent_elsewhere, _below_another_term),
    "MacroProcessusNotationShape": (
        _typed_notation(lambda g: macro(g, "3"), "3"),
        None,
    ),
    "ProcessusNotationShape": (_typed_notation(lambda g: proc(g, "3.2"), "3.2"), None),
    "ActiviteNotationShape": (
        _notation(lambda g: act(g, "3.2.4"), "3.2.4.1"),
        _notation(lambda g: act(g, "3.2.6"), "3.2.60"),
    ),
    "ActeurNotationShape": (_no_actor_notation, None),
    "MetierSINotationShape": (
        _notation(lambda g: actor(g, "2.1"), "3.99"),
        _notation(lambda g: actor(g, "2.4"), "2.99"),
    ),
    "RoleSINotationShape": (
        _notation(lambda g: actor(g, "3.1"), "2.99"),
        _notation(lambda g: actor(g, "3.2"), "3.99"),
    ),
    "ProfilUtilisateurNotationShape": (
        _notation(lambda g: actor(g, "4.1"), "3.99"),
        _notation(lambda g: actor(g, "4.2"), "4.99"),
    ),
    "NotationHierarchyShape": (
        _notation(lambda g: act(g, "3.2.4"), "3.9.4"),
        _notation(lambda g: act(g, "2.3.2"), "2.3.99"),
    ),
    "NotationUniqueShape": (
        _notation(lambda g: act(g, "3.2.4"), "3.2.5"),
        add((lambda g: term(g, 7), SKOS.notation, Literal("3.2.5"))),
    ),
    "ActiviteConcerneShape": (_concerns_nobody, _concerns_one_more),
    "EstConcerneParMirrorShape": (_no_inverse, None),
    "ActeurCategoryShape": (_no_category, None),
    # SKOS integrity
    "S9Shape": (_concept_and_scheme, None),
    "S13PrefLabelShape": (_alt_is_pref, _alt_is_pref_in_english),
    "S13AltLabelShape": (
        _hidden_is_alt,
        _label(lambda g: actor(g, "2.5"), "Variante cachée", prop=SKOS.hiddenLabel),
    ),
    "S14Shape": (
        _label(lambda g: act(g, "3.2.4"), "Suivi du projet SI", prop=SKOS.prefLabel),
        _label(lambda g: act(g, "3.2.5"), "Suivi du projet SI (voisin)"),
    ),
    "S27Shape": (_related_to_parent, _related_elsewhere),
    "S37Shape": (add((lambda g: term(g, 0), RDF.type, SKOS.Collection)), _collection),
    "S46Shape": (
        add(
            (lambda g: act(g, "3.2.4"), SKOS.exactMatch, EX.x),
            (lambda g: act(g, "3.2.4"), SKOS.broadMatch, EX.x),
        ),
        add(
            (lambda g: act(g, "3.2.7"), SKOS.exactMatch, EX.y),
            (lambda g: act(g, "3.2.7"), SKOS.broadMatch, EX.z),
        ),
    ),
    # quality
    "MissingLabelShape": (_no_labels, None),
    "LanguageCoverageShape": (_no_english, None),
    "EmptyLabelShape": (
        _label(lambda g: actor(g, "2.1"), ""),
        _label(lambda g: actor(g, "2.6"), "X"),
    ),
    "LanguageTagShape": (
        _label(lambda g: actor(g, "2.1"), "RSSI sans langue", lang=None),
        _label(lambda g: actor(g, "2.7"), "Tagged label", lang="en"),
    ),
    "UnprintableCharacterShape": (
        _label(lambda g: actor(g, "2.1"), "RSSI\u200b"),
        _label(lambda g: actor(g, "2.8"), "Expert – sécurité « SI »"),
    ),
    "MarkupShape": (
        _label(lambda g: act(g, "3.2.4"), "Suivi <u>du</u> projet"),
        _label(lambda g: act(g, "3.2.8"), "Suivi R&D du projet <voisin"),
    ),
    "NfcShape": (
        _label(
            lambda g: act(g, "3.2.4"), unicodedata.normalize("NFD", "Sécurité éprouvée")
        ),
        _label(lambda g: act(g, "3.2.9"), "Sécurité éprouvée"),
    ),
    "WhiteSpaceShape": (
        _label(lambda g: act(g, "3.2.4"), "Suivi  du projet"),
        _label(lambda g: act(g, "3.2.10"), "Suivi du projet, voisin"),
    ),
    "OverlappingLabelShape": (_overlap, _overlap_other_scheme),
    "AmbiguousNotationShape": (
        _two_notations,
        add((lambda g: term(g, 8), SKOS.notation, Literal("G1"))),
    ),
    "OrphanConceptShape": (lambda g: untop(g, term(g, 0)), None),
    "CyclicHierarchyShape": (_cycle, None),
    "TopConceptBroaderShape": (_top_with_parent, _below_another_term),
    "OmittedTopConceptShape": (
        lambda g: move_to_new_scheme(g, ID.nouveau, term(g, 0), term(g, 1), top=False),
        lambda g: move_to_new_scheme(g, ID.voisin, term(g, 10), term(g, 11), top=True),
    ),
    # metadata
    "SchemeTitleShape": _scheme_metadata(DCTERMS.title),
    "SchemeDescriptionShape": _scheme_metadata(DCTERMS.description),
    "SchemeRightsShape": _scheme_metadata(DCTERMS.rights),
    "SchemePublisherShape": _scheme_metadata(DCTERMS.publisher),
    "SchemeSourceShape": _scheme_metadata(DCTERMS.source),
    "SchemeIssuedShape": _scheme_metadata(DCTERMS.issued),
    "SchemeVersionShape": _scheme_metadata(OWL.versionInfo),
    "SchemeCreatorShape": _scheme_metadata(DCTERMS.creator),
    "SchemeModifiedShape": _scheme_metadata(DCTERMS.modified),
    "OntologyTitleShape": _ontology_metadata(DCTERMS.title),
    "OntologyDescriptionShape": _ontology_metadata(DCTERMS.description),
    "OntologyCreatorShape": _ontology_metadata(DCTERMS.creator),
    "OntologyLicenseShape": _ontology_metadata(DCTERMS.license),
    "OntologyVersionIriShape": _ontology_metadata(OWL.versionIRI),
    "OntologyVersionInfoShape": _ontology_metadata(OWL.versionInfo),
    "OntologyPrefixShape": (
        _remove(
            ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
        ),
        None,
    ),
    "OntologyNamespaceShape": (
        _remove(ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")),
        None,
    ),
    "TermDocumentationShape": (
        _remove(REFSI.concerne, RDFS.comment, lang="en"),
        _vary(REFSI.mentionne, RDFS.comment),
    ),
    # completeness
    "DeclaredTotalsShape": (_no_declared_activities, None),
    "CompletenessShape": (_declared(11, 35, 98), _declared(9, 32, 86)),
}

BREAKS: dict[str, Edit] = {name: pair[0] for name, pair in FIXTURES.items()}
NEIGHBOURS: dict[str, Edit] = {
    name: pair[1] for name, pair in FIXTURES.items() if pair[1] is not None
}
