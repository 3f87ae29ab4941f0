"""Shared fixtures: the real bundled source, and graphs built from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from refsi_graph.builder import build
from refsi_graph.loader import Framework, load_framework
from refsi_graph.paths import data_dir, ontology_file, source_file
from refsi_graph.registry import ActorRegistry, load_registry


@pytest.fixture(scope="session")
def registry() -> ActorRegistry:
    return load_registry(data_dir() / "acteurs.toml")


@pytest.fixture(scope="session")
def framework(registry: ActorRegistry) -> Framework:
    return load_framework(source_file(), registry)


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The graph built afresh from the bundled source."""
    return build()


@pytest.fixture(scope="session")
def committed_graph() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


@pytest.fixture
def source_text() -> str:
    return source_file().read_text(encoding="utf-8")


@pytest.fixture
def write_source(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a variant of the source text and return its path."""

    def write(text: str | bytes, name: str = "source.txt") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
