"""Dashboard benchmark over loopback, on the demo district: what a filter change costs the server and the wire.

    python bench/app.py [--workspace DIR] [--repeat 40]

Starts ``python app.py`` on a free port (a fresh demo workspace, generated and ingested, unless --workspace is
given), then measures with one keep-alive HTTP client on 127.0.0.1:

* callbacks (map, trend, PWS table, overview): round-trip time of ``/_dash-update-component`` for random
  indicator/month changes — *cold* (the first request for an indicator/month, caches empty) and *warm* (the same
  request again); median and p95; response size raw and gzipped. Loopback adds well under a millisecond, so the
  round trip is the server time;
* the map's geometry payload (raw and gzipped) against the baseline of the same figure with the GeoJSON inline
  (what a naive Dash map sends on every change), and our map update (a Patch) against that rebuild;
* the first page load with compression on: index, scripts, styles, layout and dependencies, on the wire.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pws.config import Workspace  # noqa: E402

INDICATORS = ["K1", "K4", "K6", "PF", "KN1", "KN_L", "IDL", "DPTHBHIB3", "MR1", "BALITA_D", "SKR_PROD", "HT"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: Any = None, gzip_ok: bool = False) -> tuple[int, bytes, float]:
        headers = {"Accept-Encoding": "gzip"} if gzip_ok else {"Accept-Encoding": "identity"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - start
        return response.status, raw, elapsed


def start_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PWS_WORKSPACE": str(root), "PWS_PORT": str(port)}
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            status, _, _ = Client(port).request("GET", "/_dash-layout")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the app did not start")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, limit: float = 300) -> None:
    """Let the server finish warming its caches (it fills the newest month in a background thread at start):
    wait until it has used less than 0.05 s of CPU in a second (Linux /proc; elsewhere just 30 s)."""
    start = time.monotonic()
    if not Path(f"/proc/{pid}/stat").exists():
        time.sleep(30)
        return
    last = _cpu_seconds(pid)
    while time.monotonic() - start < limit:
        time.sleep(1)
        now = _cpu_seconds(pid)
        if now - last < 0.05:
            break
        last = now
    print(f"server warm-up finished after {time.monotonic() - start:.0f} s", flush=True)


def callback_payload(deps: list[dict], output_part: str, values: dict[str, Any]) -> dict[str, Any]:
    """The ``/_dash-update-component`` body of the callback whose output contains ``output_part``, with its
    inputs and states taken from ``values`` ("id.property" -> value; missing ones are None)."""
    for dep in deps:
        if output_part in dep["output"]:
            break
    else:
        raise SystemExit(f"no callback with output {output_part!r}")

    def item(spec: dict) -> dict:
        key = f"{spec['id']}.{spec['property']}"
        return {"id": spec["id"], "property": spec["property"], "value": values.get(key)}

    outputs = [
        {"id": part.split(".")[0], "property": part.split(".")[1]} for part in dep["output"].strip(".").split("...")
    ]
    body: dict[str, Any] = {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(s) for s in dep["inputs"]],
        "state": [item(s) for s in dep.get("state", [])],
        "changedPropIds": ["shell-filters.data"],
    }
    return body


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {pct(values, 0.95) * 1000:7.1f} ms"


def kb(n: float) -> str:
    return f"{n / 1024:8.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    if args.workspace is None:
        from pws.demo import generate
        from pws.etl import input_files
        from pws.etl.ingest import ingest_files

        root = Path(tempfile.mkdtemp(prefix="pws-bench-app-")) / "ws"
        print(f"generating and ingesting the demo district into {root} ...", flush=True)
        generate(root)
        ingest_files(Workspace(root), input_files([Workspace(root).laporan_dir]))
    else:
        root = args.workspace
    port = _free_port()
    process = start_server(root, port)
    wait_until_idle(process.pid)
    try:
        run(root, port, args.repeat)
    finally:
        process.terminate()
        process.wait(10)


#: name -> (a part of the callback's output spec, values of its other inputs/states)
CALLBACKS: dict[str, tuple[str, dict[str, Any]]] = {
    "peta": ("peta-choropleth.figure", {"peta-warna.value": "status", "peta-peta-jalan.value": []}),
    "peta panel": ("peta-panel-desa.children", {}),
    "tren tahap": ("tren-grafik-tahap.figure", {"tren-tahap.value": "{tahap}"}),  # the indicator's life stage
    "tren pkm": ("tren-grafik-puskesmas.figure", {}),
    "pws": ("pws-grafik.figure", {}),
    "ringkasan": ("ringkasan-kartu.children", {}),
}
#: outputs whose value the page sends back as state on the next call (what the map has drawn already)
ECHO = {"peta-tergambar": "peta-tergambar.data"}


def run(root: Path, port: int, repeat: int) -> None:
    client = Client(port)
    _, deps_raw, _ = client.request("GET", "/_dash-dependencies")
    deps = json.loads(deps_raw)
    random.seed(7)

    # -- first page load with compression -------------------------------------------------------------------
    status, index, _ = client.request("GET", "/ringkasan", gzip_ok=True)
    html = gzip.decompress(index).decode() if index[:2] == b"\x1f\x8b" else index.decode()
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    wire = len(index)
    raw_total = len(html.encode())
    for path in [*assets, "/_dash-layout", "/_dash-dependencies"]:
        _, body, _ = client.request("GET", path, gzip_ok=True)
        wire += len(body)
        raw_total += len(gzip.decompress(body)) if body[:2] == b"\x1f\x8b" else len(body)
    print("\nfirst page load (index, scripts, styles, layout, dependencies)")
    print(f"  {len(assets) + 3} requests   uncompressed {kb(raw_total)}   on the wire (gzip) {kb(wire)}"
          f"   ratio {raw_total / wire:.1f}×")  # fmt: skip

    # -- geometry -------------------------------------------------------------------------------------------
    from pws import service

    ws = Workspace(root)
    service.configure(ws)
    geometry = service.map_geometry(ws)
    assert geometry is not None
    print("\nmap geometry (served once, cached by the browser)")
    for path in (geometry.desa_geojson, geometry.kecamatan_geojson):
        data = path.read_bytes()
        print(f"  {path.name[:40]:40s} raw {kb(len(data))}   gzip {kb(len(gzip.compress(data)))}")
    inline = len(geometry.desa_geojson.read_bytes())
    catalogue = service.workspace_data(ws).catalogue

    # -- callbacks ------------------------------------------------------------------------------------------
    combos = [(ind, bulan) for ind in INDICATORS for bulan in range(1, 11)]
    random.shuffle(combos)
    combos = combos[:repeat]
    print(f"\ncallbacks: {len(combos)} random indicator/month changes each, cold then warm, 2025")
    sizes: dict[str, list[int]] = {}
    zipped_sizes: dict[str, list[int]] = {}
    for name, (output_part, extra) in CALLBACKS.items():
        cold: list[float] = []
        warm: list[float] = []
        echoed: dict[str, Any] = {}
        for indikator, bulan in combos:
            filters = {"tahun": 2025, "bulan": bulan, "indikator": indikator, "puskesmas": None, "desa": None}
            tahap = catalogue.indicators[indikator].tahap
            values = {k: (v.format(tahap=tahap) if isinstance(v, str) else v) for k, v in extra.items()}
            for bucket in (cold, warm):
                body = callback_payload(deps, output_part, {"shell-filters.data": filters, **values, **echoed})
                status, raw, elapsed = client.request("POST", "/_dash-update-component", body)
                if status == 204:  # nothing to update (e.g. the map already shows this view)
                    bucket.append(elapsed)
                    continue
                if status != 200:
                    raise SystemExit(f"{name}: HTTP {status}: {raw[:300]!r}")
                bucket.append(elapsed)
                if bucket is cold:
                    sizes.setdefault(name, []).append(len(raw))
                    zipped_sizes.setdefault(name, []).append(len(gzip.compress(raw)))
                    response = json.loads(raw)["response"]
                    for component, key in ECHO.items():
                        if component in response:
                            echoed[key] = next(iter(response[component].values()))
        med = statistics.median(sizes[name])
        zipped = statistics.median(zipped_sizes[name])
        print(f"  {name:12s} cold {ms(cold)}   warm {ms(warm)}   response {kb(med)} (gzip {kb(zipped)})")
        if name == "peta":
            print(f"  {'':12s} baseline: the figure with the GeoJSON inline is ≥ {kb(inline)} per change; "
                  f"the Patch is {inline / med:.0f}× smaller")  # fmt: skip


if __name__ == "__main__":
    main()
