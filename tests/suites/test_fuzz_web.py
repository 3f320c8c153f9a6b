"""Fuzzing suite, web half: hypothesis sends arbitrary requests to the real `minicrm web` process.

Paths, query strings, headers, cookies, forms, raw and oversized bodies, forged and mutated
tokens reach the double opt-in form, the confirmation link and the RFC 8058 one-click
unsubscribe over real HTTP on 127.0.0.1 (tests/websites.py starts it, with an aiosmtpd sink).
Every answer: no 5xx, no traceback, nobody's stored personal data, no echo of a path, query,
header or token (except the unsubscribe page's own form action), the security headers, only
the pages' own tags.  The database: contacts and consents change only through the genuine
link with its CSRF pair or the genuine one-click token; a sign-up row and its mail only for
an accepted sign-up; a refused request changes nothing.  The per-IP limit holds (the server
trusts 127.0.0.1 as its proxy here, so X-Forwarded-For picks the source).  No request hangs past
20 s, and the web process ends the run alive and under 300 MB.
"""
from __future__ import annotations

import http.client
import re
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websites import config_path, sink, site, web_port  # noqa: F401  (the real process, its sink)

from .profile import PROFILE, WEB_FUZZ_EXAMPLES

MARK = "Qzv"  # starts every generated path, query, header value and token: an echo of one is seen
PER_IP = 5
POOL = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
KAREN = ("karen@firma.dk", "Karen Blixen")  # confirmed, with an unsubscribe token
PENDING = ("bo@firma.dk", "Bo Prikfri")  # signed up, link not yet used
SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy", "cache-control",
            "permissions-policy", "cross-origin-opener-policy", "x-frame-options")
TAGS = {"html", "head", "meta", "title", "link", "body", "main", "h1", "p", "footer", "a", "form", "input",
        "label", "blockquote", "button"}
SETTINGS = settings(max_examples=WEB_FUZZ_EXAMPLES, deadline=None, derandomize=PROFILE == "ci",
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def web_settings():
    return {"trusted_proxies": ["127.0.0.1"], "per_ip_per_hour": PER_IP}


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
                      max_size=80)
FIELDS = ["csrf", "text_id", "name", "email", "consent", "website", "List-Unsubscribe", "x", MARK]


@st.composite
def requests(draw, genuine: dict):
    near = draw(st.booleans())  # half the requests are a valid one with a few changes: they reach the store
    kinds = ["subscribe", "subscribe", "confirm", "unsubscribe", *["static", "other"] * (not near)]
    kind = draw(st.sampled_from(kinds))
    token = draw(st.one_of(
        st.just(genuine["pending"] if kind == "confirm" else genuine["unsub"]),
        st.sampled_from([genuine["pending"], genuine["used"], genuine["unsub"]]),
        st.sampled_from([genuine["pending"], genuine["unsub"]]).flatmap(lambda t: st.integers(0, len(t) - 1).map(
            lambda i: t[:i] + ("B" if t[i] != "B" else "C") + t[i + 1:])),  # one character changed
        st.builds(lambda s: MARK + s, st.one_of(TEXT, st.just("A" * 5000)))))
    segment = {"subscribe": draw(st.sampled_from(["newsletter"] * (1 + 8 * near) + ["events", MARK, MARK + "/../x"])),
               "confirm": token, "unsubscribe": token, "static": draw(st.sampled_from(
                   ["form.css", "../app.py", "%2e%2e/%2e%2e/etc/passwd", MARK]))}.get(kind, MARK + draw(TEXT))
    path = f"/{kind}/" + urllib.parse.quote(segment, safe="/%" if kind == "static" else "")
    if draw(st.booleans()):
        path += "?" + urllib.parse.urlencode(draw(st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=4)))
    method = "POST" if near else draw(st.sampled_from(["GET", "GET", "POST", "POST", "HEAD", "PUT", "OPTIONS"]))
    headers = {name: MARK + value for name, value in draw(st.dictionaries(
        st.sampled_from(["User-Agent", "Accept-Language", "Referer", "Origin", "Accept", "X-Forwarded-Proto",
                         "Forwarded", "X-Real-IP", MARK]), HEADER_TEXT, max_size=4)).items()}
    xff = draw(st.one_of(st.none(), st.sampled_from(POOL), HEADER_TEXT.map(lambda s: MARK + s[:20]),
                         *[st.uuids().map(lambda u: f"198.18.{u.int % 256}.{u.int // 256 % 256}")] * 3))  # fresh
    if xff is not None:
        headers["X-Forwarded-For"] = xff
    csrf = draw(st.sampled_from(["genuine"] * (1 + 8 * near) + ["none", "cookie only", "field only", "forged"]))
    cookie = {"genuine": genuine["cookie"], "cookie only": genuine["cookie"],
              "forged": draw(st.sampled_from([genuine["cookie"][:-1] + "x", MARK, "0" * 43]))}.get(csrf)
    if cookie is not None:
        headers["Cookie"] = f"minicrm_csrf={cookie}"
    body_kind = "form" if near else draw(st.sampled_from(["form", "form", "raw", "multipart", "huge", "none"]))
    fields = {}
    if body_kind == "form":  # a valid form, a few of its fields dropped or replaced
        valid = {"name": PENDING[1], "email": f"f{draw(st.uuids()).hex[:10]}@firma.dk", "consent": "yes",
                 "website": "", "text_id": genuine["text_id"], "List-Unsubscribe": "One-Click"}
        for key, value in valid.items():
            change = draw(st.sampled_from(["keep"] * (3 + 8 * near) + ["drop", "other"]))
            if change != "drop":
                fields[key] = value if change == "keep" else draw(st.one_of(TEXT, st.just(KAREN[0])))
        if csrf in ("genuine", "field only"):
            fields["csrf"] = genuine["field"]
        elif csrf == "forged":
            fields["csrf"] = draw(st.sampled_from(["0" * 64, genuine["field"][::-1], MARK]))
        body = urllib.parse.urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body_kind == "raw":
        body = draw(st.binary(max_size=600))
        headers["Content-Type"] = draw(st.sampled_from(["application/x-www-form-urlencoded", MARK, "text/plain"]))
    elif body_kind == "multipart":
        boundary = draw(st.sampled_from(["b0undary", MARK, ""]))
        parts = draw(st.lists(st.tuples(st.sampled_from(FIELDS), TEXT), max_size=25))
        body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                       for k, v in parts).encode() + draw(st.sampled_from([b"", f"--{boundary}--\r\n".encode()]))
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body_kind == "huge":
        body = b"email=" + b"a" * draw(st.integers(16 * 1024, 200 * 1024))
    else:
        body = None
    return {"kind": kind, "method": method, "path": path, "headers": headers, "body": body,
            "chunked": body_kind == "huge" and draw(st.booleans()), "fields": fields, "csrf": csrf,
            "token": token, "xff": xff}


def _send(port: int, r: dict) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)  # a hang fails the test
    try:
        conn.putrequest(r["method"], r["path"], skip_accept_encoding=True)
        body = r["body"]
        hdrs = {**r["headers"], **({"Transfer-Encoding": "chunked"} if r["chunked"] else
                                   {"Content-Length": str(len(body))} if body is not None else {})}
        for k, v in hdrs.items():
            conn.putheader(k, v.encode("latin-1", "replace"))
        conn.endheaders()
        try:
            if body is not None:
                conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if r["chunked"] else body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading at its limit, as it should
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _state(s) -> tuple:
    from store.models import Consent, ConsentEvent, Contact, OptIn

    return (Contact.select().count(), tuple(Consent.select(Consent.status).order_by(Consent.id).tuples()),
            ConsentEvent.select().count(), OptIn.select().count(), len(s.sink.messages))


def _sign_up(client, person) -> None:
    page = client.get("/subscribe/newsletter")
    reply = client.post("/subscribe/newsletter", {"csrf": page.field("csrf"), "text_id": page.field("text_id"),
                                                  "name": person[1], "email": person[0], "consent": "yes"},
                        headers={"X-Forwarded-For": "198.51.100.9"})
    assert reply.status == 200, reply.text()


def test_the_web_endpoints_answer_anything_cleanly(site, suite_figures):  # noqa: F811
    from store import unsubscribe
    from store.models import Contact

    browser = site.client()
    _sign_up(browser, KAREN)
    used = re.search(r"/confirm/([\w-]+)", site.sink.wait_for_mail(KAREN[0]).get_content()).group(1)
    page = browser.get(f"/confirm/{used}")
    assert browser.post(f"/confirm/{used}", {"csrf": page.field("csrf")}).status == 200
    _sign_up(browser, PENDING)
    pending = re.search(r"/confirm/([\w-]+)", site.sink.wait_for_mail(PENDING[0]).get_content()).group(1)
    form = browser.get("/subscribe/newsletter")
    genuine = {"used": used, "pending": pending, "unsub": unsubscribe.token_for(Contact.get().id),
               "cookie": browser.cookies["minicrm_csrf"], "field": form.field("csrf"),
               "text_id": form.field("text_id")}
    secrets_ = [KAREN[0], KAREN[1], PENDING[0], used, pending]
    sent, statuses, per_ip, deep = Counter(), Counter(), Counter(), Counter()

    @SETTINGS
    @given(r=requests(genuine))
    def one(r):
        before = _state(site)
        status, headers, body = _send(site.port, r)
        after = _state(site)
        sent[r["kind"]] += 1
        statuses[f"{status // 100}xx"] += 1
        what = (r["method"], r["path"][:200], status)
        assert status < 500 and "Traceback" not in body, what
        assert all(h in headers for h in SECURITY) and "content-type" in headers, (what, headers)
        own = r["path"] + str(r["fields"])  # nobody else's data
        assert not any(s in body for s in secrets_ if s not in own), what
        # the unsubscribe button's action holds its token; a refused form keeps what was typed (escaped)
        echo_ok = (r["kind"] == "unsubscribe" and r["method"] == "GET") or (
            r["kind"] == "subscribe" and status in (400, 403))
        assert echo_ok or MARK not in body, what
        assert set(re.findall(r"</?([a-zA-Z][\w-]*)", body)) <= TAGS or "css" in headers["content-type"], what
        assert "root:" not in body and "import " not in body, what  # no file outside static/
        form_post = r["method"] == "POST" and r["fields"].get("website", "") == "" and r["csrf"] == "genuine"
        newsletter = r["path"].split("?")[0] == "/subscribe/newsletter"
        if newsletter and form_post and r["xff"] in POOL and "csrf" in r["fields"]:
            per_ip[r["xff"]] += 1  # per_ip.allow() is asked for it: the sixth in the hour is refused
            assert per_ip[r["xff"]] <= PER_IP or status == 429, (what, per_ip)
        confirmed = r["kind"] == "confirm" and r["token"] == pending and form_post and status == 200
        if not (confirmed or (r["kind"] == "unsubscribe" and r["token"] == genuine["unsub"] and status == 200)):
            assert after[:3] == before[:3], ("a contact or consent changed", what)
        signed_up = r["kind"] == "subscribe" and form_post and status == 200
        assert after[3] - before[3] in ((0, 1) if signed_up else (0, -1) if confirmed else (0,)), what
        assert after[4] - before[4] in ((0, 1) if signed_up else (0,)), ("a sign-up was mailed", what)
        deep["sign-ups kept"] += after[3] > before[3]
        deep["slowed (429)"] += status == 429
        deep["consents changed"] += after[:3] != before[:3]

    one()
    status_file = Path(f"/proc/{site.proc.pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status_file).group(1)) // 1024
    assert rss < 300, f"the web process holds {rss} MB after the run"
    assert site.proc.poll() is None, "the web process died"
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(sent.items()))
    answers = "/".join(f"{v} {k}" for k, v in sorted(statuses.items()))
    reached = ", ".join(f"{v} {k}" for k, v in deep.items())
    suite_figures("fuzz-web", f"[{PROFILE}] {sum(sent.values()):,} requests to the real web process ({kinds}; "
                              f"{answers}; {reached}); 0 errors: no 5xx, traceback or personal data, security headers "
                              f"on every answer, nothing kept from a refused request; server RSS {rss} MB")
