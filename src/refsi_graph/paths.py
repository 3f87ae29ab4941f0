"""Locations of the data files that ship with refsi.

In a source checkout (including an editable install) the files are read from
the repository; a wheel carries copies under ``refsi_graph/_data``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "checkout_root",
    "data_dir",
    "ontology_file",
    "queries_dir",
    "resource_dir",
    "shapes_dir",
    "source_file",
]

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent.parent

SOURCE_NAME = "anap-referentiel-competences-si-2020.txt"


def resource_dir(name: str) -> Path:
    """Return the directory of one kind of bundled resource.

    Parameters
    ----------
    name : str
        One of ``"data"``, ``"ontology"``, ``"shapes"``, ``"queries"``.
    """
    bundled = _PACKAGE_DIR / "_data" / name
    if bundled.is_dir():
        return bundled
    return _REPO_ROOT / name


def checkout_root() -> Path | None:
    """Return the root of the source checkout refsi runs from, or None.

    None means an installed wheel, whose bundled files are not to be
    rewritten.
    """
    if (_REPO_ROOT / "pyproject.toml").is_file() and (_REPO_ROOT / "ontology").is_dir():
        return _REPO_ROOT
    return None


def data_dir() -> Path:
    """Return the directory of the source text and the curated tables."""
    return resource_dir("data")


def source_file() -> Path:
    """Return the bundled copy of the ANAP publication as text."""
    return data_dir() / SOURCE_NAME


def ontology_file() -> Path:
    """Return the committed graph, ``ontology/refsi.ttl``."""
    return resource_dir("ontology") / "refsi.ttl"


def shapes_dir() -> Path:
    """Return the directory of the SHACL shapes."""
    return resource_dir("shapes")


def queries_dir() -> Path:
    """Return the directory of the bundled SPARQL queries."""
    return resource_dir("queries")
