"""A loopback HTTP proxy in front of an MLflow server that can also put UI state into the browser's storage.

The MLflow UI keeps what a user chose (the runs table's columns, a closed side panel) in ``localStorage``,
which a page reads only on its own origin. This proxy forwards every request to the server unchanged, and
answers one extra path, ``SEED_PATH``, with a page that writes the given entries into ``localStorage`` and
then moves on to the address it is given. A browser that opens the seed page through the proxy therefore
shows the UI exactly as it looks after a user made those choices by hand.
"""

from __future__ import annotations

import html
import http.client
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

SEED_PATH = "/__seed-browser-state__"
# Headers that describe one hop, not the message: never forwarded (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)


def seed_page(entries: dict[str, str], then: str) -> bytes:
    """Return an HTML page that stores ``entries`` in ``localStorage`` and then opens ``then``."""
    script = (
        f"for (const [key, value] of Object.entries({json.dumps(entries)})) "
        "window.localStorage.setItem(key, value);\n"
        f"window.location.replace({json.dumps(then)});"
    ).replace("</", "<\\/")
    return f"<!doctype html><title>seeding {html.escape(then)}</title><script>{script}</script>".encode()


class BrowserStateProxy:
    """Forward ``http://127.0.0.1:<port>`` to ``upstream``; ``seed_url`` opens a page that seeds storage."""

    def __init__(self, upstream: str, entries: dict[str, str]):
        """Forward to ``upstream`` (``http://host:port``); the seed page writes ``entries``."""
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"the proxy forwards to http://host:port only, not {upstream}")
        self.upstream_host = f"{parts.hostname}:{parts.port}"
        self.entries = dict(entries)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the proxy's own address, the origin the browser sees."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def seed_url(self, then: str) -> str:
        """Return the address of the page that seeds ``localStorage`` and then opens ``then`` (a path)."""
        return f"{self.url}{SEED_PATH}?{urllib.parse.urlencode({'then': then})}"

    def __enter__(self) -> BrowserStateProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet: the script prints what it wrote, not every request."""

            def do_GET(self) -> None:
                """Answer the seed page, or forward."""
                target = urllib.parse.urlsplit(self.path)
                if target.path == SEED_PATH:
                    then = urllib.parse.parse_qs(target.query).get("then", ["/"])[0]
                    page = seed_page(proxy.entries, then)
                    self._answer(200, [("Content-Type", "text/html; charset=utf-8")], page)
                else:
                    self._forward()

            def _forward(self) -> None:
                """Send this request to the server as it came, and its answer back."""
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["Host"] = proxy.upstream_host
                if "Origin" in headers:
                    headers["Origin"] = f"http://{proxy.upstream_host}"
                connection = http.client.HTTPConnection(proxy.upstream_host, timeout=120)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    payload = answer.read()
                    kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
                    self._answer(answer.status, kept, payload)
                finally:
                    connection.close()

            do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

            def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        return Handler
