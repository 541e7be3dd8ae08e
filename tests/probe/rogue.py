"""Misbehaving HTTP servers for the probe's safety tests, run as their own process.

``python rogue.py MODE PORT LOG [ARG]`` listens on 127.0.0.1:PORT (never anything
else) and appends one line per event to LOG so tests can see what the probe did:

- ``silent``: accepts connections, reads the request, never answers;
- ``huge``: answers every request with a 50 MB body; logs ``sent N`` per connection;
- ``drip``: sends headers, then one body byte every 0.2 s;
- ``slow``: answers ``/`` at once, never answers any other path;
- ``redirect``: answers every request with ``302 Location: ARG``;
- ``record``: answers ``200 ok`` and logs each request line.
"""

from __future__ import annotations

import socketserver
import sys
import threading
import time
from pathlib import Path

HUGE = 50 * 1024 * 1024
CHUNK = 64 * 1024
HOLD_SECONDS = 120  # longer than any test; the process group is killed at teardown


class Handler(socketserver.BaseRequestHandler):
    mode = ""
    arg = ""
    log = Path()
    lock = threading.Lock()

    def note(self, text: str) -> None:
        with self.lock, self.log.open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    def read_request(self) -> str:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b"\r\n", 1)[0].decode("latin-1")

    def send(self, status: str, headers: dict[str, str], body: bytes = b"") -> None:
        # One request per connection, said so: a client must not reuse it.
        headers = {**headers, "Connection": "close"}
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        self.request.sendall("\r\n".join(lines).encode("latin-1") + body)

    def handle(self) -> None:
        line = self.read_request()
        if not line:  # a readiness check: connected and closed without a request
            return
        path = line.split(" ")[1] if line.count(" ") >= 2 else ""
        if self.mode == "silent" or (self.mode == "slow" and path != "/"):
            time.sleep(HOLD_SECONDS)
        elif self.mode == "slow":
            self.send("200 OK", {"Content-Type": "text/html", "Content-Length": "2"}, b"ok")
        elif self.mode == "redirect":
            self.send("302 Found", {"Location": self.arg, "Content-Length": "0"})
        elif self.mode == "record":
            self.note(line)
            self.send("200 OK", {"Content-Type": "text/plain", "Content-Length": "2"}, b"ok")
        elif self.mode == "huge":
            self.huge()
        elif self.mode == "drip":
            self.send("200 OK", {"Content-Type": "text/html", "Content-Length": "100000"})
            for _ in range(HOLD_SECONDS * 5):
                self.request.sendall(b"a")
                time.sleep(0.2)

    def huge(self) -> None:
        sent = 0
        try:
            self.send("200 OK", {"Content-Type": "text/html", "Content-Length": str(HUGE)})
            chunk = b"A" * CHUNK
            while sent < HUGE:
                self.request.sendall(chunk)
                sent += CHUNK
        except OSError:
            pass
        self.note(f"sent {sent}")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> None:
    mode, port, log = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    Handler.mode, Handler.log = mode, log
    Handler.arg = sys.argv[4] if len(sys.argv) > 4 else ""
    log.touch()
    with Server(("127.0.0.1", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
