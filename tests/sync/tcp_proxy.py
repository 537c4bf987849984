"""A small TCP proxy for fault tests: forwards bytes both ways; can lose answers after the server acted."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.mlflow_test_server import free_port


class TcpProxy:
    """Listen on a loopback port and forward every connection to ``upstream_port``.

    ``lose_answers(marker, count)``: for the next ``count`` requests whose bytes contain ``marker``, the
    request reaches the server, the server's answer starts to arrive (so the server has done the work and
    committed it), and then the client's connection is cut without a single byte of that answer. Several
    markers can be armed at once, each with its own count.
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
            state = {"cut": False}
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
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            self._forget(client, server)

    def _forget(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._sockets.discard(sock)
        for sock in sockets:
            _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
