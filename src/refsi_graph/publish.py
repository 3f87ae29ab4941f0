"""The static site: one page per concept, indexes, search, RDF and descriptions.

:class:`Site` renders every file of the publication into memory, as a mapping
from a path (relative to the site root) to bytes; ``refsi publish`` writes
that mapping to a directory and ``refsi serve`` answers from it. The pages
use only relative links, so the site works from any directory of a static
host, or opened from the disk.
"""

from __future__ import annotations

import argparse
import json
import logging
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from refsi_graph.errors import InputError, UsageError
from refsi_graph.linkeddata import (
    GRAPH_HELP,
    ONTOLOGY_DOC,
    PREFIXES,
    RDF_TYPE,
    SKOS,
    LinkedData,
    load_linked_data,
    serialize_triples,
)
from refsi_graph.namespaces import DEFAULT_BASE, ONTOLOGY_IRI, REFSI
from refsi_graph.negotiation import HTML, RDF_FORMATS, TURTLE
from refsi_graph.registry import fold

__all__ = ["Ref", "Site", "add_commands", "publish_site"]

logger = logging.getLogger(__name__)

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Plain strings: rdflib terms never compare equal to str.
R = str(REFSI)

#: The names of the page chrome for each kind of resource, French then English.
KINDS = {
    "MacroProcessus": ("Macro-processus", "Macro-process"),
    "Processus": ("Processus", "Process"),
    "Activite": ("Activité", "Activity"),
    "MetierSI": ("Métier SI", "IS job"),
    "RoleSI": ("Rôle SI", "IS role"),
    "ProfilUtilisateur": ("Profil utilisateur", "User profile"),
    "Acteur": ("Acteur", "Actor"),
    "TermeGlossaire": ("Terme du glossaire", "Glossary term"),
    "ConceptScheme": ("Schéma de concepts", "Concept scheme"),
}
# The order in which a resource's classes name its kind: the narrowest first.
_KIND_ORDER = tuple(KINDS)
_ACTOR_KINDS = ("MetierSI", "RoleSI", "ProfilUtilisateur")
_SCHEMES = ("referentiel", "acteurs", "glossaire")
_LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", FOAF + "name", DCT + "title")
_DUMP = "data/refsi"
_STATIC = ("favicon.svg", "search.js", "style.css", "tree.js")


@dataclass(frozen=True, order=True)
class Ref:
    """A link to a resource: where its page is and what to call it."""

    sort_key: tuple[Any, ...] = field(repr=False)
    iri: str
    path: str | None
    fr: str
    en: str | None
    notation: str | None


class Site:
    """Every file of the publication, rendered from the graph.

    Parameters
    ----------
    data : LinkedData
        The graph, indexed.
    server : bool, default False
        Render for ``refsi serve``: the pages then link to the SPARQL endpoint
        and the VoID description names it.

    Examples
    --------
    >>> from refsi_graph.linkeddata import load_linked_data
    >>> site = Site(load_linked_data())
    >>> files = site.files()
    >>> b"Responsable de la s\\xc3\\xa9curit\\xc3\\xa9" in files["doc/acteur/rssi.html"]
    True
    """

    def __init__(self, data: LinkedData, *, server: bool = False) -> None:
        self.data = data
        self.server = server
        self.layout = data.layout
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("refsi_graph", "templates"),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html", "xml"), default_for_string=True
            ),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.published = set(data.published())
        self._refs: dict[str, Ref] = {}
        self._files: dict[str, bytes] | None = None

    # -- what the pages say about a resource ---------------------------------

    def label(self, iri: str, lang: str = "fr") -> str | None:
        """Return the label of *iri* in *lang*, or None."""
        for predicate in _LABEL_PREDICATES:
            found = self.data.literal(iri, predicate, lang)
            if found is not None:
                return found
        return None

    def kind(self, iri: str) -> str | None:
        """Return the local name of the narrowest known class of *iri*."""
        names = {t.rpartition("#")[2] for t in self.data.types(iri)}
        return next((k for k in _KIND_ORDER if k in names), None)

    def ref(self, iri: str) -> Ref:
        """Return the link to *iri*, with its labels and notation."""
        if iri not in self._refs:
            notation = self.data.literal(iri, SKOS + "notation")
            fr = self.label(iri, "fr") or self.label(iri, "") or _local(iri)
            doc = self.layout.doc_path(iri)
            path = (
                doc + ".html"
                if doc and (iri in self.published or doc == ONTOLOGY_DOC)
                else None
            )
            if doc == ONTOLOGY_DOC and iri != ONTOLOGY_IRI:
                path = f"{ONTOLOGY_DOC}.html#{_local(iri)}"
            key = (_notation_key(notation), fold(fr), fr, iri)
            self._refs[iri] = Ref(key, iri, path, fr, self.label(iri, "en"), notation)
        return self._refs[iri]

    def refs(self, iris: Iterable[str]) -> list[Ref]:
        """Return the links to *iris*, in notation order, then label order."""
        return sorted({self.ref(i) for i in iris})

    def breadcrumb(self, iri: str) -> list[Ref]:
        """Return the scheme and the broader concepts of *iri*, top first."""
        trail = []
        current = iri
        seen = {iri}
        while broader := self.data.iris(current, SKOS + "broader"):
            current = broader[0]
            if current in seen:
                break
            seen.add(current)
            trail.append(self.ref(current))
        schemes = self.data.iris(iri, SKOS + "inScheme") or self.data.iris(
            iri, SKOS + "topConceptOf"
        )
        head = [self.ref(s) for s in schemes[:1]]
        return head + trail[::-1]

    def concept_view(self, iri: str) -> dict[str, Any]:
        """Return what a concept's page shows."""
        data = self.data
        view: dict[str, Any] = {
            "self": self.ref(iri),
            "kind": self.kind(iri),
            "breadcrumb": self.breadcrumb(iri),
            "broader": self.refs(data.iris(iri, SKOS + "broader")),
            "narrower": self.refs(data.iris(iri, SKOS + "narrower")),
            "alt": data.literals(iri, SKOS + "altLabel"),
            "hidden": data.literals(iri, SKOS + "hiddenLabel"),
            "notes": data.literals(iri, SKOS + "editorialNote"),
            "actors": self.refs(data.iris(iri, R + "concerne")),
            "mentions": self.refs(data.iris(iri, R + "mentionne")),
            "all_actors": data.literal(iri, R + "concerneTousLesActeurs") == "true",
            "by_process": self._activities_by_process(iri),
            "mentioned_by": self.refs(self._subjects_linking(R + "mentionne", iri)),
        }
        view["actors_by_kind"] = [
            (KINDS[k], [a for a in view["actors"] if self.kind(a.iri) == k])
            for k in _ACTOR_KINDS
        ]
        return view

    def scheme_tree(self, iri: str) -> list[tuple[Ref, list[Any]]]:
        """Return the hierarchy of a scheme as nested (ref, children) pairs."""
        tops = self.data.iris(iri, SKOS + "hasTopConcept")
        if _local(iri) == "acteurs":
            return [
                (
                    Ref((n,), "", None, KINDS[k][0], KINDS[k][1], None),
                    [(a, []) for a in self.refs(tops) if self.kind(a.iri) == k],
                )
                for n, k in enumerate(_ACTOR_KINDS)
            ]
        return [self._subtree(top, {iri}) for top in self.refs(tops)]

    def _subtree(self, ref: Ref, seen: set[str]) -> tuple[Ref, list[Any]]:
        seen = seen | {ref.iri}
        children = [
            self._subtree(child, seen)
            for child in self.refs(self.data.iris(ref.iri, SKOS + "narrower"))
            if child.iri not in seen
        ]
        return ref, children

    def _activities_by_process(self, actor: str) -> list[tuple[Ref, list[Ref]]]:
        groups: dict[str, list[str]] = {}
        for activity in self.data.iris(actor, R + "estConcernePar"):
            parent = (self.data.iris(activity, SKOS + "broader") or [""])[0]
            groups.setdefault(parent, []).append(activity)
        return sorted(
            (self.ref(p) if p else Ref((), "", None, "?", None, None), self.refs(acts))
            for p, acts in groups.items()
        )

    def _subjects_linking(self, predicate: str, target: str) -> list[str]:
        return [
            q.subject.value
            for q in self.data.store.quads_for_pattern(
                None, ox.NamedNode(predicate), ox.NamedNode(target)
            )
            if isinstance(q.subject, ox.NamedNode)
        ]

    def statements(self, iri: str) -> list[tuple[str, str, Ref | None, str | None]]:
        """Return every statement about *iri* as (property, value, link, lang)."""
        rows: list[tuple[str, str, Ref | None, str | None]] = []
        for triple in self.data.describe(iri):
            obj = triple.object
            prop = _compact(triple.predicate.value)
            if isinstance(obj, ox.NamedNode):
                link = self.ref(obj.value) if self._is_local(obj.value) else None
                rows.append((prop, _compact(obj.value), link, None))
            elif isinstance(obj, ox.Literal):
                rows.append((prop, obj.value, None, obj.language))
        return rows

    def _is_local(self, iri: str) -> bool:
        return iri in self.published or self.layout.doc_path(iri) == ONTOLOGY_DOC

    # -- the files -----------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        """Return every file of the site, by path under the site root."""
        if self._files is None:
            built: dict[str, bytes] = {}
            for path, content in self._generate():
                built[path] = content
            self._files = dict(sorted(built.items()))
            logger.info("rendered %d files", len(self._files))
        return self._files

    def _generate(self) -> Iterable[tuple[str, bytes]]:
        for iri in sorted(self.published):
            doc = self.layout.doc_path(iri)
            assert doc is not None
            yield doc + ".html", self._render_resource(iri, doc + ".html")
            yield from self._rdf_documents(doc)
            yield doc + ".var", self._type_map(doc)
        yield ONTOLOGY_DOC + ".html", self._render_ontology()
        yield from self._rdf_documents(ONTOLOGY_DOC)
        yield ONTOLOGY_DOC + ".var", self._type_map(ONTOLOGY_DOC)
        yield "index.html", self._render_home()
        yield "alphabetique.html", self._render_alphabetical()
        yield "recherche.html", self.render("search.html", "recherche.html")
        yield (
            "donnees.html",
            self.render("data.html", "donnees.html", **self._downloads()),
        )
        if self.server:
            yield "sparql.html", self.render("sparql.html", "sparql.html")
        yield from self._dumps()
        yield from self._search_index()
        yield from self._descriptions()
        yield "sitemap.xml", self._render_sitemap()
        yield ".htaccess", self.render("htaccess.conf", ".htaccess", **self._config())
        yield "refsi-nginx.conf", self.render("nginx.conf", "x", **self._config())
        for name in _STATIC:
            yield (
                "static/" + name,
                (package_files("refsi_graph") / "static" / name).read_bytes(),
            )

    def render(self, template: str, page: str | None, **context: Any) -> bytes:
        """Render *template* as the page at *page* (None: links from the root)."""
        url = _relative_to(page)
        context.setdefault("title", None)
        text = self.env.get_template(template).render(
            site=self,
            page=page,
            url=url,
            link=lambda ref: url(ref.path) if ref.path else ref.iri,
            kinds=KINDS,
            schemes=[
                self.ref(self.layout.base + s)
                for s in _SCHEMES
                if self.layout.base + s in self.published
            ],
            **context,
        )
        return text.encode("utf-8")

    def _render_resource(self, iri: str, page: str) -> bytes:
        kind = self.kind(iri)
        common = {
            "title": self.ref(iri).fr,
            "formats": self._formats(self.layout.doc_path(iri) or ""),
            "statements": self.statements(iri),
        }
        if kind == "ConceptScheme":
            return self.render(
                "scheme.html", page, view=self._scheme_view(iri), **common
            )
        if kind is None:
            return self.render("resource.html", page, me=self.ref(iri), **common)
        return self.render("concept.html", page, view=self.concept_view(iri), **common)

    def _scheme_view(self, iri: str) -> dict[str, Any]:
        return {
            "self": self.ref(iri),
            "title_fr": self.data.literal(iri, DCT + "title", "fr"),
            "title_en": self.data.literal(iri, DCT + "title", "en"),
            "description_fr": self.data.literal(iri, DCT + "description", "fr"),
            "description_en": self.data.literal(iri, DCT + "description", "en"),
            "tree": self.scheme_tree(iri),
            "size": len(self.data.iris(iri, SKOS + "hasTopConcept")),
        }

    def _formats(self, doc: str) -> list[tuple[str, str, str]]:
        return [(f.media_type, doc + "." + f.extension, f.key) for f in RDF_FORMATS]

    def _type_map(self, doc: str) -> bytes:
        # Apache's server-side preference: HTML, then the RDF formats in order.
        return self.render(
            "typemap.var",
            None,
            name=posixpath.basename(doc),
            formats=[HTML, *RDF_FORMATS],
            qs=("1.0", "0.9", "0.8", "0.7", "0.6"),
        )

    def _rdf_documents(self, doc: str) -> Iterable[tuple[str, bytes]]:
        triples = self.data.document_triples(doc)
        for fmt in RDF_FORMATS:
            yield f"{doc}.{fmt.extension}", serialize_triples(triples, fmt)

    def _dumps(self) -> Iterable[tuple[str, bytes]]:
        for fmt in RDF_FORMATS:
            yield f"{_DUMP}.{fmt.extension}", serialize_triples(self.data.triples, fmt)

    def _downloads(self) -> dict[str, Any]:
        return {
            "title": "Données",
            "dumps": [(f.media_type, f"{_DUMP}.{f.extension}") for f in RDF_FORMATS],
            "triples": len(self.data.triples),
        }

    def concepts(self) -> list[Ref]:
        """Return the concepts of the three schemes (not the schemes themselves)."""
        return [
            self.ref(iri)
            for iri in sorted(self.published)
            if self.kind(iri) not in (None, "ConceptScheme")
        ]

    def _render_home(self) -> bytes:
        scheme = self.layout.base + "referentiel"
        return self.render(
            "index.html",
            "index.html",
            title=None,
            description_fr=self.data.literal(scheme, DCT + "description", "fr"),
            description_en=self.data.literal(scheme, DCT + "description", "en"),
            counts=self._counts(),
            declared=[
                (name, self.data.literal(scheme, R + name))
                for name in (
                    "nombreDeclareMacroProcessus",
                    "nombreDeclareProcessus",
                    "nombreDeclareActivites",
                )
            ],
        )

    def _counts(self) -> list[tuple[tuple[str, str], int]]:
        kinds = [self.kind(ref.iri) for ref in self.concepts()]
        return [
            (
                KINDS[k],
                sum(
                    1
                    for found in kinds
                    if found == k or (k == "Acteur" and found in _ACTOR_KINDS)
                ),
            )
            for k in (
                "MacroProcessus",
                "Processus",
                "Activite",
                "Acteur",
                "TermeGlossaire",
            )
        ]

    def _render_alphabetical(self) -> bytes:
        entries = sorted(self.concepts(), key=lambda r: (fold(r.fr), r.fr, r.iri))
        letters: dict[str, list[Ref]] = {}
        for ref in entries:
            initial = fold(ref.fr)[:1].upper()
            letters.setdefault(initial if initial.isalpha() else "#", []).append(ref)
        return self.render(
            "alpha.html",
            "alphabetique.html",
            title="Index alphabétique",
            letters=list(letters.items()),
        )

    def _search_index(self) -> Iterable[tuple[str, bytes]]:
        entries = []
        for ref in self.concepts():
            kind = self.kind(ref.iri) or ""
            names = [ref.fr, ref.en or "", ref.notation or ""]
            names += [t for t, _ in self.data.literals(ref.iri, SKOS + "altLabel")]
            names += [t for t, _ in self.data.literals(ref.iri, SKOS + "hiddenLabel")]
            entries.append(
                {
                    "u": ref.path,
                    "fr": ref.fr,
                    "en": ref.en,
                    "n": ref.notation,
                    "k": KINDS[kind][0],
                    "ke": KINDS[kind][1],
                    "t": fold(" | ".join(n for n in names if n)),
                }
            )
        text = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=0)
        yield "search-index.json", text.encode("utf-8")
        # A script, not a fetch: the search then works from file:// as well.
        script = "window.REFSI_INDEX = " + text.replace("</", "<\\/") + ";\n"
        yield "static/search-index.js", script.encode("utf-8")

    def _render_ontology(self) -> bytes:
        vocab = self.data.vocabulary()
        terms: dict[str, list[dict[str, Any]]] = {
            "classes": [],
            "object": [],
            "datatype": [],
        }
        for iri in vocab:
            types = self.data.types(iri)
            key = (
                "classes"
                if OWL + "Class" in types
                else "object"
                if OWL + "ObjectProperty" in types
                else "datatype"
                if OWL + "DatatypeProperty" in types
                else None
            )
            if key is None:
                continue
            terms[key].append(self._term_view(iri))
        ont = ONTOLOGY_IRI
        return self.render(
            "ontology.html",
            ONTOLOGY_DOC + ".html",
            title="Ontologie",
            iri=ont,
            formats=self._formats(ONTOLOGY_DOC),
            title_fr=self.data.literal(ont, DCT + "title", "fr"),
            title_en=self.data.literal(ont, DCT + "title", "en"),
            description_fr=self.data.literal(ont, DCT + "description", "fr"),
            description_en=self.data.literal(ont, DCT + "description", "en"),
            version=self.data.literal(ont, OWL + "versionInfo"),
            version_iri=next(iter(self.data.iris(ont, OWL + "versionIRI")), None),
            license=next(iter(self.data.iris(ont, DCT + "license")), None),
            prefix=PREFIXES["refsi"],
            **terms,
        )

    def _term_view(self, iri: str) -> dict[str, Any]:
        data = self.data

        def links(predicate: str) -> list[Ref | str]:
            return [
                self.ref(o) if o.startswith(R) else _compact(o)
                for o in data.iris(iri, predicate)
            ]

        return {
            "id": _local(iri),
            "iri": iri,
            "fr": data.literal(iri, RDFS + "label", "fr"),
            "en": data.literal(iri, RDFS + "label", "en"),
            "comment_fr": data.literal(iri, RDFS + "comment", "fr"),
            "comment_en": data.literal(iri, RDFS + "comment", "en"),
            "types": sorted(_compact(t) for t in data.types(iri)),
            "relations": [
                (name, values)
                for name, values in (
                    ("rdfs:subClassOf", links(RDFS + "subClassOf")),
                    ("owl:disjointWith", links(OWL + "disjointWith")),
                    ("rdfs:domain", links(RDFS + "domain")),
                    ("rdfs:range", links(RDFS + "range")),
                    ("owl:inverseOf", links(OWL + "inverseOf")),
                )
                if values
            ],
        }

    # -- descriptions of the dataset -------------------------------------------

    def _descriptions(self) -> Iterable[tuple[str, bytes]]:
        void = serialize_triples(self.void_triples(), TURTLE)
        yield "void.ttl", void
        yield ".well-known/void", void
        yield "dcat.ttl", serialize_triples(self._dcat_triples(), TURTLE)

    def dataset_iri(self) -> str:
        """Return the IRI of the dataset in the VoID and DCAT descriptions."""
        return self.layout.root + "void.ttl#refsi"

    def void_triples(self) -> list[ox.Triple]:
        """Return the VoID description of the dataset, sorted."""
        root = self.layout.root
        ds = self.dataset_iri()
        out = _TripleList()
        out.add(ds, RDF_TYPE, VOID + "Dataset")
        self._describe_dataset(out, ds)
        out.add(ds, VOID + "uriSpace", ox.Literal(self.layout.base))
        out.add(ds, VOID + "triples", _integer(len(self.data.triples)))
        out.add(ds, VOID + "distinctSubjects", _integer(len(self.data.subjects())))
        out.add(ds, VOID + "entities", _integer(len(self.published)))
        for fmt in RDF_FORMATS:
            out.add(ds, VOID + "dataDump", f"{root}{_DUMP}.{fmt.extension}")
        for vocabulary in (R, SKOS, "http://www.w3.org/ns/org#", DCT):
            out.add(ds, VOID + "vocabulary", vocabulary)
        for scheme in _SCHEMES:
            out.add(ds, VOID + "rootResource", self.layout.base + scheme)
        out.add(ds, VOID + "exampleResource", self.layout.base + "activite/3.2.4")
        out.add(ds, VOID + "exampleResource", self.layout.base + "acteur/rssi")
        if self.server:
            out.add(ds, VOID + "sparqlEndpoint", root + "sparql")
        for n, (cls, count) in enumerate(self._class_counts()):
            part = f"{root}void.ttl#classe-{n + 1}"
            out.add(ds, VOID + "classPartition", part)
            out.add(part, VOID + "class", cls)
            out.add(part, VOID + "entities", _integer(count))
        return out.sorted()

    def _describe_dataset(self, out: _TripleList, ds: str) -> None:
        scheme = self.layout.base + "referentiel"
        for predicate in (DCT + "title", DCT + "description"):
            for text, lang in self.data.literals(scheme, predicate):
                out.add(ds, predicate, ox.Literal(text, language=lang))
        for predicate in (DCT + "publisher", DCT + "source"):
            for iri in self.data.iris(scheme, predicate):
                out.add(ds, predicate, iri)
        for iri in self.data.iris(ONTOLOGY_IRI, DCT + "license"):
            out.add(ds, DCT + "license", iri)
        issued = self.data.values(scheme, DCT + "issued")
        for value in issued:
            if isinstance(value, ox.Literal):
                out.add(ds, DCT + "issued", value)

    def _class_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for triple in self.data.triples:
            if triple.predicate.value == RDF_TYPE and isinstance(
                triple.object, ox.NamedNode
            ):
                counts[triple.object.value] = counts.get(triple.object.value, 0) + 1
        return sorted(counts.items())

    def _dcat_triples(self) -> list[ox.Triple]:
        root = self.layout.root
        ds = self.dataset_iri()
        catalog = root + "dcat.ttl#catalogue"
        out = _TripleList()
        out.add(catalog, RDF_TYPE, DCAT + "Catalog")
        out.add(catalog, DCT + "title", ox.Literal("Catalogue refsi", language="fr"))
        out.add(catalog, DCT + "title", ox.Literal("refsi catalogue", language="en"))
        out.add(catalog, DCAT + "dataset", ds)
        out.add(catalog, "http://xmlns.com/foaf/0.1/homepage", root + "index.html")
        out.add(ds, RDF_TYPE, DCAT + "Dataset")
        self._describe_dataset(out, ds)
        out.add(ds, DCAT + "landingPage", root + "index.html")
        for word in ("système d'information", "compétences", "hôpital", "SKOS"):
            out.add(ds, DCAT + "keyword", ox.Literal(word, language="fr"))
        for fmt in RDF_FORMATS:
            dist = f"{root}dcat.ttl#distribution-{fmt.extension}"
            out.add(ds, DCAT + "distribution", dist)
            out.add(dist, RDF_TYPE, DCAT + "Distribution")
            out.add(dist, DCAT + "downloadURL", f"{root}{_DUMP}.{fmt.extension}")
            out.add(dist, DCAT + "accessURL", f"{root}{_DUMP}.{fmt.extension}")
            out.add(
                dist,
                DCAT + "mediaType",
                "https://www.iana.org/assignments/media-types/" + fmt.media_type,
            )
            out.add(dist, DCT + "format", ox.Literal(fmt.media_type))
        if self.server:
            service = root + "dcat.ttl#sparql"
            out.add(ds, DCAT + "distribution", service)
            out.add(service, RDF_TYPE, DCAT + "Distribution")
            out.add(service, DCAT + "accessURL", root + "sparql")
        return out.sorted()

    # -- the site map and the web server's configuration ----------------------

    def html_pages(self) -> list[str]:
        """Return the paths of the HTML pages of the site, sorted."""
        return sorted(p for p in self.files() if p.endswith(".html"))

    def _render_sitemap(self) -> bytes:
        pages = [p for p in self._page_paths()]
        return self.render(
            "sitemap.xml", None, urls=[self.layout.root + p for p in pages]
        )

    def _page_paths(self) -> list[str]:
        paths = [
            "index.html",
            "alphabetique.html",
            "recherche.html",
            "donnees.html",
            ONTOLOGY_DOC + ".html",
        ]
        paths += [f"doc/{self.layout.local_name(iri)}.html" for iri in self.published]
        return sorted(paths)

    def _config(self) -> dict[str, Any]:
        from urllib.parse import urlsplit

        return {
            "root_path": urlsplit(self.layout.root).path,
            "id_path": self.layout.id_path,
            "formats": [HTML, *RDF_FORMATS],
        }


class _TripleList:
    """Triples collected for a small generated graph, written sorted."""

    def __init__(self) -> None:
        self._triples: set[ox.Triple] = set()

    def add(self, s: str, p: str, o: str | ox.Literal) -> None:
        obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
        self._triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def sorted(self) -> list[ox.Triple]:
        return sorted(
            self._triples,
            key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
        )


def publish_site(
    out: Path | str,
    base: str | None = None,
    graph: Path | str | None = None,
) -> int:
    """Write the static site into *out*, replacing a previous one whole.

    Parameters
    ----------
    out : Path or str
        The output directory. It must not exist, be empty, or hold a site
        that this function wrote before (with its ``sitemap.xml``).
    base : str, optional
        The base IRI to publish under (default: the graph's own).
    graph : Path or str, optional
        The graph (default: the committed ``ontology/refsi.ttl``).

    Returns
    -------
    int
        The number of files written.

    Raises
    ------
    UsageError
        If *out* is a file, or a non-empty directory that is not a site.
    InputError
        If the graph cannot be read.
    """
    out = Path(out)
    _check_output(out)
    site = Site(load_linked_data(graph, base))
    files = site.files()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for path, content in files.items():
            target = tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote %d files to %s", len(files), out)
    return len(files)


def _check_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; expected a directory for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / "sitemap.xml").is_file():
        raise UsageError(
            f"{out}: a non-empty directory that holds no refsi site (no sitemap.xml); "
            "expected a new or empty directory, or a site written before"
        )


def _swap(new: Path, out: Path) -> None:
    # Rename the old site aside first, so that a reader sees one site or the other.
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        out.rename(old / "site")
    new.rename(out)
    if old is not None:
        shutil.rmtree(old)


def _relative_to(page: str | None) -> Callable[[str], str]:
    def url(target: str) -> str:
        if page is None:
            return "/" + target
        path, hashmark, fragment = target.partition("#")
        rel = posixpath.relpath(path or page, posixpath.dirname(page) or ".")
        return rel + hashmark + fragment

    return url


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rpartition(sep)[2] or iri
    return iri


def _compact(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _notation_key(notation: str | None) -> tuple[int, ...]:
    if not notation:
        return (10**6,)
    try:
        return tuple(int(part) for part in notation.split("."))
    except ValueError:
        return (10**6,)


# -- command line ---------------------------------------------------------------


def add_commands(subparsers: Any) -> None:
    """Register ``publish`` on the ``refsi`` parser."""
    cmd = subparsers.add_parser(
        "publish",
        help="write the graph as a static linked-data site",
        description="Write one HTML page and four RDF documents per resource, the "
        "indexes, an offline search, the whole graph in each format, VoID and DCAT "
        "descriptions, the ontology's documentation, a sitemap and the Apache and "
        "nginx configuration for 303 redirects and content negotiation.",
    )
    cmd.add_argument("--out", required=True, help="output directory (replaced whole)")
    cmd.add_argument(
        "--base",
        help=f"base IRI of the data (default: the graph's own, {DEFAULT_BASE})",
    )
    cmd.add_argument("--graph", help=GRAPH_HELP)
    cmd.set_defaults(handler=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    try:
        count = publish_site(args.out, base=args.base, graph=args.graph)
    except OSError as err:
        raise InputError(f"{args.out}: cannot write the site: {err.strerror}") from err
    print(f"wrote {count} files to {args.out}")
    return 0
