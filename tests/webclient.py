"""A small real-HTTP client for the web tests: http.client over TCP, cookies kept per client.

It speaks to the real `minicrm web` process; nothing is mocked or in-process.
"""
from __future__ import annotations

import html
import http.client
import re
import urllib.parse
from dataclasses import dataclass, field


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
            else:
                conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            for raw in r.headers.get_all("set-cookie") or []:
                name, _, rest = raw.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, fields: dict | None = None, *, raw: bytes | None = None, headers=None,
             **kw) -> Reply:
        body = raw if raw is not None else urllib.parse.urlencode(fields or {}).encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}, **kw)
