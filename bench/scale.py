"""Scale benchmark (issue 9), one run: ingest throughput and memory, then the dashboard at province scale.

    python bench/scale.py [--workspace DIR] [--files N] [--repeat 3] [--no-postgres] [--app-workspace DIR]

Ingest: the workspace's reports (``laporan/``; ``--files N``: the first N in input order, e.g. a sample of a
province) into a fresh, empty store, with

- ``1 proses``: ``pws ingest`` as it always was, parse and store in one process (the baseline);
- ``2 proses``: ``--proses 2``, parsing in two worker processes, storing in the parent;
- ``dask local:2``: ``--dask`` on a LocalCluster of two single-threaded worker processes (started before the clock
  runs, as a deployment's cluster is already up; its start-up time is printed apart);
- ``dask workers write``: the alternative design, measured only here: each worker parses *and* stores its files
  (its own Store, one transaction per file, writers serialised by the store's lock), in whatever order the
  tasks run — not input order, so not what ``pws ingest --dask`` does;
- ``parse only`` / ``store only``: the two halves of ``1 proses`` measured apart (one process; ``store only``
  stores results parsed beforehand): the CPU cost of parsing a file, and the serialised writer's throughput.

on SQLite (the workspace file) and on PostgreSQL (a throwaway server from ``/usr/lib/postgresql/*/bin``, as the
tests start it, when those binaries exist; ``--no-postgres`` skips it). Every run is a fresh subprocess (so its peak
memory is its own: ``ru_maxrss`` of the ingesting process and of its largest worker process), variants interleaved
in shuffled order per repetition, medians reported, ratios against ``1 proses`` on the same store in the same run.

Dashboard: when ``bench/scale_app.py`` exists (the province dashboard benchmark), its ``measure(workspace)`` is
called on ``--app-workspace`` (default: ``--workspace``) and its figures printed.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import pwd
import random
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ENGINES = ["1 proses", "2 proses", "dask local:2", "dask workers write", "parse only", "store only"]


# ---------------------------------------------------------------------- one measured run (in its own process)


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Ingest ``spec['files']`` into ``spec['workspace']`` (store: ``spec['url']``) with ``spec['engine']``."""
    import logging

    from pws.config import Workspace
    from pws.etl import Tidier
    from pws.etl.ingest import ingest_files
    from pws.etl.store import DATABASE_URL_ENV, Store
    from pws.workspace import load_workspace

    os.environ[DATABASE_URL_ENV] = spec["url"]
    ws = Workspace(Path(spec["workspace"]))
    files = [Path(f) for f in spec["files"]]
    engine = spec["engine"]
    out: dict[str, Any] = {"cluster_s": None}
    if engine in ("parse only", "store only"):
        data = load_workspace(ws)
        tidier = Tidier(data.wilayah, data.catalogue)
        raws = [f.read_bytes() for f in files]
        t0, c0 = time.perf_counter(), time.process_time()
        results = [tidier.tidy(f, raw) for f, raw in zip(files, raws, strict=True)]
        parse_s = time.perf_counter() - t0
        cpu = time.process_time() - c0
        seconds = parse_s
        if engine == "store only":
            with Store.for_workspace(ws) as store:
                t0, c0 = time.perf_counter(), time.process_time()
                pairs = zip(results, raws, strict=True)
                statuses = [store.ingest(r, raw, keluarga_key=r.family).status for r, raw in pairs]
                seconds = time.perf_counter() - t0
                cpu = time.process_time() - c0
        else:
            statuses = ["-"] * len(files)
    elif engine == "dask workers write":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
            ) as cluster,
            Client(cluster) as client,
        ):
            client.wait_for_workers(2)
            out["cluster_s"] = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            done = client.gather(client.map(_ingest_on_worker, [str(ws.root)] * len(files), spec["files"]))
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
        statuses = [status for _, status in done]
        results = []
        out["values_override"] = sum(n for n, _ in done)
    elif engine == "dask local:2":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
            ) as cluster,
            Client(cluster) as client,
        ):
            client.wait_for_workers(2)
            out["cluster_s"] = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            results, statuses = ingest_files(ws, files, dask=client)
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        results, statuses = ingest_files(ws, files, proses=2 if engine == "2 proses" else 1)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    out.update(
        seconds=seconds,
        files=len(files),
        values=out.pop("values_override", None) or sum(len(r.rows) for r in results),
        statuses={s: statuses.count(s) for s in sorted(set(statuses))},
        cpu_s=cpu,
        worker_cpu_s=_cpu(resource.RUSAGE_CHILDREN),
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        worker_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )
    return out


def _ingest_on_worker(root: str, path: str) -> tuple[int, str]:
    """On a Dask worker: parse and store one file with the worker's own Tidier and Store (built once)."""
    from distributed import get_worker

    from pws.config import Workspace
    from pws.etl import Tidier
    from pws.etl.store import Store
    from pws.workspace import load_workspace

    worker = get_worker()
    cached = getattr(worker, "_pws_bench", None)
    if cached is None:
        ws = Workspace(Path(root))
        data = load_workspace(ws)
        cached = worker._pws_bench = (Tidier(data.wilayah, data.catalogue), Store.for_workspace(ws))
    tidier, store = cached
    raw = Path(path).read_bytes()
    result = tidier.tidy(Path(path), raw)
    return len(result.rows), store.ingest(result, raw, keluarga_key=result.family).status


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------- a throwaway PostgreSQL


@contextmanager
def postgres() -> Iterator[str | None]:
    """A PostgreSQL server for this run (unix socket in a temp folder, fsync off as in the tests), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        yield None
        return
    bindir = Path(found[-1]).parent
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="pwsbench-pg-"))
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)

    def run(cmd: list[str]) -> None:
        full = ["su", "postgres", "-c", shlex.join(cmd)] if as_root else cmd
        subprocess.run(full, check=True, capture_output=True, text=True, timeout=120)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = base / "data"
    options = f"-k {base} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    try:
        run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options, "start", "-w"])
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"PostgreSQL not started ({exc}); SQLite only", flush=True)
        shutil.rmtree(base, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}"
    finally:
        run([str(bindir / "pg_ctl"), "-D", str(data), "stop", "-m", "fast", "-w"])
        shutil.rmtree(base, ignore_errors=True)


def fresh_schema(server: str) -> str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"b_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


# ---------------------------------------------------------------------- the run


def dashboard_figures(workspace: Path) -> dict[str, Any] | None:
    path = REPO / "bench" / "scale_app.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("scale_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures: dict[str, Any] = module.measure(workspace)
    return figures


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_format(v)}" for k, v in value.items())
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", help="a workspace with laporan/ (default: a fresh demo in a temp dir)")
    parser.add_argument("--files", type=int, default=0, help="only the first N reports (0: all)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of: " + ", ".join(ENGINES))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--app-workspace", help="workspace for bench/scale_app.measure (default: --workspace)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    from pws.config import Workspace
    from pws.etl import input_files

    if args.workspace:
        root = Path(args.workspace).resolve()
    else:
        from pws.demo import generate

        root = Path(tempfile.mkdtemp(prefix="pws-bench-")) / "ws"
        print(f"writing the demo district into {root} ...", flush=True)
        generate(root)
    files = input_files([Workspace(root).laporan_dir])
    if args.files:
        files = files[: args.files]
    size = sum(f.stat().st_size for f in files)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"{len(files)} report files ({size / 1e6:.1f} MB) from {root}; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.1f}; {args.repeat} repetitions, medians", flush=True)  # fmt: skip

    scratch = Path(tempfile.mkdtemp(prefix="pws-scale-"))
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        with postgres() if not args.no_postgres else _none() as pg:
            stores = ["sqlite"] + (["postgresql"] if pg else [])
            for rep in range(args.repeat):
                order = [(s, e) for s in stores for e in engines]
                random.shuffle(order)
                for store, engine in order:
                    ws = scratch / f"ws-{rep}-{store}-{ENGINES.index(engine)}"
                    shutil.copytree(root, ws, ignore=shutil.ignore_patterns(".pws", "laporan"))
                    sqlite = f"sqlite:///{ws / '.pws' / 'pws.sqlite'}"
                    url = fresh_schema(pg) if store == "postgresql" and pg else sqlite
                    spec = {"workspace": str(ws), "files": [str(f) for f in files], "engine": engine, "url": url}
                    proc = subprocess.run(
                        [sys.executable, __file__, "--child", json.dumps(spec)],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if proc.returncode != 0:
                        print(f"{store} {engine}: failed\n{proc.stderr[-2000:]}", flush=True)
                        continue
                    result = json.loads(proc.stdout.strip().splitlines()[-1])
                    runs.setdefault((store, engine), []).append(result)
                    print(f"  [{rep + 1}/{args.repeat}] {store:10} {engine:19} {result['seconds']:7.1f} s "
                          f"{result['statuses']}", flush=True)  # fmt: skip
                    shutil.rmtree(ws, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(f"{'store':10} {'engine':19} {'files':>6} {'values':>8} {'median s':>9} {'min-max s':>12} {'files/s':>8} "
          f"{'values/s':>9} {'vs 1 proses':>11} {'CPU ms/file':>11} {'MB parent':>9} {'MB worker':>9}")  # fmt: skip
    for (store, engine), results in sorted(runs.items(), key=lambda kv: (kv[0][0], ENGINES.index(kv[0][1]))):
        seconds = [r["seconds"] for r in results]
        med = statistics.median(seconds)
        base = runs.get((store, "1 proses"))
        ratio = statistics.median(r["seconds"] for r in base) / med if base else float("nan")
        r0 = results[0]
        worker = max(r["worker_rss_mb"] for r in results) if engine.startswith(("2", "dask")) else 0.0
        cpu_ms = statistics.median(r["cpu_s"] for r in results) / r0["files"] * 1000
        print(
            f"{store:10} {engine:19} {r0['files']:6d} {r0['values']:8d} {med:9.2f} "
            f"{min(seconds):5.1f}-{max(seconds):5.1f} {r0['files'] / med:8.1f} {r0['values'] / med:9.0f} "
            f"{ratio:10.2f}x {cpu_ms:11.1f} {max(r['rss_mb'] for r in results):9.0f} {worker:9.0f}"
        )
    print("CPU ms/file: CPU time of the ingesting (parent) process in the measured part, per file; for the")
    print("  2-process and Dask engines the workers' CPU is apart (worker CPU s, with their start-up):")
    for (store, engine), results in sorted(runs.items()):
        if engine.startswith(("2", "dask")):
            worker_cpu = statistics.median(r["worker_cpu_s"] for r in results)
            print(f"  {store:10} {engine:19} worker CPU s {worker_cpu:6.1f}")
    starts = [r["cluster_s"] for (_, e), rs in runs.items() if e.startswith("dask") for r in rs]
    if starts:
        print(f"dask LocalCluster(2) start-up (not in the figures above): median {statistics.median(starts):.1f} s")

    print()
    app_ws = Path(args.app_workspace).resolve() if args.app_workspace else root
    figures = dashboard_figures(app_ws)
    if figures is None:
        print("dashboard at province scale: bench/scale_app.py is not there yet (nothing measured)")
    else:
        print(f"dashboard at province scale ({app_ws}):")
        for key, value in figures.items():
            print(f"  {key:40} {_format(value)}")


@contextmanager
def _none() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    main()
