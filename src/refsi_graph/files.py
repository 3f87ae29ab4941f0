"""Reading text inputs safely and writing outputs atomically."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

from refsi_graph.errors import InputError, OutputError, SourceError

__all__ = ["clean_text", "read_bytes", "read_text", "write_atomic"]

# Characters that editors and web pages put in place of an ordinary space.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000"), " ")
# C0 controls other than tab and line feed, and DEL: never part of a label.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def read_text(path: Path | str) -> str:
    """Read a UTF-8 text file and return it in a canonical form.

    The canonical form has no byte-order mark, LF line ends, ordinary spaces
    in place of non-breaking ones, and Unicode NFC, so that the same content
    saved by another editor gives the same result.

    Parameters
    ----------
    path : Path or str
        The file to read; ``"-"`` reads standard input.

    Returns
    -------
    str
        The cleaned text.

    Raises
    ------
    InputError
        If the path is empty, or the file is missing or cannot be read.
    SourceError
        If the file is empty, not valid UTF-8, or holds control characters
        (the message gives the line).
    """
    if str(path) == "":
        raise InputError("an empty path was given; expected a file name")
    if str(path) == "-":
        raw = sys.stdin.buffer.read()
        path = Path("<stdin>")
    else:
        path = Path(path)
        raw = read_bytes(path)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            path,
            1,
            "the file looks like UTF-16; expected UTF-8 "
            "(convert it, e.g. with iconv -f UTF-16 -t UTF-8)",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise SourceError(
            path,
            line,
            f"byte 0x{raw[err.start]:02x} is not valid UTF-8; expected a UTF-8 "
            "text file (convert it, e.g. with iconv -f LATIN1 -t UTF-8)",
        ) from err
    text = clean_text(text)
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise SourceError(
            path,
            line,
            f"control character U+{ord(control.group()):04X}; expected plain text",
        )
    if not text.strip():
        raise SourceError(path, None, "the file is empty; expected text")
    return text


def read_bytes(path: Path, expected: str = "a text file") -> bytes:
    """Return the bytes of *path*, or raise InputError naming it and the fault.

    Parameters
    ----------
    path : Path
        The file to read.
    expected : str
        What the file should be, for the message when it is a directory.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, expected {expected}") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read: {err.strerror}") from err


def clean_text(text: str) -> str:
    """Return *text* with LF line ends, ordinary spaces and NFC accents."""
    # Form feeds and vertical tabs are page breaks left by text exports.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n").replace("\v", "\n")
    text = text.translate(_ZERO_WIDTH).translate(_SPACE_LIKE)
    return unicodedata.normalize("NFC", text)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write *data* to *path* through a temporary file renamed into place.

    A reader never sees a half-written file, and a failure leaves any
    previous file untouched. A symbolic link is followed, so the file it
    points to is replaced and the link kept; a device or a pipe (``/dev/null``,
    a FIFO) is written to directly, since it cannot be replaced. A file that
    exists keeps its permissions.

    Raises
    ------
    OutputError
        If the path is empty or the file cannot be written; the message names
        the file and the reason.
    """
    if str(path) == "":
        raise OutputError("an empty output path was given; expected a file name")
    target = Path(os.path.realpath(path))
    try:
        if target.exists() and not target.is_file() and not target.is_dir():
            with open(target, "wb") as handle:
                handle.write(data)
            return
        if target.is_dir():
            raise OutputError(f"{path}: is a directory; expected a file name")
        mode = target.stat().st_mode & 0o7777 if target.exists() else None
        if not target.parent.is_dir():
            # A typo in a path must not grow a directory tree.
            what = "is not a directory" if target.parent.exists() else "does not exist"
            raise OutputError(
                f"{path}: {target.parent} {what}; expected an existing directory"
            )
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as err:
        raise OutputError(f"{path}: cannot be written: {err.strerror or err}") from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp creates the file private; give it the mode it had, or the
        # one a plain open would give.
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written: {err.strerror or err}") from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
