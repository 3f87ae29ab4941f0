"""Turn the parsed framework into the refsi RDF graph and write it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from refsi_graph.errors import SourceError
from refsi_graph.files import read_text, write_atomic
from refsi_graph.loader import Activity, Framework, GlossaryTerm, load_framework
from refsi_graph.namespaces import (
    DEFAULT_BASE,
    FOAF,
    ONTOLOGY_IRI,
    ORG,
    REFSI,
    VANN,
    bind_prefixes,
    data_namespace,
)
from refsi_graph.paths import data_dir, source_file
from refsi_graph.registry import load_registry
from refsi_graph.turtle import write_turtle

__all__ = [
    "ONTOLOGY_VERSION",
    "build",
    "build_graph",
    "load_translations",
    "serialize_turtle",
]

logger = logging.getLogger(__name__)

ONTOLOGY_VERSION = "0.1.0"
SOURCE_URL = (
    "https://ressources.anap.fr/numerique/publication/"
    "196-connaître-le-référentiel-de-compétences-si-des-métiers-des-etablissements"
    "-de-santé"
)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# Fixed dates, not the build time, so that every rebuild gives the same bytes;
# bump ONTOLOGY_MODIFIED with ONTOLOGY_VERSION.
ONTOLOGY_CREATED = "2026-12-04"
ONTOLOGY_MODIFIED = "2026-12-04"


@dataclass(frozen=True)
class _Term:
    fr: str
    en: str
    comment_fr: str
    comment_en: str


_CLASSES: dict[str, tuple[_Term, tuple[URIRef, ...]]] = {
    "MacroProcessus": (
        _Term(
            "Macro-processus",
            "Macro-process",
            "Regroupement de processus du SI ; concept de tête du référentiel.",
            "A group of IS processes; a top concept of the framework.",
        ),
        (SKOS.Concept,),
    ),
    "Processus": (
        _Term(
            "Processus",
            "Process",
            "Processus du SI, rattaché à un macro-processus.",
            "An IS process, part of one macro-process.",
        ),
        (SKOS.Concept,),
    ),
    "Activite": (
        _Term(
            "Activité",
            "Activity",
            "Activité relative au SI, rattachée à un processus et qui concerne "
            "des acteurs.",
            "An activity touching the IS, part of one process, that concerns "
            "one or more actors.",
        ),
        (SKOS.Concept,),
    ),
    "Acteur": (
        _Term(
            "Acteur",
            "Actor",
            "Métier SI, rôle SI ou profil utilisateur que concernent des activités.",
            "An IS job, IS role or user profile that activities concern.",
        ),
        (SKOS.Concept, ORG.Role),
    ),
    "MetierSI": (
        _Term(
            "Métier SI",
            "IS job",
            "Métier de la fonction SI (section 2 de la publication).",
            "A job of the IS department (section 2 of the publication).",
        ),
        (REFSI.Acteur,),
    ),
    "RoleSI": (
        _Term(
            "Rôle SI",
            "IS role",
            "Rôle SI tenu hors de la fonction SI (section 3 de la publication).",
            "An IS role held outside the IS department (section 3 of the publication).",
        ),
        (REFSI.Acteur,),
    ),
    "ProfilUtilisateur": (
        _Term(
            "Profil utilisateur",
            "User profile",
            "Profil d'utilisateurs du SI (section 4 de la publication).",
            "A profile of IS users (section 4 of the publication).",
        ),
        (REFSI.Acteur,),
    ),
    "TermeGlossaire": (
        _Term(
            "Terme du glossaire",
            "Glossary term",
            "Terme du glossaire de la publication, qui n'en donne pas de définition.",
            "A term of the publication's glossary, which gives no definition.",
        ),
        (SKOS.Concept,),
    ),
}

_DISJOINT = (
    ("MacroProcessus", "Processus"),
    ("MacroProcessus", "Activite"),
    ("MacroProcessus", "Acteur"),
    ("MacroProcessus", "TermeGlossaire"),
    ("Processus", "Activite"),
    ("Processus", "Acteur"),
    ("Processus", "TermeGlossaire"),
    ("Activite", "Acteur"),
    ("Activite", "TermeGlossaire"),
    ("Acteur", "TermeGlossaire"),
    ("MetierSI", "RoleSI"),
    ("MetierSI", "ProfilUtilisateur"),
    ("RoleSI", "ProfilUtilisateur"),
)

_OBJECT_PROPERTIES: dict[str, tuple[_Term, URIRef | None, URIRef]] = {
    "concerne": (
        _Term(
            "concerne",
            "concerns",
            "Relie une activité à un acteur qu'elle concerne.",
            "Links an activity to an actor it concerns.",
        ),
        REFSI.Activite,
        REFSI.Acteur,
    ),
    "estConcernePar": (
        _Term(
            "est concerné par",
            "is concerned by",
            "Relie un acteur à une activité qui le concerne ; inverse de concerne.",
            "Links an actor to an activity that concerns it; inverse of concerns.",
        ),
        REFSI.Acteur,
        REFSI.Activite,
    ),
    "mentionne": (
        _Term(
            "mentionne",
            "mentions",
            "Relie un processus ou une activité à un terme du glossaire que son "
            "libellé signale.",
            "Links a process or an activity to a glossary term its label marks.",
        ),
        None,
        REFSI.TermeGlossaire,
    ),
}

_DATATYPE_PROPERTIES: dict[str, tuple[_Term, URIRef, URIRef]] = {
    "nombreDeclareMacroProcessus": (
        _Term(
            "nombre déclaré de macro-processus",
            "declared number of macro-processes",
            "Nombre de macro-processus que la publication annonce.",
            "The number of macro-processes the publication declares.",
        ),
        SKOS.ConceptScheme,
        XSD.integer,
    ),
    "nombreDeclareProcessus": (
        _Term(
            "nombre déclaré de processus",
            "declared number of processes",
            "Nombre de processus que la publication annonce.",
            "The number of processes the publication declares.",
        ),
        SKOS.ConceptScheme,
        XSD.integer,
    ),
    "nombreDeclareActivites": (
        _Term(
            "nombre déclaré d'activités",
            "declared number of activities",
            "Nombre d'activités que la publication annonce.",
            "The number of activities the publication declares.",
        ),
        SKOS.ConceptScheme,
        XSD.integer,
    ),
    "concerneTousLesActeurs": (
        _Term(
            "concerne tous les acteurs",
            "concerns all actors",
            "Vrai pour une activité que la publication attribue à « Tous les "
            "métiers » ; les analyses peuvent l'écarter.",
            'True for an activity the publication gives to "Tous les métiers" '
            "(all jobs); analyses may leave it out.",
        ),
        REFSI.Activite,
        XSD.boolean,
    ),
}

_SKOS_OBJECT_PROPERTIES = (
    SKOS.broader,
    SKOS.narrower,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.hasTopConcept,
)
_ANNOTATION_PROPERTIES = (
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    SKOS.notation,
    SKOS.editorialNote,
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.creator,
    DCTERMS.publisher,
    DCTERMS.source,
    DCTERMS.issued,
    DCTERMS.created,
    DCTERMS.modified,
    DCTERMS.rights,
    DCTERMS.license,
    VANN.preferredNamespacePrefix,
    VANN.preferredNamespaceUri,
    FOAF.name,
)


def load_translations(path: Path | str) -> dict[str, str]:
    """Read the English labels, a ``fr<TAB>en`` table keyed by French label.

    Raises
    ------
    SourceError
        If the header is wrong, a row has not two non-empty cells, or a
        French label is given twice.
    """
    path = Path(path)
    lines = read_text(path).split("\n")
    if lines[0].strip().split("\t") != ["fr", "en"]:
        raise SourceError(path, 1, "expected the header line 'fr<TAB>en'")
    table: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cells = [" ".join(c.split()) for c in line.split("\t")]
        if len(cells) != 2:
            raise SourceError(
                path, number, f"expected 2 tab-separated cells, found {len(cells)}"
            )
        if not all(cells):
            empty = "French" if not cells[0] else "English"
            raise SourceError(path, number, f"the {empty} cell is empty")
        french, english = cells
        if french in table:
            raise SourceError(
                path, number, f"{french!r} already translated at line {rows[french]}"
            )
        table[french] = english
        rows[french] = number
    return table


def build_graph(
    framework: Framework,
    translations: dict[str, str],
    translations_path: Path | str = "labels-en.tsv",
    base: str = DEFAULT_BASE,
) -> Graph:
    """Return the whole refsi graph: the ontology and the three schemes.

    Parameters
    ----------
    framework : Framework
        The parsed source.
    translations : dict of str to str
        English labels keyed by French label.
    translations_path : Path or str
        Where the translations come from, named in error messages.
    base : str
        Base IRI of the data (``refsid:``), so that an establishment can
        publish under its own domain.

    Raises
    ------
    SourceError
        If a French label has no English translation.
    """
    return _GraphBuilder(framework, translations, Path(translations_path), base).run()


def serialize_turtle(graph: Graph, base: str = DEFAULT_BASE) -> bytes:
    """Serialise *graph* as Turtle, byte-identical for the same triples.

    The order follows the framework (see :mod:`refsi_graph.turtle`), and
    blank nodes are refused since their labels would vary between runs.
    """
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        raise ValueError("blank nodes would make the Turtle output unstable")
    bind_prefixes(graph, base)
    return write_turtle(graph)


def build(
    source: Path | str | None = None,
    output: Path | str | None = None,
    registry_path: Path | str | None = None,
    translations_path: Path | str | None = None,
    base: str = DEFAULT_BASE,
) -> Graph:
    """Build the graph from the source text and write it as Turtle.

    Parameters
    ----------
    source : Path or str, optional
        The publication as text; the bundled copy by default.
    output : Path or str, optional
        Where to write the Turtle; nothing is written when None.
    registry_path, translations_path : Path or str, optional
        The curated actor registry and English labels; the bundled ones by
        default.
    base : str
        Base IRI of the data.

    Returns
    -------
    rdflib.Graph
        The graph written.
    """
    source = Path(source) if source else source_file()
    registry_path = (
        Path(registry_path) if registry_path else data_dir() / "acteurs.toml"
    )
    translations_path = (
        Path(translations_path) if translations_path else data_dir() / "labels-en.tsv"
    )
    logger.info("reading the actor registry %s", registry_path)
    registry = load_registry(registry_path)
    logger.info("parsing the source %s", source)
    framework = load_framework(source, registry)
    logger.info("reading the English labels %s", translations_path)
    translations = load_translations(translations_path)
    graph = build_graph(framework, translations, translations_path, base)
    _warn_unused(framework, translations, translations_path)
    if output is not None:
        write_atomic(output, serialize_turtle(graph, base))
        logger.info("wrote %d triples to %s", len(graph), output)
    return graph


def _warn_unused(
    framework: Framework, translations: dict[str, str], path: Path
) -> None:
    used = {m.label for m in framework.macro_processes}
    used |= {p.label for p in framework.processes()}
    used |= {a.label for a in framework.activities()}
    used |= {t.label for t in framework.glossary}
    for french in sorted(set(translations) - used):
        logger.warning("%s: %r translates no label of the source", path, french)


class _GraphBuilder:
    def __init__(
        self, framework: Framework, translations: dict[str, str], path: Path, base: str
    ) -> None:
        self.framework = framework
        self.translations = translations
        self.translations_path = path
        self.base = base
        self.data = data_namespace(base)
        self.graph = Graph()
        bind_prefixes(self.graph, base)
        self.ontology = URIRef(ONTOLOGY_IRI)

    def run(self) -> Graph:
        self._ontology_header()
        self._vocabulary()
        self._schemes()
        self._glossary()
        self._actors()
        self._hierarchy()
        return self.graph

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def english(self, french: str, line: int) -> str:
        english = self.translations.get(french)
        if english is None:
            raise SourceError(
                self.translations_path,
                None,
                f"no English label for {french!r} "
                f"({self.framework.source}:{line}); expected a row "
                f"'{french}<TAB>English label'",
            )
        return english

    def labels(self, node: URIRef, fr: str, en: str) -> None:
        self.add(node, SKOS.prefLabel, Literal(fr, lang="fr"))
        self.add(node, SKOS.prefLabel, Literal(en, lang="en"))

    def _ontology_header(self) -> None:
        o = self.ontology
        self.add(o, RDF.type, OWL.Ontology)
        self.add(o, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}"))
        self.add(o, OWL.versionInfo, Literal(ONTOLOGY_VERSION))
        self.add(
            o,
            DCTERMS.title,
            Literal("Référentiel de compétences en système d'information", lang="fr"),
        )
        self.add(o, DCTERMS.title, Literal("IS competency framework", lang="en"))
        self.add(
            o,
            DCTERMS.description,
            Literal(
                "Ontologie et données du référentiel de compétences en système "
                "d'information de l'ANAP (2020) : macro-processus, processus et "
                "activités du SI des établissements sanitaires et médico-sociaux, "
                "et les métiers SI, rôles SI et profils utilisateurs qu'elles "
                "concernent.",
                lang="fr",
            ),
        )
        self.add(
            o,
            DCTERMS.description,
            Literal(
                "Ontology and data of ANAP's information system competency framework "
                "(2020): the macro-processes, processes and activities of the IS of "
                "health and medico-social establishments, and the IS jobs, IS roles "
                "and user profiles they concern.",
                lang="en",
            ),
        )
        self.add(o, DCTERMS.creator, Literal("refsi developers"))
        self.add(o, DCTERMS.source, self.source_iri())
        self.add(o, DCTERMS.license, LICENSE)
        self.add(
            o,
            DCTERMS.rights,
            Literal(
                "Les libellés du référentiel sont ceux publiés par l'ANAP (© ANAP "
                "2020) ; la licence porte sur la modélisation.",
                lang="fr",
            ),
        )
        self.add(
            o,
            DCTERMS.rights,
            Literal(
                "The framework's labels are ANAP's published wording (© ANAP 2020); "
                "the licence covers the modelling.",
                lang="en",
            ),
        )
        self.add(o, VANN.preferredNamespacePrefix, Literal("refsi"))
        self.add(o, VANN.preferredNamespaceUri, Literal(str(REFSI)))
        # Protégé lists ontologies by rdfs:label; pyLODE and Widoco show the
        # dates in the header.
        self.add(o, RDFS.label, Literal("Ontologie refsi", lang="fr"))
        self.add(o, RDFS.label, Literal("refsi ontology", lang="en"))
        self.add(o, DCTERMS.created, Literal(ONTOLOGY_CREATED, datatype=XSD.date))
        self.add(o, DCTERMS.modified, Literal(ONTOLOGY_MODIFIED, datatype=XSD.date))

    def source_iri(self) -> URIRef:
        return URIRef(quote(SOURCE_URL, safe=":/"))

    def defined(self, term: URIRef, kind: URIRef, label: _Term) -> None:
        self.add(term, RDF.type, kind)
        self.add(term, RDFS.label, Literal(label.fr, lang="fr"))
        self.add(term, RDFS.label, Literal(label.en, lang="en"))
        self.add(term, RDFS.comment, Literal(label.comment_fr, lang="fr"))
        self.add(term, RDFS.comment, Literal(label.comment_en, lang="en"))
        self.add(term, RDFS.isDefinedBy, self.ontology)

    def _vocabulary(self) -> None:
        for name, (label, parents) in _CLASSES.items():
            self.defined(REFSI[name], OWL.Class, label)
            for parent in parents:
                self.add(REFSI[name], RDFS.subClassOf, parent)
        for first, second in _DISJOINT:
            self.add(REFSI[first], OWL.disjointWith, REFSI[second])
        for name, (label, domain, range_) in _OBJECT_PROPERTIES.items():
            self.defined(REFSI[name], OWL.ObjectProperty, label)
            if domain is not None:
                self.add(REFSI[name], RDFS.domain, domain)
            self.add(REFSI[name], RDFS.range, range_)
        self.add(REFSI.concerne, OWL.inverseOf, REFSI.estConcernePar)
        for name, (label, domain, range_) in _DATATYPE_PROPERTIES.items():
            self.defined(REFSI[name], OWL.DatatypeProperty, label)
            self.add(REFSI[name], RDF.type, OWL.FunctionalProperty)
            self.add(REFSI[name], RDFS.domain, domain)
            self.add(REFSI[name], RDFS.range, range_)
        # SKOS and ORG terms are declared here so that OWL tools see one kind
        # for each of them instead of guessing.
        for cls in (SKOS.Concept, SKOS.ConceptScheme, ORG.Role, FOAF.Organization):
            self.add(cls, RDF.type, OWL.Class)
        for prop in _SKOS_OBJECT_PROPERTIES:
            self.add(prop, RDF.type, OWL.ObjectProperty)
        for prop in _ANNOTATION_PROPERTIES:
            self.add(prop, RDF.type, OWL.AnnotationProperty)

    def _schemes(self) -> None:
        fw = self.framework
        anap = self.data["organisation/anap"]
        self.add(anap, RDF.type, FOAF.Organization)
        self.add(anap, RDF.type, OWL.NamedIndividual)
        self.add(
            anap,
            FOAF.name,
            Literal(
                "Agence nationale de la performance sanitaire et médico-sociale",
                lang="fr",
            ),
        )
        self.add(
            anap,
            FOAF.name,
            Literal(
                "French national agency for the performance of health and "
                "medico-social establishments",
                lang="en",
            ),
        )
        self.add(anap, SKOS.altLabel, Literal("ANAP", lang="fr"))
        schemes = {
            "referentiel": (
                "Référentiel de compétences en système d'information",
                "IS competency framework",
                "Macro-processus, processus et activités relatives au SI à l'hôpital "
                "et dans les structures médico-sociales.",
                "Macro-processes, processes and activities touching the IS in "
                "hospitals and medico-social structures.",
            ),
            "acteurs": (
                "Acteurs du référentiel de compétences SI",
                "Actors of the IS competency framework",
                "Les métiers SI, rôles SI et profils utilisateurs que concernent les "
                "activités du référentiel.",
                "The IS jobs, IS roles and user profiles that the framework's "
                "activities concern.",
            ),
            "glossaire": (
                "Glossaire du référentiel de compétences SI",
                "Glossary of the IS competency framework",
                "Les termes du glossaire de la publication, qui n'en donne pas de "
                "définition.",
                "The terms of the publication's glossary, which gives no definitions.",
            ),
        }
        for name, (title_fr, title_en, desc_fr, desc_en) in schemes.items():
            scheme = self.data[name]
            self.add(scheme, RDF.type, SKOS.ConceptScheme)
            self.add(scheme, RDF.type, OWL.NamedIndividual)
            self.labels(scheme, title_fr, title_en)
            self.add(scheme, DCTERMS.title, Literal(title_fr, lang="fr"))
            self.add(scheme, DCTERMS.title, Literal(title_en, lang="en"))
            self.add(scheme, DCTERMS.description, Literal(desc_fr, lang="fr"))
            self.add(scheme, DCTERMS.description, Literal(desc_en, lang="en"))
            self.add(scheme, DCTERMS.publisher, anap)
            self.add(scheme, DCTERMS.creator, anap)
            self.add(scheme, DCTERMS.source, self.source_iri())
            if fw.issued:
                self.add(scheme, DCTERMS.issued, Literal(fw.issued, datatype=XSD.date))
                # VocPub asks for a modification date: the 2020 edition is the
                # last change of the content, so it is the publication's date.
                self.add(
                    scheme, DCTERMS.modified, Literal(fw.issued, datatype=XSD.date)
                )
            self.add(
                scheme,
                DCTERMS.rights,
                Literal(
                    "© ANAP 2020 ; libellés reproduits tels que publiés.", lang="fr"
                ),
            )
            self.add(
                scheme,
                DCTERMS.rights,
                Literal("© ANAP 2020; labels reproduced as published.", lang="en"),
            )
            self.add(scheme, OWL.versionInfo, Literal("2020"))
            self.add(scheme, RDFS.isDefinedBy, self.ontology)
        referentiel = self.data["referentiel"]
        macro, proc, act = fw.declared
        self.add(referentiel, REFSI.nombreDeclareMacroProcessus, Literal(macro))
        self.add(referentiel, REFSI.nombreDeclareProcessus, Literal(proc))
        self.add(referentiel, REFSI.nombreDeclareActivites, Literal(act))

    def concept(
        self, node: URIRef, cls: str, scheme: str, notation: str | None
    ) -> None:
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, RDF.type, REFSI[cls])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, SKOS.inScheme, self.data[scheme])
        if notation is not None:
            self.add(node, SKOS.notation, Literal(notation))

    def top(self, node: URIRef, scheme: str) -> None:
        self.add(node, SKOS.topConceptOf, self.data[scheme])
        self.add(self.data[scheme], SKOS.hasTopConcept, node)

    def narrower(self, parent: URIRef, child: URIRef) -> None:
        self.add(child, SKOS.broader, parent)
        self.add(parent, SKOS.narrower, child)

    def _glossary(self) -> None:
        for term in self.framework.glossary:
            node = self.data[f"glossaire/{term.slug}"]
            self.concept(node, "TermeGlossaire", "glossaire", None)
            self.top(node, "glossaire")
            self.labels(node, term.label, self.english(term.label, term.line))

    def _actors(self) -> None:
        met: dict[str, list[str]] = {}
        for activity in self.framework.activities():
            for actor, spelling in activity.spellings:
                met.setdefault(actor.slug, []).append(spelling)
        for actor in self.framework.actors:
            node = self.data[f"acteur/{actor.slug}"]
            self.concept(node, actor.category, "acteurs", actor.section)
            self.add(node, RDF.type, REFSI.Acteur)
            self.top(node, "acteurs")
            self.labels(node, actor.label, actor.label_en)
            shown = {actor.label}
            for alt in (*actor.acronyms, *actor.other_names):
                if alt not in shown:
                    self.add(node, SKOS.altLabel, Literal(alt, lang="fr"))
                    shown.add(alt)
            for alt in actor.other_names_en:
                self.add(node, SKOS.altLabel, Literal(alt, lang="en"))
            for hidden in (*actor.variants, *met.get(actor.slug, [])):
                if hidden not in shown:
                    self.add(node, SKOS.hiddenLabel, Literal(hidden, lang="fr"))
                    shown.add(hidden)
            toc = self.framework.completed_titles.get(actor.slug)
            if toc is not None:
                self.add(
                    node,
                    SKOS.editorialNote,
                    Literal(
                        f"Titre complété par refsi : la table des matières de la "
                        f"publication le coupe (« {toc.section}. {toc.title} »).",
                        lang="fr",
                    ),
                )
                self.add(
                    node,
                    SKOS.editorialNote,
                    Literal(
                        "Title completed by refsi: the publication's table of "
                        f'contents cuts it off ("{toc.section}. {toc.title}").',
                        lang="en",
                    ),
                )

    def _hierarchy(self) -> None:
        for macro in self.framework.macro_processes:
            m_node = self.data[f"macro-processus/{macro.notation}"]
            self.concept(m_node, "MacroProcessus", "referentiel", macro.notation)
            self.top(m_node, "referentiel")
            self.labels(m_node, macro.label, self.english(macro.label, macro.line))
            for process in macro.processes:
                p_node = self.data[f"processus/{process.notation}"]
                self.concept(p_node, "Processus", "referentiel", process.notation)
                self.narrower(m_node, p_node)
                self.labels(
                    p_node, process.label, self.english(process.label, process.line)
                )
                self._mentions(p_node, process.mentions)
                for activity in process.activities:
                    self._activity(p_node, activity)

    def _activity(self, p_node: URIRef, activity: Activity) -> None:
        a_node = self.data[f"activite/{activity.notation}"]
        self.concept(a_node, "Activite", "referentiel", activity.notation)
        self.narrower(p_node, a_node)
        self.labels(a_node, activity.label, self.english(activity.label, activity.line))
        self._mentions(a_node, activity.mentions)
        if activity.all_actors:
            self.add(a_node, REFSI.concerneTousLesActeurs, Literal(True))
        for actor in activity.actors:
            actor_node = self.data[f"acteur/{actor.slug}"]
            self.add(a_node, REFSI.concerne, actor_node)
            self.add(actor_node, REFSI.estConcernePar, a_node)

    def _mentions(self, node: URIRef, terms: list[GlossaryTerm]) -> None:
        for term in terms:
            self.add(node, REFSI.mentionne, self.data[f"glossaire/{term.slug}"])
