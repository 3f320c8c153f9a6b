"""A small real-HTTP client for the web tests: http.client over TCP, cookies kept per client.

It speaks to the real `minicrm web` process; nothing is mocked or in-process.
"""
from __future__ import annotations

import contextlib
import html
import http.client
import re
import select
import socket
import urllib.parse
from dataclasses import dataclass, field

LARGE = 65536  # bodies above this go with Expect: 100-continue
CONTINUE_WAIT = 5.0  # how long to wait for the 100 before sending anyway (RFC 9110 15.2.1)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def field(self, name: str) -> str:
        m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', self.body)
        assert m, f"no field {name} in the page"
        return html.unescape(m.group(1))

    def text(self) -> str:
        """What a person reads: tags dropped, entities decoded, spaces collapsed."""
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", self.body)).split())


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                chunked: bool = False) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            hdrs = {"User-Agent": "minicrm-tests/1", **(headers or {})}
            if self.cookies:
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if chunked:
                conn.putrequest(method, path)
                for k, v in {**hdrs, "Transfer-Encoding": "chunked"}.items():
                    conn.putheader(k, v)
                conn.endheaders()
                try:
                    for start in range(0, len(body or b""), 65536):
                        piece = body[start:start + 65536]
                        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                    conn.send(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server stopped reading at its limit, as it should
            elif body is not None and len(body) > LARGE:
                self._send_expecting_continue(conn, method, path, body, hdrs)
            else:
                conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            for raw in r.headers.get_all("set-cookie") or []:
                name, _, rest = raw.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    @staticmethod
    def _send_expecting_continue(conn, method: str, path: str, body: bytes, hdrs: dict) -> None:
        """A large body the way curl sends one: headers with `Expect: 100-continue`, the body
        only when the server asks for it.  A server that refuses on the length alone (413)
        answers before the body is sent; sent blindly, the body it never reads makes its
        close a TCP reset that can destroy the answer before the client reads it."""
        conn.putrequest(method, path)
        for k, v in {**hdrs, "Content-Length": str(len(body)), "Expect": "100-continue"}.items():
            conn.putheader(k, v)
        conn.endheaders()
        readable, _, _ = select.select([conn.sock], [], [], CONTINUE_WAIT)
        if readable:
            if not conn.sock.recv(12, socket.MSG_PEEK).startswith(b"HTTP/1.1 100"):
                return  # the final answer came first: getresponse reads it
            seen = b""
            while b"\r\n\r\n" not in seen:
                seen += conn.sock.recv(1)  # the interim 100 response, up to its blank line
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.send(body)  # (a reset: the server stopped reading at its limit, as it should)

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, fields: dict | None = None, *, raw: bytes | None = None, headers=None,
             **kw) -> Reply:
        body = raw if raw is not None else urllib.parse.urlencode(fields or {}).encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}, **kw)
