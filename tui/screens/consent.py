"""Consent for one contact: per purpose, its status, the exact text it was
given under, its evidence and full history.

Record consent given by phone, on paper or in person (method, date, the
published text version agreed to, an evidence note), or withdraw it.  Web-form
consent arrives by itself (double opt-in) and shows here too, as does a
withdrawal by the one-click unsubscribe link, the moment it is made.  An admin
publishes a new text version here (earlier consents keep theirs).
"""
from __future__ import annotations

import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Select, Static

from .. import bindings, safe, vocab
from ..i18n import _, fmt_date, fmt_datetime, parse_date
from ..messages import StoreChanged
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseScreen
from .forms import FormModal, date_row


class ConsentScreen(BaseScreen):
    BINDING_GROUP = "consent"
    BINDINGS = bindings.for_screen("consent")
    CSS_PATH = "consent.tcss"

    def __init__(self, contact_id: int, name: str = ""):
        super().__init__()
        self.contact_id = contact_id
        self.person = name
        self.consents = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(_("Consent per purpose (select a row to see its history)"), classes="caption",
                     markup=False)
        yield DataTable(id="purposes", cursor_type="row")
        yield Static("", id="wording", markup=False)
        yield Static(_("History"), classes="caption", markup=False)
        yield DataTable(id="events", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Consent: {name}").format(name=safe.clean(self.person))
        self.query_one("#purposes", DataTable).add_columns(
            _("Purpose"), _("Status"), _("Since"), _("Method"), _("Text version"))
        self.query_one("#events", DataTable).add_columns(
            _("When"), _("Event"), _("Method"), _("Text version"), _("By"), _("Evidence"))
        self.load()
        self.query_one("#purposes").focus()

    @work(exclusive=True, group="consent-load")
    async def load(self) -> None:
        from store import consent

        self.consents = await self.call_store(consent.consents_of, self.contact_id)
        if self.is_attached:
            self.show()

    def rows(self):
        """One row per purpose: the consent on email (the channel we market on), else any."""
        from store.consent_texts import purposes

        by_purpose = {}
        for c in self.consents:
            if c.purpose not in by_purpose or c.channel == "email":
                by_purpose[c.purpose] = c
        return [(p, by_purpose.get(p)) for p in purposes()]

    def show(self) -> None:
        table = self.query_one("#purposes", DataTable)
        keep = table.cursor_row or 0
        table.clear()
        for purpose, c in self.rows():
            if c is None:
                table.add_row(safe.text(vocab.label(purpose)), safe.text(_("None")), safe.text(""),
                              safe.text(""), safe.text(""), key=purpose)
            else:
                since = c.withdrawn_at if c.status == "withdrawn" else c.given_at
                status = vocab.label(c.status)
                if c.proof_missing:
                    status = _("Proof missing")
                elif c.needs_repermission:
                    status = _("{status}, ask again").format(status=status)
                table.add_row(safe.text(vocab.label(purpose)), safe.text(status),
                              safe.text(fmt_date(since)), safe.text(vocab.label(c.method)),
                              safe.text(c.text_version), key=purpose)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self.show_events()

    def selected(self):
        table = self.query_one("#purposes", DataTable)
        rows = self.rows()
        index = table.cursor_row or 0
        return rows[index] if 0 <= index < len(rows) else (None, None)

    def show_events(self) -> None:
        events = self.query_one("#events", DataTable)
        events.clear()
        _purpose, c = self.selected()
        self.query_one("#wording", Static).update(safe.content(self.wording_of(c)))
        if c is None:
            return
        for index, e in enumerate(c.events):
            events.add_row(safe.text(fmt_datetime(e.at)), safe.text(vocab.label(e.event)),
                           safe.text(vocab.label(e.method)), safe.text(e.text_version),
                           safe.text(e.actor), safe.text(e.evidence), key=str(index))

    @staticmethod
    def wording_of(c) -> str:
        """The exact text the consent was given under, with its hash: the proof a person is shown."""
        if c is None:
            return ""
        if c.proof_missing:
            return _("Proof missing: the imported file gave no consent date. This consent is never used "
                     "for sending.")
        if not c.wording:
            return _("Text: {version} (no wording kept)").format(version=c.text_version)
        return _("Text {version} (SHA-256 {digest}): {wording}").format(
            version=c.text_version, digest=c.text_sha256[:12], wording=c.wording)

    @on(DataTable.RowHighlighted, "#purposes")
    def _highlighted(self) -> None:
        self.show_events()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.touches("contact", self.contact_id) or message.touches("consent"):
            self.load()

    def check_action(self, action: str, parameters) -> bool | None:
        scope = self.app.scope
        if action == "publish":
            return scope is not None and scope.can("consent.publish")
        if action == "campaign":
            return scope is not None and scope.can("mailing.send")
        if action in ("record", "withdraw"):
            if scope is None or not scope.can("consent.write"):
                return False
            if action == "withdraw":
                _purpose, c = self.selected() if self.is_mounted else (None, None)
                return None if c is None or c.status != "given" else True
        return True

    @on(DataTable.RowHighlighted)
    def _refresh_keys(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(group="consent-write")
    async def action_record(self) -> None:
        from store import consent, consent_texts

        purpose, _c = self.selected()
        texts = await self.call_store(consent_texts.published)
        result = await self.app.push_screen_wait(RecordConsentModal(purpose or "newsletter", texts))
        if not result:
            return
        await self.call_store(consent.record_consent, self.contact_id, result.pop("purpose"), **result)
        self.app.tell(_("Consent recorded."))
        self.load()

    @work(group="consent-write")
    async def action_withdraw(self) -> None:
        from store import consent

        purpose, c = self.selected()
        if c is None or c.status != "given":
            self.app.tell(_("There is no given consent to withdraw."), severity="warning")
            return
        result = await self.app.push_screen_wait(WithdrawConsentModal(purpose))
        if not result:
            return
        await self.call_store(consent.withdraw_consent, self.contact_id, purpose, channel=c.channel,
                              **result)
        self.app.tell(_("Consent withdrawn."))
        self.load()


    @work(group="consent-write")
    async def action_publish(self) -> None:
        from store import consent_texts

        purpose, _c = self.selected()
        result = await self.app.push_screen_wait(PublishTextModal(purpose or "newsletter"))
        if not result:
            return
        text = await self.call_store(consent_texts.publish_text, result["purpose"], result["language"],
                                     result["wording"])
        if text is not None:
            self.app.tell(_("Published {version}. Earlier consents keep the text they were given under.").format(
                version=text.label))


    @work(group="consent-write")
    async def action_campaign(self) -> None:
        """A campaign to a list: first who would get it (counts), then, confirmed, the sending."""
        from store.campaigns import send_campaign

        from .forms import ConfirmModal

        purpose, _c = self.selected()
        form = await self.app.push_screen_wait(CampaignModal(purpose or "newsletter"))
        if not form:
            return
        dry = await self.call_store(send_campaign, form["list_name"], form["subject"], form["body"], dry_run=True)
        if dry is None:
            return
        left_out = sum(dry.skipped.values())
        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Send campaign"), _("Send \"{subject}\" to {count} people? {skipped} with a consent row are "
                                  "left out (withdrawn, restricted, archived, no proof or too old).").format(
                subject=safe.clean(form["subject"]), count=len(dry.would_send), skipped=left_out)))
        if not ok:
            return
        report = await self.call_store(send_campaign, form["list_name"], form["subject"], form["body"])
        if report is not None:
            self.app.tell(_("Campaign {id}: sent {sent}, failed {failed}, skipped {skipped}.").format(
                id=report.campaign_id, sent=report.sent, failed=report.failed,
                skipped=sum(report.skipped.values())))


def _text_options(texts, purpose: str) -> list[tuple[str, int]]:
    """Published versions of one purpose, newest first: 'newsletter-da-v2: Ja tak, ...'."""
    out = []
    for t in texts:
        if t.purpose == purpose:
            first_words = safe.clean(t.wording)[:50]
            out.append((f"{t.label}: {first_words}", t.id))
    return out


class RecordConsentModal(FormModal):
    def __init__(self, purpose: str, texts=()):
        self.TITLE_TEXT = _("Record consent")
        self.purpose = purpose
        self.texts = list(texts)
        super().__init__()

    def fields(self):
        from store.consent import MANUAL_METHODS
        from store.consent_texts import purposes

        from ..i18n import fmt_date as today_text

        yield self.row(_("Purpose"), Select(vocab.options(purposes()), value=self.purpose,
                                            allow_blank=False, id="purpose"))
        yield self.row(_("Method"), Select(vocab.options(MANUAL_METHODS), value="phone",
                                           allow_blank=False, id="method"))
        yield date_row(self, _("Date given"), "date", today_text(dt.date.today()))
        options = _text_options(self.texts, self.purpose)
        yield self.row(_("Text version"), Select(options, value=options[0][1] if options else Select.NULL,
                                                 prompt=_("No published text"), id="text_version"))
        yield self.row(_("Evidence"), Field(id="evidence", max_length=1000,
                                            placeholder=_("who said yes, to whom, where it is filed")))

    def on_mount(self) -> None:
        self.query_one("#evidence").focus()

    @on(Select.Changed, "#purpose")
    def _purpose_changed(self, event: Select.Changed) -> None:
        options = _text_options(self.texts, str(event.value))
        select = self.query_one("#text_version", Select)
        select.set_options(options)
        if options:
            select.value = options[0][1]

    def result(self):
        try:
            given_on = parse_date(self.value("#date"))
        except ValueError:
            self.error(_("The date is not valid (for example {example}).").format(
                example=fmt_date(dt.date.today())))
            return None
        if given_on > dt.date.today():
            self.error(_("The date must not be in the future."))
            return None
        if self.value("#text_version") is None:
            self.error(_("Which published consent text did the person agree to?"))
            return None
        if not self.value("#evidence").strip():
            self.error(_("Describe the evidence: how and where the consent was given."))
            return None
        return {"purpose": self.value("#purpose"), "method": self.value("#method"), "given_on": given_on,
                "text_id": self.value("#text_version"), "evidence": self.value("#evidence")}


class WithdrawConsentModal(FormModal):
    def __init__(self, purpose: str):
        self.TITLE_TEXT = _("Withdraw consent: {purpose}").format(purpose=vocab.label(purpose))
        super().__init__()

    def fields(self):
        from store.consent import WITHDRAW_METHODS

        yield self.row(_("How"), Select(vocab.options(WITHDRAW_METHODS), value="phone", allow_blank=False,
                                        id="method"))
        yield self.row(_("Note"), Field(id="evidence", max_length=1000,
                                        placeholder=_("optional: how the person asked")))

    def on_mount(self) -> None:
        self.query_one("#method").focus()

    def result(self):
        return {"method": self.value("#method"), "evidence": self.value("#evidence")}


class PublishTextModal(FormModal):
    """A new version of one purpose's consent text; it must say how to withdraw (the store checks)."""

    def __init__(self, purpose: str):
        self.TITLE_TEXT = _("Publish a new consent text")
        self.purpose = purpose
        super().__init__()

    def fields(self):
        from textual.widgets import TextArea

        from store.consent_texts import LANGUAGES, purposes

        yield self.row(_("Purpose"), Select(vocab.options(purposes()), value=self.purpose,
                                            allow_blank=False, id="purpose"))
        yield self.row(_("Language"), Select([(lang, lang) for lang in LANGUAGES], value=LANGUAGES[0],
                                             allow_blank=False, id="language"))
        yield Static(_("The exact wording, including how to withdraw consent:"), markup=False)
        yield TextArea(id="wording", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.query_one("#wording").focus()

    def result(self):
        wording = self.value("#wording").strip()
        if not wording:
            self.error(_("Write the wording of the consent text."))
            return None
        return {"purpose": self.value("#purpose"), "language": self.value("#language"), "wording": wording}


class CampaignModal(FormModal):
    """List, subject and body of a marketing mail; the store adds each person's unsubscribe link."""

    def __init__(self, purpose: str):
        self.TITLE_TEXT = _("Send campaign")
        self.purpose = purpose
        super().__init__()

    def fields(self):
        from textual.widgets import TextArea

        from store.consent_texts import purposes

        yield self.row(_("List"), Select(vocab.options(purposes()), value=self.purpose, allow_blank=False,
                                         id="list_name"))
        yield self.row(_("Subject"), Field(id="subject", max_length=200))
        yield Static(_("The mail's text (an unsubscribe link is added to every mail):"), markup=False)
        yield TextArea(id="body", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.query_one("#subject").focus()

    def result(self):
        if not self.value("#subject").strip():
            self.error(_("Write a subject."))
            return None
        if not self.value("#body").strip():
            self.error(_("Write the mail's text."))
            return None
        return {"list_name": self.value("#list_name"), "subject": self.value("#subject"),
                "body": self.value("#body")}
