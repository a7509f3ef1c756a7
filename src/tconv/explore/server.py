"""Running the explorer: uvicorn on localhost, in the foreground or a thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from .app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _config(host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(create_app(), host=host, port=port, log_level="warning",
                          access_log=False, lifespan="off")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the explorer until interrupted (Ctrl+C).

    Parameters
    ----------
    host : str
        Address to bind; the default ``127.0.0.1`` keeps it on this machine.
    port : int
        TCP port (0 picks a free one).
    """
    uvicorn.Server(_config(host, port)).run()


class BackgroundServer:
    """The explorer in a daemon thread, on a free port; a context manager.

    Examples
    --------
    >>> import urllib.request
    >>> from tconv.explore.server import BackgroundServer
    >>> with BackgroundServer() as server:
    ...     page = urllib.request.urlopen(server.url).read()
    >>> b"tconv explore" in page
    True
    """

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0):
        if port == 0:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}/"
        self._server = uvicorn.Server(_config(host, port))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        """Start serving; return once the port is open (RuntimeError if it cannot)."""
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the explorer did not start on {self.url}")
            time.sleep(0.02)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server stops or ``timeout`` passes; True if it stopped."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """Ask the server to finish and wait for it (at most 10 s)."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:  # noqa: PYI034 (Self needs Python 3.11)
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
