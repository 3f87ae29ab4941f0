"""Reading text inputs safely and writing outputs atomically."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from refsi_graph.errors import InputError, SourceError

__all__ = ["clean_text", "read_text", "write_atomic"]

# Characters that editors and web pages put in place of an ordinary space.
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000"), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def read_text(path: Path | str) -> str:
    """Read a UTF-8 text file and return it in a canonical form.

    The canonical form has no byte-order mark, LF line ends, ordinary spaces
    in place of non-breaking ones, and Unicode NFC, so that the same content
    saved by another editor gives the same result.

    Parameters
    ----------
    path : Path or str
        The file to read.

    Returns
    -------
    str
        The cleaned text.

    Raises
    ------
    InputError
        If the file is missing or cannot be read.
    SourceError
        If the file is empty or not valid UTF-8 (the message gives the line).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise InputError(f"{path}: is a directory, expected a text file") from err
    except OSError as err:
        raise InputError(f"{path}: cannot be read: {err.strerror}") from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise SourceError(
            path,
            line,
            f"byte 0x{raw[err.start]:02x} is not valid UTF-8; "
            "expected a UTF-8 text file (convert it, e.g. with iconv -t UTF-8)",
        ) from err
    text = clean_text(text)
    if not text.strip():
        raise SourceError(path, None, "the file is empty; expected text")
    return text


def clean_text(text: str) -> str:
    """Return *text* with LF line ends, ordinary spaces and NFC accents."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_ZERO_WIDTH).translate(_SPACE_LIKE)
    return unicodedata.normalize("NFC", text)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write *data* to *path* through a temporary file renamed into place.

    A reader never sees a half-written file, and a failure leaves any
    previous file untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp creates the file private; give it the mode a plain open would.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
