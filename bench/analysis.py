"""Analysis benchmark: pws_table, aggregate and coverage_series on the demo district, against the code of an
earlier commit in the same run.

    python bench/analysis.py [--workspace DIR] [--baseline REV] [--tahun 2025] [--repeat 15]

``--workspace``: a workspace whose reports are ingested (default: a fresh demo in a temp dir, generated and
ingested first, ~1 min). It is only read. ``--baseline``: the git revision whose ``pws/analysis/coverage.py``,
``aggregate.py`` and ``series.py`` are the baseline (default: 4a5f4a8, before the analysis was made fast); they
are loaded from ``git show`` as a separate package, everything else is shared. Every case runs both versions
interleaved in shuffled order per repetition and reports the medians; before timing, each case checks that both
versions give the same frame (``assert_frame_equal``, exact).

Cases: ``pws_table`` of one indicator and month called again with the same sasaran/target/wilayah frames (what
the dashboard does: warm), and with new frame objects each call (cold: the month-independent preparation is
redone); ``aggregate`` at kabupaten and puskesmas level; ``coverage_series`` (12 months + the previous year) at
kabupaten, puskesmas and desa level.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.testing import assert_frame_equal

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pws.analysis import aggregate, coverage_series, pws_table  # noqa: E402
from pws.analysis.load import observations_for  # noqa: E402
from pws.config import Workspace  # noqa: E402
from pws.etl.store import Store  # noqa: E402
from pws.workspace import load_workspace  # noqa: E402

BASELINE = "4a5f4a8"
MODULES = ("coverage", "aggregate", "series")


def load_baseline(rev: str) -> types.SimpleNamespace:
    """``pws_table``, ``aggregate`` and ``coverage_series`` as of ``rev``, importing each other (not ours)."""
    package = f"pws_baseline_{rev}"
    sys.modules[package] = types.ModuleType(package)
    sys.modules[package].__path__ = []
    found: dict[str, types.ModuleType] = {}
    for name in MODULES:
        source = subprocess.run(
            ["git", "show", f"{rev}:pws/analysis/{name}.py"], cwd=REPO, check=True, capture_output=True, text=True
        ).stdout
        for other in MODULES:
            source = source.replace(f"from pws.analysis.{other} import", f"from {package}.{other} import")
        spec = importlib.util.spec_from_loader(f"{package}.{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        exec(compile(source, f"{rev}:pws/analysis/{name}.py", "exec"), module.__dict__)
        found[name] = module
    return types.SimpleNamespace(
        pws_table=found["coverage"].pws_table,
        aggregate=found["aggregate"].aggregate,
        coverage_series=found["series"].coverage_series,
    )


def demo_workspace() -> Path:
    from pws.demo import generate
    from pws.etl import input_files
    from pws.etl.ingest import ingest_files

    root = Path(tempfile.mkdtemp(prefix="pws-bench-analysis-"))
    print(f"writing and ingesting the demo district into {root} ...", flush=True)
    generate(root)
    ingest_files(Workspace(root), input_files([Workspace(root).laporan_dir]))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", help="an ingested workspace (default: a fresh demo in a temp dir)")
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision of the baseline (default {BASELINE})")
    parser.add_argument("--tahun", type=int, default=2025)
    parser.add_argument("--bulan", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    root = Path(args.workspace) if args.workspace else demo_workspace()
    ws = Workspace(root)
    data = load_workspace(ws)
    base = load_baseline(args.baseline)
    tahun, bulan = args.tahun, args.bulan
    sas, tgt, wil, cat = data.sasaran, data.target, data.wilayah, data.catalogue
    with Store.for_workspace(ws) as store:
        obs = {code: observations_for(store, tahun, [code]) for code in ("K4", "DPTHBHIB3", "VITA")}
        obs["STUNTING"] = observations_for(store, tahun, ["STUNTING", "BALITA_D"])
        k4_both = pd.concat([obs["K4"], observations_for(store, tahun - 1, ["K4"])]).drop_duplicates()
    pkm = str(wil["kode_puskesmas"].iloc[0])
    desa = str(wil["kode_desa"].iloc[0])
    k4 = pws_table(obs["K4"], sas, tgt, cat, wil, tahun, bulan, "K4")
    print(f"{len(wil)} desa, {len(sas)} sasaran rows; K4 {tahun}: {len(obs['K4'])} tidy rows; baseline {args.baseline}")

    def cold(fn: Callable[..., Any]) -> Callable[[], Any]:
        """Each call with new (equal) frame objects: nothing of an earlier call can be reused."""
        copies = [(sas.copy(), None if tgt is None else tgt.copy(), wil.copy()) for _ in range(args.repeat + 1)]

        def call() -> Any:
            s, t, w = copies.pop()
            return fn(obs["K4"], s, t, cat, w, tahun, bulan, "K4")

        return call

    def cases(impl: Any) -> dict[str, Callable[[], Any]]:
        out: dict[str, Callable[[], Any]] = {}
        for code in ("K4", "DPTHBHIB3", "STUNTING", "VITA"):
            out[f"pws_table {code} (same frames)"] = lambda c=code: impl.pws_table(
                obs[c], sas, tgt, cat, wil, tahun, bulan, c
            )
        out["pws_table K4 (new frames)"] = cold(impl.pws_table)
        out["aggregate kabupaten"] = lambda: impl.aggregate(k4, "kabupaten")
        out["aggregate puskesmas"] = lambda: impl.aggregate(k4, "puskesmas")
        for level, kode in (("kabupaten", None), ("puskesmas", pkm), ("desa", desa)):
            out[f"coverage_series {level}"] = lambda lv=level, k=kode: impl.coverage_series(
                k4_both, sas, tgt, cat, wil, tahun, "K4", lv, k
            )
        return out

    ours = cases(types.SimpleNamespace(pws_table=pws_table, aggregate=aggregate, coverage_series=coverage_series))
    theirs = cases(base)
    for name in ours:  # same results first (also warms both up)
        assert_frame_equal(ours[name](), theirs[name](), check_exact=True)
    times: dict[tuple[str, str], list[float]] = {}
    rng = random.Random(0)
    for _ in range(args.repeat):
        runs = [(name, "ours", fn) for name, fn in ours.items()] + [(name, "base", fn) for name, fn in theirs.items()]
        rng.shuffle(runs)
        for name, variant, fn in runs:
            start = time.perf_counter()
            fn()
            times.setdefault((name, variant), []).append(time.perf_counter() - start)
    print(f"\n{'case':36} {'baseline ms':>12} {'now ms':>9} {'speed-up':>9}")
    for name in ours:
        b = statistics.median(times[(name, "base")]) * 1000
        o = statistics.median(times[(name, "ours")]) * 1000
        print(f"{name:36} {b:12.1f} {o:9.2f} {b / o:8.1f}x")


if __name__ == "__main__":
    main()
