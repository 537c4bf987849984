"""A real HTTP server process that misbehaves on purpose, then (optionally) passes requests to a real server.

Run as ``python fault_http_server.py PORT FAULT COUNT [UPSTREAM_URL [PATH_PART]]``. FAULT is one of
``401``, ``403``, ``500`` (an error page from the server), ``502-html`` (a proxy's HTML page), ``200-html``
(a captive portal page with status 200), ``basic:USER:PASSWORD`` or ``bearer:TOKEN`` (401 unless the
request carries exactly these credentials, like a server behind an authenticating proxy). The first COUNT
requests get the fault (COUNT 0 = every request); later ones are forwarded to UPSTREAM_URL unchanged.
With PATH_PART, only requests whose path contains it are faulted (and counted). Prints ``ready`` once
listening and one line per request it faults.
"""

from __future__ import annotations

import base64
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_PRINTING = threading.Lock()  # one line of what was served at a time (the tests count the lines)
FAULTS = {
    "401": (
        401,
        "application/json",
        b'{"error_code": "UNAUTHENTICATED", "message": "Authentication required"}',
    ),
    "403": (403, "application/json", b'{"error_code": "PERMISSION_DENIED", "message": "Permission denied"}'),
    "500": (500, "text/html", b"<html><body><h1>Internal Server Error</h1></body></html>"),
    "502-html": (
        502,
        "text/html",
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    ),
    "200-html": (200, "text/html", b"<html><body>Please log in to the hotel Wi-Fi</body></html>"),
}


def _required_authorization(fault: str) -> str:
    """Return the Authorization header a ``basic:``/``bearer:`` fault demands ("" for the other faults)."""
    if fault.startswith("basic:"):
        return "Basic " + base64.b64encode(fault.removeprefix("basic:").encode()).decode()
    if fault.startswith("bearer:"):
        return "Bearer " + fault.removeprefix("bearer:")
    return ""


class _State:
    def __init__(self, fault: str, count: int, upstream: str, path_part: str):
        self.required_authorization = _required_authorization(fault)
        self.status, self.content_type, self.body = FAULTS["401" if self.required_authorization else fault]
        self.remaining = count
        self.always = count == 0
        self.upstream = upstream.rstrip("/")
        self.path_part = path_part
        self.lock = threading.Lock()

    def take_fault(self, path: str, authorization: str) -> bool:
        if self.required_authorization:
            return authorization != self.required_authorization
        if self.path_part and self.path_part not in path:
            return False
        with self.lock:
            if self.always:
                return True
            if self.remaining > 0:
                self.remaining -= 1
                return True
            return False


class _Handler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.state.take_fault(self.path, self.headers.get("Authorization", "")) or not self.state.upstream:
            with _PRINTING:  # print writes the line and its end apart: two threads would interleave them
                print(f"fault {self.state.status} {self.command} {self.path}", flush=True)
            self._send(self.state.status, {"Content-Type": self.state.content_type}, self.state.body)
            return
        request = urllib.request.Request(self.state.upstream + self.path, data=body, method=self.command)
        for key in ("Content-Type", "Accept"):
            if self.headers.get(key):
                request.add_header(key, self.headers[key])
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self._send(
                    answer.status, {"Content-Type": answer.headers.get("Content-Type", "")}, answer.read()
                )
        except urllib.error.HTTPError as error:
            self._send(error.code, {"Content-Type": error.headers.get("Content-Type", "")}, error.read())

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _handle


def main(argv: list[str]) -> None:
    port, fault, count = int(argv[0]), argv[1], int(argv[2])
    upstream = argv[3] if len(argv) > 3 else ""
    path_part = argv[4] if len(argv) > 4 else ""
    _Handler.state = _State(fault, count, upstream, path_part)
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
