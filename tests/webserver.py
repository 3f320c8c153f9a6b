"""Starting and stopping the real `minicrm web` process for a test (waits for /healthz, never sleeps)."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from waiting import wait_for


def start_web(config, port: int) -> subprocess.Popen:
    script = Path(sys.executable).with_name("minicrm")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "console"]
    env = {**os.environ, "MINICRM_CONFIG": str(config.source), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*command, "--config", str(config.source), "web", "--bind",
                             f"127.0.0.1:{port}"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"minicrm web exited: {proc.stderr.read()}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status == 200
    try:
        wait_for(up, what="minicrm web to answer")
    except AssertionError:
        proc.kill()
        raise
    return proc


def stop_web(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return err
