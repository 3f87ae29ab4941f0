"""HTTP content negotiation: choose a representation from an ``Accept`` header.

The rules are those of RFC 9110, section 12.5.1: every media range of the
header carries a quality (``q``, 1 by default, 0 meaning "not acceptable");
the quality of an offered type is the one of the *most specific* range that
matches it (``text/turtle`` beats ``text/*``, which beats ``*/*``), whatever
the order of the ranges in the header. Among offers of equal quality, the one
matched by the more specific range wins, then the server's order of
preference.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

__all__ = [
    "RDF_FORMATS",
    "AcceptError",
    "Format",
    "MediaRange",
    "choose",
    "format_by_name",
    "parse_accept",
]

logger = logging.getLogger(__name__)

# RFC 9110: a media type's parts are tokens; a qvalue is 0 to 1 with at most
# three decimals (".5", without its 0, is taken too: old clients send it).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?|\.[0-9]{1,3}")


class AcceptError(ValueError):
    """An ``Accept`` header that RFC 9110 does not allow (answer 400)."""


@dataclass(frozen=True)
class Format:
    """One representation the publication offers.

    Attributes
    ----------
    key : str
        Short name, also the value of ``?format=`` (``"ttl"``).
    extension : str
        File name extension of the documents in this format, without the dot.
    media_type : str
        The canonical media type, sent as ``Content-Type``.
    aliases : tuple of str
        Other media types clients ask for by name (``application/x-turtle``);
        an answer chosen through an alias is labelled with that alias.
        Wildcards never select an alias.
    names : tuple of str
        Other accepted values of ``?format=``.
    """

    key: str
    extension: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


HTML = Format("html", "html", "text/html")
TURTLE = Format("ttl", "ttl", "text/turtle", ("application/x-turtle",), ("turtle",))
NTRIPLES = Format(
    "nt", "nt", "application/n-triples", ("text/plain",), ("ntriples", "n-triples")
)
RDFXML = Format(
    "rdf",
    "rdf",
    "application/rdf+xml",
    ("application/xml", "text/xml"),
    ("rdfxml", "xml", "rdf+xml"),
)
JSONLD = Format(
    "jsonld",
    "jsonld",
    "application/ld+json",
    ("application/json",),
    ("json-ld", "json"),
)

#: The RDF serialisations of every resource, in the server's order of preference.
RDF_FORMATS = (TURTLE, NTRIPLES, RDFXML, JSONLD)


@dataclass(frozen=True)
class MediaRange:
    """One media range of an ``Accept`` header, with its quality."""

    type: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Tell whether this range covers *media_type* (``type/subtype``)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == kind and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header into its media ranges.

    A missing or blank header means ``*/*``. Empty list elements are skipped,
    as RFC 9110 lets a recipient do; a bare ``*`` (sent by old Java clients)
    stands for ``*/*``, and a quality may leave out its leading ``0``
    (``q=.5``). Parameters other than ``q`` are not checked.

    Parameters
    ----------
    header : str or None
        The value of the header.

    Returns
    -------
    list of MediaRange
        The ranges, in the order of the header.

    Raises
    ------
    AcceptError
        If a range is not ``type/subtype``, or a quality is not a number from
        0 to 1 with at most three decimals; the message names the bad part.
        A server answers 400 Bad Request.

    Examples
    --------
    >>> [(r.type, r.subtype, r.quality) for r in parse_accept("text/*;q=0.5, */*")]
    [('text', '*', 0.5), ('*', '*', 1.0)]
    >>> try:
    ...     parse_accept("text/turtle;q=2")
    ... except AcceptError as err:
    ...     print(err)  # doctest: +ELLIPSIS
    malformed Accept header: the quality 'q=2' of 'text/turtle;q=2' is not a ...
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for item in _split_outside_quotes(header, ","):
        item = item.strip()
        if not item:
            continue
        media, *params = (part.strip() for part in _split_outside_quotes(item, ";"))
        if media == "*":
            media = "*/*"
        kind, slash, sub = media.lower().partition("/")
        if (
            not slash
            or not _TOKEN.fullmatch(kind)
            or not _TOKEN.fullmatch(sub)
            or (kind == "*" and sub != "*")
        ):
            raise AcceptError(
                f"malformed Accept header: {item!r} is not a media range; "
                "expected type/subtype, such as text/turtle or */*"
            )
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() != "q":
                continue
            value = value.strip()
            if not _QVALUE.fullmatch(value):
                raise AcceptError(
                    f"malformed Accept header: the quality {param!r} of {item!r} "
                    "is not a number from 0 to 1 with at most 3 decimals"
                )
            quality = float(value)
        ranges.append(MediaRange(kind, sub, quality))
    return ranges


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split *text* at *separator*, except inside a quoted-string."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def choose(header: str | None, offers: tuple[Format, ...]) -> tuple[Format, str] | None:
    """Return the offer an ``Accept`` header prefers, and the media type to send.

    Parameters
    ----------
    header : str or None
        The request's ``Accept`` header.
    offers : tuple of Format
        The representations available, in the server's order of preference.

    Returns
    -------
    tuple of (Format, str) or None
        The chosen format and the media type that matched (its canonical type
        or an alias), or None when nothing offered is acceptable (answer 406).

    Raises
    ------
    AcceptError
        If the header is malformed (answer 400); see :func:`parse_accept`.

    Examples
    --------
    >>> offers = (HTML, *RDF_FORMATS)
    >>> choose("*/*;q=0.1, text/turtle", offers)[1]
    'text/turtle'
    >>> choose("text/html;q=0, */*", offers)[1]
    'text/turtle'
    >>> choose("application/x-turtle", offers)[1]
    'application/x-turtle'
    >>> choose("image/png", offers) is None
    True
    """
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen: tuple[Format, str] | None = None
    rank = 0
    for offer in offers:
        for media_type in (offer.media_type, *offer.aliases):
            rank -= 1
            # Wildcards stand for the canonical types; an alias must be named.
            alias = media_type != offer.media_type
            matching = [
                r
                for r in ranges
                if r.matches(media_type) and not (alias and r.specificity < 2)
            ]
            if not matching:
                continue
            top = max(r.specificity for r in matching)
            # Among equally specific ranges (a repeated type), the best counts.
            quality = max(r.quality for r in matching if r.specificity == top)
            if quality <= 0.0:
                continue
            score = (quality, top, rank)
            if best is None or score > best:
                best, chosen = score, (offer, media_type)
    return chosen


def format_by_name(name: str, offers: tuple[Format, ...]) -> Format | None:
    """Return the offer that ``?format=name`` asks for, or None.

    Examples
    --------
    >>> format_by_name("turtle", RDF_FORMATS).media_type
    'text/turtle'
    """
    wanted = name.strip().lower()
    for offer in offers:
        if wanted in (offer.key, offer.extension, offer.media_type, *offer.names):
            return offer
    return None
