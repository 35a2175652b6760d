"""A real OpenSSH server (Debian's /usr/sbin/sshd) run by the test as its own process on a free loopback port:
a temporary host key, authorized_keys and config, internal-sftp, no PAM. ``drop_connections`` kills the
per-connection children (the listener stays), as a network failure in the middle of a transfer would."""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.publish.harness import free_port, process_listening

SSHD = Path("/usr/sbin/sshd")
SSH_KEYGEN = Path("/usr/bin/ssh-keygen")
PRIVILEGE_SEPARATION = Path("/run/sshd")


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    process: subprocess.Popen[bytes]

    def url(self, folder: Path) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{folder}"

    def children(self) -> list[int]:
        task = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in task.read_text().split()] if task.exists() else []

    def drop_connections(self) -> int:
        dropped = 0
        for pid in self.children():
            try:
                os.kill(pid, signal.SIGKILL)
                dropped += 1
            except ProcessLookupError:
                pass
        return dropped


def keygen(path: Path) -> None:
    subprocess.run([str(SSH_KEYGEN), "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@contextmanager
def ssh_server(folder: Path) -> Iterator[SshServer]:
    folder.mkdir(parents=True, exist_ok=True)
    keygen(folder / "host_ed25519")
    keygen(folder / "client_ed25519")
    (folder / "authorized_keys").write_bytes((folder / "client_ed25519.pub").read_bytes())
    port = free_port()
    host_key = (folder / "host_ed25519.pub").read_text().split()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    (folder / "sshd_config").write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_ed25519'}",
        f"PidFile {folder / 'sshd.pid'}", f"AuthorizedKeysFile {folder / 'authorized_keys'}",
        "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PermitRootLogin yes", "UsePAM no", "StrictModes no", "Subsystem sftp internal-sftp",
        "LogLevel ERROR", ""]))
    PRIVILEGE_SEPARATION.mkdir(mode=0o755, exist_ok=True)
    command = [str(SSHD), "-D", "-e", "-f", str(folder / "sshd_config")]
    with process_listening(command, port, folder / "sshd.log", "sshd", seconds=10) as process:
        yield SshServer(port, getpass.getuser(), folder / "client_ed25519", folder / "known_hosts", process)
