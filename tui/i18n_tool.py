"""Keep the gettext catalogues in step with the code.

    python -m tui.i18n_tool update   # add new msgids to tui/locale/*/minicrm.po, drop dead ones
    python -m tui.i18n_tool compile  # .po -> .mo (both are committed; the .mo is what runs)
    python -m tui.i18n_tool check    # exit 1 if a msgid lacks a Danish translation or a .mo is stale

Pure Python (no xgettext/msgfmt needed): msgids are found with `ast` in calls
to `_("...")`, `N_("...")` and `ngettext("...", "...", n)` under tui/, and in the
store's texts that the app shows translated (SHARED_SOURCES).
"""
from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).parent
LOCALE = ROOT / "locale"
DOMAIN = "minicrm"
LANGUAGES = ("da", "en")
# Outside tui/, worded once for every front end; the app passes its `_` in.
SHARED_SOURCES = (ROOT.parent / "store" / "importing" / "report_text.py",)
HEADER = ('Project-Id-Version: MiniCRM\\n"\n"Language: {lang}\\n"\n"MIME-Version: 1.0\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n')


def extract(root: Path = ROOT) -> dict[str, str | None]:
    """msgid -> msgid_plural (or None), from every .py under tui/ and SHARED_SOURCES."""
    found: dict[str, str | None] = {}
    for path in [*sorted(root.rglob("*.py")), *SHARED_SOURCES]:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = node.args
            if node.func.id in ("_", "N_") and args and isinstance(args[0], ast.Constant) \
                    and isinstance(args[0].value, str):
                found.setdefault(args[0].value, None)
            elif node.func.id == "ngettext" and len(args) >= 2 and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2]):
                found[args[0].value] = args[1].value
    found.pop("", None)
    return found


# --- .po reading and writing -------------------------------------------------------

def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def read_po(path: Path) -> dict[str, tuple[str | None, list[str]]]:
    """msgid -> (msgid_plural, [msgstr...]); the header entry is left out."""
    entries: dict[str, tuple[str | None, list[str]]] = {}
    if not path.exists():
        return entries
    key = None
    current: dict = {}

    def flush():
        if "msgid" in current and current["msgid"]:
            strs = [current.get(f"msgstr[{i}]", "") for i in range(2)] if "msgid_plural" in current \
                else [current.get("msgstr", "")]
            entries[current["msgid"]] = (current.get("msgid_plural"), strs)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[key] += _unquote(line)
            continue
        word, _, rest = line.partition(" ")
        if word == "msgid":
            flush()
            current = {}
        key = word
        current[key] = _unquote(rest)
    flush()
    return entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def write_po(path: Path, lang: str, entries: dict[str, tuple[str | None, list[str]]]) -> None:
    out = [f"# MiniCRM terminal app, {lang}. Edit msgstr lines; run `python -m tui.i18n_tool compile`.",
           'msgid ""', 'msgstr ""', '"' + HEADER.format(lang=lang) + '"', ""]
    for msgid in sorted(entries):
        plural, strs = entries[msgid]
        out.append(f"msgid {_quote(msgid)}")
        if plural is not None:
            out.append(f"msgid_plural {_quote(plural)}")
            for i, s in enumerate(strs):
                out.append(f"msgstr[{i}] {_quote(s)}")
        else:
            out.append(f"msgstr {_quote(strs[0])}")
        out.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


# --- .mo ---------------------------------------------------------------------------------

def compile_po(path: Path, lang: str) -> bytes:
    """The GNU .mo bytes for a .po (untranslated entries are left out, as msgfmt does)."""
    header = HEADER.format(lang=lang).replace('\\n"\n"', "\n").replace("\\n", "\n")
    pairs = {b"": header.encode("utf-8")}
    for msgid, (plural, strs) in read_po(path).items():
        if not all(strs):
            continue
        key = msgid if plural is None else f"{msgid}\0{plural}"
        pairs[key.encode("utf-8")] = "\0".join(strs).encode("utf-8")
    keys = sorted(pairs)
    ids = b""
    strs_blob = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs_blob), len(pairs[k])))
        ids += k + b"\0"
        strs_blob += pairs[k] + b"\0"
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    value_start = key_start + len(ids)
    key_table, value_table = [], []
    for id_off, id_len, str_off, str_len in offsets:
        key_table += [id_len, key_start + id_off]
        value_table += [str_len, value_start + str_off]
    head = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    return head + struct.pack(f"{len(key_table)}i", *key_table) + \
        struct.pack(f"{len(value_table)}i", *value_table) + ids + strs_blob


# --- commands ---------------------------------------------------------------------------------

def update() -> None:
    found = extract()
    for lang in LANGUAGES:
        old = read_po(po_path(lang))
        merged = {}
        for msgid, plural in found.items():
            prev = old.get(msgid)
            if lang == "en":
                strs = [msgid, plural] if plural is not None else [msgid]
            elif prev is not None:
                strs = prev[1] if (prev[0] is None) == (plural is None) else (["", ""] if plural else [""])
            else:
                strs = ["", ""] if plural is not None else [""]
            merged[msgid] = (plural, strs)
        write_po(po_path(lang), lang, merged)


def compile_all() -> None:
    for lang in LANGUAGES:
        mo_path(lang).write_bytes(compile_po(po_path(lang), lang))


def problems() -> list[str]:
    found = extract()
    out = []
    for lang in LANGUAGES:
        entries = read_po(po_path(lang))
        for msgid in found:
            if msgid not in entries or not all(entries[msgid][1]):
                out.append(f"{lang}: no translation for {msgid!r}")
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compile_po(po_path(lang), lang):
            out.append(f"{lang}: {mo_path(lang).name} is out of date (run: python -m tui.i18n_tool compile)")
    return out


def main(argv=None) -> int:
    command = (argv or sys.argv[1:] or ["check"])[0]
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
