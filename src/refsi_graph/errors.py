"""Exceptions raised by refsi, each carrying the exit status the CLI returns."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "RefsiError",
    "InputError",
    "OutputError",
    "SourceError",
    "UsageError",
]


class RefsiError(Exception):
    """Base class of every error refsi raises on purpose.

    Attributes
    ----------
    exit_code : int
        The exit status that ``refsi`` returns when this error reaches it.
    """

    exit_code = 2


class UsageError(RefsiError):
    """A command was called with options or arguments it cannot use."""


class InputError(RefsiError):
    """An input file is missing, unreadable or not in the expected form."""


class OutputError(RefsiError):
    """An output file cannot be written (missing rights, a directory, no space)."""


class SourceError(InputError):
    """A line of an input file breaks the expected form.

    Parameters
    ----------
    path : Path or str
        The file at fault.
    line : int or None
        The 1-based line number, or None when the fault is the whole file.
    message : str
        What was found and what was expected.
    """

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")
