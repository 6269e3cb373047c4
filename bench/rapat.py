"""Meeting-pack benchmark: the time to build a full district pack (PowerPoint, PDF and Excel) on the demo, and the
figure rendering it rests on against two baselines in the same run.

    python bench/rapat.py [--workspace DIR] [--tahun 2025] [--bulan 10] [--puskesmas KODE] [--repeat 2]
                          [--figures N] [--skip-cli]

``--workspace``: an ingested workspace (default: a fresh demo in a temp dir, generated and ingested first, ~1 min);
it is copied, never written. Three parts:

1. **The whole pack as a user gets it**: ``pws rapat -o x.pptx -o x.pdf -o x.xlsx`` in a fresh process (imports,
   cold caches and the Chromium start included), ``--repeat`` times, wall-clock seconds.
2. **Its phases** in this process: the numbers (:func:`pws.report.pack.collect`, with the data-quality checks),
   building the figures, rendering them, writing the PowerPoint, the PDF (Chromium print) and the workbook.
3. **The pack's figures rendered three ways**, interleaved in a shuffled order per repetition: one-shot Kaleido
   (``fig.write_image`` / ``calc_fig_sync`` without a server: Chromium is started for every image — the
   baseline), Kaleido's warm server (``kaleido.start_sync_server``: one Chromium, the page reloaded after every
   image) and :class:`pws.report.images.Renderer` (one Chromium, no reload between PNG images). All three get the
   same figures, sizes and the vendored topojson, MathJax off; their PNGs must have the same pixel size.
   ``--figures N`` renders only the first N figures (the one-shot baseline takes ~4 s per figure).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pws.config import Workspace  # noqa: E402
from pws.report import pack as rp  # noqa: E402
from pws.report.excel import write_excel  # noqa: E402
from pws.report.images import Job, Renderer, png_size, topojson_url  # noqa: E402
from pws.report.pdf import write_pdf  # noqa: E402
from pws.report.pptx import write_pptx  # noqa: E402


def demo_workspace() -> Path:
    from pws.demo import generate
    from pws.etl import input_files
    from pws.etl.ingest import ingest_files

    root = Path(tempfile.mkdtemp(prefix="pws-bench-rapat-"))
    print(f"writing and ingesting the demo district into {root} ...", flush=True)
    generate(root)
    ingest_files(Workspace(root), input_files([Workspace(root).laporan_dir]))
    return root


def cli_pack(root: Path, tahun: int, bulan: int, puskesmas: str | None, out: Path) -> float:
    """Wall-clock seconds of ``pws rapat`` writing the three files in a fresh process."""
    files = [arg for suffix in ("pptx", "pdf", "xlsx") for arg in ("-o", str(out / f"paket.{suffix}"))]
    command = [sys.executable, "-m", "pws", "rapat", "--workspace", str(root), "--tahun", str(tahun), "--bulan",
               str(bulan), *files]  # fmt: skip
    if puskesmas:
        command += ["--puskesmas", puskesmas]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, capture_output=True)
    return time.perf_counter() - started


def phases(ws: Workspace, tahun: int, bulan: int, puskesmas: str | None) -> tuple[dict[str, float], list[Job]]:
    """Seconds per phase of one pack built in this process (cold caches), and the figure jobs of the pack."""
    out: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], object]) -> object:
        started = time.perf_counter()
        value = fn()
        out[name] = time.perf_counter() - started
        return value

    total = time.perf_counter()
    with Renderer() as renderer:  # as `pws rapat` does: one browser draws the figures and prints the PDF
        data = timed(
            "numbers (collect, quality in parallel)", lambda: rp.collect(ws, tahun, bulan, puskesmas, wait=False)
        )
        assert isinstance(data, rp.PackData)
        base = rp.map_base(ws, puskesmas)
        jobs = timed("figures built", lambda: rp.figure_jobs(data, base))
        assert isinstance(jobs, list)
        images = timed("figures rendered (incl. Chromium start)", lambda: renderer.render_all([j for _, j in jobs]))
        assert isinstance(images, list)
        timed("waiting for the quality checks", data.wait)
        pictures = {key: rp.Picture(png, *png_size(png), "") for (key, _), png in zip(jobs, images, strict=True)}
        pack = rp.Pack(data, rp.build_slides(data, pictures))
        out["pack built (total of the above)"] = time.perf_counter() - total
        timed("PowerPoint written", lambda: write_pptx(pack))
        timed("PDF printed (same browser)", lambda: write_pdf(pack, renderer))
        timed("Excel written", lambda: write_excel(data))
    out["all three files (total)"] = time.perf_counter() - total
    print(f"  {len(pack.slides)} slides, {len(jobs)} figures", flush=True)
    return out, [job for _, job in jobs]


def render_oneshot(jobs: Sequence[Job]) -> list[bytes]:
    import kaleido

    out = []
    for job in jobs:
        figure, opts = job.spec()
        out.append(kaleido.calc_fig_sync(figure, opts=opts, topojson=topojson_url(), kopts={"mathjax": False}))
    return out


def render_kaleido_server(jobs: Sequence[Job]) -> list[bytes]:
    import kaleido

    kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
    try:
        out = []
        for job in jobs:
            figure, opts = job.spec()
            out.append(kaleido.calc_fig_sync(figure, opts=opts, topojson=topojson_url()))
        return out
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def render_warm(jobs: Sequence[Job]) -> list[bytes]:
    with Renderer() as renderer:
        return renderer.render_all(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", help="an ingested workspace (default: a fresh demo in a temp dir)")
    parser.add_argument("--tahun", type=int, default=2025)
    parser.add_argument("--bulan", type=int, default=10)
    parser.add_argument("--puskesmas", help="a puskesmas pack instead of the district's")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--figures", type=int, default=0, help="render only the first N figures in part 3")
    parser.add_argument("--skip-cli", action="store_true", help="leave out part 1")
    args = parser.parse_args()
    source = Path(args.workspace) if args.workspace else demo_workspace()
    scratch = Path(tempfile.mkdtemp(prefix="pws-bench-rapat-run-"))
    root = scratch / "ws"
    shutil.copytree(source, root)
    ws = Workspace(root)

    if not args.skip_cli:
        print("1. pws rapat -o .pptx -o .pdf -o .xlsx (fresh process each time)", flush=True)
        walls = [cli_pack(root, args.tahun, args.bulan, args.puskesmas, scratch) for _ in range(args.repeat)]
        print(f"  wall clock: {', '.join(f'{w:.1f}' for w in walls)} s (median {statistics.median(walls):.1f} s)")

    print("2. phases of one pack in this process", flush=True)
    times, jobs = phases(ws, args.tahun, args.bulan, args.puskesmas)
    for name, seconds in times.items():
        print(f"  {name:<45} {seconds:6.2f} s")

    if args.figures:
        jobs = jobs[: args.figures]
    print(f"3. rendering the pack's {len(jobs)} figures, {args.repeat} repetition(s), shuffled order", flush=True)
    variants: dict[str, Callable[[Sequence[Job]], list[bytes]]] = {
        "one-shot Kaleido per figure (baseline)": render_oneshot,
        "Kaleido start_sync_server (reload per image)": render_kaleido_server,
        "pws Renderer (warm, no reload)": render_warm,
    }
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    sizes: dict[str, list[tuple[int, int]]] = {}
    for _ in range(args.repeat):
        order = list(variants)
        random.shuffle(order)
        for name in order:
            started = time.perf_counter()
            images = variants[name](jobs)
            seconds[name].append(time.perf_counter() - started)
            sizes[name] = [png_size(png) for png in images]
    reference = sizes["pws Renderer (warm, no reload)"]
    assert all(found == reference for found in sizes.values()), "the variants drew different image sizes"
    fastest = min(statistics.median(s) for s in seconds.values())
    print(f"  {'variant':<46} {'total s':>8} {'s/figure':>9} {'vs fastest':>11}")
    for name, values in seconds.items():
        median = statistics.median(values)
        print(f"  {name:<46} {median:8.1f} {median / len(jobs):9.2f} {median / fastest:10.1f}x")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
