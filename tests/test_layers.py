"""The architecture, checked: store/ stands alone; console/, tui/ and web/ go through its services;
the console never pays for Textual."""
import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules the UI may not reach into: the data model and the raw connection.
PRIVATE = {"store.models", "store.db", "store.bulk", "store.migrations"}
# The console's deliberate ways into tui/, each inside the one command that needs it.
CONSOLE_INTO_TUI = {
    ("console/main.py", "tui.app"),  # `minicrm run` starts the TUI
    ("console/ssh.py", "tui.sshsession"),  # `minicrm session` with a terminal starts the TUI
}


def test_store_never_loads_the_ui():
    code = (
        "import importlib, pkgutil, sys, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'tui', 'console', 'web', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


def test_ui_uses_only_the_service_api():
    offenders = []
    for package in ("tui", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for module, names in _imports(path):
                targets = {module} | {f"{module}.{n}" for n in names}
                if targets & PRIVATE or module.startswith("peewee") or module.startswith("playhouse"):
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def _private(module: str, names: list[str]) -> bool:
    targets = {module} | {f"{module}.{n}" for n in names}
    return bool(targets & PRIVATE) or module.split(".")[0] in ("peewee", "playhouse")


def test_store_never_imports_the_front_ends():
    offenders = [f"{path.relative_to(ROOT)}: {module}"
                 for path in (ROOT / "store").rglob("*.py") for module, _names in _imports(path)
                 if module.split(".")[0] in ("textual", "tui", "console", "web")]
    assert offenders == []


def test_console_uses_only_the_service_api():
    offenders = []
    for path in (ROOT / "console").rglob("*.py"):
        where = str(path.relative_to(ROOT))
        for module, names in _imports(path):
            if _private(module, names) or module.split(".")[0] == "textual":
                offenders.append(f"{where}: {module}")
            elif module.split(".")[0] == "tui":
                reached = [module] if module != "tui" else [f"tui.{n}" for n in names]
                offenders += [f"{where}: {m}" for m in reached if (where, m) not in CONSOLE_INTO_TUI]
    assert offenders == []


def test_console_loads_no_textual_when_imported():
    """`minicrm user list` must not pay for Textual: importing every console module loads none."""
    code = (
        "import importlib, pkgutil, sys, console\n"
        "for m in pkgutil.walk_packages(console.__path__, 'console.'):\n"
        "    if m.name != 'console.__main__':  # runs the command line\n"
        "        importlib.import_module(m.name)\n"
        "import console.main\n"
        "console.main.build_parser()\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'tui', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_console_defines_no_error_class_of_its_own():
    """Its failures are members of the one family in store/errors.py (CommandFailed, CommandRefused)."""
    import store.errors

    family = {name for name, value in vars(store.errors).items() if isinstance(value, type)
              and issubclass(value, BaseException)} | {"Exception", "BaseException"}
    own = [f"{path.relative_to(ROOT)}: {node.name}"
           for path in (ROOT / "console").rglob("*.py")
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
           if isinstance(node, ast.ClassDef)
           and any(getattr(b, "id", getattr(b, "attr", "")) in family for b in node.bases)]
    assert own == []


def _audit_writes(path: Path):
    """Calls that append to the audit trail: `audit.record(...)`, or `record` imported from store.audit."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.asname or a.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "store.audit"
                for a in node.names if a.name == "record"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr == "record" and getattr(f.value, "id", "") == "audit") \
                or (isinstance(f, ast.Name) and f.id in imported):
            yield node.lineno


def test_front_ends_write_no_audit_rows():
    """The store records what happened: tui/ and console/ never call audit.record themselves."""
    writes = [f"{path.relative_to(ROOT)}:{line}" for package in ("tui", "console")
              for path in (ROOT / package).rglob("*.py") for line in _audit_writes(path)]
    assert writes == []


def test_each_command_group_adds_the_commands_it_is_listed_for():
    """`minicrm CMD` builds only CMD's parser (console/main.py GROUPS): the table must match."""
    import argparse

    from console import main

    for names, add in main.GROUPS:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        add(sub)
        assert tuple(sub.choices) == names
    whole = main.build_parser()
    choices = next(a for a in whole._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(choices) == ["run", *[n for names, _ in main.GROUPS for n in names]]


def _loaded_by(code: str) -> set[str]:
    """Top-level packages a child interpreter has imported after `code`, read from -X importtime."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in out.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


HEAVY = {"textual", "rich", "peewee", "playhouse", "sqlcipher3", "bcrypt", "phonenumbers",
         "email_validator", "cryptography", "pyotp", "rapidfuzz"}


def test_the_command_line_and_the_login_screen_load_nothing_heavy():
    """`import console.main` and the TUI up to its login screen load no store library: the
    login screen paints first and the store opens after (lazy imports, kept by this test)."""
    assert _loaded_by("import console.main") & HEAVY == set()
    assert _loaded_by("import tui.app, tui.screens.login") & HEAVY == {"textual", "rich"}


def test_the_key_look_up_sshd_runs_loads_only_what_it_needs(closed_store):
    """`minicrm ssh authorized-keys` runs twice per SSH login: the store's read path, nothing else
    (no Textual, no bcrypt, no validators, no rekey or backup machinery)."""
    import pwd

    account = pwd.getpwuid(os.geteuid()).pw_name  # keys are served for the running account only
    code = ("import sys; from console.main import main; sys.exit(main(['--config', sys.argv[1], 'ssh', "
            f"'authorized-keys', {account!r}, 'ssh-ed25519', 'AAAAC3NzaC1lZDI1NTE5AAAAI' + 'A' * 43, "
            "'--program', '/usr/bin/true']))")
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code, str(closed_store.source)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout == ""  # an unknown key: no line, so sshd refuses it
    loaded = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines()
              if line.startswith("import time:") and "|" in line}
    assert "store.sshkeys" in loaded  # it did look the key up in the store
    assert {m.split(".")[0] for m in loaded} & (HEAVY - {"peewee", "playhouse", "sqlcipher3"}) == set()
    assert "store.rekey" not in loaded
    assert not {m for m in loaded if m.startswith(("store.backup", "store.audit", "store.scope", "tui"))}
