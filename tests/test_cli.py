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
    assert data["actors"]["MetierSI"] == 13
    assert data["actors"]["RoleSI"] == 15
    assert data["actors"]["ProfilUtilisateur"] == 11
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
    "stray-line-in-table": (
        lambda t: _insert_after(t, "Arbitrage des moyens SI", "Note de bas de page"),
        r"'Note de bas de page' is not a table row: expected 3 tab-separated cells",
    ),
    "row-with-spaces-for-tabs": (
        lambda t: _replace_line(
            t,
            "\tDéfinition de la stratégie numérique\t",
            "    Définition de la stratégie numérique    ",
        ),
        r"is not a table row: expected 3 tab-separated cells",
    ),
    "stray-line-in-glossary": (
        lambda t: _insert_after(t, "[Pilotage](#)", "Page 7"),
        r"'Page 7' is not a glossary entry",
    ),
    "repeated-activity": (
        lambda t: _insert_after(
            t,
            "Animation des instances de gouvernance SI",
            "\tAnimation des instances de gouvernance SI\tDSI",
        ),
        r"activity 'Animation des instances de gouvernance SI' repeats activity 1.3.4",
    ),
    "repeated-process": (
        lambda t: _insert_after(
            t,
            "Animation des instances de gouvernance SI",
            "Arbitrage et décision\tAutre chose\tDSI",
        ),
        r"process 'Arbitrage et décision' repeats process 1.3",
    ),
    "unclosed-mark": (
        lambda t: _replace_line(t, "<u>CNIL</u>", "<u>CNIL"),
        r"1 '<u>' for 0 '</u>'",
    ),
    "unknown-actor-far-from-all": (
        lambda t: _replace_line(t, "\tDirecteur du numérique", "\tPlombier"),
        r"unknown actor 'Plombier'.*no actor has a close name",
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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "-o", ""], "--output is an empty string"),
        (["build", "", "-o", "x.ttl"], "--source is an empty string"),
        (["build", "--registry", "", "-o", "x.ttl"], "--registry is an empty string"),
        (["stats", ""], "the file is an empty string"),
        (["build", "--base", "example", "-o", "x.ttl"], "base IRI 'example'"),
        (["build", "--base", "https://ex.org/a b/", "-o", "x.ttl"], "is not usable"),
        (["build", "--base", "https://ex.org/x", "-o", "x.ttl"], "ending with '/'"),
    ],
    ids=[
        "empty-output",
        "empty-source",
        "empty-registry",
        "empty-stats",
        "base-relative",
        "base-space",
        "base-no-slash",
    ],
)
def test_usage_errors(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert not (tmp_path / "x.ttl").exists()


def test_output_that_is_an_input_is_refused(
    capsys: pytest.CaptureFixture[str],
    source_text: str,
    write_source: Callable[..., Path],
) -> None:
    source = write_source(source_text)
    code, _, err = run(capsys, "build", str(source), "-o", str(source))
    assert code == 2
    assert "is also an input" in err
    assert source.read_text(encoding="utf-8") == source_text


def test_build_from_stdin(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    source_text: str,
    tmp_path: Path,
) -> None:
    import io

    from refsi_graph.paths import ontology_file

    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(source_text.encode("utf-8")))
    )
    code, _, _ = run(capsys, "build", "-", "-o", str(tmp_path / "o.ttl"))
    assert code == 0
    assert (tmp_path / "o.ttl").read_bytes() == ontology_file().read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "holds no refsi concept"),
        ("<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .", "holds no refsi"),
        ("this is not turtle", "not valid Turtle: Parser error at line 1"),
    ],
    ids=["empty", "unrelated", "broken"],
)
def test_stats_on_a_graph_that_is_not_refsi(
    content: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "g.ttl"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "stats", str(path))
    assert code == 2
    assert message in err and str(path) in err


def test_stats_on_a_bad_declared_total(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from refsi_graph.paths import ontology_file

    text = ontology_file().read_text(encoding="utf-8")
    path = tmp_path / "g.ttl"
    path.write_text(
        text.replace(
            "refsi:nombreDeclareActivites 97", 'refsi:nombreDeclareActivites "abc"'
        ),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "stats", str(path))
    assert code == 2
    assert "is not an integer" in err


def test_stats_csv_has_gap_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "section,item,present,declared,gap"
    assert "level,activities,86,97,11" in lines
    assert sum(line.startswith("warning,") for line in lines) == 3


def test_unknown_registry_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from refsi_graph.paths import data_dir

    text = (data_dir() / "acteurs.toml").read_text(encoding="utf-8")
    registry = tmp_path / "acteurs.toml"
    registry.write_text(
        text.replace('en_autres = ["CISO"]', 'en_autre = ["CISO"]'), encoding="utf-8"
    )
    code, _, err = run(
        capsys, "build", "--registry", str(registry), "-o", str(tmp_path / "o.ttl")
    )
    assert code == 2
    first = text.split("\n").index("[[acteur]]") + 1
    assert f"{registry}:{first}: unknown field 'en_autre'" in err
