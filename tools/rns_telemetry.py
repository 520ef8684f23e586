"""A client of DPDK's telemetry socket (protocol v2), shared by rnsctl, tools/telemetry-get and
the integration tests (tests/integration/dpdk/telemetry.py).

The socket is <runtime dir>/<file prefix>/dpdk_telemetry.v2, SOCK_SEQPACKET. On connecting, the
program sends a JSON greeting with its max_output_len; each command sent ("/rns/stats" or
"/rns/paths,START") is answered with one JSON object {"<command>": <value>} (value null when
the command failed or is unknown). The runtime dir is EAL's: /var/run/dpdk as root, else
$XDG_RUNTIME_DIR/dpdk or /tmp/dpdk; $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=) wins when
set, and so does an explicit runtime_dir argument.
"""
import json
import os
import socket
import time


class NotRunning(Exception):
    """No program answers on the telemetry socket of this file prefix."""


def runtime_dir(prefix, base=None):
    if base is None:
        base = os.environ.get("RUNTIME_DIRECTORY")
    if not base:
        base = "/var/run/dpdk" if os.geteuid() == 0 else os.path.join(
            os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix)


def socket_path(prefix, base=None):
    return os.path.join(runtime_dir(prefix, base), "dpdk_telemetry.v2")


class Client:
    """One connection; query() any number of commands. Use as a context manager."""

    def __init__(self, prefix, timeout=5.0, base=None):
        self.path = socket_path(prefix, base)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(self.path)
            greeting = json.loads(self.sock.recv(1 << 16).decode())
        except (OSError, ValueError) as e:
            self.sock.close()
            raise NotRunning(f"{self.path}: {e.strerror if isinstance(e, OSError) and e.strerror else e}") from e
        self.max_len = int(greeting.get("max_output_len", 1 << 16))

    def query(self, command):
        """The value the program answers for command (None when it failed or is unknown)."""
        self.sock.send(command.encode())
        answer = self.sock.recv(self.max_len + 1024)
        if not answer:
            raise NotRunning(f"{self.path}: connection closed")
        return json.loads(answer.decode())[command.split(",")[0]]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def query(prefix, commands, tries=1, delay=0.5):
    """{command: value} for each command, over one connection. Retries (tries times, delay apart)
    when the program cannot be reached yet, e.g. while it starts on a loaded machine."""
    last = None
    for attempt in range(tries):
        try:
            with Client(prefix) as c:
                return {cmd: c.query(cmd) for cmd in commands}
        except (NotRunning, OSError, ValueError, KeyError) as e:
            last = e
            if attempt + 1 < tries:
                time.sleep(delay)
    raise NotRunning(str(last))
