"""Real keys made by the real ssh-keygen, once per test session."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

KINDS = {  # name -> ssh-keygen arguments
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa3072": ["-t", "rsa", "-b", "3072"],
    "rsa2048": ["-t", "rsa", "-b", "2048"],
}


class Keys:
    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, name: str, n: int = 0) -> Path:
        """The private key file for kind `name` (the n-th distinct one), made on first use."""
        path = self.folder / f"{name}-{n}"
        if not path.exists():
            subprocess.run(["ssh-keygen", "-q", *KINDS[name], "-N", "", "-C", f"{name}-{n}@laptop",
                            "-f", str(path)], check=True, capture_output=True)
        return path

    def line(self, name: str, n: int = 0) -> str:
        return Path(f"{self.path(name, n)}.pub").read_text().strip()

    def keygen_fingerprint(self, name: str, n: int = 0) -> str:
        """What `ssh-keygen -lf` prints: `bits SHA256:... comment (TYPE)`."""
        out = subprocess.run(["ssh-keygen", "-lf", f"{self.path(name, n)}.pub"],
                             check=True, capture_output=True, text=True).stdout
        return out.strip()


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> Keys:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (apt-get install openssh-client)")
    return Keys(tmp_path_factory.mktemp("keys"))
