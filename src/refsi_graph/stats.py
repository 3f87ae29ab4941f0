"""Counts of what a graph holds, beside the totals the publication declares."""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from refsi_graph.errors import InputError
from refsi_graph.loader import notation_key
from refsi_graph.namespaces import REFSI
from refsi_graph.rdfio import load_store

__all__ = ["Stats", "compute_stats", "format_stats", "load_store"]

logger = logging.getLogger(__name__)

_PREFIXES = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX refsi: <{REFSI}>
"""

_COUNT_CLASS = (
    _PREFIXES + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a refsi:{cls} }}"
)

_PER_MACRO = (
    _PREFIXES
    + """
SELECT ?notation ?label (COUNT(DISTINCT ?p) AS ?processes)
       (COUNT(DISTINCT ?a) AS ?activities)
WHERE {
  ?m a refsi:MacroProcessus ; skos:notation ?notation .
  OPTIONAL { ?m skos:prefLabel ?label FILTER (lang(?label) = "fr") }
  OPTIONAL { ?p a refsi:Processus ; skos:broader ?m .
    OPTIONAL { ?a a refsi:Activite ; skos:broader ?p } }
}
GROUP BY ?notation ?label
"""
)

_DECLARED = (
    _PREFIXES
    + """
SELECT ?macro ?proc ?act WHERE {
  ?s refsi:nombreDeclareMacroProcessus ?macro ;
     refsi:nombreDeclareProcessus ?proc ;
     refsi:nombreDeclareActivites ?act .
}
"""
)

_LINKS = (
    _PREFIXES
    + """
SELECT (COUNT(*) AS ?n) WHERE { ?a refsi:concerne ?b }
"""
)
_LINKS_ALL = (
    _PREFIXES
    + """
SELECT (COUNT(*) AS ?n)
WHERE { ?a refsi:concerneTousLesActeurs true ; refsi:concerne ?b }
"""
)
_MENTIONS = (
    _PREFIXES
    + """
SELECT (COUNT(*) AS ?n) WHERE { ?a refsi:mentionne ?b }
"""
)


# What a person reads in the text report for the keys of the JSON one.
_DISPLAY = {
    "MetierSI": "IS jobs (MetierSI)",
    "RoleSI": "IS roles (RoleSI)",
    "ProfilUtilisateur": "user profiles (ProfilUtilisateur)",
    "Acteur": "all actors (Acteur)",
    "concerne": "refsi:concerne",
    "concerne_all_actors": "  of which from all-actors activities",
    "mentionne": "refsi:mentionne",
}


@dataclass
class LevelCount:
    """Present and declared counts of one level of the hierarchy."""

    level: str
    present: int
    declared: int | None

    @property
    def gap(self) -> int | None:
        """How many the publication declares but the table does not hold."""
        return None if self.declared is None else self.declared - self.present


@dataclass
class Stats:
    """What ``refsi stats`` reports."""

    levels: list[LevelCount]
    per_macro_process: list[dict[str, object]]
    actors: dict[str, int]
    links: dict[str, int]
    glossary_terms: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return the stats as plain data, the gaps included."""
        data = asdict(self)
        for level, count in zip(data["levels"], self.levels, strict=True):
            level["gap"] = count.gap
        return data


def compute_stats(store: ox.Store, source: Path | str | None = None) -> Stats:
    """Count the levels, actors, links and glossary terms in *store*.

    Parameters
    ----------
    store : pyoxigraph.Store
        A store holding a refsi graph.
    source : Path or str, optional
        Where the store was loaded from, named in error messages.

    Returns
    -------
    Stats
        With a warning for every level whose declared total is not met.

    Raises
    ------
    InputError
        If the store holds no refsi concept, or a declared total is not an
        integer.
    """
    where = str(source) if source is not None else "the graph"

    def count(query: str) -> int:
        rows = list(store.query(query))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

    declared: tuple[int | None, ...] = (None, None, None)
    rows = list(store.query(_DECLARED))  # type: ignore[arg-type]
    if rows:
        try:
            declared = tuple(int(rows[0][k].value) for k in ("macro", "proc", "act"))
        except ValueError as err:
            raise InputError(
                f"{where}: a refsi:nombreDeclare… value is not an integer ({err}); "
                "expected xsd:integer values"
            ) from err
    levels = [
        LevelCount(
            "macro-processes",
            count(_COUNT_CLASS.format(cls="MacroProcessus")),
            declared[0],
        ),
        LevelCount(
            "processes", count(_COUNT_CLASS.format(cls="Processus")), declared[1]
        ),
        LevelCount(
            "activities", count(_COUNT_CLASS.format(cls="Activite")), declared[2]
        ),
    ]
    per_macro = [
        {
            "notation": row["notation"].value,
            "label": row["label"].value if row["label"] is not None else "",
            "processes": int(row["processes"].value),
            "activities": int(row["activities"].value),
        }
        for row in store.query(_PER_MACRO)  # type: ignore[union-attr]
    ]
    per_macro.sort(key=lambda r: notation_key(str(r["notation"])))
    actors = {
        "MetierSI": count(_COUNT_CLASS.format(cls="MetierSI")),
        "RoleSI": count(_COUNT_CLASS.format(cls="RoleSI")),
        "ProfilUtilisateur": count(_COUNT_CLASS.format(cls="ProfilUtilisateur")),
        "Acteur": count(_COUNT_CLASS.format(cls="Acteur")),
    }
    links = {
        "concerne": count(_LINKS),
        "concerne_all_actors": count(_LINKS_ALL),
        "mentionne": count(_MENTIONS),
    }
    stats = Stats(
        levels=levels,
        per_macro_process=per_macro,
        actors=actors,
        links=links,
        glossary_terms=count(_COUNT_CLASS.format(cls="TermeGlossaire")),
    )
    if not any(level.present for level in levels) and not actors["Acteur"]:
        raise InputError(
            f"{where}: holds no refsi concept; expected a graph built by refsi build "
            "(refsi:MacroProcessus, refsi:Activite, refsi:Acteur …)"
        )
    if len(rows) > 1:
        stats.warnings.append(
            f"the declared totals are given {len(rows)} times; the first is reported"
        )
    if declared == (None, None, None):
        stats.warnings.append("the graph declares no totals (refsi:nombreDeclare…)")
    for level in levels:
        if level.gap is not None and level.gap > 0:
            stats.warnings.append(
                f"the publication declares {level.declared} {level.level} but the "
                f"graph holds {level.present}: {level.gap} missing"
            )
        elif level.gap is not None and level.gap < 0:
            stats.warnings.append(
                f"the graph holds {level.present} {level.level}, more than the "
                f"{level.declared} declared"
            )
    return stats


def format_stats(stats: Stats, fmt: str = "text") -> str:
    """Render *stats* as ``text`` for a person, or ``json`` or ``csv``."""
    if fmt == "json":
        return json.dumps(stats.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _stats_csv(stats)
    return _stats_text(stats)


def _stats_text(stats: Stats) -> str:
    out = ["Levels            present  declared  gap"]
    for level in stats.levels:
        declared = "-" if level.declared is None else str(level.declared)
        gap = "-" if level.gap is None else str(level.gap)
        out.append(f"  {level.level:<16}{level.present:>7}  {declared:>8}  {gap:>3}")
    out.append("")
    out.append("Per macro-process  processes  activities")
    for row in stats.per_macro_process:
        out.append(
            f"  {row['notation']:>2}  {row['processes']:>9}  {row['activities']:>10}"
            f"  {row['label']}"
        )
    out.append("")
    out.append("Actors")
    for name, number in stats.actors.items():
        out.append(f"  {_DISPLAY.get(name, name):<40}{number:>4}")
    out.append("")
    out.append("Links")
    for name, number in stats.links.items():
        out.append(f"  {_DISPLAY.get(name, name):<40}{number:>4}")
    out.append("")
    out.append("Glossary")
    out.append(f"  {'terms (refsi:TermeGlossaire)':<40}{stats.glossary_terms:>4}")
    for warning in stats.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out) + "\n"


def _stats_csv(stats: Stats) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "item", "present", "declared", "gap"])
    for level in stats.levels:
        writer.writerow(
            [
                "level",
                level.level,
                level.present,
                "" if level.declared is None else level.declared,
                "" if level.gap is None else level.gap,
            ]
        )
    for row in stats.per_macro_process:
        writer.writerow(
            ["macro-process processes", row["notation"], row["processes"], ""]
        )
        writer.writerow(
            ["macro-process activities", row["notation"], row["activities"], ""]
        )
    for name, number in stats.actors.items():
        writer.writerow(["actors", name, number, ""])
    for name, number in stats.links.items():
        writer.writerow(["links", name, number, ""])
    writer.writerow(["glossary", "terms", stats.glossary_terms, ""])
    for warning in stats.warnings:
        writer.writerow(["warning", warning, "", ""])
    return buffer.getvalue()
