"""The systemd units `minicrm server install` writes (console/install.py puts them in place):
a oneshot service and its timer per scheduled job, and the long-running services.  Every
service runs as the service account in the same sandbox; a job whose command this build
lacks gets no unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .install import Layout


def units_for(layout: Layout) -> dict[str, str]:
    """Each unit's file name and text, for this layout and the commands this build has."""
    from .main import build_parser

    commands = _commands(build_parser())
    run = f"{layout.program} --config {layout.config}"
    units: dict[str, str] = {}

    def service(name: str, what: str, lines: list[str], *, long_running: bool = False,
                restart: str = "on-failure", extra: str = "") -> None:
        kind = "simple" if long_running else "oneshot"
        body = "\n".join(f"ExecStart={run} {line}" for line in lines)
        units[f"minicrm-{name}.service"] = (
            f"[Unit]\nDescription=MiniCRM {what}\nAfter=network.target\n\n"
            f"[Service]\nType={kind}\nUser={layout.account}\nGroup={layout.account}\nUMask=0077\n{body}\n"
            "NoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=strict\nProtectHome=yes\n"
            f"ReadWritePaths={layout.data} {layout.logs}\n{extra}"
            + (f"Restart={restart}\n\n[Install]\nWantedBy=multi-user.target\n" if long_running else ""))

    def timer(name: str, what: str, calendar: str) -> None:
        units[f"minicrm-{name}.timer"] = (
            f"[Unit]\nDescription=MiniCRM {what}\n\n[Timer]\nOnCalendar={calendar}\nPersistent=true\n"
            "RandomizedDelaySec=10min\n\n[Install]\nWantedBy=timers.target\n")

    service("audit-checkpoint", "daily audit checkpoint (outside the database)", ["audit checkpoint"])
    timer("audit-checkpoint", "daily audit checkpoint", "*-*-* 23:50:00")
    if "backup" in commands:
        service("backup", "nightly encrypted backup", ["backup create"])
        timer("backup", "nightly encrypted backup", "*-*-* 02:30:00")
    # every retention job of [retention] (store/hygiene.py), then the WAL scrubbed
    hygiene = [line for line, cmd in (("hygiene --apply", "hygiene"), ("erase scrub", "erase"))
               if cmd in commands]
    if hygiene:
        service("hygiene", "hygiene (the retention jobs of [retention], WAL)", hygiene)
        timer("hygiene", "daily hygiene", "*-*-* 03:30:00")
    # SSH logins forked from a process that has loaded the app (console/session_server.py):
    # the sessions run in this unit's sandbox, so they get what they write to (exports are
    # under the data folder); a restart (it exits after an upgrade) leaves them running
    service("sessions", "session server (SSH logins start from a loaded app)", ["ssh session-server"],
            long_running=True, restart="always", extra="KillMode=process\n")
    if layout.web and "web" in commands:
        service("web", "public opt-in endpoint", ["web serve"], long_running=True)
    return units


def _commands(parser) -> set[str]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()
