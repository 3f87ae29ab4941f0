"""A Turtle writer whose order follows the framework, for readable diffs.

rdflib's writer is deterministic but puts subjects in order of how often
they are referenced, so macro-process 9 lands before 1 and a small edit moves
whole blocks. This one writes the ontology header, then the vocabulary, the
schemes, and the concepts in notation order ("1", "1.1", "1.1.1", "1.1.2",
"1.2" …), with the objects of each property in the same natural order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from refsi_graph.namespaces import REFSI

__all__ = ["natural_key", "write_turtle"]

_NUMBER = re.compile(r"(\d+)")

# Kinds of subject, in the order they appear in the file.
_GROUPS = (
    OWL.Ontology,
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.ConceptScheme,
    REFSI.MacroProcessus,
    REFSI.Processus,
    REFSI.Activite,
    REFSI.Acteur,
    REFSI.TermeGlossaire,
)
_HIERARCHY = (REFSI.MacroProcessus, REFSI.Processus, REFSI.Activite)


def natural_key(text: str) -> tuple[Any, ...]:
    """Return a sort key that orders numbers inside *text* by value.

    Examples
    --------
    >>> sorted(["activite/3.2.12", "activite/3.2.4", "processus/3.2"],
    ...        key=natural_key)
    ['activite/3.2.4', 'activite/3.2.12', 'processus/3.2']
    """
    return tuple(int(p) if p.isdigit() else p for p in _NUMBER.split(text))


class _OrderedTurtleSerializer(TurtleSerializer):
    def orderSubjects(self) -> list[Any]:  # noqa: N802 - rdflib's hook name
        subjects = list(self._subjects)
        for subject in subjects:
            self._topLevels[subject] = True
        return sorted(subjects, key=self._subject_key)

    def _subject_key(self, subject: Node) -> tuple[Any, ...]:
        types = set(self.store.objects(subject, RDF.type))
        group = next(
            (i for i, kind in enumerate(_GROUPS) if kind in types), len(_GROUPS)
        )
        if any(kind in types for kind in _HIERARCHY):
            # One reading order for the whole hierarchy: 1, 1.1, 1.1.1, 1.2 …
            notation = self.store.value(subject, SKOS.notation)
            if notation is not None:
                return (_GROUPS.index(REFSI.MacroProcessus), natural_key(str(notation)))
        return (group, natural_key(str(subject)))

    def sortProperties(  # noqa: N802 - rdflib's hook name
        self, properties: Mapping[Any, list[Node]]
    ) -> list[Any]:
        ordered = super().sortProperties(properties)
        for objects in properties.values():
            objects.sort(key=_object_key)
        return ordered


def _object_key(node: Node) -> tuple[Any, ...]:
    if isinstance(node, Literal):
        return (1, node.language or "", natural_key(str(node)))
    if isinstance(node, URIRef):
        return (0, "", natural_key(str(node)))
    return (2, "", (str(node),))


def write_turtle(graph: Graph) -> bytes:
    """Serialise *graph* as Turtle in the framework's reading order."""
    buffer = io.BytesIO()
    _OrderedTurtleSerializer(graph).serialize(buffer, encoding="utf-8")
    return buffer.getvalue()
