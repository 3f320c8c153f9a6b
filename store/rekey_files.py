"""Where an unfinished rekey leaves its files (store/rekey.py): the new key beside the key
file, the re-encrypted copy beside the database.  Apart so that opening the store can
look for them without importing the rekey machinery (backups, keyring, cryptography)."""
from __future__ import annotations

from pathlib import Path

from .config import Config


def pending_key_path(cfg: Config) -> Path:
    return cfg.key_path.with_name(cfg.key_path.name + ".new")


def staging_path(cfg: Config) -> Path:
    return cfg.db_path.with_name(cfg.db_path.name + ".rekeying")


def rekey_unfinished(cfg: Config) -> bool:
    """Two stats: is there anything for `rekey.recover` to finish or undo?"""
    return pending_key_path(cfg).exists() or staging_path(cfg).exists()
