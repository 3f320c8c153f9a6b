"""Each document as plain content: sections of paragraphs, lists and tables, in one language.

Built from the facts (facts.py), the measures read from the system (measures.py) and the
words (texts.py, agreements.py); rendering to Markdown, HTML or PDF is output.py's, which
escapes every string, so nothing here is markup and config text cannot become markup.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import retention
from ..bilingual import Bilingual
from ..processing import CATEGORIES, PURPOSES, RETENTION
from ..rights.report_texts import DATATILSYNET, LABELS, LEGAL_BASIS_DA
from .agreements import DPA, DPA_CLAUSES, STAFF, STAFF_ITEMS
from .facts import Facts, Party
from .texts import COMMON, FIELD_LABELS, NOTICE, NOTICE_SOURCES, RIGHTS, ROPA, SUBJECTS, TITLES


@dataclass
class Block:
    kind: str  # "p", "ul", "table"
    text: str = ""
    items: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def p(self, text: str) -> Section:
        self.blocks.append(Block("p", text=text))
        return self

    def ul(self, items) -> Section:
        self.blocks.append(Block("ul", items=list(items)))
        return self

    def table(self, headers, rows) -> Section:
        self.blocks.append(Block("table", headers=list(headers), rows=[list(r) for r in rows]))
        return self


@dataclass
class Document:
    kind: str
    lang: str
    title: str
    subtitle: str
    generated: str  # the date and the config it came from
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s


class _Writer:
    def __init__(self, facts: Facts, lang: str):
        self.f = facts
        self.lang = lang

    def t(self, text: Bilingual, **values) -> str:
        return text.in_language(self.lang, **values)

    def c(self, key: str, **values) -> str:
        return self.t(COMMON[key], **values)

    def named(self, entry) -> str:  # a processing.py purpose or category
        return entry.da if self.lang == "da" else entry.en

    # -- shared parts -----------------------------------------------------------------------

    def document(self, kind: str) -> Document:
        f = self.f
        generated = self.c("generated", date=f"{f.generated_at:%Y-%m-%d %H:%M}", path=f.config_path,
                           digest=f.config_digest[:16])
        return Document(kind, self.lang, self.t(TITLES[kind]), self.controller_name(), generated)

    def controller_name(self) -> str:
        return self.f.company.get("name") or self.c("unnamed")

    def controller_lines(self) -> list[str]:
        co = self.f.company
        lines = [self.controller_name()]
        for key in ("cvr", "address", "email"):
            lines.append(f"{self.c(key)}: {co.get(key) or self.c('not_set')}")
        return lines

    def dpo_line(self) -> str:
        co = self.f.company
        if co.get("dpo"):
            return f"{self.c('dpo')}: {co['dpo']}"
        return self.c("no_dpo", email=co.get("email") or self.c("not_set"))

    def basis(self, pid: str) -> str:
        p = PURPOSES[pid]
        return LEGAL_BASIS_DA.get(pid, p.lawful_basis) if self.lang == "da" else p.lawful_basis

    def purpose_name(self, pid: str) -> str:
        name = self.named(PURPOSES[pid])
        if pid == "marketing" and self.f.mailing_lists:  # the lists consent is asked for (consent.purposes)
            name += f" ({self.c('lists')}: {', '.join(self.f.mailing_lists)})"
        return name

    def purpose_rows(self) -> list[list[str]]:
        return [[self.purpose_name(pid), self.basis(pid),
                 ", ".join(self.named(CATEGORIES[c]) for c in CATEGORIES if c in self.f.purposes[pid])]
                for pid in PURPOSES if pid in self.f.purposes]

    def label(self, column: str) -> str:
        for labels in (FIELD_LABELS, LABELS):
            if column in labels:
                return self.t(labels[column])
        return column.replace("_", " ")

    def category_rows(self) -> list[list[str]]:
        """Each category with the fields that hold it (the link to the person itself left out)."""
        return [[self.named(CATEGORIES[cid]),
                 ", ".join(dict.fromkeys(self.label(col) for _t, col in self.f.categories[cid] if col != "contact"))]
                for cid in CATEGORIES if cid in self.f.categories]

    def subjects(self) -> list[str]:
        return [self.t(SUBJECTS[s]) for s in self.f.subjects]

    def retention_rows(self) -> list[list[str]]:
        """The erasure time limits: retention.describe, the jobs' own figures."""
        return [[self.named(CATEGORIES[cid]), "; ".join(retention.describe(r, self.lang, self.f.rules)
                                                       for r in RETENTION if r in self.f.retention_of[cid])]
                for cid in CATEGORIES if cid in self.f.retention_of]

    def retention_section(self, s: Section, *, to_the_person: bool = False) -> None:
        s.table([self.c("category"), self.c("period")], self.retention_rows())
        if to_the_person:  # the privacy notice speaks to the person, as the Art. 15 report does
            s.p(retention.erasure_proof_text(self.lang, self.f.rules))
        else:
            s.p(self.c("erasure_proof", years=self.f.rules.erasure_proof_years))

    def recipient_rows(self) -> list[list[str]]:
        rows = [[self.c("staff"), "", self.c("staff_role"), ""]]
        for kind, parties in (("processor", self.f.processors), ("sub_processor", self.f.sub_processors),
                              ("other", self.f.others)):
            for p in parties:
                role = f"{p.role} ({self.c('works_for')}: {p.works_for})" if p.works_for else p.role
                rows.append([p.name, self.c(kind), role, p.country])
        return rows

    def recipients_table(self, s: Section) -> None:
        s.table([self.c("name"), self.c("type"), self.c("role"), self.c("country")], self.recipient_rows())

    def transfers(self, s: Section) -> None:
        if self.f.transfers:
            s.table([self.c("name"), self.c("country"), self.c("safeguard")],
                    [[t.recipient, t.country, t.safeguard] for t in self.f.transfers])
        else:
            s.p(self.c("no_transfers"))

    # -- the documents ----------------------------------------------------------------------

    def ropa(self, system) -> Document:
        d = self.document("ropa")
        d.section("").p(self.t(ROPA["intro"]))
        d.section(self.t(ROPA["a"])).ul([*self.controller_lines(), self.dpo_line()])
        d.section(self.t(ROPA["b"])).table([self.c("purpose"), self.c("basis"), self.c("categories")],
                                           self.purpose_rows())
        d.section(self.t(ROPA["c_subjects"])).ul(self.subjects())
        data = d.section(self.t(ROPA["c_data"]))
        data.table([self.c("category"), self.c("fields")], self.category_rows())
        data.p(self.t(ROPA["no_special"]))
        self.recipients_table(d.section(self.t(ROPA["d"])))
        self.transfers(d.section(self.t(ROPA["e"])))
        f = d.section(self.t(ROPA["f"]))
        self.retention_section(f)
        today = self.f.generated_at.date()
        f.p(self.t(ROPA["f_invoice"], today=today.isoformat(),
                   until=retention.bookkeeping_retain_until(today, self.f.rules).isoformat()))
        d.section(self.t(ROPA["g"])).table([self.c("measure"), self.c("in_force")],
                                           [[self.t(m.title), self.t(m.status)] for m in system])
        return d

    def privacy_notice(self) -> Document:
        d = self.document("privacy-notice")
        n = NOTICE
        d.section("").p(self.t(n["intro"], controller=self.controller_name()))
        d.section(self.t(n["who"])).ul([*self.controller_lines(), self.dpo_line()])
        what = d.section(self.t(n["what"]))
        what.table([self.c("purpose"), self.c("basis"), self.c("categories")], self.purpose_rows())
        what.p(self.t(n["interest"]))
        what.p(self.t(n["required"]))
        d.section(self.t(n["source"])).ul(self.t(x) for x in NOTICE_SOURCES)
        rec = d.section(self.t(n["recipients"]))
        rec.p(self.t(n["recipients_text"]))
        self.recipients_table(rec)
        self.transfers(d.section(self.t(n["transfers"])))
        self.retention_section(d.section(self.t(n["retention"])), to_the_person=True)
        rights = d.section(self.t(n["rights"]))
        rights.ul(self.t(r) for r in RIGHTS)
        rights.p(self.t(n["rights_how"], email=self.f.company.get("email") or self.c("not_set")))
        d.section(self.t(n["automated"])).p(self.t(n["automated_text"]))
        d.section(self.t(n["complain"])).p(self.t(n["complain_text"])).ul(
            DATATILSYNET[k] for k in ("name", "address", "email", "web"))
        return d

    def dpa(self, processor: Party | None) -> Document:
        d = self.document("dpa")
        d.section("").p(self.t(DPA["intro"]))
        parties = d.section(self.t(DPA["parties"]))
        parties.p(f"{self.t(DPA['controller_party'])}: " + "; ".join(self.controller_lines()))
        who = f"{processor.name} ({processor.country})" if processor else self.t(DPA["blank"])
        parties.p(f"{self.t(DPA['processor_party'])}: {who}")
        scope = d.section(self.t(DPA["scope"]))
        scope.p(self.t(DPA["subject"], role=processor.role) if processor else self.t(DPA["subject_blank"]))
        scope.p(self.t(DPA["duration"]))
        scope.p(self.t(DPA["purposes"])).ul(self.purpose_name(p) for p in PURPOSES if p in self.f.purposes)
        d.section(self.t(DPA["data"])).table([self.c("category"), self.c("fields")], self.category_rows())
        d.section(self.t(DPA["subjects"])).ul(self.subjects())
        d.section(self.t(DPA["clauses"])).ul(self.t(DPA_CLAUSES[letter]) for letter in "abcdefgh")
        subs = d.section(self.t(DPA["subs"]))
        listed = self.f.subs_of(processor.name) if processor else self.f.sub_processors
        if listed:
            subs.table([self.c("name"), self.c("role"), self.c("country"), self.c("works_for")],
                       [[s.name, s.role, s.country, s.works_for] for s in listed])
        else:
            subs.p(self.t(DPA["no_subs"]))
        self.transfers(d.section(self.t(DPA["transfers"])))
        d.section(self.t(DPA["controller_duties"])).p(self.t(DPA["controller_text"]))
        d.section(self.t(DPA["signatures"])).p(self.t(DPA["sign_line"], party=self.controller_name())).p(
            self.t(DPA["sign_line"], party=processor.name if processor else self.t(DPA["processor_party"])))
        return d

    def staff_policy(self, idle_minutes: int) -> Document:
        d = self.document("staff-policy")
        d.section("").p(self.t(STAFF["intro"], controller=self.controller_name()))
        contact = self.f.company.get("dpo") or self.f.company.get("email") or self.c("not_set")
        for key, values in (("one_system", {}), ("notes", {}), ("requests", {}),
                            ("breach", {"contact": contact}), ("accounts", {"idle": idle_minutes})):
            d.section(self.t(STAFF[key])).ul(self.t(item, **values) for item in STAFF_ITEMS[key])
        self.retention_section(d.section(self.t(STAFF["retention"])))
        return d

    def processors(self) -> Document:
        d = self.document("processors")
        s = d.section(self.t(TITLES["processors"]))
        rows = []
        for p in self.f.processors:
            subs = ", ".join(f"{x.name} ({x.country})" for x in self.f.subs_of(p.name))
            rows.append([p.name, p.role, p.country, self.f.safeguard_of(p.name) or self.c("no_transfer_listed"),
                         subs or "-"])
        if rows:
            s.table([self.c("name"), self.c("role"), self.c("country"), self.c("safeguard"),
                     self.t(COMMON["sub_processor"]).capitalize()], rows)
        else:
            s.p(self.c("none"))
        if self.f.sub_processors:
            d.section(self.t(DPA["subs"])).table(
                [self.c("name"), self.c("role"), self.c("country"), self.c("works_for"), self.c("safeguard")],
                [[x.name, x.role, x.country, x.works_for, self.f.safeguard_of(x.name) or
                  self.c("no_transfer_listed")] for x in self.f.sub_processors])
        if self.f.others:
            d.section(self.c("other").capitalize()).table(
                [self.c("name"), self.c("role"), self.c("country")],
                [[x.name, x.role, x.country] for x in self.f.others])
        self.transfers(d.section(self.t(NOTICE["transfers"])))
        return d
