"""vCard 2.1, 3.0 and 4.0 files as a stream of candidates.

A tolerant line-based parser (no third-party vCard library): real exports break the
rules, and a bad card must cost that card, not the import.

- line ends LF, CRLF, CR CR LF (iPhone) and bare CR; folded lines (a leading space
  or tab continues the previous line);
- ``ENCODING=QUOTED-PRINTABLE`` with ``CHARSET`` (any Python codec, e.g. Shift_JIS),
  soft line breaks, continuation lines starting in column 0 or with a space;
- grouped properties (``item1.EMAIL`` + ``item1.X-ABLabel``), several TEL/EMAIL with
  TYPE params (``TEL;CELL;PREF``, ``TEL;TYPE=work,voice``, ``TYPE="a,b"``);
- PHOTO/LOGO/SOUND/KEY and any base64 value are skipped, never decoded or kept
  (vCard 2.1 base64 ends at a blank line or at the next property);
- nested cards are read as separate cards; a card with no ``END:VCARD`` (truncated
  file), an over-long line, or nothing to import is skipped with a reason;
- Android's ``#`` comment lines are ignored.

Values are decoded from bytes per property: ``CHARSET`` if given, else the file's
encoding (UTF-8 by default; a vCard 2.1 value that is not UTF-8 is read as cp1252).
"""

from __future__ import annotations

import codecs
import io
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..contact_points import label_of
from .mapping import Target
from .model import Candidate, ImportFileError, ImportSummary, Issue
from .rows import CandidateBuilder, Slot

__all__ = ["VCardReader", "MAX_LINE_BYTES", "MAX_CARD_BYTES"]

MAX_LINE_BYTES = 1024 * 1024  # a longer physical line skips its card
MAX_CARD_BYTES = 8 * 1024 * 1024  # text kept per card (binary values are not kept)
MAX_NESTING = 4

_PROP_RE = re.compile(rb"^[ \t]*([A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[ \t]*([;:])")
_BINARY_PROPS = frozenset({b"PHOTO", b"LOGO", b"SOUND", b"KEY", b"AGENT"})
_SKIP_TEL_TYPES = frozenset({"FAX", "PAGER", "MODEM", "TEXTPHONE", "TTY"})
_USED = frozenset({"BEGIN", "END", "VERSION", "N", "FN", "ORG", "TITLE", "EMAIL", "TEL",
                   "ADR", "NOTE", "CATEGORIES", "X-ABLABEL"})
_LABEL_TYPES = {"WORK": "work", "HOME": "private", "CELL": "mobile", "MOBILE": "mobile", "IPHONE": "mobile"}


def _label(types: set[str], custom: str | None) -> str:
    """An EMAIL's or TEL's label: its TYPE (WORK, HOME, CELL), else Apple's X-ABLabel."""
    for t in ("CELL", "MOBILE", "IPHONE", "WORK", "HOME"):
        if t in types:
            return _LABEL_TYPES[t]
    return label_of(custom)


@dataclass
class _Prop:
    line: int
    group: str
    name: str
    params: list[tuple[str, str]]  # (NAME, value) upper-cased names; bare params -> TYPE
    raw: bytearray
    qp: bool = False
    binary: bool = False

    def param(self, key: str) -> str | None:
        for k, v in self.params:
            if k == key:
                return v
        return None

    def types(self) -> set[str]:
        out: set[str] = set()
        for k, v in self.params:
            if k == "TYPE":
                out.update(t.strip().upper() for t in v.split(",") if t.strip())
            elif k == "PREF":
                out.add("PREF")
        return out


@dataclass
class _Card:
    line: int
    props: list[_Prop] = field(default_factory=list)
    version: str = "2.1"
    size: int = 0
    problem: str | None = None


def _split_params(head: bytes) -> list[tuple[str, str]]:
    """``;TYPE=a,b;CELL;X-X="q;:"`` -> [("TYPE","a,b"), ("TYPE","CELL"), ("X-X","q;:")]."""
    params: list[tuple[str, str]] = []
    text = head.decode("utf-8", errors="replace")
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            continue
        if ch == ";" and not quoted:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            params.append((k.strip().upper(), v.strip()))
        else:
            up = part.upper()
            if up in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"):
                params.append(("ENCODING", up))
            elif up == "PREF":
                params.append(("PREF", "1"))
            else:
                params.append(("TYPE", up))
    return params


def _split_value_start(line: bytes, after_name: int) -> tuple[bytes, bytes] | None:
    """Split ``;params:value`` at the first ``:`` outside double quotes."""
    quoted = False
    for i in range(after_name, len(line)):
        c = line[i]
        if c == 0x22:  # "
            quoted = not quoted
        elif c == 0x3A and not quoted:  # :
            return line[after_name:i], line[i + 1 :]
    return None


def _unescape(text: str) -> str:
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _components(text: str, sep: str = ";") -> list[str]:
    """Split on unescaped ``sep`` and unescape each part."""
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append(_unescape("".join(buf)))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append(_unescape("".join(buf)))
    return parts


class VCardReader:
    """Iterate candidates from a vCard file.  ``summary.dropped_columns`` lists the
    property names that were not imported (complete once iteration has finished)."""

    def __init__(self, path: Path, encoding: str, summary: ImportSummary, *, region: str) -> None:
        self.path = path
        self.encoding = encoding
        self.summary = summary
        self.builder = CandidateBuilder(path.name, region=region)
        name = codecs.lookup(encoding).name
        unicode = name in ("utf-8", "utf-8-sig") or name.startswith(("utf-16", "utf-32"))
        self._default_charset = "utf-8" if unicode else name
        self._check_has_cards()
        summary.layout = "vcard"

    # -- physical lines --
    def _check_has_cards(self) -> None:
        for _, line in self._lines(limit_lines=200):
            if line.strip().upper().startswith(b"BEGIN:VCARD"):
                return
        raise ImportFileError(self.path, "no vCard in the file (no BEGIN:VCARD line)")

    def _lines(self, limit_lines: int | None = None) -> Iterator[tuple[int, bytes]]:
        """(line number, bytes without line end).  An over-long line yields ``None``-like
        marker ``b"\\x00TOO-LONG"`` after discarding the rest of it."""
        name = codecs.lookup(self.encoding).name
        count = 0
        if name.startswith(("utf-16", "utf-32")):
            with self.path.open("r", encoding=self.encoding, errors="replace", newline=None) as fh:
                while True:
                    text = fh.readline(MAX_LINE_BYTES)
                    if not text:
                        return
                    count += 1
                    if len(text) >= MAX_LINE_BYTES and not text.endswith("\n"):
                        while text and not text.endswith("\n"):
                            text = fh.readline(MAX_LINE_BYTES)
                        yield count, b"\x00TOO-LONG"
                    else:
                        yield count, text.rstrip("\r\n").encode("utf-8")
                    if limit_lines and count >= limit_lines:
                        return
            return
        with self.path.open("rb") as raw:
            head = raw.read(65536)
            raw.seek(0)
            bare_cr = b"\r" in head and b"\n" not in head
            stream = io.TextIOWrapper(raw, encoding="latin-1", newline=None) if bare_cr else raw
            while True:
                line = stream.readline(MAX_LINE_BYTES)
                if not line:
                    return
                if isinstance(line, str):
                    line = line.encode("latin-1")
                count += 1
                if count == 1 and line.startswith(codecs.BOM_UTF8):
                    line = line[3:]
                if len(line) >= MAX_LINE_BYTES and not line.endswith(b"\n"):
                    while line and not line.endswith(b"\n"):
                        line = stream.readline(MAX_LINE_BYTES)
                        if isinstance(line, str):
                            line = line.encode("latin-1")
                    yield count, b"\x00TOO-LONG"
                else:
                    yield count, line.rstrip(b"\r\n")
                if limit_lines and count >= limit_lines:
                    return

    # -- cards --
    def _cards(self) -> Iterator[_Card]:
        stack: list[_Card] = []
        cur: _Prop | None = None
        mode = "normal"  # "qp": inside a soft-broken QP value; "b64": skipping base64 lines

        def finish() -> None:
            nonlocal cur, mode
            if cur is not None and stack and not cur.binary:
                card = stack[-1]
                card.size += len(cur.raw)
                if card.size > MAX_CARD_BYTES:
                    card.problem = card.problem or "the card is too large"
                else:
                    card.props.append(cur)
            cur = None
            mode = "normal"

        for number, line in self._lines():
            if line == b"\x00TOO-LONG":
                if stack:
                    stack[-1].problem = stack[-1].problem or f"line {number} is longer than {MAX_LINE_BYTES:,} bytes"
                cur = None
                mode = "normal"
                continue
            if mode == "qp" and cur is not None:
                cur.raw += b"\n" + line
                if not line.endswith(b"="):
                    mode = "normal"
                continue
            if mode == "b64":
                if not line.strip():
                    finish()
                    continue
                if line[:1] in (b" ", b"\t") or not _PROP_RE.match(line):
                    continue  # base64 body, not kept
                finish()
            if not line.strip():
                finish()
                continue
            if line[:1] in (b" ", b"\t"):
                if cur is not None:
                    if cur.binary:
                        continue
                    cur.raw += line[1:]
                    if cur.qp and line.endswith(b"="):
                        mode = "qp"
                continue
            if line.startswith(b"#"):
                continue
            m = _PROP_RE.match(line)
            split = _split_value_start(line, m.end(2)) if m else None
            if not m or split is None:
                if cur is not None and cur.raw.endswith(b"\\") and not cur.binary:
                    cur.raw += b"\n" + line  # Android: a value continued after a backslash
                continue  # not a property line: ignored
            finish()
            group = (m.group(1) or b"")[:-1].decode("ascii", "replace")
            name_b = m.group(2).upper()
            name = name_b.decode("ascii")
            params_b, value = split
            if name == "BEGIN" and value.strip().upper() == b"VCARD":
                if len(stack) >= MAX_NESTING:
                    stack[-1].problem = stack[-1].problem or "cards nested too deeply"
                    continue
                stack.append(_Card(number))
                continue
            if name == "END" and value.strip().upper() == b"VCARD":
                if stack:
                    yield stack.pop()
                continue
            if not stack:
                continue  # text outside any card
            cur, mode = _property(stack[-1], number, group, name_b, params_b, value)
        finish()
        for card in stack:
            card.problem = "the card has no END:VCARD (truncated file?)"
            yield card

    # -- values --
    def _text(self, prop: _Prop, version: str) -> str:
        raw = bytes(prop.raw)
        if prop.qp:
            raw = quopri.decodestring(raw.replace(b"\r\n", b"\n"))
        charset = prop.param("CHARSET")
        if charset:
            try:
                return raw.decode(charset, errors="replace")
            except LookupError:
                pass
        try:
            return raw.decode(self._default_charset)
        except UnicodeDecodeError:
            if version.startswith("2"):
                return raw.decode("cp1252", errors="replace")
            return raw.decode(self._default_charset, errors="replace")
        except LookupError:
            return raw.decode("utf-8", errors="replace")

    def _entries(self, card: _Card) -> list[tuple[Slot, str]]:
        entries: list[tuple[Slot, str]] = []
        emails: list[tuple[int, str, str]] = []
        tels: list[tuple[int, str, str]] = []
        adrs: list[tuple[int, list[str]]] = []
        version = card.version
        # Apple's item1.EMAIL + item1.X-ABLabel:_$!<Work>!$_ : the label of the grouped property
        custom = {prop.group: self._text(prop, version) for prop in card.props
                  if prop.name == "X-ABLABEL" and prop.group and not prop.binary}
        for prop in card.props:
            name = prop.name
            if prop.binary or name not in _USED:
                if name not in ("BEGIN", "END"):
                    self.summary.drop_column(name)
                continue
            if name in ("BEGIN", "END", "VERSION", "X-ABLABEL"):
                continue
            text = self._text(prop, version)
            types = prop.types()
            rank = 0 if "PREF" in types else 1
            if name == "N":
                parts = _components(text) + [""] * 5
                family, given, additional = parts[0], parts[1], parts[2]
                if given.strip():
                    entries.append((Slot("N", Target("first_name")), given))
                if additional.strip():
                    entries.append((Slot("N", Target("first_name")), " ".join(additional.replace(",", " ").split())))
                if family.strip():
                    entries.append((Slot("N", Target("last_name")), family))
            elif name == "FN":
                entries.append((Slot("FN", Target("name")), _unescape(text)))
            elif name == "ORG":
                org = _components(text)[0]
                entries.append((Slot("ORG", Target("company_name")), org))
            elif name == "TITLE":
                entries.append((Slot("TITLE", Target("title")), _unescape(text)))
            elif name == "EMAIL":
                emails.append((rank, _unescape(text), _label(types, custom.get(prop.group))))
            elif name == "TEL":
                if types & _SKIP_TEL_TYPES:
                    self.summary.drop_column("TEL (fax/pager)")
                    continue
                value = _unescape(text).strip()
                if value.lower().startswith(("sip:", "http")):
                    continue
                rank_tel = rank if rank == 0 else (1 if "CELL" in types else 2)
                tels.append((rank_tel, value, _label(types, custom.get(prop.group))))
            elif name == "ADR":
                adrs.append((rank, _components(text) + [""] * 7))
            elif name == "NOTE":
                entries.append((Slot("NOTE", Target("note")), _unescape(text)))
            elif name == "CATEGORIES":
                cats = [c.strip() for c in _components(text, ",") if c.strip()]
                entries.append((Slot("CATEGORIES", Target("tags")), ";".join(cats)))
        for _, value, label in sorted(emails, key=lambda e: e[0]):
            entries.append((Slot("EMAIL", Target("email"), label=label), value))
        for _, value, label in sorted(tels, key=lambda t: t[0]):
            entries.append((Slot("TEL", Target("phone"), label=label), value))
        for i, (_, parts) in enumerate(sorted(adrs, key=lambda a: a[0])):
            _pobox, ext, street, city, _region, postcode = parts[:6]
            block = str(i)
            lines = [p for p in (street, ext) if p.strip()]
            if lines:
                entries.append((Slot("ADR", Target("address", block=block)), "\n".join(lines)))
            if postcode.strip():
                entries.append((Slot("ADR", Target("postcode", block=block)), postcode))
            if city.strip():
                entries.append((Slot("ADR", Target("city", block=block)), city))
            if len(parts) > 6 and parts[6].strip():
                entries.append((Slot("ADR", Target("country", block=block)), parts[6]))
        return entries

    def __iter__(self) -> Iterator[Candidate]:
        summary = self.summary
        name = self.path.name
        for card in self._cards():
            summary.records += 1
            if card.problem:
                summary.add_skipped(Issue(name, card.line, f"card skipped: {card.problem}"))
                continue
            try:
                cands, skipped = self.builder.build(card.line, self._entries(card))
            except Exception as exc:  # noqa: BLE001 - never let one odd card stop the import
                summary.add_skipped(
                    Issue(name, card.line, f"card skipped: could not be read ({type(exc).__name__})")
                )
                continue
            if skipped is not None:
                summary.add_skipped(Issue(name, card.line, f"card skipped: {skipped.message}"))
                continue
            if not cands:
                summary.add_skipped(Issue(name, card.line, "card skipped: the card is empty"))
                continue
            for cand in cands:
                summary.count(cand)
                yield cand
        summary.finished = True


def _property(card: _Card, number: int, group: str, name_b: bytes, params_b: bytes,
              value: bytes) -> tuple[_Prop, str]:
    """A property line of `card` as a _Prop, and the reading mode that follows it:
    "b64" for a binary value (noted as dropped, never kept), "qp" for a soft-broken
    quoted-printable value, else "normal"."""
    name = name_b.decode("ascii")
    prop = _Prop(number, group, name, _split_params(params_b), bytearray(value))
    enc = (prop.param("ENCODING") or "").upper()
    if name_b in _BINARY_PROPS or enc in ("BASE64", "B"):
        prop.binary = True
        prop.raw = bytearray()
        card.props.append(prop)  # noted (as dropped), value not kept
        return prop, "b64"
    if name == "VERSION":
        card.version = value.strip().decode("ascii", "replace")
    if enc == "QUOTED-PRINTABLE":
        prop.qp = True
        if value.endswith(b"="):
            return prop, "qp"
    return prop, "normal"
