"""The curated registry of the 39 actors and the resolution of their names."""

from __future__ import annotations

import difflib
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from refsi_graph.errors import SourceError
from refsi_graph.files import read_text

__all__ = [
    "CATEGORIES",
    "Actor",
    "ActorRegistry",
    "fold",
    "load_registry",
]

logger = logging.getLogger(__name__)

# The first digit of an actor's section number gives its category.
CATEGORIES = {
    "2": "MetierSI",
    "3": "RoleSI",
    "4": "ProfilUtilisateur",
}

# French ligatures that NFKD leaves whole; readers type them as two letters.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SECTION = re.compile(r"^[234]\.[1-9][0-9]?$")
_TABLE_HEADER = re.compile(r"^\s*\[\[\s*acteur\s*\]\]")
_REQUIRED = ("section", "slug", "titre", "libelle", "en")
_LISTS = ("acronymes", "autres_noms", "variantes", "en_autres")


def fold(text: str) -> str:
    """Return a key that ignores case, accents and spacing, for look-ups.

    Examples
    --------
    >>> fold("  Expert en  CYBERSÉCURITÉ ")
    'expert en cybersecurite'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Actor:
    """One actor of the framework, as curated in ``data/acteurs.toml``."""

    section: str
    slug: str
    title: str
    label: str
    label_en: str
    acronyms: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    other_names_en: tuple[str, ...] = ()
    line: int = 0

    @property
    def category(self) -> str:
        """The local name of the actor's category class."""
        return CATEGORIES[self.section.split(".")[0]]

    def names(self) -> tuple[str, ...]:
        """Every French name the registry knows for this actor."""
        return (
            self.label,
            self.title,
            *self.acronyms,
            *self.other_names,
            *self.variants,
        )


@dataclass
class ActorRegistry:
    """The actors, in section order, and an index of their names."""

    path: Path
    actors: list[Actor]
    _index: dict[str, Actor] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for actor in self.actors:
            for name in actor.names():
                key = fold(name)
                other = self._index.setdefault(key, actor)
                if other is not actor:
                    raise SourceError(
                        self.path,
                        actor.line,
                        f"the name {name!r} is given to both {other.slug!r} and "
                        f"{actor.slug!r}; expected each name to pick one actor",
                    )

    def __iter__(self) -> Iterator[Actor]:
        return iter(self.actors)

    def __len__(self) -> int:
        return len(self.actors)

    def by_section(self, section: str) -> Actor | None:
        """Return the actor of a section number, or None."""
        return next((a for a in self.actors if a.section == section), None)

    def resolve(self, name: str) -> Actor | None:
        """Return the actor that *name* designates, or None.

        The match ignores case, accents and spacing, so a lower-case first
        letter or a doubled space still finds the actor.
        """
        return self._index.get(fold(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Return the preferred labels of the actors closest to *name*."""
        keys = list(self._index)
        close = difflib.get_close_matches(fold(name), keys, n=limit * 3, cutoff=0.5)
        labels: list[str] = []
        for key in close:
            label = self._index[key].label
            if label not in labels:
                labels.append(label)
        return labels[:limit]


def load_registry(path: Path | str) -> ActorRegistry:
    """Read the actor registry from a TOML file.

    Parameters
    ----------
    path : Path or str
        Usually ``data/acteurs.toml``.

    Returns
    -------
    ActorRegistry

    Raises
    ------
    SourceError
        If the file is not valid TOML, or an entry lacks a field, has a
        malformed section number or slug, or repeats one of another entry.
    """
    path = Path(path)
    text = read_text(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = _toml_error_line(str(err))
        raise SourceError(path, line, f"not valid TOML: {err}") from err
    entries = document.get("acteur")
    if not isinstance(entries, list) or not entries:
        raise SourceError(path, None, "expected [[acteur]] tables, found none")
    starts = [
        i + 1 for i, ln in enumerate(text.splitlines()) if _TABLE_HEADER.match(ln)
    ]
    if len(starts) != len(entries):
        # An inline array of tables gives no per-entry line; name the file only.
        starts = [0] * len(entries)
    actors = [
        _read_actor(path, entry, line)
        for entry, line in zip(entries, starts, strict=True)
    ]
    _check_unique(path, actors)
    logger.debug("read %d actors from %s", len(actors), path)
    return ActorRegistry(path, actors)


def _read_actor(path: Path, entry: dict[str, object], line: int) -> Actor:
    at = line or None
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_LISTS))
    if unknown:
        allowed = ", ".join((*_REQUIRED, *_LISTS))
        raise SourceError(
            path, at, f"unknown field {unknown[0]!r}; expected one of: {allowed}"
        )
    for key in _REQUIRED:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise SourceError(
                path, at, f"field {key!r} must be a quoted string, found {value!r}"
            )
        if not isinstance(value, str) or not value.strip():
            raise SourceError(path, at, f"field {key!r} is missing or empty")
    for key in _LISTS:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourceError(path, at, f"field {key!r} must be a list of strings")
    section = str(entry["section"])
    if not _SECTION.match(section):
        raise SourceError(
            path, at, f"section {section!r} is not of the form 2.1, 3.13 or 4.7"
        )
    slug = str(entry["slug"])
    if not _SLUG.match(slug):
        raise SourceError(
            path, at, f"slug {slug!r} must be lower-case ASCII words joined by '-'"
        )

    def strings(key: str) -> tuple[str, ...]:
        values = entry.get(key, [])
        assert isinstance(values, list)
        return tuple(" ".join(str(v).split()) for v in values)

    return Actor(
        section=section,
        slug=slug,
        title=" ".join(str(entry["titre"]).split()),
        label=" ".join(str(entry["libelle"]).split()),
        label_en=" ".join(str(entry["en"]).split()),
        acronyms=strings("acronymes"),
        other_names=strings("autres_noms"),
        variants=strings("variantes"),
        other_names_en=strings("en_autres"),
        line=line,
    )


def _check_unique(path: Path, actors: list[Actor]) -> None:
    for key in ("section", "slug"):
        seen: dict[str, Actor] = {}
        for actor in actors:
            value = getattr(actor, key)
            if value in seen:
                raise SourceError(
                    path,
                    actor.line,
                    f"{key} {value!r} already used at line {seen[value].line}",
                )
            seen[value] = actor


def _toml_error_line(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None
