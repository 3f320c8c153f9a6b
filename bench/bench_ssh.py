"""MiniCRM over a real OpenSSH server, each figure beside a baseline from the same run.

    .venv/bin/python -m bench.bench_ssh [--rounds N] [--sessions 20] [--edits 4]

Needs root (it creates a service account and runs sshd on 127.0.0.1, like
tests/e2e); prints "skipped" otherwise.

* time from starting `ssh -tt` to the login screen being painted (seen in a real
  terminal, tmux), vs `ssh ... true` on the same server: `true` is refused as a
  batch command, so that baseline is one full round trip through sshd, both
  AuthorizedKeysCommand runs, the start of `minicrm session` and an audited
  refusal; the difference is what starting the TUI costs;
* the key look-up alone (`minicrm ssh authorized-keys`, sshd runs it twice per login);
* peak memory (VmHWM) of one session process after login and a few searches,
  vs a bare `python -c pass` of the same interpreter;
* N simultaneous sessions (separate ssh connections, real TUI in tmux), each
  logging in, searching, opening its own contact and saving E edits; reports
  errors (expected none), lost updates (expected none: every contact's final
  version and title match the edits saved), and save latency.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def session_pids(server) -> list[int]:
    """The Python processes running `minicrm session --key` for the service account."""
    found = []
    for pid in server.account_pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and b"python" in argv[0] and b"session" in argv and b"--key" in argv:
            found.append(pid)
    return found


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def bench_start(server, tmux, rounds: int) -> dict:
    user = server.staff["s0"]
    painted, baseline, lookup = [], [], []
    for i in range(rounds):
        start = time.monotonic()
        pane = tmux.open(f"start-{i}", server.ssh_argv(user.key, tty=True))
        pane.wait_for(r"User name\s+s0\b", timeout=60)
        painted.append(time.monotonic() - start)
        pane.keys("C-q")
        pane.wait_dead(20)

        start = time.monotonic()
        res = server.ssh(user.key, "true")
        baseline.append(time.monotonic() - start)
        assert res.returncode == 2, res.stderr

        typ, b64 = Path(f"{user.key}.pub").read_text().split()[:2]
        start = time.monotonic()
        server.minicrm("ssh", "authorized-keys", server.account, typ, b64)
        lookup.append(time.monotonic() - start)
    out = {"login_painted_s": statistics.median(painted), "ssh_true_refused_s": statistics.median(baseline),
           "authorized_keys_s": statistics.median(lookup), "rounds": rounds}
    print(f"ssh -tt -> login screen painted (median of {rounds}): {_ms(out['login_painted_s'])}   "
          f"baseline: ssh ... true, refused as a batch command: {_ms(out['ssh_true_refused_s'])}")
    print(f"  key look-up alone (minicrm ssh authorized-keys; sshd runs it twice per login): "
          f"{_ms(out['authorized_keys_s'])}")
    return out


def bench_memory(server, tmux) -> dict:
    from sshd_harness import SEARCH_READY, log_in

    pane = log_in(tmux, server, "m0")
    pane.wait_for(SEARCH_READY, timeout=60)
    for term in ("jensen", "sø", "aarhus", "kjær"):
        pane.type(term)
        pane.wait_for(SEARCH_READY, timeout=30)
        time.sleep(0.3)
        pane.keys("C-a", "C-k")
    pids = session_pids(server)
    assert len(pids) == 1, pids
    peak = peak_kib(pids[0])
    bare = server.as_account([*server.python, "-c",
                              "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"])
    bare_kib = int(bare.stdout.split()[1])
    pane.keys("C-q")
    pane.wait_dead(20)
    print(f"peak memory of one session (VmHWM, after login and 4 searches): {peak / 1024:.0f} MiB   "
          f"baseline: bare python -c pass: {bare_kib / 1024:.0f} MiB")
    return {"session_peak_mib": peak / 1024, "bare_python_mib": bare_kib / 1024}


def bench_concurrent(server, tmux, sessions: int, edits: int) -> dict:
    from sshd_harness import SEARCH_READY, log_in

    errors: list[str] = []
    saves: list[float] = []
    logins: list[float] = []
    lock = threading.Lock()
    names = [f"u{i:02d}" for i in range(sessions)]

    def one(name: str) -> None:
        person = f"Bench{name.upper()} Kontakt"
        try:
            start = time.monotonic()
            pane = log_in(tmux, server, name)
            pane.wait_for(SEARCH_READY, timeout=120)
            took = time.monotonic() - start
            pane.type(f"bench{name}")
            pane.wait_for(r"\b1 contact\b", timeout=60)
            pane.keys("Enter")
            pane.wait_for(r"Version 1\b", timeout=60)
            for _ in range(2):  # first name -> last name -> job title
                row = pane.cursor()[1]
                pane.keys("Tab")
                pane.wait_for(lambda s, row=row: pane.cursor()[1] != row, timeout=30)
            mine = []
            for k in range(edits):
                title = f"Titel {name} {k}"
                pane.keys("C-a", "C-k")
                pane.wait_for(r"Job title *\n", timeout=30)  # typing waits for each echo
                pane.type(title)
                pane.wait_for(title, timeout=30)
                t0 = time.monotonic()
                pane.keys("C-s")
                pane.wait_for(rf"Version {k + 2}\b", timeout=60)
                mine.append(time.monotonic() - t0)
            pane.keys("Escape")
            pane.wait_for(SEARCH_READY, timeout=60)
            pane.keys("C-a", "C-k")
            pane.type("jensen")
            pane.wait_for(SEARCH_READY, timeout=60)
            pane.keys("C-q")
            pane.wait_dead(30)
            with lock:
                logins.append(took)
                saves.extend(mine)
        except Exception as exc:  # noqa: BLE001 -- counted, never raised: the bench reports errors
            with lock:
                errors.append(f"{name} ({person}): {str(exc).splitlines()[0][:160]}")
                if os.environ.get("BENCH_DEBUG"):
                    print(exc)

    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start

    out = server.python_code("""
        from store.models import AuditEvent, Contact
        ids = json.loads(sys.argv[1])
        rows = {str(c.id): {"title": c.title, "version": c.version}
                for c in Contact.select().where(Contact.id.in_(list(ids.values())))}
        edits = {}
        for e in AuditEvent.select().where((AuditEvent.action == "contact.edit")
                                            & AuditEvent.entity_id.in_(list(ids.values()))):
            edits[str(e.entity_id)] = edits.get(str(e.entity_id), 0) + 1
        print(json.dumps({"rows": rows, "edits": edits}))
        """, json.dumps({n: server.contacts[f"Bench{n.upper()} Kontakt"] for n in names}))
    state = json.loads(out.stdout)
    lost = []
    for n in names:
        cid = str(server.contacts[f"Bench{n.upper()} Kontakt"])
        row = state["rows"][cid]
        if row["version"] != 1 + edits or row["title"] != f"Titel {n} {edits - 1}" \
                or state["edits"].get(cid, 0) != edits:
            lost.append(n)
    result = {"sessions": sessions, "edits_each": edits, "wall_s": wall, "errors": errors,
              "lost_updates": len(lost), "save_p50_s": statistics.median(saves) if saves else None,
              "save_p95_s": _pct(saves, 95) if saves else None,
              "login_p50_s": statistics.median(logins) if logins else None}
    print(f"{sessions} simultaneous sessions x {edits} edits + searches: {wall:.1f} s wall, "
          f"errors {len(errors)} (expected 0), lost updates {len(lost)} (expected 0)")
    if saves:
        print(f"  save -> new version on screen: p50 {_ms(result['save_p50_s'])}, "
              f"p95 {_ms(result['save_p95_s'])}; log-in under load p50 {_ms(result['login_p50_s'])}")
    for e in errors[:5]:
        print(f"  error: {e}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--edits", type=int, default=4)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("bench_ssh: skipped (needs root: it creates a service account and runs sshd)")
        return 0
    from sshd_harness import Server, Tmux, Unavailable

    server = Server(Path(tempfile.mkdtemp(prefix="bench-ssh-")))
    tmux = None
    try:
        try:
            server.start()
        except Unavailable as exc:
            print(f"bench_ssh: skipped ({exc})")
            return 0
        names = [f"u{i:02d}" for i in range(args.sessions)]  # no name is a prefix of another
        server.add_staff([(n, "manager") for n in ["s0", "m0", *names]])
        server.add_contacts([{"first_name": f"Bench{n.upper()}", "last_name": "Kontakt", "title": "Start"}
                             for n in names], filler=1000)
        tmux = Tmux(server.work)
        print(f"server: OpenSSH on 127.0.0.1:{server.port}, {server.interpreter_note}; "
              f"{len(server.staff)} staff, {len(server.contacts) + 1000} contacts")
        results = {"start": bench_start(server, tmux, args.rounds), "memory": bench_memory(server, tmux),
                   "concurrent": bench_concurrent(server, tmux, args.sessions, args.edits)}
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "ssh.json").write_text(json.dumps(results, indent=2, default=str))
        return 1 if results["concurrent"]["errors"] or results["concurrent"]["lost_updates"] else 0
    finally:
        if tmux is not None:
            tmux.close()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
