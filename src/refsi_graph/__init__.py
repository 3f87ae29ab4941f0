"""refsi: the ANAP IS competency framework as an RDF/SKOS knowledge graph."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from refsi_graph.api import Referential as Referential
from refsi_graph.builder import build as build
from refsi_graph.builder import build_graph as build_graph
from refsi_graph.builder import serialize_turtle as serialize_turtle
from refsi_graph.engines import open_engine as open_engine
from refsi_graph.engines import push_graph as push_graph
from refsi_graph.errors import InputError as InputError
from refsi_graph.errors import RefsiError as RefsiError
from refsi_graph.errors import SourceError as SourceError
from refsi_graph.errors import UsageError as UsageError
from refsi_graph.loader import load_framework as load_framework
from refsi_graph.namespaces import REFSI as REFSI
from refsi_graph.queries import bundled_queries as bundled_queries
from refsi_graph.registry import load_registry as load_registry
from refsi_graph.results import QueryResult as QueryResult
from refsi_graph.stats import compute_stats as compute_stats

try:
    __version__ = version("refsi")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "REFSI",
    "InputError",
    "QueryResult",
    "Referential",
    "RefsiError",
    "SourceError",
    "UsageError",
    "__version__",
    "build",
    "build_graph",
    "bundled_queries",
    "compute_stats",
    "load_framework",
    "load_registry",
    "open_engine",
    "push_graph",
    "serialize_turtle",
]
