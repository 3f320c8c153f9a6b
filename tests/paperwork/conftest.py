"""Fixtures for the generated paperwork and the breach register: a store whose config names a
company, processors, a sub-processor and a third-country transfer, and a way to change settings."""
from __future__ import annotations

import pytest

from store.config import write_config

from .company import COMPANY, RECIPIENTS


@pytest.fixture
def config_path(tmp_path):
    path = tmp_path / "minicrm.toml"
    write_config(path, "crm.db", "crm.key", company=COMPANY, recipients=RECIPIENTS)
    return path


@pytest.fixture
def settings(store):
    """settings(section, **values): change the open store's config as config.toml would."""
    from store import runtime

    values = runtime.current().config.values
    saved = {k: dict(v) for k, v in values.items()}

    def change(section: str, **new):
        values[section].update(new)

    yield change
    for k, v in saved.items():
        values[k].clear()
        values[k].update(v)
