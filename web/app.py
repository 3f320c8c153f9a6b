"""The Starlette application: the pages of the double opt-in and the one-click unsubscribe.

GET never changes anything (mail scanners prefetch links); every change is a
POST.  Store calls run in worker threads (peewee keeps one connection per
thread), at most STORE_THREADS at a time, each a short BEGIN IMMEDIATE write.
Pages are Jinja2 templates with autoescaping on, so a name or address a
visitor typed is never markup.  No error page names an address or echoes a
token.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from store import optin, unsubscribe
from store.consent_texts import current_text, purposes
from store.errors import ConfigError, Invalid, StoreError
from store.scope import Scope

from .security import CSRF_COOKIE, Csrf, Guard, RateLimit
from .texts import texts_in

log = logging.getLogger("minicrm.web")
HERE = Path(__file__).parent
STORE_THREADS = 4
EXPIRY_SECONDS = 600
FIELD_ERRORS = {"email": "err.email", "name": "err.name", "text_version": "err.text_version"}


class Site:
    """What every page needs: the config, the language, the templates, the limits."""

    def __init__(self, config):
        from store.runtime import derived_key

        self.config = config
        self.lang = optin.language()
        self.t = texts_in(self.lang)
        self.company = config["company.name"] or ""
        self.privacy_url = config["web.privacy_url"]
        self.secure_cookie = config["web.base_url"].startswith("https://")
        self.csrf = Csrf(derived_key("web-csrf"))
        self.per_ip = RateLimit(config["web.per_ip_per_hour"])
        self.per_address = RateLimit(config["web.per_address_per_hour"])
        self.limiter = anyio.CapacityLimiter(STORE_THREADS)
        self.scope = Scope.web()
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True))

    async def store(self, fn, *args, **kwargs):
        return await anyio.to_thread.run_sync(lambda: fn(self.scope, *args, **kwargs), limiter=self.limiter)

    def page(self, request: Request, template: str, title: str, status: int = 200, **values) -> HTMLResponse:
        html = self.env.get_template(template).render(
            lang=self.lang, t=self.t, title=self.t[title], company=self.company, privacy_url=self.privacy_url,
            root=request.scope.get("root_path", ""), **values)
        return HTMLResponse(html, status_code=status)

    def message(self, request: Request, title: str, text: str, status: int = 200) -> HTMLResponse:
        return self.page(request, "message.html", title, status, message=self.t[text])


def client_ip(request: Request) -> str:
    # uvicorn has already replaced the peer by X-Forwarded-For's client, if and only if the peer is
    # one of web.trusted_proxies (server.py); anything else in the header is ignored
    return request.client.host if request.client else ""


def purpose_label(site: Site, purpose: str) -> str:
    key = f"purpose.{purpose}"
    return site.t.get(key, purpose)


def build_app(config) -> Guard:
    site = Site(config)

    def subscribe_page(request: Request, purpose: str, text, *, error: str = "", name: str = "",
                       email: str = "", status: int = 200) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or len(cookie) > 100:
            cookie = site.csrf.new_cookie()
        response = site.page(
            request, "subscribe.html", "subscribe_title", status, purpose=purpose, text=text,
            csrf=site.csrf.field_for(cookie), error=site.t[error] if error else "", name=name, email=email,
            intro=site.t["intro"].format(what=purpose_label(site, purpose), company=site.company or "os"),
            version=site.t["version"].format(version=text.label))
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=site.secure_cookie,
                            path="/")
        return response

    async def current(purpose: str):
        if purpose not in purposes():
            return None
        return await anyio.to_thread.run_sync(current_text, purpose, site.lang, limiter=site.limiter)

    async def form(request: Request):
        try:
            return await request.form(max_files=0, max_fields=20, max_part_size=4096)
        except ClientDisconnect:
            return None

    async def get_subscribe(request: Request) -> Response:
        purpose = request.path_params["purpose"]
        text = await current(purpose)
        if text is None:
            return site.message(request, "not_found_title", "not_found", 404)
        return subscribe_page(request, purpose, text)

    async def post_subscribe(request: Request) -> Response:
        purpose = request.path_params["purpose"]
        text = await current(purpose)
        if text is None:
            return site.message(request, "not_found_title", "not_found", 404)
        data = await form(request)
        if data is None:
            return site.message(request, "too_large_title", "too_large", 413)
        name, email = str(data.get("name", "")), str(data.get("email", ""))
        keep = {"name": name[:100], "email": email[:254]}
        if not site.csrf.ok(request.cookies.get(CSRF_COOKIE), str(data.get("csrf", ""))):
            return subscribe_page(request, purpose, text, error="err.csrf", status=403, **keep)
        if data.get("website"):  # the honeypot: a bot filled the hidden field; it sees success, we keep nothing
            return site.message(request, "check_mail_title", "check_mail")
        ip = client_ip(request)
        if not site.per_ip.allow(ip):
            return site.message(request, "slow_title", "slow", 429)
        if data.get("consent") != "yes":
            return subscribe_page(request, purpose, text, error="err.consent", status=400, **keep)
        if not site.per_address.allow(email.strip().lower()[:254]):
            return site.message(request, "slow_title", "slow", 429)
        try:
            text_id = int(str(data.get("text_id", "")))
        except ValueError:
            text_id = -1
        try:
            await site.store(optin.sign_up, purpose, email=email, name=name, ip=ip, text_id=text_id,
                             user_agent=request.headers.get("user-agent", ""), lang=site.lang)
        except Invalid as exc:
            if exc.field == "text_version":
                text = await current(purpose) or text
            return subscribe_page(request, purpose, text, error=FIELD_ERRORS.get(exc.field, "err.other"),
                                  status=400, **keep)
        except (ConfigError, StoreError) as exc:  # the SMTP server is down or mail is not configured
            log.warning("sign-up not completed: %s", type(exc).__name__)
            return site.message(request, "mail_down_title", "mail_down", 503)
        return site.message(request, "check_mail_title", "check_mail")

    async def get_confirm(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            seen = await site.store(optin.pending, token)
        except optin.LinkNotValid as exc:
            return site.message(request, "link_bad_title", "link_expired" if exc.expired else "link_bad", 410)
        cookie = request.cookies.get(CSRF_COOKIE) or site.csrf.new_cookie()
        response = site.page(request, "button.html", "confirm_title", intro=site.t["confirm_intro"],
                             wording=seen.wording, button=site.t["confirm_button"],
                             action=f"{request.scope.get('root_path', '')}/confirm/{token}",
                             csrf=site.csrf.field_for(cookie))
        response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=site.secure_cookie,
                            path="/")
        return response

    async def post_confirm(request: Request) -> Response:
        token = request.path_params["token"]
        data = await form(request)
        if data is None:
            return site.message(request, "too_large_title", "too_large", 413)
        if not site.csrf.ok(request.cookies.get(CSRF_COOKIE), str(data.get("csrf", ""))):
            return site.message(request, "error_title", "err.csrf", 403)
        try:
            await site.store(optin.confirm, token, ip=client_ip(request),
                             user_agent=request.headers.get("user-agent", ""))
        except optin.LinkNotValid as exc:
            return site.message(request, "link_bad_title", "link_expired" if exc.expired else "link_bad", 410)
        return site.message(request, "confirmed_title", "confirmed")

    async def get_unsubscribe(request: Request) -> Response:
        token = request.path_params["token"]
        return site.page(request, "button.html", "unsubscribe_title", intro=site.t["unsubscribe_intro"],
                         wording="", button=site.t["unsubscribe_button"], one_click=True,
                         action=f"{request.scope.get('root_path', '')}/unsubscribe/{token}")

    async def post_unsubscribe(request: Request) -> Response:
        # RFC 8058: a POST with List-Unsubscribe=One-Click withdraws at once: no login, no cookie, no
        # CSRF token (the mail client sends it), the token in the URL is the only authority
        data = await form(request)
        if data is None:
            return site.message(request, "too_large_title", "too_large", 413)
        if data.get("List-Unsubscribe") != "One-Click":
            return site.message(request, "error_title", "err.other", 400)
        await site.store(unsubscribe.unsubscribe, request.path_params["token"], ip=client_ip(request),
                         user_agent=request.headers.get("user-agent", ""))
        return site.message(request, "unsubscribed_title", "unsubscribed")  # the same for an unknown token

    async def hello(request: Request) -> Response:
        return PlainTextResponse("ok")  # the baseline for bench/, and a health check for the proxy

    async def not_found(request: Request, exc) -> Response:
        return site.message(request, "not_found_title", "not_found", 404)

    async def failed(request: Request, exc) -> Response:
        log.error("request failed: %s", type(exc).__name__)  # never the request: it may hold an address
        return site.message(request, "mail_down_title", "mail_down", 500)

    routes = [
        Route("/subscribe/{purpose}", get_subscribe, methods=["GET"]),
        Route("/subscribe/{purpose}", post_subscribe, methods=["POST"]),
        Route("/confirm/{token}", get_confirm, methods=["GET"]),
        Route("/confirm/{token}", post_confirm, methods=["POST"]),
        Route("/unsubscribe/{token}", get_unsubscribe, methods=["GET"]),
        Route("/unsubscribe/{token}", post_unsubscribe, methods=["POST"]),
        Route("/healthz", hello, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        async def expire_now_and_then():
            while True:  # unconfirmed sign-ups go when their link expires (store.optin.expire)
                try:
                    await site.store(optin.expire)
                except StoreError as exc:
                    log.warning("expiry pass failed: %s", type(exc).__name__)
                await anyio.sleep(EXPIRY_SECONDS)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(expire_now_and_then)
            yield
            tasks.cancel_scope.cancel()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found, Exception: failed})
    too_large = site.page(Request({"type": "http", "headers": []}), "message.html", "too_large_title", 413,
                          message=site.t["too_large"]).body
    return Guard(app, frame_ancestors=config["web.frame_ancestors"], too_large_page=bytes(too_large))

