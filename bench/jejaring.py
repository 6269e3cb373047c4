"""Service-network benchmark: loading jejaring.csv and reading posyandu-level reports, each against a baseline of
the same run.

    python bench/jejaring.py [--workspace DIR] [--repeat 5]

- ``load_jejaring`` (every check, with the point-in-desa test on the boundaries) against ``load_wilayah`` (the
  master list loader of the same workspace) and against ``load_jejaring`` without boundaries (the polygon check's
  share);
- ``Tidier.tidy`` of the demo's posyandu SKDN workbooks of 2025 (one row per posyandu, names matched to the
  network) against the PWS KIA workbooks of the same puskesmas-months (one row per desa), per file;
- storing them (SQLite, desa sums + posyandu rows) against storing the PWS KIA files.

Without ``--workspace`` the demo district is generated into a temporary folder first (about a minute).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pws.config import Workspace  # noqa: E402
from pws.etl import Tidier, input_files  # noqa: E402
from pws.etl.store import Store  # noqa: E402
from pws.geo import load_boundaries  # noqa: E402
from pws.network import load_jejaring  # noqa: E402
from pws.workspace import load_wilayah, load_workspace  # noqa: E402


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = None
    if args.workspace is None:
        from pws.demo import generate

        tmp = tempfile.TemporaryDirectory()
        args.workspace = Path(tmp.name) / "ws"
        generate(args.workspace)
    ws = Workspace(args.workspace)
    data = load_workspace(ws)
    assert ws.wilayah_path is not None and ws.batas_path is not None
    boundaries, _ = load_boundaries(ws.batas_path, wilayah=data.wilayah)
    units, _ = load_jejaring(ws, data.wilayah, boundaries)

    print(f"jejaring.csv: {len(units)} units; wilayah: {len(data.wilayah)} desa (median of {args.repeat})")
    base = median_time(lambda: load_wilayah(ws.wilayah_path), args.repeat)  # type: ignore[arg-type]
    flat = median_time(lambda: load_jejaring(ws, data.wilayah, None), args.repeat)
    full = median_time(lambda: load_jejaring(ws, data.wilayah, boundaries), args.repeat)
    print(f"{'variant':<44}{'ms':>9}{'vs wilayah':>12}")
    for name, value in (
        ("load_wilayah (baseline)", base),
        ("load_jejaring without boundaries", flat),
        ("load_jejaring with point-in-desa check", full),
    ):
        print(f"{name:<44}{value * 1000:>9.1f}{value / base:>11.1f}x")

    skdn = input_files([ws.laporan_dir / "posyandu"])
    kia = [p for p in input_files([ws.laporan_dir / "2025"]) if "KIA" in p.name.upper()][: len(skdn)]
    tidier = Tidier(data.wilayah, data.catalogue, jejaring=units)
    for p in skdn[:3] + kia[:3]:  # warm the memo tables as a long-running server would have them
        tidier.tidy(p)
    rows: dict[str, int] = {}

    def tidy_all(files: list[Path], key: str) -> None:
        rows[key] = sum(len(tidier.tidy(p).rows) for p in files)

    t_kia = median_time(lambda: tidy_all(kia, "kia"), max(1, args.repeat // 2))
    t_skdn = median_time(lambda: tidy_all(skdn, "skdn"), max(1, args.repeat // 2))
    print(f"\ntidy, {len(skdn)} SKDN files vs {len(kia)} PWS KIA files of 2025")
    print(f"{'files':<44}{'ms/file':>9}{'vs KIA':>12}{'desa rows':>11}")
    print(f"{'PWS KIA, one row per desa (baseline)':<44}{t_kia / len(kia) * 1000:>9.1f}{1.0:>11.1f}x{rows['kia']:>11}")
    ratio = (t_skdn / len(skdn)) / (t_kia / len(kia))
    print(f"{'SKDN, one row per posyandu':<44}{t_skdn / len(skdn) * 1000:>9.1f}{ratio:>11.1f}x{rows['skdn']:>11}")

    results = {"kia": [tidier.tidy(p) for p in kia], "skdn": [tidier.tidy(p) for p in skdn]}
    stored: dict[str, float] = {}
    for key, files in (("kia", kia), ("skdn", skdn)):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(f"sqlite:///{folder}/s.sqlite", Path(folder) / "arsip")
            raws = [p.read_bytes() for p in files]
            start = time.perf_counter()
            for result, raw in zip(results[key], raws, strict=True):
                store.ingest(result, raw)
            stored[key] = time.perf_counter() - start
            store.close()
    print("\nstore into SQLite (one transaction per file)")
    print(f"{'PWS KIA (baseline)':<44}{stored['kia'] / len(kia) * 1000:>9.1f} ms/file")
    print(f"{'SKDN (desa sums + posyandu rows)':<44}{stored['skdn'] / len(skdn) * 1000:>9.1f} ms/file"
          f"{stored['skdn'] / len(skdn) / (stored['kia'] / len(kia)):>8.1f}x")  # fmt: skip
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
