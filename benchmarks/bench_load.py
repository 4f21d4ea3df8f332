"""Load test: N signed-in users on the dashboard's data endpoints and the map's layers while an import commits,
against ``observatorio serve --prod`` on 127.0.0.1.

Run (a database already loaded, e.g. the demo or bench_dashboard.py's ``--keep``):

    .venv/bin/python benchmarks/bench_load.py --data-dir /tmp/bench-dash/1000000 --users 50 --seconds 60 \\
        --workers 4 --import-rows 100000

The small version CI runs (.ci/run) builds its own small demo first:

    .venv/bin/python benchmarks/bench_load.py --setup-demo 3000 --data-dir var/ci-load --users 10 --seconds 20 \\
        --workers 2 --import-rows 5000 --max-p95-ms 3000

What it does:

1. (``--setup-demo N``) a fresh data folder: ``observatorio migrate`` and ``observatorio demo --events N``.
2. Starts ``observatorio serve --prod --workers W`` on a free port of 127.0.0.1 (``--database-url`` for
   PostgreSQL), waits for it, signs one user in and asks every endpoint once (the workers build or map the data
   state, the cube and the map's cells: the warm-up, timed apart).
3. Signs ``--users`` sessions in (each its own, through the login form, as a browser would) and runs them for
   ``--seconds``: each user, in its own thread with one kept-alive connection, asks one request after another
   (``--think-ms``: a mean pause between requests; 0, the default, is a closed loop, the hardest case), drawn at random (seeded) from the dashboard's seven data
   endpoints and the map's seven layers, each with a random period.
4. Two seconds in, ``observatorio import`` commits ``--import-rows`` generated 1461 calls in another process
   (one transaction; on SQLite the readers go on thanks to WAL); when it commits, the data version moves and
   every worker loads the new state while answering from the one it holds; the users go on for 10 s after the
   commit (the run lasts ``--seconds`` or until then, whichever is later).
5. Reports errors (any answer but 200, or a broken connection; a kept-alive connection the server closed while
   idle is reopened and the request sent again, as browsers do), latency p50/p95/p99/max over all requests and
   over those during the import, and throughput; the last line of stdout is JSON. Exits 1 when there are more
   errors than ``--max-errors`` (0) or the p95 is over ``--max-p95-ms``.

The client runs on the same machine as the server (and, on a shared machine, beside other work): its own CPU
counts against the server's, so the figures are a floor of what the server can do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = [sys.executable, "-m", "observatorio.cli"]
DASHBOARD = ("resumen", "tendencia", "categorias", "familias", "horas", "areas", "top-areas")
MAP_LAYERS = ("coropletico-count", "limites-uv", "lugares", "eventos", "gi", "densidad", "emergentes")
AFTER_IMPORT = 10  # seconds the users go on once the import has committed
PERIODS = ("28d", "12m", "ytd", "last-quarter", "last-month")


@dataclass
class Sample:
    at: float  # seconds since the run started
    ms: float
    status: int  # 0: the connection broke
    path: str
    said: str = ""  # the start of an error's body (what the server said)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(args) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OBS_DATABASE_URL"}
    env["OBS_DATA_DIR"] = str(args.data_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if args.database_url:
        env["OBS_DATABASE_URL"] = args.database_url
    return env


def setup_demo(args) -> None:
    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    for command in (["migrate"], ["demo", "--events", str(args.setup_demo), "--quiet"]):
        done = subprocess.run(BIN + command, env=_env(args), capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"observatorio {' '.join(command)} failed:\n{done.stderr[-3000:]}")


def password_of(args) -> str:
    if args.password:
        return args.password
    credentials = (args.data_dir / "demo_credentials.txt").read_text(encoding="utf-8")
    return re.search(r"contraseña: (\S+)", credentials).group(1)


class Session:
    """One signed-in user on one kept-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.used = self.reused = False

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        """One request; a kept-alive connection the server closed meanwhile (idle past its keep-alive) is
        opened again and the request sent once more, as a browser does. Any other failure is an error."""
        try:
            return self._request(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not self.reused:
                raise
            return self._request(method, path, body, headers)

    def _request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        self.reused = self.used
        self.used = True
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.used = False
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = re.match(r"([^=]+)=([^;]*)", cookie).groups()
            self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.used = False
        return response.status, response.headers, data

    def sign_in(self, username: str, password: str) -> None:
        status, _, body = self.request("GET", "/cuenta/ingresar/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        status, headers, _ = self.request("POST", "/cuenta/ingresar/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{self.port}",
            "Referer": f"http://127.0.0.1:{self.port}/cuenta/ingresar/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign {username} in (status {status}); --username/--password?")


def paths(rng: random.Random) -> str:
    query = urlencode({"period": rng.choice(PERIODS)})
    if rng.random() < 0.5:
        return f"/tablero/datos/{rng.choice(DASHBOARD)}.json?{query}"
    return f"/mapa/capa/{rng.choice(MAP_LAYERS)}.json?{query}"


def start_server(args, port: int) -> subprocess.Popen:
    log = open(args.data_dir / "bench-load-server.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(BIN + ["serve", "--prod", "--workers", str(args.workers), "--threads",
                                     str(args.threads), "--port", str(port)],
                              env=_env(args), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    stop = time.monotonic() + 300
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > stop:
                raise SystemExit(f"the server never listened; see {log.name}") from None
            time.sleep(0.2)


def warm_up(port: int, username: str, password: str) -> float:
    """Every endpoint once, until each answers 200 (the first state may still be loading: 503)."""
    t0 = time.perf_counter()
    session = Session(port)
    session.sign_in(username, password)
    for path in [f"/tablero/datos/{n}.json" for n in DASHBOARD] + [f"/mapa/capa/{k}.json" for k in MAP_LAYERS]:
        deadline = time.monotonic() + 600
        while True:
            status, _, body = session.request("GET", path)
            if status == 200:
                break
            if status != 503 or time.monotonic() > deadline:
                raise SystemExit(f"warm-up: {path} answered {status}: {body[:300]!r}")
            time.sleep(1)
    return time.perf_counter() - t0


def import_file(args) -> Path:
    """``--import-rows`` calls to the 1461 line in Peñalolén, dated in the last two months."""
    rng = random.Random(7)
    today = dt.date.today()
    path = args.data_dir / "bench-load-import.csv"
    run = int(time.time())  # new folios every run: each import writes its rows, none are duplicates
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Folio;Fecha;Hora;Tipo;Latitud;Longitud;Dirección;Resultado\n")
        for i in range(args.import_rows):
            day = today - dt.timedelta(days=rng.randrange(1, 60))
            fh.write(f"{run}{i:07d};{day:%d-%m-%Y};{rng.randrange(24):02d}:{rng.randrange(60):02d};"
                     f"Ruidos molestos;{rng.uniform(-33.50, -33.47):.6f};{rng.uniform(-70.58, -70.55):.6f};;"
                     "Atendido\n")
    return path


def run_import(args, path: Path, started: float, window: dict, deadline: list) -> None:
    time.sleep(2)
    window["start"] = time.perf_counter() - started
    try:
        done = subprocess.run(BIN + ["import", str(path), "--source", "1461", "--commit", "--quiet", "--json"],
                              env=_env(args), capture_output=True, text=True, cwd=ROOT)
    finally:
        window["end"] = time.perf_counter() - started
        # The users go on for AFTER_IMPORT seconds more: the new data version is loaded while they are answered.
        deadline[0] = max(deadline[0], time.perf_counter() + AFTER_IMPORT)
        deadline[1] = False
    window["ok"] = done.returncode == 0
    if done.returncode != 0:
        window["error"] = done.stderr[-1000:]
    else:
        summary = json.loads(done.stdout)
        window["imported"] = summary.get("imported")


def user_loop(session: Session, seed: int, started: float, deadline: list, samples: list, think: float) -> None:
    rng = random.Random(seed)
    mine = []
    while time.perf_counter() < deadline[0] or deadline[1]:  # [1]: the import still runs
        path = paths(rng)
        t0 = time.perf_counter()
        try:
            status, _, body = session.request("GET", path)
        except (OSError, http.client.HTTPException) as exc:
            status, body = 0, repr(exc)
        t1 = time.perf_counter()
        said = "" if status == 200 else (body if isinstance(body, str) else body.decode(errors="replace"))[:200]
        mine.append(Sample(t0 - started, (t1 - t0) * 1000, status, path, said))
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # a person reading: on average ``think`` seconds
    samples.extend(mine)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(samples: list[Sample], seconds: float) -> dict:
    ms = [s.ms for s in samples]
    return {"requests": len(samples), "errors": sum(s.status != 200 for s in samples),
            "rps": round(len(samples) / seconds, 1) if seconds > 0 else None,
            "p50_ms": _round(percentile(ms, 50)), "p95_ms": _round(percentile(ms, 95)),
            "p99_ms": _round(percentile(ms, 99)), "max_ms": _round(max(ms) if ms else None)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="OBS_DATA_DIR of the server")
    parser.add_argument("--database-url", default="", help="OBS_DATABASE_URL (default: the folder's SQLite)")
    parser.add_argument("--setup-demo", type=int, default=0, metavar="EVENTS",
                        help="empty the folder and load a demo of about EVENTS events first")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think-ms", type=float, default=0,
                        help="mean pause of a user between requests (0: none, a closed loop)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows committed during the run (0: none)")
    parser.add_argument("--username", default="analista")
    parser.add_argument("--password", default="", help="default: the demo's, from demo_credentials.txt")
    parser.add_argument("--max-errors", type=int, default=0)
    parser.add_argument("--max-p95-ms", type=float, default=None)
    args = parser.parse_args(argv)

    if args.setup_demo:
        t0 = time.perf_counter()
        setup_demo(args)
        print(f"demo of ~{args.setup_demo} events loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    password = password_of(args)
    port = _free_port()
    t0 = time.perf_counter()
    server = start_server(args, port)
    try:
        warm_s = warm_up(port, args.username, password)
        print(f"server up and warm in {time.perf_counter() - t0:.1f} s (warm-up {warm_s:.1f} s)", file=sys.stderr)
        source = import_file(args) if args.import_rows else None
        sessions = [Session(port) for _ in range(args.users)]
        signers = [threading.Thread(target=s.sign_in, args=(args.username, password)) for s in sessions]
        for t in signers:
            t.start()
        for t in signers:
            t.join()

        samples: list[Sample] = []
        window: dict = {}
        started = time.perf_counter()
        # When the users stop; and whether the import still runs (they go on until it has committed).
        deadline = [started + args.seconds, source is not None]
        threads = [threading.Thread(target=user_loop, args=(s, i, started, deadline, samples, args.think_ms / 1000))
                   for i, s in enumerate(sessions)]
        importer = threading.Thread(target=run_import, args=(args, source, started, window, deadline)) if source else None
        for t in threads:
            t.start()
        if importer:
            importer.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        if importer:
            importer.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()

    result = {"users": args.users, "think_ms": args.think_ms, "seconds": round(elapsed, 1), "workers": args.workers, "threads": args.threads,
              "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
              "all": summary(samples, elapsed)}
    by_kind = {"dashboard": [s for s in samples if s.path.startswith("/tablero/")],
               "map": [s for s in samples if s.path.startswith("/mapa/")]}
    for kind, chosen in by_kind.items():
        result[kind] = summary(chosen, elapsed)
    if importer:
        during = [s for s in samples if window.get("start", 0) <= s.at <= window.get("end", elapsed)]
        result["import"] = {"rows": args.import_rows, "ok": window.get("ok"), "imported": window.get("imported"),
                            "seconds": round(window.get("end", 0) - window.get("start", 0), 1),
                            "error": window.get("error")}
        result["during_import"] = summary(during, max(window.get("end", 0) - window.get("start", 0), 1e-9))
        after = [s for s in samples if s.at > window.get("end", elapsed)]
        result["after_import"] = summary(after, max(elapsed - window.get("end", elapsed), 1e-9))
    errors = [s for s in samples if s.status != 200]
    result["error_examples"] = sorted({f"{s.status} {s.path}: {s.said}" for s in errors})[:10]
    slowest: dict[str, list[float]] = {}
    for s in samples:
        slowest.setdefault(s.path.split("?")[0], []).append(s.ms)
    result["p95_by_path_ms"] = {p: _round(percentile(v, 95)) for p, v in sorted(slowest.items())}

    print(json.dumps(result, ensure_ascii=False, indent=1), file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    failed = []
    if len(errors) > args.max_errors:
        failed.append(f"{len(errors)} errors (at most {args.max_errors})")
    if importer and not window.get("ok"):
        failed.append(f"the import failed: {window.get('error')}")
    if args.max_p95_ms is not None and (result["all"]["p95_ms"] or 0) > args.max_p95_ms:
        failed.append(f"p95 {result['all']['p95_ms']} ms over {args.max_p95_ms} ms")
    if failed:
        print("bench_load: FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    print(f"bench_load: ok, {result['all']['requests']} requests, 0 errors, p95 {result['all']['p95_ms']} ms",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
