#!/usr/bin/env python3
"""The service manager's side of sd_notify(3): binds a datagram socket at PATH and appends every
message received to OUT (one per line), until STOPPING=1 arrives or SECONDS pass.

  notify_listen.py PATH OUT SECONDS
"""
import os
import socket
import sys
import time


def main(argv):
    path, out, seconds = argv[1], argv[2], float(argv[3])
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(path)
        deadline = time.time() + seconds
        with open(out, "a") as f:
            while time.time() < deadline:
                s.settimeout(max(0.1, deadline - time.time()))
                try:
                    msg = s.recv(4096).decode()
                except socket.timeout:
                    break
                for line in msg.splitlines():
                    f.write(line + "\n")
                f.flush()
                if "STOPPING=1" in msg.splitlines():
                    break
    os.unlink(path)


if __name__ == "__main__":
    main(sys.argv)
