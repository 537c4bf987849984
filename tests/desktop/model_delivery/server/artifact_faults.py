"""A real HTTP proxy in front of the mlflow server that spoils artifact downloads on purpose."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTIFACT_PATH = "/api/2.0/mlflow-artifacts/"


class Fault(StrEnum):
    """What the proxy does to a model file download."""

    HTML_PAGE = "html-page"  # a captive portal's login page, status 200
    SERVER_ERROR = "503"  # an overloaded server or proxy
    TRUNCATED = "truncated"  # the connection breaks off halfway through the file


@contextmanager
def faulty_proxy(upstream: str, fault: Fault) -> Iterator[str]:
    """Yield the URL of a proxy that forwards everything to ``upstream`` but spoils artifact downloads."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            try:
                with urllib.request.urlopen(upstream + self.path, timeout=30) as answer:
                    status, body, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
            except urllib.error.HTTPError as exc:
                status, body, kind = exc.code, exc.read(), exc.headers.get("Content-Type", "")
            if self.path.startswith(ARTIFACT_PATH):
                if fault is Fault.HTML_PAGE:
                    status, body, kind = (
                        200,
                        b"<html><body>Please log in to the Wi-Fi</body></html>",
                        "text/html",
                    )
                elif fault is Fault.SERVER_ERROR:
                    status, body, kind = 503, b"<html><body>Service Unavailable</body></html>", "text/html"
                elif fault is Fault.TRUNCATED:
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
