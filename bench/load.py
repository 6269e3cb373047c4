"""Load benchmark: many simulated users of one office server, over loopback, through the main callbacks.

    python bench/load.py [--workspace DIR] [--users 50] [--seconds 60] [--warmup 15] [--think 0]
                         [--configs 2x8,3x4] [--no-baseline]

Copies the workspace (default: a fresh demo district, generated and ingested) into a temporary folder, adds a
``dinkes`` bench user (the whole kabupaten: the heaviest views) and starts the documented production command with
login on (``PWS_AUTH=1 gunicorn -w W --threads T 'app:create_server()'``). Each simulated user is a thread with its
own HTTP session: it signs in through the login form (so the session, CSRF and access checks are on every request)
and then does what a user does: change the indicator or the month in the shell (the shell callback) and look at
Peta (the map update), PWS (the table), Tren (both grids) or Ringkasan (the overview), with the callback payloads
built from the app's own ``/_dash-dependencies``. ``--think S`` makes each user pause a random 0–2S seconds
between views (a person reading the screen; 0, the default: back-to-back requests, the harshest load). Requests
of the warm-up (``--warmup`` seconds: the first views of each indicator and month fill the server's caches) are
not counted.

Printed: throughput (requests/s), p50/p95/p99 latency per callback and overall, errors (any status but 200/204,
or a failed request). Baselines in the same run (unless ``--no-baseline``): 1 user on the first configuration,
and the single-process server (``python app.py``, Flask's threaded server) with the same number of users.

The clients run on the same machine as the server and take CPU from it: figures are a lower bound of what the
server does with the clients elsewhere.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pws import auth  # noqa: E402
from pws.config import Workspace  # noqa: E402
from pws.etl.store import Store  # noqa: E402

PASSWORD = "bench-sandi-123"
USER = "bench"
INDICATORS = ["K1", "K4", "K6", "PF", "KN1", "IDL", "DPTHBHIB3", "MR1", "BALITA_D", "HT"]
#: what a user looks at (callback name: the first output of the callback, as in /_dash-dependencies)
VIEWS = {
    "shell": "shell-tahun.value",
    "peta": "peta-choropleth.figure",
    "pws": "pws-grafik.figure",
    "tren-tahap": "tren-grafik-tahap.figure",
    "tren-puskesmas": "tren-grafik-puskesmas.figure",
    "ringkasan": "ringkasan-judul.children",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(source: Path | None, into: Path) -> Path:
    root = into / "ws"
    if source is None:
        from pws.demo import generate
        from pws.etl import input_files
        from pws.etl.ingest import ingest_files

        print(f"generating and ingesting the demo district into {root} ...", flush=True)
        generate(root)
        ingest_files(Workspace(root), input_files([Workspace(root).laporan_dir]))
    else:
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("cache", "secret_key"))
    store = Store.for_workspace(Workspace(root))
    if auth.get_user(store, USER) is None:
        auth.add_user(store, USER, PASSWORD, "dinkes")
    if not auth.has_admin(store):
        auth.add_user(store, "bench-admin", PASSWORD, "admin")
    store.close()
    return root


def start(root: Path, config: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``config``: ``WxT`` for gunicorn with W workers and T threads, ``single`` for ``python app.py``."""
    port = _free_port()
    env = {**os.environ, "PWS_WORKSPACE": str(root), "PWS_AUTH": "1", "PWS_PORT": str(port)}
    if config == "single":
        command = [sys.executable, "app.py"]
    else:
        workers, threads = config.split("x")
        command = [sys.executable, "-m", "gunicorn", "-w", workers, "--threads", threads,
                   "-b", f"127.0.0.1:{port}", "app:create_server()"]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/login", timeout=5).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"server {config} did not start; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def login(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=60)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = session.post(f"{url}/login", data={"csrf": token, "nama": USER, "sandi": PASSWORD, "next": "/"},
                            allow_redirects=False, timeout=60)  # fmt: skip
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    session.headers.update({"X-CSRFToken": session.cookies["_csrf_token"], "Origin": url})
    return session


@dataclass
class Callback:
    output: str
    outputs: Any
    inputs: list[dict[str, str]]
    state: list[dict[str, str]]


def callbacks(session: requests.Session, url: str) -> dict[str, Callback]:
    found: dict[str, Callback] = {}
    for dep in session.get(f"{url}/_dash-dependencies", timeout=60).json():
        spec = dep["output"]
        parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
        outs = [{"id": p.split(".", 1)[0], "property": p.split(".", 1)[1]} for p in parts]
        first = re.sub(r"@[0-9a-f]+", "", parts[0])
        found.setdefault(first, Callback(spec, outs if spec.startswith("..") else outs[0], dep["inputs"], dep["state"]))
    return found


def payload(cb: Callback, values: dict[tuple[str, str], Any], changed: str | None = None) -> dict[str, Any]:
    def item(spec: dict[str, str]) -> dict[str, Any]:
        return {"id": spec["id"], "property": spec["property"], "value": values.get((spec["id"], spec["property"]))}

    trigger = [changed or f"{cb.inputs[0]['id']}.{cb.inputs[0]['property']}"]
    return {"output": cb.output, "outputs": cb.outputs, "inputs": [item(s) for s in cb.inputs],
            "state": [item(s) for s in cb.state], "changedPropIds": trigger}  # fmt: skip


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.latencies[name].append(seconds)
            else:
                self.errors[name] += 1


def simulated_user(url: str, cbs: dict[str, Callback], tahun: int, months: list[int], seed: int,
                   start_at: float, stop_at: float, results: Results, think: float = 0.0) -> None:  # fmt: skip
    rng = random.Random(seed)
    try:
        t0 = time.perf_counter()
        session = login(url)
        if time.monotonic() >= start_at:
            results.add("login", time.perf_counter() - t0, True)
    except Exception:  # noqa: BLE001  (counted as an error)
        results.add("login", 0, False)
        return
    drawn: Any = None
    while time.monotonic() < stop_at:
        if think:
            time.sleep(rng.uniform(0, 2 * think))
        filters = {"tahun": tahun, "bulan": rng.choice(months), "indikator": rng.choice(INDICATORS),
                   "puskesmas": None, "desa": None}  # fmt: skip
        values: dict[tuple[str, str], Any] = {
            ("shell-filters", "data"): filters,
            ("shell-tahun", "value"): filters["tahun"],
            ("shell-bulan", "value"): filters["bulan"],
            ("shell-indikator", "value"): filters["indikator"],
            ("peta-warna", "value"): "status",
            ("peta-peta-jalan", "value"): [],
            ("peta-tergambar", "data"): drawn,
            ("tren-tahap", "value"): "ibu_hamil",
        }
        for name in ["shell", rng.choice(["peta", "pws", "tren-tahap", "tren-puskesmas", "ringkasan"])]:
            body = payload(cbs[VIEWS[name]], values, "shell-indikator.value" if name == "shell" else None)
            t0 = time.perf_counter()
            try:
                response = session.post(f"{url}/_dash-update-component", json=body, timeout=120)
                ok = response.status_code in (200, 204)
                if ok and name == "peta" and response.status_code == 200:
                    drawn = response.json()["response"].get("peta-tergambar", {}).get("data", drawn)
            except requests.RequestException:
                ok = False
            if time.monotonic() >= start_at:
                results.add(name, time.perf_counter() - t0, ok)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(
    root: Path, config: str, users: int, seconds: float, warmup: float, log: Path, think: float = 0.0
) -> dict[str, Any]:
    from pws.service import latest_period

    process, url = start(root, config, log)
    try:
        from pws import service

        service.configure(Workspace(root))
        period = latest_period(Workspace(root))
        tahun, last = period if period else (2025, 12)
        months = list(range(max(1, last - 2), last + 1))  # the recent months: what a review meeting looks at
        cbs = callbacks(login(url), url)
        results = Results()
        start_at = time.monotonic() + warmup
        stop_at = start_at + seconds
        threads = [
            threading.Thread(
                target=simulated_user, args=(url, cbs, tahun, months, i, start_at, stop_at, results, think)
            )
            for i in range(users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load = os.getloadavg()[0]
    finally:
        stop(process)
    every = [v for values in results.latencies.values() for v in values]
    requests_done = sum(len(v) for k, v in results.latencies.items() if k != "login")
    return {
        "config": config,
        "users": users,
        "load": load,
        "throughput": requests_done / seconds,
        "per": {k: v for k, v in sorted(results.latencies.items())},
        "errors": dict(results.errors),
        "all": [v for k, values in results.latencies.items() if k != "login" for v in values] or every,
    }


def report(result: dict[str, Any]) -> None:
    label = "gunicorn -w {} --threads {}".format(*result["config"].split("x")) if "x" in result["config"] else (
        "python app.py (one process)")  # fmt: skip
    errors = sum(result["errors"].values())
    print(f"\n== {label}, {result['users']} users: {result['throughput']:.1f} requests/s, {errors} errors "
          f"(machine load average at the end: {result['load']:.1f})")  # fmt: skip
    print(f"   {'callback':<16}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [*result["per"].items(), ("ALL", result["all"])]
    for name, values in rows:
        if values:
            p50, p95, p99 = (1000 * pct(values, q) for q in (50, 95, 99))
            print(f"   {name:<16}{len(values):>7}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")
    if result["errors"]:
        print("   errors:", result["errors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="an ingested workspace to copy (default: a fresh demo)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a user's views, seconds")
    parser.add_argument("--configs", default="2x8", help="gunicorn workers x threads, comma-separated")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pws-load-") as tmp:
        root = prepare(args.workspace, Path(tmp))
        log = Path(tmp) / "server.log"
        configs = [c.strip() for c in args.configs.split(",") if c.strip()]
        results = []
        if not args.no_baseline:
            results.append(run(root, configs[0], 1, args.seconds, args.warmup, log, args.think))
        for config in configs:
            results.append(run(root, config, args.users, args.seconds, args.warmup, log, args.think))
        if not args.no_baseline:
            results.append(run(root, "single", args.users, args.seconds, args.warmup, log, args.think))
        for result in results:
            report(result)
        main_result = next(r for r in results if r["users"] == args.users and r["config"] == configs[0])
        p95 = 1000 * pct(main_result["all"], 95)
        print(f"\nmain: {configs[0]}, {args.users} users: p95 {p95:.0f} ms (aim < 500), "
              f"errors {sum(main_result['errors'].values())} (aim 0)")  # fmt: skip
        for other in results:
            if other is main_result or not other["all"]:
                continue
            ratio_tp = main_result["throughput"] / other["throughput"] if other["throughput"] else float("inf")
            ratio_p95 = pct(other["all"], 95) / pct(main_result["all"], 95)
            print(f"vs {other['config']} ({other['users']} users): throughput ×{ratio_tp:.2f}, "
                  f"its p95 / main p95 = {ratio_p95:.2f}")  # fmt: skip
        if any(r["errors"] for r in results):
            print(f"server log: {log}")
            print(log.read_text(errors="replace")[-2000:])
        print(f"(median of main ALL: {1000 * statistics.median(main_result['all']):.0f} ms)")


if __name__ == "__main__":
    main()
