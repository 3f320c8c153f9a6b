"""`minicrm web`: the opt-in endpoint under uvicorn, on 127.0.0.1 unless told otherwise.

Access logging is off: every confirmation and unsubscribe URL carries a token,
and a log line with it (or with the visitor's IP) would be a secret and personal
data in a log.  X-Forwarded-For is believed only from web.trusted_proxies.
"""
from __future__ import annotations

import ipaddress

from store.errors import ConfigError


def parse_bind(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
        number = int(port)
        if not sep or not 0 < number < 65536:
            raise ValueError
    except ValueError:
        raise ConfigError(f"--bind/web.bind must be HOST:PORT with an IP address, not {text!r}") from None
    return host, number


def serve(config, bind: str | None = None, *, ready=None) -> None:
    import uvicorn

    from .app import build_app

    host, port = parse_bind(bind or config["web.bind"])
    trusted = list(config["web.trusted_proxies"])
    server = uvicorn.Server(uvicorn.Config(
        build_app(config), host=host, port=port, access_log=False, server_header=False,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or [], log_level="warning",
        timeout_keep_alive=5, limit_concurrency=200, h11_max_incomplete_event_size=16 * 1024))
    if ready is not None:
        ready(host, port)
    server.run()
