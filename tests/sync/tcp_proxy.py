"""A small TCP proxy for fault tests: forwards bytes both ways; can lose answers after the server acted."""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time

from tests.mlflow_test_server import free_port


class TcpProxy:
    """Listen on a loopback port and forward every connection to ``upstream_port``.

    ``lose_answers(marker, count)``: for the next ``count`` requests whose bytes contain ``marker``, the
    request reaches the server, the server's answer starts to arrive (so the server has done the work and
    committed it), and then the client's connection is cut without a single byte of that answer. Several
    markers can be armed at once, each with its own count.

    ``lossy(black_hole, reset, delay)``: a dying hotspot. Every request reaches the server after
    ``delay`` seconds; then its answer is swallowed with probability ``black_hole`` (the connection stays
    open and silent: the client hears nothing until its own timeout), or the connection is reset after the
    server answered with probability ``reset``; otherwise the answer arrives.
    """

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        """Prepare the proxy; ``start`` opens the port."""
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._budgets: dict[bytes, int] = {}
        self.lost = 0  # answers thrown away so far
        self._closing = False
        self._sockets: set[socket.socket] = set()
        self._black_hole = self._reset = self._delay = 0.0
        self._random = random.Random(0)
        self.black_holed = self.resets = 0

    @property
    def url(self) -> str:
        """Return the URL clients use instead of the server's."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def marked_left(self) -> int:
        """Return how many marked requests have not come by yet."""
        with self._lock:
            return sum(self._budgets.values())

    def lose_answers(self, marker: bytes, count: int) -> None:
        """Throw away the answers to the next ``count`` requests containing ``marker``."""
        with self._lock:
            self._budgets[marker] = count

    def lossy(self, black_hole: float, reset: float, delay: float, seed: int = 0) -> TcpProxy:
        """Lose answers at random from now on: silently (``black_hole``) or with a reset (``reset``)."""
        with self._lock:
            self._black_hole, self._reset, self._delay = black_hole, reset, delay
            self._random = random.Random(seed)
        return self

    def _fate(self) -> str:
        """Draw what happens to the answer of the request that just started: pass, black hole, reset."""
        with self._lock:
            draw = self._random.random()
        if draw < self._black_hole:
            return "black_hole"
        return "reset" if draw < self._black_hole + self._reset else ""

    def start(self) -> TcpProxy:
        """Start accepting connections in a background thread."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port and every open connection."""
        self._closing = True
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _close(sock)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ forwarding
    def _accept(self) -> None:
        assert self._listener is not None
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                _close(client)  # upstream down: the client sees a refused/reset connection
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.update((client, server))
            state: dict = {"cut": False, "fate": ""}
            threading.Thread(target=self._requests, args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._answers, args=(server, client, state), daemon=True).start()

    def _requests(self, client: socket.socket, server: socket.socket, state: dict[str, bool]) -> None:
        """Client to server: pass everything on, arming the cut when a marked request goes by."""
        try:
            while chunk := client.recv(65536):
                with self._lock:
                    for marker, budget in self._budgets.items():
                        if budget > 0 and marker in chunk:
                            self._budgets[marker] = budget - 1
                            state["cut"] = True
                            break
                if chunk[:8].split(b" ", 1)[0] in _METHODS:  # a new request begins
                    state["fate"] = self._fate()
                    time.sleep(self._delay)
                server.sendall(chunk)
        except OSError:
            pass
        finally:
            self._forget(client, server)

    def _answers(self, server: socket.socket, client: socket.socket, state: dict[str, bool]) -> None:
        """Server to client: pass answers on, unless this answer is to be lost."""
        try:
            while chunk := server.recv(65536):
                if state["cut"]:
                    with self._lock:
                        self.lost += 1
                    return  # the server answered, so it acted; the client never learns of it
                if state["fate"] == "reset":
                    with self._lock:
                        self.resets += 1
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return  # closing with linger 0 sends a reset
                if state["fate"] == "black_hole":
                    with self._lock:
                        self.black_holed += 1
                    while server.recv(65536):
                        pass  # silence: the client's connection stays open until it gives up itself
                    return
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            if state["fate"] == "black_hole":
                self._forget(server)
            else:
                self._forget(client, server)

    def _forget(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._sockets.discard(sock)
        for sock in sockets:
            _close(sock)


_METHODS = frozenset({b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"HEAD"})


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
