"""The command line, run in-process: build, stats, and every bad input."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from refsi_graph.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_target_imports() -> None:
    pyproject = tomllib.loads(
        (Path(__file__).parents[1] / "pyproject.toml").read_text()
    )
    module, _, attr = pyproject["project"]["scripts"]["refsi"].partition(":")
    imported = __import__(module, fromlist=[attr])
    assert getattr(imported, attr) is main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("refsi ")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "usage:" in err


def test_build_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    code, _, err = run(capsys, "build", "-o", str(out))
    assert code == 0
    assert "triples" in err
    assert out.read_bytes().startswith(b"@prefix")


def test_stats_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert "macro-processes       9        11    2" in out
    assert "processes            32        35    3" in out
    assert "activities           86        97   11" in out
    assert (
        "warning: the publication declares 97 activities but the graph holds 86" in out
    )


def test_stats_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [(lv["present"], lv["declared"], lv["gap"]) for lv in data["levels"]] == [
        (9, 11, 2),
        (32, 35, 3),
        (86, 97, 11),
    ]
    assert data["actors"]["IS jobs (MetierSI)"] == 13
    assert data["actors"]["IS roles (RoleSI)"] == 15
    assert data["actors"]["user profiles (ProfilUtilisateur)"] == 11
    assert data["glossary_terms"] == 24
    assert [m["activities"] for m in data["per_macro_process"]] == [
        10,
        10,
        20,
        14,
        7,
        4,
        4,
        13,
        4,
    ]
    assert len(data["warnings"]) == 3


def test_stats_on_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "stats", str(tmp_path / "nope.ttl"))
    assert code == 2 and "nope.ttl: no such file" in err


def _replace_line(text: str, old: str, new: str) -> tuple[str, int]:
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    return "\n".join(lines), number + 1


def _insert_after(text: str, marker: str, row: str) -> tuple[str, int]:
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if marker in line)
    lines.insert(number + 1, row)
    return "\n".join(lines), number + 2


BAD_INPUTS: dict[str, tuple[Callable[[str], tuple[str, int | None]], str]] = {
    "unknown-actor": (
        lambda t: _replace_line(
            t, "\tGestionnaire de parc logiciels", "\tGestionaire de parc logiciel"
        ),
        r"unknown actor 'Gestionaire de parc logiciel'.*closest actors: "
        r"'Gestionnaire de parc logiciels'",
    ),
    "too-few-cells": (
        lambda t: _insert_after(t, "Arbitrage des moyens SI", "\tUne activité seule"),
        r"row has 2 tab-separated cells; expected 3",
    ),
    "row-before-header": (
        lambda t: _insert_after(
            t, "A ce jour, 11 macro-processus", "Processus X\tActivité Y\tDSI"
        ),
        r"row before any macro-process header",
    ),
    "unknown-glossary-mark": (
        lambda t: _replace_line(t, "<u>CNIL</u>", "<u>RGPD</u>"),
        r"marked text 'RGPD' matches no glossary term",
    ),
    "macro-out-of-order": (
        lambda t: _replace_line(
            t,
            "5 - Gestion de la sécurité du SI\t",
            "6 - Gestion de la sécurité du SI\t",
        ),
        r"macro-process 6 follows macro-process 4; expected macro-process 5",
    ),
    "empty-file": (lambda t: ("", None), r"the file is empty"),
    "only-blank-lines": (lambda t: (" \n\n\t\n", None), r"the file is empty"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_and_keeps_previous_output(
    name: str,
    capsys: pytest.CaptureFixture[str],
    source_text: str,
    write_source: Callable[..., Path],
    tmp_path: Path,
) -> None:
    change, message = BAD_INPUTS[name]
    text, line = change(source_text)
    source = write_source(text)
    output = tmp_path / "out.ttl"
    output.write_bytes(b"previous")
    code, out, err = run(capsys, "build", str(source), "-o", str(output))
    assert code == 2
    where = f"{source}:{line}: " if line else f"{source}: "
    assert where in err
    assert re.search(message, err), err
    assert output.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl", "source.txt"]
    assert out == ""


def test_missing_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "build", str(tmp_path / "absent.txt"), "-o", str(tmp_path / "o.ttl")
    )
    assert code == 2
    assert f"{tmp_path / 'absent.txt'}: no such file" in err
    assert not (tmp_path / "o.ttl").exists()


def test_directory_as_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "build", str(tmp_path), "-o", str(tmp_path / "o.ttl"))
    assert code == 2 and "is a directory" in err


def test_registry_missing_an_actor(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from refsi_graph.paths import data_dir

    text = (data_dir() / "acteurs.toml").read_text(encoding="utf-8")
    start = text.index('[[acteur]]\nsection = "3.4"')
    end = text.index("[[acteur]]", start + 1)
    registry = tmp_path / "acteurs.toml"
    registry.write_text(text[:start] + text[end:], encoding="utf-8")
    code, _, err = run(
        capsys, "build", "--registry", str(registry), "-o", str(tmp_path / "o.ttl")
    )
    assert code == 2
    assert "section 3.4 ('Formateur') has no entry in" in err
    assert ":33: " in err  # the line of the table of contents


def test_registry_title_not_matching_the_toc(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from refsi_graph.paths import data_dir

    text = (data_dir() / "acteurs.toml").read_text(encoding="utf-8")
    registry = tmp_path / "acteurs.toml"
    registry.write_text(
        text.replace(
            'titre = "RSSI : Responsable de la sécurité des systèmes d\'information"',
            'titre = "RSSI : Chef de la sécurité"',
        ),
        encoding="utf-8",
    )
    code, _, err = run(
        capsys, "build", "--registry", str(registry), "-o", str(tmp_path / "o.ttl")
    )
    assert code == 2
    assert "does not start with 'RSSI : Responsable de la'" in err
    assert f"{registry}:" in err


def test_missing_translation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from refsi_graph.paths import data_dir

    lines = (data_dir() / "labels-en.tsv").read_text(encoding="utf-8").split("\n")
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "\n".join(ln for ln in lines if not ln.startswith("Projet SI\t")),
        encoding="utf-8",
    )
    code, _, err = run(
        capsys, "build", "--labels", str(labels), "-o", str(tmp_path / "o.ttl")
    )
    assert code == 2
    assert "no English label for 'Projet SI'" in err
