"""The TOML config: every mistake is one ConfigError naming the file and the key,
config.example.toml documents exactly the schema, and the `minicrm` command
reports a bad config in one line."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from store.config import REQUIRED, SCHEMA, ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"

GOOD = '[database]\npath = "crm.db"\nkey_file = "crm.key"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, names", [
    (GOOD + "cache_size = 3\n", "database.cache_size"),                        # unknown key
    (GOOD + "[databse]\npath = 'x'\n", "[databse]"),                          # misspelt section
    ('pth = "crm.db"\n' + GOOD, "pth"),                                        # key above any section
    (GOOD + "cache_mb = '64'\n", "database.cache_mb"),                         # string for an int
    (GOOD + "cache_mb = true\n", "database.cache_mb"),                         # bool for an int
    (GOOD + "cache_mb = 1\n", "database.cache_mb"),                            # below the minimum
    (GOOD + "[ui]\ndemo = 'yes'\n", "ui.demo"),                                # string for a bool
    (GOOD + "[ui]\nlanguage = 'de'\n", "ui.language"),                         # not a choice
    (GOOD + "[auth]\nbcrypt_cost = 10\n", "auth.bcrypt_cost"),                 # security floor
    ('[database]\nkey_file = "crm.key"\n', "database.path"),                   # required missing
    ('[database]\npath = ""\nkey_file = "crm.key"\n', "database.path"),        # required empty
    ("[company]\nname = 'Firma ApS'\n", "database.path"),                      # no [database] at all
    (GOOD + "company = 'x'\n", "database.company"),
    ("database = 3\n", "database"),                                            # section that is no table
])
def test_each_mistake_is_one_error_naming_file_and_key(tmp_path, text, names):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert names in message
    assert "\n" not in message


@pytest.mark.parametrize("text", [
    "[database\npath = 'x'\n",            # unclosed header
    "[database]\npath = 'x\n",            # unclosed string
    "[database]\npath = \n",              # no value
    "[database]\npath = 'a'\npath = 'b'\n",  # duplicate key
])
def test_invalid_toml_names_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_undecodable_file_is_a_config_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.encode() + "[company]\nname = 'S\xf8ren ApS'\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_config(path)


def test_defaults_fill_everything_not_given(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    for section, settings in SCHEMA.items():
        for key, setting in settings.items():
            if setting.default is not REQUIRED:
                assert config[f"{section}.{key}"] == setting.default
    assert config.db_path == tmp_path / "crm.db"      # relative to the config file
    assert config.key_path == tmp_path / "crm.key"


def _example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").splitlines()


def test_example_parses_and_validates():
    config = load_config(EXAMPLE)
    assert config["database.path"] and config["database.key_file"]


def test_example_lists_every_setting_with_its_default_and_no_other():
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(raw) == set(SCHEMA), "sections differ from the schema"
    for section, settings in SCHEMA.items():
        assert set(raw[section]) == set(settings), f"[{section}] keys differ from the schema"
        for key, setting in settings.items():
            if setting.default is REQUIRED:
                assert raw[section][key], f"{section}.{key} needs an example value"
            else:
                assert raw[section][key] == setting.default, f"{section}.{key} is not its default"
                assert type(raw[section][key]) is type(setting.default)


def test_example_comments_every_setting():
    lines = _example_lines()
    section = None
    seen = set()
    for n, line in enumerate(lines):
        header = re.match(r"^\[(\w+)\]\s*$", line)
        if header:
            section = header.group(1)
            continue
        key = re.match(r"^(\w+)\s*=", line)
        if key:
            assert lines[n - 1].startswith("#"), f"{section}.{key.group(1)} has no comment above it"
            seen.add((section, key.group(1)))
    assert seen == {(s, k) for s, keys in SCHEMA.items() for k in keys}


@pytest.mark.parametrize("command", [["init"], ["user", "list"], ["user", "add", "ole", "--role", "sales"],
                                     ["demo-data", "--contacts", "5"], ["audit", "verify"]])
def test_cli_reports_bad_config_in_one_line(tmp_path, run_cli, command):
    path = write(tmp_path, GOOD + "cache_mb = 'lots'\n")
    proc = run_cli(path, *command)
    assert proc.returncode != 0
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "database.cache_mb" in err[0] and str(path) in err[0]


def test_cli_reports_missing_config_file_in_one_line(tmp_path, run_cli):
    proc = run_cli(tmp_path / "absent.toml", "user", "list")
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "absent.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_reports_invalid_toml_in_one_line(tmp_path, run_cli):
    path = write(tmp_path, "[database\n")
    proc = run_cli(path, "init")
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "not valid TOML" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "crm.key").exists()
