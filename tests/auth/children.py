"""Code run in separate interpreters (see tests/conftest.py PRELUDE: os, sys, time, runtime)."""

# argv: name password code go-file.  Logs in the moment the go-file appears.
RACE_LOGIN = """
from pathlib import Path
from store import auth
runtime.open_store()
name, password, code, go = sys.argv[1:5]
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.001)
try:
    result = auth.login(name, password, code)
    print("ok", type(result).__name__, flush=True)
except auth.AuthError as exc:
    print("refused", type(exc).__name__, flush=True)
"""

# argv: name password code.  Logs in, then checks the session every 0.2 s until it ends.
WATCH_SESSION = """
from store import auth
runtime.open_store()
name, password, code = sys.argv[1:4]
session = auth.login(name, password, code)
print("ready", session.id, flush=True)
deadline = time.time() + 60
while time.time() < deadline:
    try:
        session.check()
    except auth.SessionEnded as exc:
        print("ended", exc.reason, repr(time.time()), exc, flush=True)
        break
    time.sleep(0.2)
else:
    print("timeout", flush=True)
"""

# argv: name password code go-file threads.  Every thread logs in the moment the go-file appears.
RACE_LOGINS = """
import threading
from pathlib import Path
from store import auth
runtime.open_store()
name, password, code, go, threads = sys.argv[1:6]
results = []
def attempt():
    while not Path(go).exists():
        time.sleep(0.001)
    try:
        auth.login(name, password, code)
        results.append("ok")
    except auth.AuthError as exc:
        results.append(type(exc).__name__)
workers = [threading.Thread(target=attempt) for _ in range(int(threads))]
for worker in workers:
    worker.start()
print("ready", flush=True)
for worker in workers:
    worker.join()
print(" ".join(results), flush=True)
"""
