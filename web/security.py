"""The web channel's own defences: CSRF tokens, rate limits, body size, response headers.

- CSRF: a random cookie and, in the form, its HMAC under a key derived from the
  database key; a POST must bring both (double submit, nothing stored).
- Rate limits: sliding one-hour windows per e-mail address and per source IP,
  in this process (one `minicrm web` process per server).  The source IP is the
  peer, or X-Forwarded-For's only when the peer is a configured proxy: uvicorn's
  proxy-headers middleware does that, with `forwarded_allow_ips` set from
  web.trusted_proxies and nothing else (its default would trust 127.0.0.1).
- Body: refused beyond MAX_BODY bytes (413), by its declared length or as it arrives.
- Headers: a strict Content-Security-Policy (own stylesheet only, no scripts), no
  referrer (links carry tokens), no caching, no framing unless configured.
"""
from __future__ import annotations

import collections
import hashlib
import hmac
import secrets
import threading
import time

MAX_BODY = 16 * 1024  # a sign-up form is a few hundred bytes
CSRF_COOKIE = "minicrm_csrf"


class Csrf:
    def __init__(self, key: bytes):
        self.key = key

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_urlsafe(32)

    def field_for(self, cookie: str) -> str:
        return hmac.new(self.key, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()

    def ok(self, cookie: str | None, field: str | None) -> bool:
        if not cookie or not field or len(cookie) > 100 or len(field) != 64:
            return False
        return hmac.compare_digest(self.field_for(cookie), field)


class RateLimit:
    """At most `limit` events per key in any hour."""

    def __init__(self, limit: int, window: float = 3600.0):
        self.limit, self.window = limit, window
        self.events: dict[str, collections.deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            if len(self.events) > 100_000:  # a flood of distinct keys must not grow memory forever
                self._prune(now)
            q = self.events.setdefault(key, collections.deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

    def _prune(self, now: float) -> None:
        for key in [k for k, q in self.events.items() if not q or q[-1] <= now - self.window]:
            del self.events[key]


def security_headers(frame_ancestors: list[str]) -> list[tuple[bytes, bytes]]:
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    csp = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
           f"frame-ancestors {ancestors}")
    headers = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"no-referrer"), (b"cache-control", b"no-store"),
               (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
               (b"cross-origin-opener-policy", b"same-origin")]
    if not frame_ancestors:
        headers.append((b"x-frame-options", b"DENY"))
    return headers


class Guard:
    """ASGI middleware: refuse oversized bodies early, add the security headers to every response."""

    def __init__(self, app, *, frame_ancestors: list[str], too_large_page: bytes):
        self.app = app
        self.headers = security_headers(frame_ancestors)
        self.too_large_page = too_large_page

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
            return await self._too_large(send_with_headers)
        # read the body (at most MAX_BODY) before the app sees the request: a chunked body past the
        # limit gets the 413 page; faking a hang-up instead cut a response already under way short
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client hung up: nobody to answer
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > MAX_BODY:
                return await self._too_large(send_with_headers)
            more = message.get("more_body", False)
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed_receive():
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed_receive, send_with_headers)

    async def _too_large(self, send):
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": self.too_large_page})
