"""Column -> field mapping: what each source column becomes, saved as JSON or TOML.

A :class:`Mapping` is an *ordered* list of ``(source column, target)`` pairs.  Order
is priority: when several columns feed one field ("Mobile Phone", "Business Phone",
"Home Phone" -> ``phone``), the first non-empty one in mapping order becomes the
primary and the others ``extra_phones``/``extra_emails``, each with its label (all
are stored: store/contact_details.py), or are joined, for ``address`` and ``note``.
A column of the file that the mapping does not name is dropped, as is one mapped to ``"drop"``.

Targets (see :data:`TARGETS`):

- a MiniCRM field: ``first_name``, ``last_name``, ``title``, ``email``, ``phone``,
  ``company_name``, ``company_cvr``, ``address``, ``postcode``, ``city``, ``country``, ``tags``,
  ``owner``, ``lifecycle``, ``note``, or consent evidence ``consent_optin_time``,
  ``consent_optin_ip``, ``consent_confirm_time``, ``consent_confirm_ip``;
- ``name``: a full name, split into first and last name when those are empty;
- ``drop``: not imported;
- ``personN.<field>`` (N = 1..9; field one of first_name, last_name, name, email,
  phone, title): an extra person on the same row (Xero's Person1..Person5); each gives
  its own candidate sharing the row's company fields;
- ``address@<block>``, ``postcode@<block>``, ``city@<block>``, ``country@<block>``: an
  address block, e.g. ``@work`` and ``@home``.  The first block (in mapping order) with
  any value is used whole, so a business street is never paired with a home city.
- ``email@<key>``, ``phone@<key>``: an address or number whose label comes from the
  ``email_label@<key>``/``phone_label@<key>`` column of the same key (Google's
  ``E-mail 1 - Value`` and ``E-mail 1 - Label``); without one, from the key itself
  (``phone@mobile``), else from the column's header ("Mobile Phone": mobile).  A label
  starting with ``*`` (Google's primary marker) makes its address the primary one.

File format (JSON)::

    {"minicrm_import_mapping": 1, "layout": "danish_sheet",
     "columns": [{"source": "Navn", "target": "name"}, {"source": "Fax", "target": "drop"}]}

or TOML::

    minicrm_import_mapping = 1
    layout = "danish_sheet"
    [[columns]]
    source = "Navn"
    target = "name"

A plain table ``columns = {"Navn": "name", ...}`` (JSON object / TOML table) is read too.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MappingError
from .model import CONSENT_FIELDS, CONTACT_FIELDS

__all__ = ["Mapping", "Target", "TARGETS", "PERSON_FIELDS", "MappingError", "parse_target", "header_key"]

FORMAT_VERSION = 1

# The contact and consent fields, plus "name" (split into first and last name).
PLAIN_TARGETS: tuple[str, ...] = (*CONTACT_FIELDS[:2], "name", *CONTACT_FIELDS[2:], *CONSENT_FIELDS)
#: every plain target, plus "drop"; see the module doc for person and block forms
LABEL_TARGETS: tuple[str, ...] = ("email_label", "phone_label")
TARGETS: tuple[str, ...] = (*PLAIN_TARGETS, *LABEL_TARGETS, "drop")
PERSON_FIELDS: frozenset[str] = frozenset({"first_name", "last_name", "name", "email", "phone", "title"})
BLOCK_FIELDS: frozenset[str] = frozenset({"address", "postcode", "city", "country", "email", "phone",
                                          *LABEL_TARGETS})

_TARGET_RE = re.compile(r"^(?:person([1-9])\.)?([a-z_]+)(?:@([A-Za-z0-9_-]{1,30}))?$")


@dataclass(frozen=True)
class Target:
    """A parsed target string."""

    field: str  # a PLAIN_TARGETS name or "drop"
    person: int = 0  # 0 = the row's main contact
    block: str = ""  # address block label ("" = default)

    def __str__(self) -> str:
        s = self.field
        if self.person:
            s = f"person{self.person}.{s}"
        if self.block:
            s = f"{s}@{self.block}"
        return s

    @property
    def dropped(self) -> bool:
        return self.field == "drop"


DROP = Target("drop")


def parse_target(text: str) -> Target:
    """Parse ``"phone"``, ``"person2.email"``, ``"city@home"``, ``"drop"``; raise MappingError."""
    t = text.strip()
    if t in ("", "-", "none", "ignore", "skip"):
        return DROP
    m = _TARGET_RE.match(t)
    if not m:
        raise MappingError(f"unknown target {text!r}")
    person, name, block = m.groups()
    if name not in TARGETS:
        raise MappingError(f"unknown target {text!r} (known: {', '.join(TARGETS)})")
    if person and name not in PERSON_FIELDS:
        raise MappingError(f"{text!r}: a person can only have {', '.join(sorted(PERSON_FIELDS))}")
    if block and name not in BLOCK_FIELDS:
        raise MappingError(f"{text!r}: only address, postcode, city, country, email, phone and their "
                           "labels take an @block")
    if name == "drop" and (person or block):
        raise MappingError(f"unknown target {text!r}")
    return Target(name, int(person or 0), block or "")


def header_key(header: str) -> str:
    """How headers are compared: case-insensitive, spaces collapsed, a leading ``*``
    (Xero's required marker) and a BOM removed."""
    h = header.replace("\ufeff", "").strip().lstrip("*").strip()
    return " ".join(h.split()).casefold()


@dataclass
class Mapping:
    """Ordered ``(source column, target)`` pairs; see the module documentation."""

    columns: list[tuple[str, str]] = field(default_factory=list)
    layout: str | None = None

    def __post_init__(self) -> None:
        clean: list[tuple[str, str]] = []
        for source, target in self.columns:
            clean.append((str(source).strip(), str(parse_target(str(target)))))
        self.columns = clean

    # -- queries --
    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def target_for(self, column: str) -> str:
        """The target of ``column`` (``"drop"`` when not mapped)."""
        key = header_key(column)
        for source, target in self.columns:
            if header_key(source) == key:
                return target
        return "drop"

    def as_dict(self) -> dict[str, str]:
        """``{column: target}`` (first entry wins for repeated columns)."""
        out: dict[str, str] = {}
        for source, target in self.columns:
            out.setdefault(source, target)
        return out

    # -- editing (for a mapping wizard) --
    def with_target(self, column: str, target: str) -> Mapping:
        """A copy with ``column`` mapped to ``target`` (appended if new)."""
        target = str(parse_target(target))
        key = header_key(column)
        cols = list(self.columns)
        for i, (source, _) in enumerate(cols):
            if header_key(source) == key:
                cols[i] = (source, target)
                break
        else:
            cols.append((column.strip(), target))
        return Mapping(cols, self.layout)

    # -- (de)serialising --
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"minicrm_import_mapping": FORMAT_VERSION}
        if self.layout:
            out["layout"] = self.layout
        out["columns"] = [{"source": s, "target": t} for s, t in self.columns]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Mapping:
        if not isinstance(data, dict):
            raise MappingError("a mapping is a table with a 'columns' entry")
        version = data.get("minicrm_import_mapping", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise MappingError(f"unsupported mapping version {version!r}")
        raw = data.get("columns")
        pairs: list[tuple[str, str]] = []
        if isinstance(raw, dict):
            pairs = [(str(k), str(v)) for k, v in raw.items()]
        elif isinstance(raw, list):
            for i, item in enumerate(raw, 1):
                if isinstance(item, dict) and "source" in item:
                    pairs.append((str(item["source"]), str(item.get("target", "drop"))))
                elif isinstance(item, (list, tuple)) and len(item) == 2:
                    pairs.append((str(item[0]), str(item[1])))
                else:
                    raise MappingError(f"columns entry {i}: expected source and target")
        else:
            raise MappingError("a mapping needs 'columns'")
        layout = data.get("layout")
        return cls(pairs, str(layout) if layout else None)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_toml(self) -> str:
        def q(s: str) -> str:
            return json.dumps(s, ensure_ascii=False)  # JSON escapes are valid TOML basic strings

        lines = [f"minicrm_import_mapping = {FORMAT_VERSION}"]
        if self.layout:
            lines.append(f"layout = {q(self.layout)}")
        for source, target in self.columns:
            lines += ["", "[[columns]]", f"source = {q(source)}", f"target = {q(target)}"]
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path) -> None:
        """Write as TOML when the name ends in ``.toml``, else as JSON."""
        p = Path(path)
        text = self.to_toml() if p.suffix.lower() == ".toml" else self.to_json()
        p.write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read a ``.toml`` or ``.json`` mapping file; raises :class:`MappingError`."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{p.name}: cannot read mapping ({exc})") from None
        try:
            if p.suffix.lower() == ".toml":
                data = tomllib.loads(text)
            else:
                data = json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise MappingError(f"{p.name}: not a valid mapping file ({exc})") from None
        try:
            return cls.from_dict(data)
        except MappingError as exc:
            raise MappingError(f"{p.name}: {exc}") from None

    @classmethod
    def coerce(cls, value: Mapping | dict[str, Any] | Iterable[tuple[str, str]] | str | Path) -> Mapping:
        """Accept a Mapping, a ``{column: target}`` dict, a mapping dict as saved, a list
        of pairs, or a path to a saved file."""
        if isinstance(value, Mapping):
            return value
        if isinstance(value, (str, Path)):
            return cls.load(value)
        if isinstance(value, dict):
            if "columns" in value:
                return cls.from_dict(value)
            return cls([(str(k), str(v)) for k, v in value.items()])
        return cls([(str(s), str(t)) for s, t in value])
