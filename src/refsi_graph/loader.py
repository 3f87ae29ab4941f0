"""Read the ANAP publication as text into a model of the framework.

The source is the web page saved as text: a table of contents, the
tab-separated table of section 1.4 and a glossary. The importer copes with
what the web page does: macro-process headers repeated at page breaks with
continuation rows, header rows, trailing tabs, ``<u>`` glossary marks, actor
names spelled several ways, slashes inside and between actor names, and the
"Tous les métiers" row.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from refsi_graph.errors import SourceError
from refsi_graph.files import read_text
from refsi_graph.registry import Actor, ActorRegistry, fold

__all__ = [
    "Activity",
    "Framework",
    "GlossaryTerm",
    "MacroProcess",
    "Process",
    "TocEntry",
    "load_framework",
    "normalise_label",
    "notation_key",
    "shorten",
    "slugify",
]

logger = logging.getLogger(__name__)

_MARK = re.compile(r"<u>(.*?)</u>", re.IGNORECASE | re.DOTALL)
_STRAY_TAG = re.compile(r"</?u>", re.IGNORECASE)
_MACRO_HEADER = re.compile(r"^(\d+)\s*[-–]\s*(\S.*)$")
_TOC_ENTRY = re.compile(r"^-\s*(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
_DECLARED = re.compile(
    r"(\d+)\s+macro-processus\s*,\s*(\d+)\s+processus\s+et\s+(\d+)\s+activités",
    re.IGNORECASE,
)
_GLOSSARY_ITEM = re.compile(r"^\[(.+)\]\(#?[^)]*\)$")
_ISSUED = re.compile(r"Date\s+de\s+parution\s*:\s*(\d{2})/(\d{2})/(\d{4})")
_ALL_ACTORS = "tous les metiers"
_ELLIPSIS = ("...", "…")


@dataclass(frozen=True)
class TocEntry:
    """An actor's entry in the table of contents."""

    section: str
    title: str
    line: int

    @property
    def truncated(self) -> bool:
        """Whether the table of contents cuts the title off."""
        return self.title.endswith(_ELLIPSIS)


@dataclass
class GlossaryTerm:
    """A term of the glossary (the publication gives no definitions)."""

    label: str
    slug: str
    line: int


@dataclass
class Activity:
    """An activity, the actors it concerns and the glossary terms it marks."""

    notation: str
    label: str
    line: int
    actors: list[Actor] = field(default_factory=list)
    all_actors: bool = False
    mentions: list[GlossaryTerm] = field(default_factory=list)
    spellings: list[tuple[Actor, str]] = field(default_factory=list)


@dataclass
class Process:
    """A process of a macro-process."""

    notation: str
    label: str
    line: int
    activities: list[Activity] = field(default_factory=list)
    mentions: list[GlossaryTerm] = field(default_factory=list)


@dataclass
class MacroProcess:
    """A macro-process and its processes."""

    notation: str
    label: str
    line: int
    processes: list[Process] = field(default_factory=list)


@dataclass
class Framework:
    """Everything the source says, resolved against the actor registry."""

    source: Path
    macro_processes: list[MacroProcess]
    actors: list[Actor]
    completed_titles: dict[str, TocEntry]
    glossary: list[GlossaryTerm]
    declared: tuple[int, int, int]
    issued: str | None

    def processes(self) -> list[Process]:
        """Every process, in publication order."""
        return [p for m in self.macro_processes for p in m.processes]

    def activities(self) -> list[Activity]:
        """Every activity, in publication order."""
        return [a for p in self.processes() for a in p.activities]


def slugify(text: str) -> str:
    """Return an ASCII slug for an IRI local name.

    Examples
    --------
    >>> slugify("Gestion des ressources")
    'gestion-des-ressources'
    >>> slugify("Éco-responsable (SI)")
    'eco-responsable-si'
    """
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def notation_key(notation: str) -> tuple[int, ...]:
    """Return a sort key that orders notations the way the publication does.

    Examples
    --------
    >>> sorted(["2.10", "2.9", "10", "3.2.13", "3.2.4"], key=notation_key)
    ['2.9', '2.10', '3.2.4', '3.2.13', '10']
    """
    return tuple(int(part) if part.isdigit() else 0 for part in notation.split("."))


def shorten(text: str, width: int = 80) -> str:
    """Return *text* cut to *width* characters, for error messages.

    Examples
    --------
    >>> shorten("abc" * 40, 10)
    'abcabcabc…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def normalise_label(text: str) -> str:
    """Strip glossary marks, collapse white space and apply NFC."""
    text = _STRAY_TAG.sub("", text)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def load_framework(path: Path | str, registry: ActorRegistry) -> Framework:
    """Parse the publication's text and resolve every actor name.

    Parameters
    ----------
    path : Path or str
        The source text, usually ``data/anap-referentiel-competences-si-2020.txt``.
    registry : ActorRegistry
        The curated actors, checked against the table of contents.

    Returns
    -------
    Framework

    Raises
    ------
    SourceError
        For any line that breaks the expected form; the message gives the
        file, the line and what was expected.
    """
    path = Path(path)
    lines = read_text(path).split("\n")
    logger.debug("parsing %s (%d lines)", path, len(lines))
    toc = _read_toc(path, lines)
    completed = _check_registry(path, toc, registry)
    glossary, glossary_end = _read_glossary(path, lines)
    declared, table_start = _read_declared(path, lines)
    macros = _TableReader(path, registry, glossary).read(lines, table_start)
    issued = _read_issued(lines)
    framework = Framework(
        source=path,
        macro_processes=macros,
        actors=list(registry),
        completed_titles=completed,
        glossary=glossary,
        declared=declared,
        issued=issued,
    )
    logger.debug(
        "parsed %d macro-processes, %d processes, %d activities",
        len(macros),
        len(framework.processes()),
        len(framework.activities()),
    )
    return framework


def _read_toc(path: Path, lines: list[str]) -> list[TocEntry]:
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "Sommaire")
    except StopIteration:
        raise SourceError(
            path, None, "no 'Sommaire' line; expected the table of contents"
        ) from None
    entries = []
    for number, line in enumerate(lines[start + 1 :], start + 2):
        stripped = line.strip()
        if stripped.startswith("↪"):
            break
        found = _TOC_ENTRY.match(stripped)
        if found and found.group(1).split(".")[0] in "234" and "." in found.group(1):
            entries.append(
                TocEntry(found.group(1), normalise_label(found.group(2)), number)
            )
    if not entries:
        raise SourceError(
            path, start + 1, "the table of contents lists no actor (sections 2 to 4)"
        )
    return entries


def _check_registry(
    path: Path, toc: list[TocEntry], registry: ActorRegistry
) -> dict[str, TocEntry]:
    completed: dict[str, TocEntry] = {}
    for entry in toc:
        actor = registry.by_section(entry.section)
        if actor is None:
            raise SourceError(
                path,
                entry.line,
                f"section {entry.section} ({entry.title!r}) has no entry in "
                f"{registry.path}; expected one [[acteur]] per section",
            )
        shown = entry.title.rstrip(".…").rstrip()
        if entry.truncated and not actor.title.startswith(shown):
            raise SourceError(
                registry.path,
                actor.line,
                f"title {actor.title!r} does not start with {shown!r}, which the "
                f"table of contents shows for section {entry.section} "
                f"({path}:{entry.line})",
            )
        if not entry.truncated and actor.title != entry.title:
            raise SourceError(
                registry.path,
                actor.line,
                f"title {actor.title!r} differs from {entry.title!r} in the table "
                f"of contents ({path}:{entry.line})",
            )
        if entry.truncated:
            completed[actor.slug] = entry
    listed = {e.section for e in toc}
    for actor in registry:
        if actor.section not in listed:
            raise SourceError(
                registry.path,
                actor.line,
                f"section {actor.section} is not in the table of contents of {path}",
            )
    return completed


def _read_declared(path: Path, lines: list[str]) -> tuple[tuple[int, int, int], int]:
    for number, line in enumerate(lines, 1):
        found = _DECLARED.search(line)
        if found:
            macro, proc, act = (int(g) for g in found.groups())
            return (macro, proc, act), number
    raise SourceError(
        path,
        None,
        "no sentence 'N macro-processus, N processus et N activités'; expected "
        "the declared totals just before the table of section 1.4",
    )


def _read_glossary(path: Path, lines: list[str]) -> tuple[list[GlossaryTerm], int]:
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "Glossaire")
    except StopIteration:
        raise SourceError(
            path, None, "no 'Glossaire' line; expected the glossary"
        ) from None
    terms: list[GlossaryTerm] = []
    seen: dict[str, GlossaryTerm] = {}
    end = len(lines)
    prose: int | None = None
    for number, line in enumerate(lines[start + 1 :], start + 2):
        stripped = line.strip()
        if not stripped:
            continue
        found = _GLOSSARY_ITEM.match(stripped)
        if not found:
            # Prose (the publication date) may follow the list, not sit inside it.
            prose = prose or number
            continue
        if prose is not None:
            raise SourceError(
                path,
                prose,
                f"{shorten(lines[prose - 1].strip())!r} is not a glossary entry: "
                f"expected '[term](#)'; the glossary goes on at line {number}",
            )
        term = GlossaryTerm(
            normalise_label(found.group(1)), slugify(found.group(1)), number
        )
        if term.slug in seen:
            raise SourceError(
                path,
                number,
                f"glossary term {term.label!r} repeats the term of line "
                f"{seen[term.slug].line}",
            )
        seen[term.slug] = term
        terms.append(term)
    end = prose - 1 if prose is not None else end
    if not terms:
        raise SourceError(
            path, start + 1, "the glossary lists no term; expected [term](#) lines"
        )
    return terms, end


def _read_issued(lines: list[str]) -> str | None:
    for line in lines:
        found = _ISSUED.search(line)
        if found:
            day, month, year = found.groups()
            return f"{year}-{month}-{day}"
    return None


class _TableReader:
    """Walk the rows of the section 1.4 table, one line at a time."""

    def __init__(
        self, path: Path, registry: ActorRegistry, glossary: list[GlossaryTerm]
    ) -> None:
        self.path = path
        self.registry = registry
        self.glossary = glossary
        self.macros: list[MacroProcess] = []
        self.macro: MacroProcess | None = None
        self.process: Process | None = None

    def read(self, lines: list[str], start: int) -> list[MacroProcess]:
        prose: int | None = None
        for number, line in enumerate(lines[start:], start + 1):
            # Trailing tabs carry nothing: a header keeps two, prose may get one.
            line = line.rstrip()
            stripped = line.strip()
            if not stripped:
                continue
            if stripped == "Glossaire":
                break
            header = _MACRO_HEADER.match(stripped)
            is_header = header is not None and "\t" not in stripped
            if not is_header and "\t" not in line:
                if not self.macros:
                    raise SourceError(
                        self.path,
                        number,
                        "expected a macro-process header such as '1 - Pilotage "
                        f"stratégique du SI', found {shorten(stripped)!r}",
                    )
                # Prose may follow the table; anything else is a broken row.
                prose = prose or number
                continue
            if prose is not None:
                raise SourceError(
                    self.path,
                    prose,
                    f"{shorten(lines[prose - 1].strip())!r} is not a table row: "
                    "expected 3 tab-separated cells (Processus, Activités, "
                    f"Métiers / rôles concernés); the table goes on at line {number}",
                )
            if header is not None and is_header:
                self._macro_header(number, int(header.group(1)), header.group(2))
            else:
                self._row(number, line)
        if not self.macros:
            raise SourceError(self.path, start, "the table of section 1.4 has no row")
        for macro in self.macros:
            if not macro.processes:
                raise SourceError(
                    self.path,
                    macro.line,
                    f"macro-process {macro.notation} has no process row",
                )
        return self.macros

    def _macro_header(self, number: int, index: int, title: str) -> None:
        title = normalise_label(title)
        if self.macro is not None and index == int(self.macro.notation):
            if title != self.macro.label:
                raise SourceError(
                    self.path,
                    number,
                    f"macro-process {index} is repeated as {title!r}; expected "
                    f"{self.macro.label!r} as at line {self.macro.line}",
                )
            return
        expected = len(self.macros) + 1
        if index != expected:
            after = (
                f"follows macro-process {expected - 1}"
                if self.macros
                else "opens the table"
            )
            raise SourceError(
                self.path,
                number,
                f"macro-process {index} {after}; expected macro-process {expected}",
            )
        self.macro = MacroProcess(str(index), title, number)
        self.macros.append(self.macro)
        self.process = None

    def _row(self, number: int, line: str) -> None:
        cells = [c.strip() for c in line.split("\t")]
        if (
            fold(cells[0]) == "processus"
            and len(cells) > 1
            and fold(cells[1]) == "activites"
        ):
            return
        if self.macro is None:
            raise SourceError(
                self.path,
                number,
                "row before any macro-process header; expected a line such as "
                "'1 - Pilotage stratégique du SI et de la numérisation' first",
            )
        if len(cells) != 3:
            raise SourceError(
                self.path,
                number,
                f"row has {len(cells)} tab-separated cells; expected 3 "
                "(Processus, Activités, Métiers / rôles concernés)",
            )
        process_cell, activity_cell, actors_cell = cells
        if not activity_cell:
            raise SourceError(self.path, number, "the Activités cell is empty")
        if not actors_cell:
            raise SourceError(
                self.path, number, "the Métiers / rôles concernés cell is empty"
            )
        if process_cell:
            self._new_process(number, process_cell)
        elif self.process is None:
            raise SourceError(
                self.path,
                number,
                "the Processus cell is empty but no process is named above in "
                f"macro-process {self.macro.notation}; expected a process name",
            )
        assert self.process is not None
        label = normalise_label(activity_cell)
        for other in self.process.activities:
            if other.label == label:
                raise SourceError(
                    self.path,
                    number,
                    f"activity {shorten(label)!r} repeats activity {other.notation} "
                    f"of line {other.line}; expected each activity once",
                )
        activity = Activity(
            notation=f"{self.process.notation}.{len(self.process.activities) + 1}",
            label=normalise_label(activity_cell),
            line=number,
            mentions=self._mentions(number, activity_cell),
        )
        self._resolve_actors(number, actors_cell, activity)
        self.process.activities.append(activity)

    def _new_process(self, number: int, cell: str) -> None:
        assert self.macro is not None
        label = normalise_label(cell)
        for other in self.macro.processes:
            if other.label == label:
                raise SourceError(
                    self.path,
                    number,
                    f"process {shorten(label)!r} repeats process {other.notation} "
                    f"of line {other.line}; expected continuation rows to leave the "
                    "Processus cell empty",
                )
        self.process = Process(
            notation=f"{self.macro.notation}.{len(self.macro.processes) + 1}",
            label=normalise_label(cell),
            line=number,
            mentions=self._mentions(number, cell),
        )
        self.macro.processes.append(self.process)

    def _mentions(self, number: int, cell: str) -> list[GlossaryTerm]:
        opened = len(re.findall(r"<u>", cell, re.IGNORECASE))
        closed = len(re.findall(r"</u>", cell, re.IGNORECASE))
        if opened != closed:
            raise SourceError(
                self.path,
                number,
                f"{opened} '<u>' for {closed} '</u>' in {shorten(cell)!r}; "
                "expected each glossary mark to be closed",
            )
        terms: list[GlossaryTerm] = []
        for marked in _MARK.findall(cell):
            term = self._glossary_term(marked)
            if term is None:
                known = ", ".join(t.label for t in self.glossary)
                raise SourceError(
                    self.path,
                    number,
                    f"the marked text {normalise_label(marked)!r} matches no "
                    f"glossary term; expected one of: {known}",
                )
            if term not in terms:
                terms.append(term)
        return terms

    def _glossary_term(self, marked: str) -> GlossaryTerm | None:
        # A mark may cover more words than the term ("transfert de compétence"
        # links to "transfert"): fall back on the longest term it starts with.
        key = fold(marked)
        for term in self.glossary:
            if fold(term.label) == key:
                return term
        starting = [t for t in self.glossary if key.startswith(fold(t.label) + " ")]
        return max(starting, key=lambda t: len(t.label), default=None)

    def _resolve_actors(self, number: int, cell: str, activity: Activity) -> None:
        for piece in cell.split(";"):
            name = normalise_label(piece)
            if not name:
                continue
            if fold(name) == _ALL_ACTORS:
                activity.all_actors = True
                continue
            for actor, spelling in self._resolve_name(number, name):
                activity.spellings.append((actor, spelling))
                if actor not in activity.actors:
                    activity.actors.append(actor)
        if activity.all_actors:
            activity.actors = list(self.registry)

    def _resolve_name(self, number: int, name: str) -> list[tuple[Actor, str]]:
        actor = self.registry.resolve(name)
        if actor is not None:
            return [(actor, name)]
        # A slash inside one actor's name was tried above; here it joins two.
        parts = [p.strip() for p in name.split("/")]
        if len(parts) > 1 and all(parts):
            found = [(self.registry.resolve(p), p) for p in parts]
            if all(a is not None for a, _ in found):
                return [(a, p) for a, p in found if a is not None]
        suggestions = self.registry.suggest(name)
        hint = "; closest actors: " + ", ".join(repr(s) for s in suggestions)
        if not suggestions:
            hint = ""
        raise SourceError(
            self.path,
            number,
            f"unknown actor {shorten(name)!r}; expected a name of "
            f"{self.registry.path}{hint or '; no actor has a close name'}",
        )
