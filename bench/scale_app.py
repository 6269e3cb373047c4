"""Dashboard benchmark at province scale: what the main callbacks cost the server and the wire on the demo province,
how much geometry each map view sends, and the server's peak memory.

    python bench/scale_app.py [--workspace DIR] [--repeat 20]

``--workspace`` is a province workspace (``pws demo --skala provinsi``); without it a fresh one is generated into a
temporary folder. When its store is empty (``--tanpa-ingest``) the values the generator wrote into the reports
(``.pws/demo/kebenaran.csv``, with their file, sheet and cell) are stored directly, one stored batch per
kabupaten, without parsing the workbooks (the ingest itself is measured by ``bench/scale.py``): the dashboard then reads
exactly what an ingest of the reports gives.

Then ``python app.py`` runs on a free port and one keep-alive HTTP client on 127.0.0.1 measures, for random
indicator/month changes, the round trip of ``/_dash-update-component`` (loopback: the server time) of each main
callback — cold (first request) and warm (again) — with median and p95 and the response size raw and gzipped:

* ``peta provinsi``: the map at province level (kabupaten coloured by their aggregate), ``peta kabupaten``: the
  map inside one kabupaten (a Patch of values once drawn), ``peta ganti kab``: moving to another kabupaten (a new
  figure, geometry by URL), ``peta panel``, ``pws``, ``tren pkm``, ``ringkasan`` at province level;

and the geometry of every view (the kabupaten layer; each kabupaten's desa and kecamatan outlines) against the
baseline of the whole province's desa in one file (what the district map would send), and the server's peak RSS.

``measure(workspace)`` returns the figures as a dict (``bench/scale.py`` prints them with the ingest figures).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from pws.config import Workspace  # noqa: E402

_spec = importlib.util.spec_from_file_location("pws_bench_app", REPO / "bench" / "app.py")
assert _spec is not None and _spec.loader is not None
bench_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_app)

INDICATORS = ["K1", "K4", "K6", "PF", "KN1", "KN_L", "IDL", "DPTHBHIB3", "MR1", "SKR_PROD", "HT", "DM"]
#: name -> (a part of the callback's output spec, values of its other inputs/states, kabupaten in the filters)
CALLBACKS: dict[str, tuple[str, dict[str, Any], str]] = {
    "peta provinsi": ("peta-choropleth.figure", {"peta-warna.value": "status", "peta-peta-jalan.value": []}, "none"),
    "peta kabupaten": ("peta-choropleth.figure", {"peta-warna.value": "status", "peta-peta-jalan.value": []}, "one"),
    "peta ganti kab": ("peta-choropleth.figure", {"peta-warna.value": "status", "peta-peta-jalan.value": []}, "each"),
    "peta panel": ("peta-panel-desa.children", {}, "none"),
    "pws": ("pws-grafik.figure", {}, "none"),
    "tren pkm": ("tren-grafik-puskesmas.figure", {}, "none"),
    "ringkasan": ("ringkasan-kartu.children", {}, "none"),
}
ECHO = {"peta-tergambar": "peta-tergambar.data"}


def fill_store_from_truth(root: Path) -> int:
    """Store the generator's truth table (one batch per kabupaten) when the store is empty; returns
    the number of values stored (0 when the store already had data)."""
    from pws.etl.model import TIDY_COLUMNS, FileResult
    from pws.etl.store import Store

    ws = Workspace(root)
    with Store.for_workspace(ws) as store:
        if store.version() > 0:
            return 0
        truth = pd.read_csv(ws.internal_dir / "demo" / "kebenaran.csv", dtype={"kode_desa": str, "sumber_sel": str,
                                                                              "sumber_sheet": str})  # fmt: skip
        wilayah = pd.read_csv(root / "wilayah.csv", dtype=str)[["kode_desa", "nama_desa", "kode_puskesmas"]]
        rows = truth.merge(wilayah, on="kode_desa", how="left")
        rows["sumber_sheet"] = rows["sumber_sheet"].fillna("")
        total = 0
        for kab, part in rows.groupby(rows["kode_desa"].str[:5], sort=True):
            part = part[TIDY_COLUMNS].reset_index(drop=True)
            periods = sorted({(int(y), int(m)) for y, m in zip(part["tahun"], part["bulan"], strict=True)})
            name = f"kebenaran_{kab}.csv"
            result = FileResult(ws.internal_dir / name, "", part, [], family="demo", periods=periods)
            store.ingest(result, name.encode())
            total += len(part)
        return total


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def geometry_figures(root: Path) -> dict[str, Any]:
    """Bytes (raw, gzip) of each map view's GeoJSON and of the one-file baseline."""
    from pws import service

    ws = Workspace(root)
    service.configure(ws)
    whole = service.map_geometry(ws)
    province = service.province_geometry(ws)
    assert whole is not None and province is not None, "not a province workspace with boundaries"

    def size(*paths: Path) -> tuple[int, int]:
        data = [p.read_bytes() for p in paths]
        return sum(len(d) for d in data), sum(len(gzip.compress(d)) for d in data)

    views = {kab: size(layer.desa, layer.kecamatan) for kab, layer in province.layers.items()}
    raw_views = sorted(v[0] for v in views.values())
    baseline = size(whole.desa_geojson, whole.kecamatan_geojson)
    return {
        "kabupaten_view": dict(zip(("raw", "gzip"), size(province.kabupaten), strict=True)),
        "kabupaten_view_tolerance": province.tolerance,
        "desa_view_max": dict(zip(("raw", "gzip"), max(views.values()), strict=True)),
        "desa_view_median_raw": int(statistics.median(raw_views)),
        "desa_view_tolerances": sorted({layer.tolerance for layer in province.layers.values()}),
        "baseline_all_desa": dict(zip(("raw", "gzip"), baseline, strict=True)),
        "n_views": 1 + len(views),
    }


def measure(workspace: Path, repeat: int = 20) -> dict[str, Any]:
    """Start the app on ``workspace`` (a province with data), measure, stop it; the figures as a dict:
    ``callbacks`` (per name: cold/warm median and p95 in ms, response bytes raw/gzip), ``geometry`` (bytes per
    view and the baseline), ``peak_rss_mb`` of the server process, ``n_desa``, ``n_kabupaten``."""
    from pws import service

    root = Path(workspace)
    ws = Workspace(root)
    service.configure(ws)
    kabupaten = service.kabupaten_list(ws)["kode_kabupaten"].tolist()
    n_desa = len(service.workspace_data(ws).wilayah)
    geometry = geometry_figures(root)
    port = bench_app._free_port()
    start = time.perf_counter()
    process = bench_app.start_server(root, port)
    started = time.perf_counter() - start
    bench_app.wait_until_idle(process.pid)
    try:
        callbacks = _callbacks(port, kabupaten, repeat)
        rss = _peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    return {
        "n_desa": n_desa,
        "n_kabupaten": len(kabupaten),
        "server_start_s": started,
        "callbacks": callbacks,
        "geometry": geometry,
        "peak_rss_mb": rss,
    }


def _callbacks(port: int, kabupaten: list[str], repeat: int) -> dict[str, dict[str, float]]:
    client = bench_app.Client(port)
    _, deps_raw, _ = client.request("GET", "/_dash-dependencies")
    deps = json.loads(deps_raw)
    rng = random.Random(7)
    combos = [(ind, bulan) for ind in INDICATORS for bulan in range(1, 13)]
    rng.shuffle(combos)
    combos = combos[:repeat]
    one = kabupaten[len(kabupaten) // 2]
    out: dict[str, dict[str, float]] = {}
    for name, (output_part, extra, kab_mode) in CALLBACKS.items():
        cold: list[float] = []
        warm: list[float] = []
        raw_sizes: list[int] = []
        gz_sizes: list[int] = []
        echoed: dict[str, Any] = {}
        for i, (indikator, bulan) in enumerate(combos):
            kab = {"none": None, "one": one, "each": kabupaten[i % len(kabupaten)]}[kab_mode]
            filters = {"tahun": 2025, "bulan": bulan, "indikator": indikator, "puskesmas": None, "desa": None,
                       "kabupaten": kab}  # fmt: skip
            for bucket in (cold, warm):
                body = bench_app.callback_payload(deps, output_part, {"shell-filters.data": filters, **extra, **echoed})
                status, raw, elapsed = client.request("POST", "/_dash-update-component", body)
                if status not in (200, 204):
                    raise SystemExit(f"{name}: HTTP {status}: {raw[:300]!r}")
                bucket.append(elapsed)
                if status == 200 and bucket is cold:
                    raw_sizes.append(len(raw))
                    gz_sizes.append(len(gzip.compress(raw)))
                    response = json.loads(raw)["response"]
                    for component, key in ECHO.items():
                        if component in response:
                            echoed[key] = next(iter(response[component].values()))
        out[name] = {
            "cold_median_ms": statistics.median(cold) * 1000,
            "cold_p95_ms": bench_app.pct(cold, 0.95) * 1000,
            "warm_median_ms": statistics.median(warm) * 1000,
            "warm_p95_ms": bench_app.pct(warm, 0.95) * 1000,
            "raw_bytes": statistics.median(raw_sizes) if raw_sizes else 0,
            "gzip_bytes": statistics.median(gz_sizes) if gz_sizes else 0,
        }
    return out


def report(figures: dict[str, Any]) -> str:
    """The figures of :func:`measure` as the lines ``main`` prints."""
    geo = figures["geometry"]
    lines = [
        f"province: {figures['n_kabupaten']} kabupaten/kota, {figures['n_desa']} desa; "
        f"server start {figures['server_start_s']:.1f} s",
        "",
        "map geometry per view (served once per view, cached by the browser)",
        f"  kabupaten layer          raw {geo['kabupaten_view']['raw'] / 1e6:6.2f} MB   "
        f"gzip {geo['kabupaten_view']['gzip'] / 1e6:6.2f} MB   (tolerance {geo['kabupaten_view_tolerance']}°)",
        f"  one kabupaten (largest)  raw {geo['desa_view_max']['raw'] / 1e6:6.2f} MB   "
        f"gzip {geo['desa_view_max']['gzip'] / 1e6:6.2f} MB   median raw {geo['desa_view_median_raw'] / 1e6:.2f} MB"
        f"   (tolerances {geo['desa_view_tolerances']})",
        f"  baseline: all desa       raw {geo['baseline_all_desa']['raw'] / 1e6:6.2f} MB   "
        f"gzip {geo['baseline_all_desa']['gzip'] / 1e6:6.2f} MB   = "
        f"{geo['baseline_all_desa']['raw'] / geo['desa_view_max']['raw']:.1f}× the largest view",
        "",
        "callbacks (server time over loopback; response of the cold call)",
    ]
    for name, c in figures["callbacks"].items():
        lines.append(
            f"  {name:15s} cold median {c['cold_median_ms']:7.1f} ms  p95 {c['cold_p95_ms']:7.1f} ms   "
            f"warm median {c['warm_median_ms']:7.1f} ms  p95 {c['warm_p95_ms']:7.1f} ms   "
            f"response {c['raw_bytes'] / 1024:8.1f} KB (gzip {c['gzip_bytes'] / 1024:7.1f} KB)"
        )
    lines += ["", f"server peak memory (VmHWM): {figures['peak_rss_mb']:.0f} MB"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    root = args.workspace
    if root is None:
        from pws.demo.province import generate_province

        root = Path(tempfile.mkdtemp(prefix="pws-bench-provinsi-")) / "ws"
        print(f"generating the demo province into {root} ...", flush=True)
        generate_province(root, jobs=2)
    start = time.perf_counter()
    stored = fill_store_from_truth(root)
    if stored:
        print(f"stored {stored:,} values from the truth table in {time.perf_counter() - start:.0f} s", flush=True)
    print(report(measure(root, args.repeat)))


if __name__ == "__main__":
    main()
