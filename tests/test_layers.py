"""The architecture, checked: store/ stands alone; console/, tui/ and web/ go through its services;
the console never pays for Textual."""
import ast
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
