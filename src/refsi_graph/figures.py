"""Figures of the role overlap: a heatmap and a network of the actors.

The figures are drawn on :class:`matplotlib.figure.Figure` objects with the
Agg renderer, so no display and no pyplot state are involved, and saved so
that the same graph gives the same bytes: SVG ids come from a fixed hash
salt, and neither SVG nor PNG carries a date. Text stays text in the SVG
(``svg.fonttype = "none"``), so that the French labels can be searched and
copied.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from refsi_graph.analytics import (
    DEFAULT_SEED,
    METRICS,
    actor_nodes,
    actor_projection,
    role_overlap,
)
from refsi_graph.errors import UsageError
from refsi_graph.files import write_atomic

__all__ = [
    "FIGURE_FORMATS",
    "cluster_order",
    "plot_actor_network",
    "plot_overlap_heatmap",
    "save_figure",
]

logger = logging.getLogger(__name__)

#: The file formats :func:`save_figure` writes, by suffix.
FIGURE_FORMATS = ("png", "svg")

_DPI = 150
_METRIC_NAMES = {
    "shared": "activités partagées (shared activities)",
    "jaccard": "indice de Jaccard (Jaccard index)",
    "overlap": "coefficient de recouvrement (overlap coefficient)",
}
# Colour-blind-safe qualitative colours (Okabe and Ito), one per community.
_COMMUNITY_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#000000",
)
_SAVE_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "refsi",
    "path.simplify": False,
}


def cluster_order(
    projection: nx.Graph[Any], communities: Sequence[Sequence[Any]]
) -> list[Any]:
    """Return the actors community by community, then those left over.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], kind="actor")
    >>> cluster_order(g, [["c"], ["a"]])
    ['c', 'a', 'b']
    """
    order = [actor for community in communities for actor in community]
    seen = set(order)
    return order + [a for a in actor_nodes(projection) if a not in seen]


def plot_overlap_heatmap(
    bipartite: nx.Graph[Any],
    communities: Sequence[Sequence[Any]],
    metric: str = "jaccard",
    title: str | None = None,
) -> Figure:
    """Draw the overlap matrix of the actors, ordered by community.

    Each cell is coloured by *metric* and shows the number of shared
    activities; the diagonal is left blank, and lines separate the
    communities. Actors that no activity in scope concerns are left out.
    Rows carry the actors' French labels and section numbers, columns the
    section numbers.

    Parameters
    ----------
    bipartite : networkx.Graph
        Activities and actors (see :func:`refsi_graph.analytics.bipartite_graph`).
    communities : sequence of sequences
        The actor communities, e.g. from
        :func:`refsi_graph.analytics.actor_communities`, in display order.
    metric : str
        ``"shared"``, ``"jaccard"`` or ``"overlap"``.
    title : str, optional
        A line to put above the matrix; a default names the metric.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    UsageError
        If *metric* is unknown.
    """
    if metric not in METRICS:
        raise UsageError(f"unknown metric {metric!r}; expected one of {METRICS}")
    # An actor with no activity in scope would only add a blank row.
    communities = [[a for a in c if bipartite.degree(a)] for c in communities]
    communities = [c for c in communities if c]
    order = [a for a in cluster_order(bipartite, communities) if bipartite.degree(a)]
    position = {actor: i for i, actor in enumerate(order)}
    size = len(order)
    values = np.full((size, size), np.nan)
    shared = np.zeros((size, size), dtype=int)
    for pair in role_overlap(bipartite):
        if pair.actor_a not in position or pair.actor_b not in position:
            continue
        i, j = position[pair.actor_a], position[pair.actor_b]
        values[i, j] = values[j, i] = pair.value(metric)
        shared[i, j] = shared[j, i] = pair.shared

    figure = Figure(figsize=(6 + 0.26 * size, 2.5 + 0.24 * size), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    cmap = matplotlib.colormaps["YlOrRd"].with_extremes(bad="#eeeeee")
    vmax = max(1.0, float(np.nanmax(values))) if size > 1 else 1.0
    image = axes.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        vmin=0,
        vmax=vmax,
        interpolation="nearest",
    )
    for i in range(size):
        for j in range(size):
            if i != j and shared[i, j]:
                light = values[i, j] < 0.6 * vmax
                axes.text(
                    j,
                    i,
                    str(shared[i, j]),
                    ha="center",
                    va="center",
                    fontsize=5,
                    color="black" if light else "white",
                )
    boundary = 0
    for community in communities[:-1]:
        boundary += len(community)
        for line in (axes.axhline, axes.axvline):
            line(boundary - 0.5, color="#1f1f1f", linewidth=1.0)

    nodes = bipartite.nodes
    axes.set_yticks(
        range(size),
        [f"{nodes[a].get('label', a)} ({nodes[a].get('notation', a)})" for a in order],
        fontsize=7,
    )
    axes.set_xticks(
        range(size),
        [str(nodes[a].get("notation", a)) for a in order],
        fontsize=7,
        rotation=90,
    )
    axes.tick_params(length=0)
    axes.set_xlabel(
        "acteur (actor), par numéro de section (by section number)", fontsize=8
    )
    colourbar = figure.colorbar(image, ax=axes, fraction=0.03, pad=0.02)
    colourbar.set_label(_METRIC_NAMES[metric], fontsize=8)
    colourbar.ax.tick_params(labelsize=7)
    axes.set_title(
        title
        or "Recouvrement des rôles (role overlap), acteurs groupés par "
        "communauté ; chiffres : activités partagées",
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def plot_actor_network(
    bipartite: nx.Graph[Any],
    communities: Sequence[Sequence[Any]],
    seed: int = DEFAULT_SEED,
    title: str | None = None,
) -> Figure:
    """Draw the projection on actors: who shares activities with whom.

    Nodes are sized by the number of activities and coloured by community;
    an edge is wider and darker the more activities its two actors share.
    The layout is a spring layout with a fixed *seed*; actors that share no
    activity stand in a row below, and actors that no activity in scope
    concerns are left out.

    Parameters
    ----------
    bipartite : networkx.Graph
        Activities and actors.
    communities : sequence of sequences
        The actor communities, which give the colours.
    seed : int
        Seed of the layout.
    title : str, optional
        A line to put above the network.

    Returns
    -------
    matplotlib.figure.Figure
    """
    projection = actor_projection(bipartite)
    projection.remove_nodes_from(
        [a for a in actor_nodes(bipartite) if not bipartite.degree(a)]
    )
    colour = {}
    for number, community in enumerate(communities):
        for actor in community:
            colour[actor] = _COMMUNITY_COLOURS[number % len(_COMMUNITY_COLOURS)]
    layout = _network_layout(projection, seed)
    figure = Figure(figsize=(14, 11), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()

    edges: list[tuple[Any, Any, int]] = sorted(
        projection.edges(data="weight"), key=lambda e: e[2]
    )
    if edges:
        heaviest = max(w for _, _, w in edges)
        greys = ListedColormap(matplotlib.colormaps["Greys"](np.linspace(0.25, 1, 64)))
        lines = LineCollection(
            [(layout[u], layout[v]) for u, v, _ in edges],
            linewidths=[0.3 + 3.5 * w / heaviest for _, _, w in edges],
            colors=[greys(w / heaviest) for _, _, w in edges],
            alpha=0.7,
            zorder=1,
        )
        axes.add_collection(lines)
    actors = actor_nodes(projection)
    xy = np.array([layout[a] for a in actors])
    sizes = [40 + 25 * bipartite.degree(a) for a in actors]
    axes.scatter(
        xy[:, 0],
        xy[:, 1],
        s=sizes,
        zorder=2,
        edgecolors="white",
        linewidths=0.8,
        c=[colour.get(a, "#999999") for a in actors],
    )
    for actor, (x, y) in zip(actors, xy, strict=True):
        name = str(
            projection.nodes[actor].get("short_label")
            or projection.nodes[actor].get("label", actor)
        )
        axes.annotate(
            "\n".join(textwrap.wrap(name, 22)),
            (x, y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6.5,
            zorder=3,
        )
    if any(not projection.degree(a) for a in actors):
        axes.text(
            0.5,
            0.0,
            "acteurs sans activité partagée (actors sharing no activity)",
            transform=axes.transAxes,
            ha="center",
            va="top",
            fontsize=7,
            style="italic",
        )
    axes.margins(0.08)
    axes.set_title(
        title
        or "Acteurs liés par leurs activités partagées (actors linked by "
        "shared activities); couleur : communauté (colour: community)",
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def _network_layout(projection: nx.Graph[Any], seed: int) -> dict[Any, Any]:
    """Spread the connected actors by a spring layout, the others in a row.

    Isolated actors would otherwise be flung to the edges and squeeze the
    rest into a corner. The square root of the weights keeps the busiest
    pairs (DSI and RSI share 23 activities) from collapsing onto each other.
    """
    linked = [a for a in actor_nodes(projection) if projection.degree(a)]
    alone = [a for a in actor_nodes(projection) if not projection.degree(a)]
    core: nx.Graph[Any] = nx.Graph()
    core.add_nodes_from(linked)
    weights: list[tuple[Any, Any, int]] = list(
        projection.subgraph(linked).edges(data="weight")
    )
    core.add_weighted_edges_from((u, v, w**0.5) for u, v, w in weights)
    layout: dict[Any, Any] = {}
    if linked:
        layout = nx.spring_layout(
            core,
            weight="weight",
            seed=seed,
            iterations=300,
            k=3.5 / max(1, len(linked)) ** 0.5,
        )
    for number, actor in enumerate(alone):
        x = -1.0 + 2.0 * (number + 0.5) / len(alone)
        layout[actor] = np.array([x, -1.25])
    return layout


def save_figure(figure: Figure, path: Path | str) -> None:
    """Save *figure* as PNG or SVG (by the suffix), the same bytes every run.

    Raises
    ------
    UsageError
        If the suffix is not one of :data:`FIGURE_FORMATS`.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise UsageError(
            f"{path}: cannot save a figure as {fmt or 'a file without suffix'!r}; "
            f"expected a name ending in {', '.join('.' + f for f in FIGURE_FORMATS)}"
        )
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    buffer = io.BytesIO()
    with matplotlib.rc_context(_SAVE_RC):  # type: ignore[arg-type]
        figure.savefig(buffer, format=fmt, metadata=metadata)
    write_atomic(path, buffer.getvalue())
    logger.debug("wrote %s (%d bytes)", path, buffer.tell())
