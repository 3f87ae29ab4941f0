"""Input hygiene: the same text saved another way gives the same graph."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from refsi_graph.builder import build, serialize_turtle
from refsi_graph.errors import SourceError
from refsi_graph.files import write_atomic
from refsi_graph.paths import ontology_file


def _bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def _nbsp(text: str) -> bytes:
    # Web pages put non-breaking spaces before ';' and ':' and inside labels.
    return text.replace(" ; ", "\u00a0;\u00a0").replace("du SI", "du\u00a0SI").encode()


def _nfd(text: str) -> bytes:
    return unicodedata.normalize("NFD", text).encode("utf-8")


def _stray_space(text: str) -> bytes:
    lines = []
    for line in text.split("\n"):
        cells = [
            "  " + c.replace(" ", "  ") + " " if c else c for c in line.split("\t")
        ]
        lines.append("\t".join(cells) + "  \t")
    return "\n".join(lines).encode("utf-8")


def _all_at_once(text: str) -> bytes:
    return b"\xef\xbb\xbf" + _crlf(
        _stray_space(_nfd(_nbsp(text).decode()).decode()).decode().replace("\r", "")
    )


VARIANTS: dict[str, Callable[[str], bytes]] = {
    "bom": _bom,
    "crlf": _crlf,
    "nbsp": _nbsp,
    "nfd": _nfd,
    "stray-space": _stray_space,
    "all": _all_at_once,
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_gives_the_same_graph(
    name: str, source_text: str, write_source: Callable[..., Path], tmp_path: Path
) -> None:
    source = write_source(VARIANTS[name](source_text))
    assert source.read_bytes() != source_text.encode("utf-8")
    graph = build(source=source)
    assert serialize_turtle(graph) == ontology_file().read_bytes()


def test_latin1_file_is_refused(
    source_text: str, write_source: Callable[..., Path]
) -> None:
    source = write_source(source_text.encode("latin-1", errors="replace"))
    first_accent = next(
        i for i, line in enumerate(source_text.split("\n"), 1) if not line.isascii()
    )
    with pytest.raises(
        SourceError,
        match=rf"{source.name}:{first_accent}: .*not valid "
        r"UTF-8.*expected a UTF-8 text file",
    ):
        build(source=source)


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
    assert target.stat().st_mode & 0o044  # readable like any file, not private


def test_write_atomic_writes_through_a_device(tmp_path: Path) -> None:
    import stat

    write_atomic("/dev/null", b"discarded")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_write_atomic_follows_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert real.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("target", "message"),
    [("", "empty output path"), (".", "is a directory")],
    ids=["empty", "directory"],
)
def test_write_atomic_refuses(target: str, message: str, tmp_path: Path) -> None:
    from refsi_graph.errors import OutputError

    with pytest.raises(OutputError, match=message):
        write_atomic(str(tmp_path / target) if target else "", b"x")


def test_write_atomic_under_a_file(tmp_path: Path) -> None:
    from refsi_graph.errors import OutputError

    (tmp_path / "plain.txt").write_text("x")
    message = r"plain.txt/x.ttl: .*plain.txt is not a directory"
    with pytest.raises(OutputError, match=message):
        write_atomic(tmp_path / "plain.txt" / "x.ttl", b"x")


def test_utf16_is_named(source_text: str, write_source: Callable[..., Path]) -> None:
    source = write_source(source_text.encode("utf-16"))
    with pytest.raises(SourceError, match=r":1: the file looks like UTF-16"):
        build(source=source)


def test_control_character_is_refused(
    source_text: str, write_source: Callable[..., Path]
) -> None:
    source = write_source(source_text.replace("Projet SI\t", "Projet\x07 SI\t", 1))
    line = next(
        i for i, ln in enumerate(source_text.split("\n"), 1) if "Projet SI\t" in ln
    )
    with pytest.raises(SourceError, match=rf":{line}: control character U\+0007"):
        build(source=source)
