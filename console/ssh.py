"""MiniCRM behind OpenSSH: what sshd runs, and what it runs for a staff member.

* `minicrm ssh authorized-keys %u %t %k` is sshd's AuthorizedKeysCommand: it
  prints one `restrict,pty,command="... session --key ID"` line for a key that
  belongs to an active user, and nothing for any other key.
* `minicrm ssh sshd-config` prints the `Match User` block to paste.
* `minicrm session --key ID` is the forced command: an interactive login
  (password and TOTP, then the TUI) when a terminal was asked for, or one of a
  fixed list of batch commands when the client named one (SSH_ORIGINAL_COMMAND,
  parsed with shlex and never handed to a shell).
* `minicrm user add-key|remove-key|keys` manage staff keys from the console.

Nothing here imports Textual until the TUI really starts (an interactive session).
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import sys
from pathlib import Path

from store.errors import CommandFailed

from .common import open_store, when

DEFAULT_CONFIG = Path("/etc/minicrm/config.toml")
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/+@:-]+$")  # no spaces or quotes: sshd splits on them


# --- paths -------------------------------------------------------------------------

def program_path(explicit: str | None = None) -> str:
    """The absolute path of the `minicrm` program sshd should run.

    --program, else $MINICRM_PROGRAM (set by a wrapper script), else argv[0]
    when it is the installed `minicrm` script, else `minicrm` on PATH.
    """
    for candidate in (explicit, os.environ.get("MINICRM_PROGRAM")):
        if candidate:
            return _checked_path(candidate, "the minicrm program")
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and Path(argv0).name.startswith("minicrm") and not argv0.endswith(".py"):
        return _checked_path(str(Path(argv0).absolute()), "the minicrm program")
    found = shutil.which("minicrm")
    if found:
        return _checked_path(str(Path(found).absolute()), "the minicrm program")
    raise CommandFailed("cannot tell where the minicrm program is; pass --program /path/to/minicrm")


def _checked_path(path: str, what: str) -> str:
    if not os.path.isabs(path):
        raise CommandFailed(f"{what} must be an absolute path, not {path!r}")
    if not _SAFE_PATH.match(path):
        raise CommandFailed(f"{what} {path!r} has characters sshd cannot pass safely (spaces or quotes)")
    return path


def _config_arg(config_source) -> str:
    """`--config PATH ` for command lines, or nothing for the default location."""
    path = str(Path(config_source).absolute())
    if Path(path) == DEFAULT_CONFIG:
        return ""
    return f"--config {_checked_path(path, 'the config file')} "


# --- key management (console) ------------------------------------------------------------

def _read_key_text(source: str) -> str:
    if source == "-":
        text = sys.stdin.read(20_000)
    else:
        try:
            with open(source, encoding="utf-8") as fh:
                text = fh.read(20_000)
        except OSError as exc:
            raise CommandFailed(f"cannot read {source}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandFailed(f"{source} is not a text file (give the .pub file)") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise CommandFailed("no public key found (give the .pub file, or - for standard input)")
    if len(lines) > 1:
        raise CommandFailed("more than one line: add one key per command")
    return lines[0]


def cmd_user_add_key(args) -> int:
    from store import sshkeys
    from store.scope import Scope

    line = _read_key_text(args.keyfile)
    open_store(args)
    view = sshkeys.add_key(Scope.console(), args.name, line)
    print(f"Added key {view.id} for {view.username}: {view.keygen_line()}")
    return 0


def cmd_user_remove_key(args) -> int:
    from store import sshkeys
    from store.scope import Scope

    open_store(args)
    sshkeys.remove_key(Scope.console(), args.key_id)
    print(f"Removed key {args.key_id}; connections with it are refused from now on.")
    return 0


def cmd_user_keys(args) -> int:
    from tabulate import tabulate

    from store import sshkeys
    from store.scope import Scope

    open_store(args)
    console = Scope.console()
    views = (sshkeys.keys_of(console, args.name, audited=True) if args.name
             else sshkeys.all_keys(console, audited=True))
    if not views:
        print("no SSH keys" + (f" for {args.name}" if args.name else ""))
        return 0
    rows = [(v.id, v.username, f"{v.label} {v.bits}", v.fingerprint, v.comment,
             when(v.added_at), when(v.last_used_at)) for v in views]
    print(tabulate(rows, headers=("id", "user", "type", "fingerprint", "comment", "added", "last used")))
    return 0


# --- what sshd runs -----------------------------------------------------------------------

def cmd_authorized_keys(args) -> int:
    """AuthorizedKeysCommand: print the one allowed line for this key, or nothing.

    Exit 0 with no output for any key we do not know, so sshd simply refuses it.
    """
    account = args.account or pwd.getpwuid(os.geteuid()).pw_name
    if args.user != account:
        # Configured for another account by mistake: never let keys into it.
        print(f"minicrm: keys are served only for the account {account!r}", file=sys.stderr)
        return 0
    program = program_path(args.program)
    from . import session_server

    handed = session_server.hand_over(args)  # sshd waits on this twice per login: a warm copy answers
    if handed is not None:
        return handed
    from store import runtime, sshkeys

    rt = runtime.open_store(args.config, migrate=False)  # sshd waits on this: no migration
    key_id = sshkeys.authorized_key_id(args.key_type, args.key)
    if key_id is None:
        return 0
    key = sshkeys.parse_blob(args.key_type, args.key)
    command = f"{program} {_config_arg(rt.config.source)}session --key {key_id}"
    print(f'restrict,pty,command="{command}" {key.type} {key.base64}')
    return 0


def sshd_config_block(program: str, config_source, account: str, keys_user: str) -> str:
    config = _config_arg(config_source)
    return "\n".join([
        f"# MiniCRM: staff log in as {account} with their own key; the program decides the rest.",
        f"Match User {account}",
        "    AuthorizedKeysFile none",
        f"    AuthorizedKeysCommand {program} {config}ssh authorized-keys %u %t %k",
        f"    AuthorizedKeysCommandUser {keys_user}",
        "    PasswordAuthentication no",
        "    KbdInteractiveAuthentication no",
        "    DisableForwarding yes",
        "    PermitTTY yes",
        "    PermitUserRC no",
        "    PermitTunnel no",
        "    SetEnv COLORTERM=truecolor",
        "",
    ])


def cmd_sshd_config(args) -> int:
    from store.config import find_config

    program = program_path(args.program)
    config = find_config(args.config).absolute()
    account = args.account or pwd.getpwuid(os.geteuid()).pw_name
    if account == "root":
        raise CommandFailed("run this as the service account, or pass --account crm")
    print(sshd_config_block(program, config, account, args.keys_user or account), end="")
    return 0


# --- the forced command ---------------------------------------------------------------

def cmd_session(args) -> int:
    original = os.environ.get("SSH_ORIGINAL_COMMAND")
    if original is not None:
        from . import batch

        return batch.run(args, original)
    from . import session_server

    handed = session_server.hand_over(args)  # a copy of the session server runs it, when one runs
    if handed is not None:
        return handed
    from tui import sshsession  # the TUI, and Textual with it, loads only here

    return sshsession.run(args)


def cmd_session_server(args) -> int:
    """The session server (console/session_server.py), until stopped or its code is outdated."""
    from store.config import load_config

    from . import session_server

    config = load_config(args.config)
    return session_server.serve(config, ready=lambda: print(
        f"minicrm: session server on {session_server.socket_path(config)}", file=sys.stderr, flush=True))


# --- parsers ------------------------------------------------------------------------------

def add_user_key_parsers(user_sub) -> None:
    s = user_sub.add_parser("add-key", help="let a user log in over SSH with a public key")
    s.add_argument("name")
    s.add_argument("keyfile", help="the user's .pub file, or - to read the key line from standard input")
    s.set_defaults(func=cmd_user_add_key)
    s = user_sub.add_parser("remove-key", help="remove an SSH key (new logins with it are refused at once)")
    s.add_argument("key_id", type=int)
    s.set_defaults(func=cmd_user_remove_key)
    s = user_sub.add_parser("keys", help="list SSH keys with their SHA256 fingerprints")
    s.add_argument("name", nargs="?")
    s.set_defaults(func=cmd_user_keys)


def add_ssh_parsers(sub) -> None:
    ssh = sub.add_parser("ssh", help="serving MiniCRM through OpenSSH").add_subparsers(
        dest="ssh_command", required=True)
    s = ssh.add_parser("authorized-keys", help="sshd's AuthorizedKeysCommand (%%u %%t %%k)")
    s.add_argument("user")
    s.add_argument("key_type")
    s.add_argument("key")
    s.add_argument("--account", help="the service account keys are served for (default: the current user)")
    s.add_argument("--program", help="absolute path of minicrm for the forced command")
    s.set_defaults(func=cmd_authorized_keys)
    s = ssh.add_parser("sshd-config", help="print the sshd_config Match block to paste")
    s.add_argument("--account", help="the service account staff log in as (default: the current user)")
    s.add_argument("--keys-user", help="AuthorizedKeysCommandUser (default: the service account)")
    s.add_argument("--program", help="absolute path of minicrm (default: this program)")
    s.set_defaults(func=cmd_sshd_config)
    s = ssh.add_parser("session-server", help="fork each SSH session from a process that has loaded "
                       "the app (the minicrm-sessions service; logins start faster)")
    s.set_defaults(func=cmd_session_server)

    s = sub.add_parser("session", help="the command sshd forces for a staff key (not run by hand)")
    s.add_argument("--key", type=int, required=True, dest="key_id")
    s.set_defaults(func=cmd_session)
