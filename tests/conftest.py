"""Shared fixtures: the real bundled source, and graphs built from it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from refsi_graph.builder import build
from refsi_graph.loader import Framework, load_framework
from refsi_graph.paths import data_dir, ontology_file, source_file
from refsi_graph.registry import ActorRegistry, load_registry


@pytest.fixture(scope="session")
def registry() -> ActorRegistry:
    return load_registry(data_dir() / "acteurs.toml")


@pytest.fixture(scope="session")
def framework(registry: ActorRegistry) -> Framework:
    return load_framework(source_file(), registry)


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The graph built afresh from the bundled source."""
    return build()


@pytest.fixture(scope="session")
def committed_graph() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


@pytest.fixture
def source_text() -> str:
    return source_file().read_text(encoding="utf-8")


@pytest.fixture
def write_source(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a variant of the source text and return its path."""

    def write(text: str | bytes, name: str = "source.txt") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


# -- Publication (issue 7): real servers on loopback, started and stopped here --


@contextlib.contextmanager
def running_server(base: str | None = None, **options: object) -> Iterator[str]:
    """Run ``refsi serve``'s application with uvicorn on a free loopback port.

    The socket is bound first, so that *base* may name the port: ``{port}``
    in it is replaced by the port number. Yields the server's root URL.
    """
    import threading
    import time

    import uvicorn

    from refsi_graph.linkeddata import load_linked_data
    from refsi_graph.server import _bind, create_app

    sock = _bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    data = load_linked_data(base=base.format(port=port) if base else None)
    app = create_app(data, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A server whose IRIs are its own: ``http://127.0.0.1:PORT/id/…``."""
    with running_server(
        "http://127.0.0.1:{port}/id/", timeout=3.0, max_results=50, workers=2
    ) as url:
        yield url
