"""ETL benchmark: a district-year of puskesmas workbooks, our ETL against two baselines in the same run.

    python bench/etl.py [--workspace DIR] [--tahun 2024] [--repeat 3]

Baselines (same files, same run, interleaved in shuffled order per repetition, medians reported):
- pandas.read_excel(engine="openpyxl", sheet_name=None, header=None) (+ pandas.read_csv for CSV files): what a
  hand-written pandas script would do, without understanding anything;
- raw python-calamine: every sheet's cells read with to_python(), nothing else: the floor.
Ours: ``read_workbook`` alone (our reader: every sheet's cells, merges and visibility, no interpretation), to show
how much of ``tidy`` is reading; ``Tidier.tidy`` (read + layout + names + checks, tidy rows); and the same plus
storing into SQLite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pws.config import Workspace  # noqa: E402
from pws.etl import Tidier, input_files  # noqa: E402
from pws.etl.read import read_workbook  # noqa: E402
from pws.etl.store import Store  # noqa: E402
from pws.workspace import load_workspace  # noqa: E402


def pandas_openpyxl(files: list[Path]) -> int:
    cells = 0
    for f in files:
        if f.suffix == ".csv":
            frame = pd.read_csv(f, sep=None, engine="python", header=None, dtype=str)
            cells += frame.size
            continue
        for frame in pd.read_excel(f, sheet_name=None, header=None, engine="openpyxl").values():
            cells += frame.size
    return cells


def raw_calamine(files: list[Path]) -> int:
    cells = 0
    for f in files:
        if f.suffix == ".csv":
            cells += sum(len(line.split(";")) for line in f.read_text(encoding="utf-8").splitlines())
            continue
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", help="a workspace with laporan/ (default: a fresh demo in a temp dir)")
    parser.add_argument("--tahun", default="2024")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.workspace:
        root = Path(args.workspace)
    else:
        from pws.demo import generate

        root = Path(tempfile.mkdtemp(prefix="pws-bench-"))
        print(f"writing the demo district into {root} ...", flush=True)
        generate(root)
    ws = Workspace(root)
    files = input_files([ws.laporan_dir / args.tahun])
    data = load_workspace(ws)
    tidier = Tidier(data.wilayah, data.catalogue)
    cells = raw_calamine(files)
    print(f"{len(files)} files, {cells:,} cells (used ranges), year {args.tahun}")

    def ours() -> int:
        return sum(len(tidier.tidy(f).rows) for f in files)

    def ours_store() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{tmp}/b.sqlite", Path(tmp) / "arsip")
            n = 0
            for f in files:
                raw = f.read_bytes()
                result = tidier.tidy(f, raw)
                store.ingest(result, raw, keluarga_key=result.family)
                n += len(result.rows)
            store.close()
            return n

    variants = {
        "pandas read_excel (openpyxl)": lambda: pandas_openpyxl(files),
        "raw python-calamine": lambda: raw_calamine(files),
        "pws read_workbook (cells only)": lambda: sum(len(read_workbook(f).sheets) for f in files),
        "pws tidy (parse only)": ours,
        "pws ingest (parse + SQLite)": ours_store,
    }
    ours()  # warm caches (label normalisation, name matching) as a long-running server would have them
    times: dict[str, list[float]] = {k: [] for k in variants}
    rows_out = 0
    for _ in range(args.repeat):
        order = list(variants)
        random.shuffle(order)
        for name in order:
            t0 = time.perf_counter()
            out = variants[name]()
            times[name].append(time.perf_counter() - t0)
            if name == "pws tidy (parse only)":
                rows_out = out
    base_pandas = statistics.median(times["pandas read_excel (openpyxl)"])
    base_raw = statistics.median(times["raw python-calamine"])
    print(f"tidy rows produced: {rows_out:,}")
    print(f"{'variant':32} {'median s':>9} {'files/s':>8} {'Mcells/s':>9} {'vs pandas':>10} {'vs raw':>7}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(
            f"{name:32} {med:9.2f} {len(files) / med:8.1f} {cells / med / 1e6:9.2f} "
            f"{base_pandas / med:9.1f}x {med / base_raw:6.2f}x"
        )


if __name__ == "__main__":
    main()
