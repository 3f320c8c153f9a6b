"""`minicrm web [--bind HOST:PORT]`: serve the public opt-in endpoint (web/)."""
from __future__ import annotations

import sys

from .common import open_store


def cmd_web(args) -> int:
    from web.server import parse_bind, serve

    runtime = open_store(args)
    config = runtime.config
    host, port = parse_bind(args.bind or config["web.bind"])
    print(f"minicrm web: listening on http://{host}:{port} (behind your reverse proxy)", file=sys.stderr,
          flush=True)
    serve(config, f"{host}:{port}")
    return 0


def add_web_parser(sub) -> None:
    s = sub.add_parser("web", help="serve the public sign-up, confirm and unsubscribe pages")
    s.add_argument("--bind", help="HOST:PORT to listen on (default: web.bind, 127.0.0.1:8080)")
    s.set_defaults(func=cmd_web)
