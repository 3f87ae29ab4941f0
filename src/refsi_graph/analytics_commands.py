"""The subcommands of the graph analytics: ``overlap`` and ``analyse``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from refsi_graph.analytics import (
    DEFAULT_SEED,
    METRICS,
    ActorCentrality,
    ActorProcesses,
    CoverResult,
    FrameworkData,
    Overlap,
    SingleActorActivity,
    actor_centrality,
    actor_communities,
    actor_projection,
    bipartite_graph,
    idle_actors,
    minimum_covers,
    processes_by_actor,
    rank_overlaps,
    read_framework,
    role_overlap,
    single_actor_activities,
    write_gexf,
    write_graphml,
)
from refsi_graph.cli import emit
from refsi_graph.errors import OutputError, UsageError
from refsi_graph.export import CSV_DELIMITERS
from refsi_graph.paths import ontology_file
from refsi_graph.rdfio import load_store, require_refsi

__all__ = ["add_commands"]

logger = logging.getLogger(__name__)

_METRIC_HELP = (
    "shared: number of shared activities; jaccard: shared / union; overlap: "
    "shared / the smaller actor's activities (default: jaccard)"
)


def add_commands(subparsers: Any) -> None:
    """Register ``overlap`` and ``analyse`` on the ``refsi`` parser."""
    overlap = subparsers.add_parser(
        "overlap",
        help="rank pairs of actors by the overlap of their activities "
        "(default: Jaccard index)",
        description="Rank the pairs of actors by role overlap: the activities "
        "they share, the Jaccard index (the default) or the overlap "
        "coefficient. Pairs that share nothing are left out, and so are the "
        "actors with no activity in scope.",
    )
    _add_scope_arguments(overlap)
    overlap.add_argument(
        "-m", "--metric", choices=METRICS, default="jaccard", help=_METRIC_HELP
    )
    overlap.add_argument(
        "--top",
        type=int,
        metavar="N",
        help="show the N first pairs only, N at least 1 (default: all)",
    )
    overlap.add_argument(
        "--actor",
        metavar="A",
        help="only the pairs of this actor: any label, acronym or spelling, in "
        "any case, with or without accents (e.g. rssi, 'Expert cyber sécurité')",
    )
    overlap.add_argument(
        "-f",
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table); csv is for programs: comma "
        "separated unless --delimiter says otherwise, one row per pair",
    )
    overlap.add_argument(
        "--delimiter",
        choices=CSV_DELIMITERS,
        default=",",
        metavar="CHAR",
        help="CSV field separator, ',' or ';' (default: ',', unlike refsi export "
        "whose spreadsheet CSV uses ';')",
    )
    overlap.add_argument("-o", "--output", help="write to this file (default: stdout)")
    overlap.set_defaults(handler=_run_overlap)

    analyse = subparsers.add_parser(
        "analyse",
        help="who does most, who works together, single points, minimum cover",
        description="Analyse how the activities are shared: the most involved "
        "actors (degree, betweenness), Louvain communities, the processes each "
        "actor touches, the most overlapping pairs, the activities carried by a "
        "single actor and every minimum set of actors covering all activities; "
        "optionally draw the overlap heatmap and the actor network, and export "
        "the actor projection as GraphML or GEXF.",
    )
    _add_scope_arguments(analyse)
    analyse.add_argument(
        "-m",
        "--metric",
        choices=METRICS,
        default="jaccard",
        help="measure for the top pairs and the heatmap; " + _METRIC_HELP,
    )
    analyse.add_argument(
        "--top",
        type=int,
        default=5,
        metavar="N",
        help="how many pairs and actors to list, at least 1 (default: 5)",
    )
    analyse.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of Louvain and of the layout (default: {DEFAULT_SEED})",
    )
    analyse.add_argument(
        "-d",
        "--output-dir",
        metavar="DIR",
        help="write the figures there: overlap-heatmap.png/.svg and "
        "actor-network.png/.svg",
    )
    analyse.add_argument(
        "--graphml", metavar="FILE", help="export the actor projection as GraphML"
    )
    analyse.add_argument(
        "--gexf", metavar="FILE", help="export the actor projection as GEXF (Gephi)"
    )
    analyse.add_argument(
        "-f",
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
    analyse.set_defaults(handler=_run_analyse)


def _add_scope_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        help="an RDF file (default: the committed ontology/refsi.ttl)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--macro", metavar="N", help="only the activities of macro-process N (e.g. 5)"
    )
    where.add_argument(
        "--process", metavar="N.M", help="only the activities of process N.M (e.g. 3.2)"
    )
    parser.add_argument(
        "--exclude-all",
        action="store_true",
        help="leave out the activities that concern all actors "
        "(refsi:concerneTousLesActeurs)",
    )


@dataclass
class _Scope:
    data: FrameworkData
    bipartite: nx.Graph[Any]
    description: str
    #: The actors with no activity in scope, removed from *bipartite*.
    idle: list[str]
    #: A sentence that counts *idle*, or "" when every actor is in scope.
    idle_note: str
    where: str


def _scope(args: argparse.Namespace) -> _Scope:
    path = args.file or ontology_file()
    store = load_store(path)
    require_refsi(store, path)
    data = read_framework(store)
    activities = data.select(args.macro, args.process, args.exclude_all)
    if args.macro:
        where = f"macro-process {args.macro}"
    elif args.process:
        where = f"process {args.process}"
    else:
        where = "the framework"
    left_out = len(data.select(args.macro, args.process)) - len(activities)
    text = f"{len(activities)} activities of {where}"
    if args.exclude_all and left_out:
        verb = "concerns" if left_out == 1 else "concern"
        text += f", leaving out {left_out} that {verb} all actors"
    elif args.exclude_all:
        text += ", none of which concerns all actors"
    bipartite = bipartite_graph(data, activities)
    # Ranked or clustered, an actor with nothing to do in scope only adds a
    # row of zeros and a community of one: leave it out, and say so.
    idle = idle_actors(bipartite)
    bipartite.remove_nodes_from(idle)
    note = ""
    if idle:
        besides = ""
        if args.exclude_all and left_out:
            besides = " besides that one" if left_out == 1 else " besides those"
        note = (
            f"{len(idle)} actor{'s have' if len(idle) > 1 else ' has'} no "
            f"activity in {where}{besides} and {'are' if len(idle) > 1 else 'is'} "
            "left out"
        )
    return _Scope(data, bipartite, text, idle, note, where)


def _check_top(top: int | None) -> None:
    # --top 0 would print an empty ranking that reads as "nothing shared".
    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1, got {top}")


def _idle_json(scope: _Scope) -> list[dict[str, str]]:
    labels = {a.iri: a.label for a in scope.data.actors}
    return [{"actor": a, "label": labels.get(a, a)} for a in scope.idle]


# --- overlap ----------------------------------------------------------------


def _run_overlap(args: argparse.Namespace) -> int:
    _check_top(args.top)
    scope = _scope(args)
    chosen = scope.data.actor(args.actor) if args.actor else None
    actor = chosen.iri if chosen else None
    pairs = rank_overlaps(
        role_overlap(scope.bipartite), args.metric, args.top, actor, min_shared=1
    )
    if args.format == "json":
        text = (
            json.dumps(
                {
                    "scope": scope.description,
                    "metric": args.metric,
                    "actors_left_out": _idle_json(scope),
                    "pairs": [asdict(p) for p in pairs],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    elif args.format == "csv":
        text = _overlap_csv(pairs, args.delimiter)
    else:
        title = f"Role overlap by {args.metric}, {scope.description}"
        if chosen:
            title += f", pairs of {chosen.label}"
        if scope.idle_note:
            title += "\n" + scope.idle_note
        if chosen and chosen.iri in scope.idle:
            table = f"  {chosen.label} has no activity in {scope.where}\n"
        else:
            table = _overlap_table(pairs)
        text = title + "\n" + table
    emit(text, args.output)
    return 0


def _overlap_table(pairs: list[Overlap]) -> str:
    if not pairs:
        return "  no pair of actors shares an activity here\n"
    lines = ["    #  shared  jaccard  overlap  actors"]
    for number, pair in enumerate(pairs, 1):
        lines.append(
            f"  {number:>3}  {pair.shared:>6}  {pair.jaccard:>7.3f}  "
            f"{pair.overlap:>7.3f}  {pair.label_a} ({pair.notation_a}) / "
            f"{pair.label_b} ({pair.notation_b})"
        )
    return "\n".join(lines) + "\n"


def _overlap_csv(pairs: list[Overlap], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    fields = list(Overlap.__dataclass_fields__)
    writer.writerow(fields)
    for pair in pairs:
        writer.writerow([getattr(pair, name) for name in fields])
    return buffer.getvalue()


# --- analyse ----------------------------------------------------------------


def _run_analyse(args: argparse.Namespace) -> int:
    _check_top(args.top)
    for name, value in (("--graphml", args.graphml), ("--gexf", args.gexf)):
        if value is not None and Path(value).is_dir():
            raise UsageError(f"{name} {value}: is a directory, expected a file name")
    scope = _scope(args)
    bipartite = scope.bipartite
    projection = actor_projection(bipartite)
    communities = actor_communities(projection, seed=args.seed)
    centrality = actor_centrality(bipartite)
    report = {
        "scope": scope.description,
        "idle_note": scope.idle_note,
        "idle": _idle_json(scope),
        "centrality": centrality,
        "communities": communities,
        "processes": processes_by_actor(bipartite),
        "pairs": rank_overlaps(
            role_overlap(bipartite), args.metric, args.top, min_shared=1
        ),
        "single": single_actor_activities(bipartite),
        "covers": minimum_covers(bipartite),
    }
    if args.output_dir:
        _write_figures(Path(args.output_dir), bipartite, communities, args)
    if args.graphml or args.gexf:
        exported = _annotated_projection(projection, communities, centrality)
        if args.graphml:
            write_graphml(exported, args.graphml)
            print(f"wrote the actor projection to {args.graphml}", file=sys.stderr)
        if args.gexf:
            write_gexf(exported, args.gexf)
            print(f"wrote the actor projection to {args.gexf}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(_analysis_json(report, bipartite, args))
    else:
        sys.stdout.write(_analysis_text(report, bipartite, args))
    return 0


def _write_figures(
    directory: Path,
    bipartite: nx.Graph[Any],
    communities: list[list[Any]],
    args: argparse.Namespace,
) -> None:
    # Imported here: matplotlib takes a while to load, and only figures need it.
    from refsi_graph.figures import (
        plot_actor_network,
        plot_overlap_heatmap,
        save_figure,
    )

    # -d names a directory to fill: make it, as publish --out does.
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--output-dir {directory}: is a file; expected a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{directory}: cannot be created: {err.strerror}") from err
    figures = {
        "overlap-heatmap": plot_overlap_heatmap(bipartite, communities, args.metric),
        "actor-network": plot_actor_network(bipartite, communities, seed=args.seed),
    }
    for name, figure in figures.items():
        for suffix in ("png", "svg"):
            path = directory / f"{name}.{suffix}"
            save_figure(figure, path)
            print(f"wrote {path}", file=sys.stderr)


def _annotated_projection(
    projection: nx.Graph[Any],
    communities: list[list[Any]],
    centrality: list[ActorCentrality],
) -> nx.Graph[Any]:
    graph = projection.copy()
    for number, community in enumerate(communities):
        for actor in community:
            graph.nodes[actor]["community"] = number
    for row in centrality:
        graph.nodes[row.actor].update(
            activities=row.activities,
            processes=row.processes,
            betweenness=round(row.betweenness, 6),
        )
    return graph


def _name(bipartite: nx.Graph[Any], node: Any) -> str:
    attrs = bipartite.nodes[node]
    return f"{attrs.get('label', node)} ({attrs.get('notation', node)})"


def _analysis_text(
    report: dict[str, Any], bipartite: nx.Graph[Any], args: argparse.Namespace
) -> str:
    top = args.top
    centrality: list[ActorCentrality] = report["centrality"]
    out = [f"Analysis of {report['scope']}"]
    if report["idle_note"]:
        out.append(report["idle_note"])
    out.append("")
    out.append(f"Most involved actors (top {top})")
    out.append("  activities  processes  partners  betweenness  actor")
    for row in centrality[:top]:
        out.append(
            f"  {row.activities:>10}  {row.processes:>9}  {row.partners:>8}  "
            f"{row.betweenness:>11.3f}  {_name(bipartite, row.actor)}"
        )
    by_betweenness = sorted(centrality, key=lambda r: -r.betweenness)[:top]
    out.append(
        "  highest betweenness: "
        + "; ".join(
            f"{bipartite.nodes[r.actor].get('short_label', r.label)} "
            f"{r.betweenness:.3f}"
            for r in by_betweenness
        )
    )
    out.append("")
    out.append(f"Communities of actors (Louvain, seed {args.seed})")
    for number, community in enumerate(report["communities"], 1):
        names = ", ".join(
            str(bipartite.nodes[a].get("short_label", a)) for a in community
        )
        out.append(f"  {number}. ({len(community)}) {names}")
    out.append("")
    out.append("Processes each actor touches")
    processes: list[ActorProcesses] = report["processes"]
    for touched in processes:
        out.append(
            f"  {len(touched.processes):>2}  {_name(bipartite, touched.actor)}: "
            + (" ".join(touched.processes) or "-")
        )
    out.append("")
    out.append(f"Most overlapping pairs, by {args.metric} (top {top})")
    out.append(_overlap_table(report["pairs"]).rstrip("\n"))
    out.append("")
    single: list[SingleActorActivity] = report["single"]
    out.append(f"Activities carried by a single actor ({len(single)})")
    for lone in single:
        carrier = bipartite.nodes[lone.actor].get("short_label", lone.actor_label)
        out.append(f"  {lone.notation:<7} {lone.label} -> {carrier}")
    out.append("")
    out.extend(_covers_text(report["covers"], bipartite))
    return "\n".join(out) + "\n"


def _covers_text(result: CoverResult, bipartite: nx.Graph[Any]) -> list[str]:
    if not result.covers:
        return ["Minimum covering sets: no activity to cover"]
    short = {a: str(bipartite.nodes[a].get("short_label", a)) for a in bipartite}
    common = [a for a in result.covers[0] if all(a in c for c in result.covers)]
    count = len(result.covers)
    out = [
        f"Minimum covering sets: {result.size} "
        f"{'actors cover' if result.size != 1 else 'actor covers'} every activity; "
        f"{count} minimum set{'s' if count > 1 else ''}",
        f"  a minimum set: {'; '.join(short[a] for a in result.covers[0])}",
    ]
    if count > 1:
        out.append(
            f"  in every minimum set ({len(common)}): "
            + "; ".join(short[a] for a in common)
        )
        for number, cover in enumerate(result.covers, 1):
            rest = [short[a] for a in cover if a not in common]
            out.append(f"  set {number}: + {'; '.join(rest)}")
    for activity in result.uncovered:
        out.append(f"  warning: no actor covers {_name(bipartite, activity)}")
    return out


def _analysis_json(
    report: dict[str, Any], bipartite: nx.Graph[Any], args: argparse.Namespace
) -> str:
    covers: CoverResult = report["covers"]
    document = {
        "scope": report["scope"],
        "metric": args.metric,
        "seed": args.seed,
        "actors_left_out": report["idle"],
        "centrality": [asdict(r) for r in report["centrality"]],
        "communities": [
            [{"actor": a, "label": bipartite.nodes[a].get("label", a)} for a in c]
            for c in report["communities"]
        ],
        "processes": [asdict(r) for r in report["processes"]],
        "pairs": [asdict(p) for p in report["pairs"]],
        "single_actor_activities": [asdict(r) for r in report["single"]],
        "minimum_covers": {
            "size": covers.size,
            "covers": [list(c) for c in covers.covers],
            "uncovered": list(covers.uncovered),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
