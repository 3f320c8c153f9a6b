"""Column mappings saved under a name, for the import wizard ("Kunder fra e-conomic").

They live as JSON files in the folder `import-mappings/` beside the config file: a
mapping holds column names and MiniCRM field names only, never personal data.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import SavedMappingError
from .mapping import Mapping, MappingError

_NAME = re.compile(r"^[\w .,()&+-]{1,60}$")


def folder() -> Path:
    from ..runtime import current

    return current().config.source.parent / "import-mappings"


def _file(name: str) -> Path:
    name = " ".join((name or "").split())
    if not _NAME.match(name) or name.startswith("."):
        raise SavedMappingError("a mapping name is 1-60 letters, digits, spaces or . , ( ) & + - _")
    return folder() / f"{name}.json"


def saved_mappings() -> list[str]:
    """The saved mapping names, sorted."""
    try:
        return sorted(p.stem for p in folder().glob("*.json"))
    except OSError:
        return []


def save_mapping(name: str, mapping: Mapping) -> Path:
    path = _file(name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(mapping.to_json(), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_saved_mapping(name: str) -> Mapping:
    path = _file(name)
    if not path.is_file():
        raise SavedMappingError(f"no saved mapping named {name!r}")
    try:
        return Mapping.load(path)
    except MappingError as exc:
        raise SavedMappingError(f"the saved mapping {name!r} cannot be used: {exc}") from None
