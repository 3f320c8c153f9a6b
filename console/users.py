"""`minicrm user ...`: staff accounts and their sessions (SSH keys: console/ssh.py)."""
from __future__ import annotations

from .common import console_scope, open_store, when


def cmd_user_add(args) -> int:
    from store import accounts

    open_store(args)
    account = accounts.add_user(console_scope(), args.name, args.role, full_name=args.full_name or "")
    print(f"Created user {account.username} ({args.role}).")
    print(f"One-time password (shown once; change it at first login): {account.one_time_password}")
    return 0


def cmd_user_list(args) -> int:
    from tabulate import tabulate

    from store import accounts

    open_store(args)
    views = accounts.list_users(console_scope(), audited=True)
    rows = [(u.username, u.full_name, u.role, when(u.last_login_at), "yes" if u.totp_enrolled else "no",
             "revoked" if u.revoked else "locked" if u.locked else "active", u.active_sessions)
            for u in views]
    print(tabulate(rows, headers=("user", "name", "role", "last login", "2FA", "state", "sessions")))
    return 0


def cmd_user_revoke(args) -> int:
    from store import auth

    open_store(args)
    moved = auth.revoke(console_scope(), args.name, hand_over_to=args.hand_over_to)
    print(f"Revoked user {args.name}: new logins are refused and live sessions end within seconds.")
    if args.hand_over_to:
        print(f"Handed over {moved} contacts and deals to {args.hand_over_to}.")
    else:
        left = auth.holdings(console_scope(), args.name)
        if left.contacts or left.deals:
            print(f"{args.name} still owns {left.contacts} contacts and {left.deals} deals; hand them over with:")
            print(f"    minicrm user revoke {args.name} --hand-over-to NAME")
    return 0


def cmd_user_reinstate(args) -> int:
    from store import auth

    open_store(args)
    otp = auth.reinstate(console_scope(), args.name)
    print(f"Reinstated user {args.name}: they may log in again and choose a new password.")
    print(f"One-time password (shown once; change it at next login): {otp}")
    return 0


def cmd_user_name(args) -> int:
    from store import accounts

    open_store(args)
    accounts.set_full_name(console_scope(), args.name, args.full_name)
    print(f"Set the full name of {args.name}." if args.full_name.strip()
          else f"Cleared the full name of {args.name}.")
    return 0


def cmd_user_reset_2fa(args) -> int:
    from store import auth

    open_store(args)
    auth.reset_2fa(console_scope(), args.name)
    print(f"Reset two-factor login for {args.name}: their sessions end; they enrol again at next login.")
    return 0


def cmd_user_reset_password(args) -> int:
    from store import auth

    open_store(args)
    otp = auth.reset_password(console_scope(), args.name)
    print(f"Reset the password of {args.name}: their sessions end.")
    print(f"One-time password (shown once; change it at next login): {otp}")
    return 0


def cmd_user_sessions(args) -> int:
    from tabulate import tabulate

    from store import accounts, auth

    open_store(args)
    user_id = accounts.find_user(args.name).id if args.name else None
    views = auth.sessions_of(console_scope(), user_id, active_only=not args.all, audited=True)
    rows = [(v.id, v.username, when(v.started_at), when(v.last_seen_at), v.source_addr or "local",
             v.pid, v.end_reason or ("active" if v.ended_at is None and v.alive else
                                      "active (process gone)" if v.ended_at is None else "ended"))
            for v in views]
    print(tabulate(rows, headers=("id", "user", "started", "last seen", "from", "pid", "state")))
    return 0


def cmd_user_end_session(args) -> int:
    from store import auth

    open_store(args)
    auth.end_session(console_scope(), args.id)
    print(f"Ended session {args.id}; its screen closes within seconds.")
    return 0


def add_user_parsers(sub):
    """`minicrm user ...`; returns the sub-command table so other groups can add to it."""
    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    s = user.add_parser("add", help="create a user with a one-time password")
    s.add_argument("name")
    s.add_argument("--role", required=True)
    s.add_argument("--full-name", metavar="NAME", help="the name lists show (default: the user name)")
    s.set_defaults(func=cmd_user_add)
    s = user.add_parser("name", help="set the full name lists show for a user")
    s.add_argument("name")
    s.add_argument("full_name", metavar="FULL_NAME", help='e.g. "Sofie Ærø" ("" clears it)')
    s.set_defaults(func=cmd_user_name)
    s = user.add_parser("list", help="list users")
    s.set_defaults(func=cmd_user_list)
    s = user.add_parser("revoke", help="refuse a user's logins and end their sessions now")
    s.add_argument("name")
    s.add_argument("--hand-over-to", metavar="NAME", help="give their contacts and deals to this user")
    s.set_defaults(func=cmd_user_revoke)
    s = user.add_parser("reinstate", help="let a revoked user log in again (a new one-time password)")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_reinstate)
    s = user.add_parser("reset-2fa", help="forget a user's TOTP and recovery codes (enrol again)")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_reset_2fa)
    s = user.add_parser("reset-password", help="give a user a new one-time password")
    s.add_argument("name")
    s.set_defaults(func=cmd_user_reset_password)
    s = user.add_parser("sessions", help="list live sessions (of one user, or everybody's)")
    s.add_argument("name", nargs="?")
    s.add_argument("--all", action="store_true", help="include ended sessions")
    s.set_defaults(func=cmd_user_sessions)
    s = user.add_parser("end-session", help="end one session by id")
    s.add_argument("id", type=int)
    s.set_defaults(func=cmd_user_end_session)
    return user
