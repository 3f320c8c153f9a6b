"""The opt-in endpoint and campaign sending, each beside its baseline from the same run.

    .venv/bin/python -m bench.bench_web [--requests 400] [--clients 4] [--mails 300]

A fresh encrypted store, the real `minicrm web` process on 127.0.0.1 and an
aiosmtpd sink in this process.  Measured:

* subscribe: POST /subscribe/newsletter (CSRF check, validation, one BEGIN
  IMMEDIATE write, the confirmation mail over SMTP to the sink), requests per
  second with `--clients` keep-alive connections, beside GET /healthz of the same
  server (its hello-world: the floor of uvicorn + Starlette on this machine).
* campaign: `send_campaign` to `--mails` people (per-mail re-check, two state
  commits, the mail with its List-Unsubscribe headers), mails per second, beside
  raw smtplib sending the same number of messages over one connection.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import re
import smtplib
import sys
import tempfile
import threading
import time
import urllib.parse
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def hammer(port: int, clients: int, total: int, make_request) -> float:
    """Requests per second: `clients` threads, each on its own keep-alive connection."""
    per = total // clients
    errors: list[str] = []

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(per):
            method, path, body, headers = make_request(k * per + i)
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors.append(f"{path}: {r.status}")
        conn.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise SystemExit(f"bench_web: {len(errors)} failed requests, e.g. {errors[0]}")
    return per * clients / seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mails", type=int, default=300)
    args = parser.parse_args()

    from mailsink import MailSink, free_port
    from webserver import start_web, stop_web

    from store import consent, consent_texts, runtime
    from store.campaigns import send_campaign
    from store.config import load_config, write_config
    from store.contacts import create_contact
    from store.models import User
    from store.scope import Scope

    sink = MailSink().start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minicrm.toml"
        write_config(path, "crm.db", "crm.key", company={"name": "Bench ApS"}, ui={"language": "da"},
                     mail={"host": "127.0.0.1", "port": sink.port, "security": "none",
                           "from_address": "bench@example.dk", "campaign_per_minute": 10_000_000},
                     web={"base_url": f"http://127.0.0.1:{port}", "per_address_per_hour": 1_000_000,
                          "per_ip_per_hour": 1_000_000})
        config = load_config(path)
        runtime.create_store(config)
        consent_texts.seed_defaults(Scope.console(), "Bench ApS")
        web = start_web(config, port)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/subscribe/newsletter")
            r = conn.getresponse()
            page = r.read().decode()
            cookie = r.getheader("set-cookie").split(";", 1)[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            text_id = re.search(r'name="text_id" value="([^"]+)"', page).group(1)
            conn.close()

            def hello(_i):
                return "GET", "/healthz", None, {}

            def subscribe(i):
                body = urllib.parse.urlencode({"csrf": csrf, "text_id": text_id, "name": f"Person {i}",
                                               "email": f"person{i}@example.dk", "consent": "yes"})
                return "POST", "/subscribe/newsletter", body, {
                    "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}

            hammer(port, args.clients, 40, hello)  # warm up both paths
            hammer(port, args.clients, 40, lambda i: subscribe(10_000_000 + i))
            hello_rate = hammer(port, args.clients, args.requests, hello)
            subscribe_rate = hammer(port, args.clients, args.requests, subscribe)
        finally:
            stop_web(web)

        admin = Scope(User.create(username="bench-admin", role="admin", must_change_password=False))
        text = consent_texts.current_text("newsletter", "da").id
        for i in range(args.mails):
            cid = create_contact(admin, first_name=f"Modtager{i}", email=f"modtager{i}@example.dk")
            consent.record_consent(admin, cid, "newsletter", method="paper", given_on=dt.date.today(),
                                   text_id=text, evidence="bench")
        body = "Hej\n\nNyt fra Bench ApS.\n" * 20
        before = len(sink.messages)
        started = time.perf_counter()
        report = send_campaign(admin, "newsletter", "Nyhedsbrev", body)
        campaign_rate = report.sent / (time.perf_counter() - started)
        assert report.sent == args.mails and len(sink.messages) - before == args.mails

        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for i in range(args.mails):
                msg = EmailMessage()
                msg["From"], msg["To"], msg["Subject"] = "bench@example.dk", f"raw{i}@example.dk", "Nyhedsbrev"
                msg.set_content(body)
                smtp.send_message(msg)
        raw_rate = args.mails / (time.perf_counter() - started)
        runtime.close_store()
    sink.stop()

    rows = [("subscribe POST (req/s)", subscribe_rate, "hello-world GET /healthz", hello_rate),
            ("campaign (mails/s)", campaign_rate, "raw smtplib, one connection", raw_rate)]
    print(f"{'measured':28} {'value':>10}  {'baseline':32} {'value':>10}  ratio")
    for name, value, base_name, base in rows:
        print(f"{name:28} {value:10.1f}  {base_name:32} {base:10.1f}  {value / base:5.2f}x")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "web.json").write_text(json.dumps({
        "subscribe_per_s": subscribe_rate, "hello_per_s": hello_rate, "campaign_per_s": campaign_rate,
        "raw_smtp_per_s": raw_rate, "clients": args.clients, "requests": args.requests, "mails": args.mails},
        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
