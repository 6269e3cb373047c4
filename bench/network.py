"""The Peta network layer: what switching it on costs the wire and the server, on the demo district.

    python bench/network.py [--workspace DIR] [--repeat 20]

Uses a demo workspace (generated into a temporary folder unless --workspace is given) and measures, in process:

* payload: the Patch that adds the layer (two traces: the desa without a pustu outlined, one point per unit with
  coordinates) against the baseline of rebuilding the whole map figure with the layer in it (what a callback
  returning a new figure would send), raw and gzipped;
* time: building that Patch's traces from the cached network (median of ``--repeat``) against building the whole
  figure with them (the baseline).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pws import service, viewstate  # noqa: E402
from pws.config import Workspace  # noqa: E402
from pws.figures import network as nf  # noqa: E402

TAHUN, BULAN = 2025, 10


def _size(obj: object) -> tuple[int, int]:
    raw = json.dumps(obj, separators=(",", ":"), default=str).encode()
    return len(raw), len(gzip.compress(raw, 6))


def _median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = args.workspace
    if root is None:
        from pws.demo import generate
        from pws.etl import input_files
        from pws.etl.ingest import ingest_files

        root = Path(tempfile.mkdtemp()) / "ws"
        generate(root)
        ingest_files(Workspace(root), input_files([root / "laporan"]))
    ws = Workspace(root)
    from app import create_app  # the pages register with an app

    create_app(ws, warm=False)
    from layouts.peta import map_figure

    geometry = service.map_geometry(ws)
    assert geometry is not None
    jejaring, _ = service.jejaring(ws)
    state = viewstate.ViewState(TAHUN, BULAN, "K4", None, None)

    def layer() -> list[dict]:
        units = nf.active_units(jejaring, nf.month_end(TAHUN, BULAN))
        by_desa = service.network_by_desa(ws, TAHUN, BULAN)
        no_pustu = list(by_desa.loc[by_desa["tanpa_pustu"].astype(bool), "kode_desa"].astype(str))
        return [nf.no_pustu_trace(no_pustu, f"/geo/{geometry.desa_geojson.name}"),
                nf.points_trace(nf.map_points(units))]  # fmt: skip

    def rebuild() -> dict:
        figure = map_figure(state, "status")
        assert figure is not None
        figure["data"] = [*figure["data"], *layer()]
        return figure

    traces = layer()
    patch = {"operations": [{"operation": "Extend", "location": ["data"], "params": {"value": traces}}]}
    points = len(traces[1]["lat"])
    patch_raw, patch_gz = _size(patch)
    full_raw, full_gz = _size(rebuild())
    t_patch = _median(layer, args.repeat)
    t_full = _median(rebuild, args.repeat)
    print(f"units drawn: {points}, desa without pustu: {len(traces[0]['locations'])}")
    print(f"{'variant':<42}{'raw KB':>9}{'gzip KB':>9}{'ms':>8}{'size ×':>8}{'time ×':>8}")
    print(f"{'layer Patch (two traces)':<42}{patch_raw / 1024:>9.1f}{patch_gz / 1024:>9.1f}{t_patch * 1000:>8.1f}"
          f"{1.0:>8.1f}{1.0:>8.1f}")  # fmt: skip
    print(f"{'whole figure with the layer (baseline)':<42}{full_raw / 1024:>9.1f}{full_gz / 1024:>9.1f}"
          f"{t_full * 1000:>8.1f}{full_raw / patch_raw:>8.1f}{t_full / t_patch:>8.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
