"""The figures, as ``refsi analyse`` writes them: opened, measured and read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest
from PIL import Image

from refsi_graph.analytics import (
    actor_communities,
    actor_projection,
    bipartite_graph,
    read_framework,
)
from refsi_graph.cli import main
from refsi_graph.errors import UsageError
from refsi_graph.figures import plot_overlap_heatmap, save_figure
from refsi_graph.paths import ontology_file
from refsi_graph.stats import load_store

SVG = "{http://www.w3.org/2000/svg}"
NAMES = (
    "overlap-heatmap.png",
    "overlap-heatmap.svg",
    "actor-network.png",
    "actor-network.svg",
)


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The figures of ``make run``: the framework without its all-actors row."""
    directory = tmp_path_factory.mktemp("figures")
    assert main(["analyse", "--exclude-all", "-d", str(directory)]) == 0
    return directory


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_all_four_files(figures: Path) -> None:
    assert sorted(p.name for p in figures.iterdir()) == sorted(NAMES)


def test_png_sizes(figures: Path) -> None:
    # 38 actors once the all-actors activity is left out (the Formateur has
    # no other one): (6 + 0.26 * 38) x (2.5 + 0.24 * 38) inches at 150 dpi.
    with Image.open(figures / "overlap-heatmap.png") as image:
        assert image.format == "PNG"
        assert image.size == (2382, 1743)
    with Image.open(figures / "actor-network.png") as image:
        assert image.size == (2100, 1650)
    pixels = matplotlib.image.imread(figures / "overlap-heatmap.png")
    assert pixels.shape[:2] == (1743, 2382)
    # Not a blank page: the heatmap holds many distinct colours.
    assert len({tuple(p) for p in pixels[::25, ::25].reshape(-1, pixels.shape[2])}) > 20


def test_heatmap_labels(figures: Path) -> None:
    texts = svg_texts(figures / "overlap-heatmap.svg")
    assert "Responsable de la sécurité des systèmes d'information (2.1)" in texts
    assert "Délégué à la protection des données (3.7)" in texts
    assert "Médecin DIM / TIM (4.7)" in texts
    assert "Formateur (3.4)" not in texts  # no activity once 7.3.1 is left out
    assert "23" in texts  # DSI and RSI share 23 activities besides 7.3.1
    assert any("indice de Jaccard" in t for t in texts)


def test_network_labels(figures: Path) -> None:
    texts = svg_texts(figures / "actor-network.svg")
    for label in ("RSSI", "DSI", "RSI", "DPD"):
        assert label in texts
    joined = " ".join(t.replace("\n", " ") for t in texts)
    assert "Gestionnaire de parc logiciels" in joined
    assert "sans activité partagée" in joined


def test_figures_are_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["analyse", "--macro", "5", "-d", str(tmp_path / name)]) == 0
    for name in NAMES:
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes()
    svg = (tmp_path / "a" / "overlap-heatmap.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


def test_heatmap_by_shared_count(tmp_path: Path) -> None:
    data = read_framework(load_store(ontology_file()))
    graph = bipartite_graph(data, data.select(process="6.1"))
    figure = plot_overlap_heatmap(
        graph, actor_communities(actor_projection(graph)), "shared"
    )
    save_figure(figure, tmp_path / "h.svg")
    texts = svg_texts(tmp_path / "h.svg")
    # Process 6.1 concerns the DPD alone: one row, and nothing shared.
    assert "Délégué à la protection des données (3.7)" in texts
    assert "Responsable de la sécurité des systèmes d'information (2.1)" not in texts


def test_save_figure_rejects_other_formats(tmp_path: Path) -> None:
    data = read_framework(load_store(ontology_file()))
    graph = bipartite_graph(data, data.select(process="6.1"))
    figure = plot_overlap_heatmap(graph, [])
    with pytest.raises(UsageError, match=r"h\.pdf: cannot save a figure as 'pdf'"):
        save_figure(figure, tmp_path / "h.pdf")
    assert not (tmp_path / "h.pdf").exists()
