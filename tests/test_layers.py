"""The architecture, checked: store/ stands alone; tui/ and web/ go through its services."""
import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules the UI may not reach into: the data model and the raw connection.
PRIVATE = {"store.models", "store.db", "store.bulk", "store.migrations"}


def test_store_never_loads_the_ui():
    code = (
        "import importlib, pkgutil, sys, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'tui', 'web', 'rich'))\n"
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
