"""Start ``observatorio serve`` on a data folder, wait for its first answer, stop it; its output."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = os.path.join(os.path.dirname(sys.executable), "observatorio")
ROOT = Path(__file__).resolve().parents[2]


def serve_once(data_dir: Path, *args: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "OBS_DATABASE_URL"}
    environ["OBS_DATA_DIR"] = str(data_dir)
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([BIN, "serve", "--port", str(port), *args], env=environ, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        stop = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/obs/site.css", timeout=30).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > stop:
                    break
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0]
    return output
