"""The ``pws`` command (also ``python -m pws``). Help and messages are Indonesian (``PWS_LANG=en`` for English).

Exit codes (contracts §4): 0 success, 1 some inputs failed (the rest were processed), 2 usage error or
nothing could be done.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pws.config import Workspace
from pws.etl import FileResult, Tidier, input_files
from pws.etl.ingest import ingest_files
from pws.i18n import t
from pws.issues import Issue, has_errors
from pws.safety import neutralise_frame


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def,unused-ignore]
        return super().add_usage(usage, actions, groups, prefix or t("cli.usage") + " ")


def _parser_kwargs() -> dict[str, object]:
    return {"formatter_class": _HelpFormatter, "add_help": False}


def _localise(parser: argparse.ArgumentParser) -> None:
    parser._positionals.title = t("cli.positional")
    parser._optionals.title = t("cli.options")
    parser.add_argument("-h", "--help", action="help", help=t("cli.help"))


def _add_workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", metavar="DIR", help=t("cli.workspace"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pws", description=t("cli.description"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(parser)
    sub = parser.add_subparsers(
        dest="command", prog=parser.prog, metavar=t("cli.command_metavar"), title=t("cli.commands")
    )

    demo = sub.add_parser("demo", help=t("cli.demo.help"), description=t("cli.demo.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(demo)
    _add_workspace(demo)
    demo.add_argument("--seed", type=int, default=None, help=t("cli.demo.seed"))
    demo.add_argument("--force", action="store_true", help=t("cli.demo.force"))
    demo.add_argument("--skala", choices=("kabupaten", "provinsi"), default="kabupaten", help=t("provinsi.cli_skala"))
    demo.add_argument("--tanpa-ingest", action="store_true", help=t("provinsi.cli_tanpa_ingest"))

    check = sub.add_parser("cek", help=t("cli.cek.help"), description=t("cli.cek.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(check)
    _add_workspace(check)
    check.add_argument("--code-field", help=t("cli.cek.code_field"))

    tidy = sub.add_parser("tidy", help=t("cli.tidy.help"), description=t("cli.tidy.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(tidy)
    tidy.add_argument("files", nargs="+", metavar="BERKAS", help=t("cli.files"))
    tidy.add_argument("--wilayah", required=True, metavar="WILAYAH.csv", help=t("cli.tidy.wilayah"))
    tidy.add_argument("-o", "--output", metavar="OUT.csv", help=t("cli.tidy.output"))
    tidy.add_argument("--tahun", type=int, help=t("cli.default_year"))
    tidy.add_argument("--json", action="store_true", help=t("cli.json"))

    ingest = sub.add_parser("ingest", help=t("cli.ingest.help"), description=t("cli.ingest.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(ingest)
    ingest.add_argument("files", nargs="+", metavar="BERKAS", help=t("cli.files"))
    _add_workspace(ingest)
    ingest.add_argument("--tahun", type=int, help=t("cli.default_year"))
    ingest.add_argument("--json", action="store_true", help=t("cli.json"))
    engine = ingest.add_mutually_exclusive_group()
    engine.add_argument("--proses", type=_non_negative, default=1, metavar="N", help=t("skala.proses"))
    engine.add_argument("--dask", metavar="ALAMAT", help=t("skala.dask"))

    status = sub.add_parser("status", help=t("cli.status.help"), description=t("cli.status.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(status)
    status.add_argument("--tahun", type=int, required=True, help=t("cli.status.tahun"))
    status.add_argument("--bulan", type=int, required=True, help=t("cli.status.bulan"))
    status.add_argument("--indikator", required=True, help=t("cli.status.indikator"))
    _add_workspace(status)
    status.add_argument("-o", "--output", metavar="OUT.csv", help=t("cli.status.output"))
    status.add_argument("--semua-kolom", action="store_true", help=t("cli.status.all_columns"))

    periksa_help = t("cli.periksa.help")
    periksa = sub.add_parser("periksa", help=periksa_help, description=periksa_help, **_parser_kwargs())  # type: ignore[arg-type]
    _localise(periksa)
    _add_workspace(periksa)
    periksa.add_argument("--tahun", type=int, help=t("cli.periksa.tahun"))
    periksa.add_argument("--bulan", type=int, help=t("cli.periksa.bulan"))
    periksa.add_argument("--puskesmas", metavar="KODE", help=t("cli.periksa.puskesmas"))
    periksa.add_argument("--json", action="store_true", help=t("cli.periksa.json"))

    rapat_help = t("cli.rapat.help")
    rapat = sub.add_parser("rapat", help=rapat_help, description=rapat_help, **_parser_kwargs())  # type: ignore[arg-type]
    _localise(rapat)
    rapat.add_argument("--tahun", type=int, help=t("cli.rapat.tahun"))
    rapat.add_argument("--bulan", type=int, help=t("cli.rapat.bulan"))
    rapat.add_argument("--puskesmas", metavar="KODE", help=t("cli.rapat.puskesmas"))
    _add_workspace(rapat)
    rapat.add_argument("-o", "--output", metavar="BERKAS", action="append", required=True, help=t("cli.rapat.output"))
    rapat.add_argument("--peta", metavar="INDIKATOR", help=t("cli.rapat.peta"))
    rapat.add_argument("--kabupaten", metavar="NAMA", help=t("cli.rapat.kabupaten"))

    serve = sub.add_parser("serve", help=t("cli.serve.help"), description=t("cli.serve.help"), **_parser_kwargs())  # type: ignore[arg-type]
    _localise(serve)
    _add_workspace(serve)
    serve.add_argument("--host", default="127.0.0.1", help=t("cli.serve.host"))
    serve.add_argument("--port", type=int, default=8050, help=t("cli.serve.port"))
    serve.add_argument("--debug", action="store_true", help=t("cli.serve.debug"))
    serve.add_argument("--auth", action="store_true", help=t("akses.cli_serve_auth"))
    _add_user_parser(sub)

    backup_help = t("keamanan.cli_backup_help")
    backup = sub.add_parser("backup", help=backup_help, description=backup_help, **_parser_kwargs())  # type: ignore[arg-type]
    _localise(backup)
    _add_workspace(backup)
    backup.add_argument("-o", "--output", metavar="FILE.zip", required=True, help=t("keamanan.cli_backup_output"))
    backup.add_argument("--tanpa-laporan", action="store_true", help=t("keamanan.cli_backup_tanpa_laporan"))

    restore_help = t("keamanan.cli_restore_help")
    restore = sub.add_parser("restore", help=restore_help, description=restore_help, **_parser_kwargs())  # type: ignore[arg-type]
    _localise(restore)
    restore.add_argument("source", metavar="FILE.zip", help=t("keamanan.cli_restore_source"))
    _add_workspace(restore)
    restore.add_argument("--paksa", action="store_true", help=t("keamanan.cli_restore_paksa"))
    return parser


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _add_user_parser(sub: Any) -> None:
    """``pws user add|list|remove|sandi`` (server-mode users, :mod:`pws.auth`)."""
    user = sub.add_parser("user", help=t("akses.cli_help"), description=t("akses.cli_help"), **_parser_kwargs())
    _localise(user)
    actions = user.add_subparsers(dest="user_command", metavar="{add,list,remove,sandi}")
    add = actions.add_parser("add", help=t("akses.cli_add_help"), description=t("akses.cli_add_help"),
                             **_parser_kwargs())  # fmt: skip
    listing = actions.add_parser("list", help=t("akses.cli_list_help"), **_parser_kwargs())
    remove = actions.add_parser("remove", help=t("akses.cli_remove_help"), **_parser_kwargs())
    reset = actions.add_parser("sandi", help=t("akses.cli_sandi_help"), **_parser_kwargs())
    for action in (add, listing, remove, reset):
        _localise(action)
        _add_workspace(action)
    for action in (add, remove, reset):
        action.add_argument("nama", metavar="NAMA", help=t("akses.cli_nama"))
    add.add_argument("--peran", required=True, choices=["admin", "dinkes", "puskesmas"], help=t("akses.cli_peran"))
    add.add_argument("--puskesmas", metavar="KODE", help=t("akses.cli_puskesmas"))
    for action in (add, reset):
        action.add_argument("--sandi-stdin", action="store_true", help=t("akses.cli_sandi_stdin"))


def _print_issues(issues: Sequence[Issue]) -> None:
    for item in issues:
        print(str(item), file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from pws.demo import DEFAULT_SEED, generate

    ws = Workspace.resolve(args.workspace)
    if not ws.is_empty() and not args.force:
        print(t("cli.demo.not_empty", root=ws.root), file=sys.stderr)
        return 2
    if args.skala == "provinsi":
        return _demo_province(ws, args)
    summary = generate(ws.root, seed=args.seed if args.seed is not None else DEFAULT_SEED)
    results, statuses = ingest_files(ws, input_files([ws.laporan_dir]), _progress)
    print(t("cli.demo.ingested", files=len(results), rows=sum(len(r.rows) for r in results)))
    print(
        t(
            "cli.demo.done",
            root=ws.root,
            desa=summary.n_desa,
            puskesmas=summary.n_puskesmas,
            kecamatan=summary.n_kecamatan,
            files=summary.n_files,
            values=summary.n_values,
        )
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pws.geo import load_boundaries
    from pws.network import jejaring_path, load_jejaring
    from pws.workspace import load_workspace

    ws = Workspace.resolve(args.workspace)
    if ws.wilayah_path is None:
        print(t("cli.no_wilayah", root=ws.root), file=sys.stderr)
        return 2
    data = load_workspace(ws)
    issues = list(data.issues)
    boundaries = None
    if ws.batas_path is not None:
        boundaries, found = load_boundaries(ws.batas_path, code_field=args.code_field, wilayah=data.wilayah)
        issues += found
    units, found = load_jejaring(ws, data.wilayah, boundaries)  # jejaring.csv is optional: no file, no issue
    issues += found
    _print_issues(issues)
    if jejaring_path(ws) is not None:
        print(t("jejaring.cek_summary", units=len(units), desa=units["kode_desa"].nunique()))
    print(
        t(
            "cli.cek.summary",
            desa=len(data.wilayah),
            puskesmas=data.wilayah["kode_puskesmas"].nunique(),
            sasaran=len(data.sasaran),
            errors=sum(i.severity == "error" for i in issues),
            warnings=sum(i.severity == "warning" for i in issues),
        )
    )
    return 1 if has_errors(issues) else 0


def _progress(i: int, n: int, name: str) -> None:
    if n > 1 and sys.stderr.isatty():
        print(f"\r[{i}/{n}] {name[:60]:<60}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def _summary_line(result: FileResult, status: str | None = None) -> str:
    periods = ", ".join(f"{y}-{m:02d}" for y, m in result.periods) or "-"
    errors = sum(i.severity == "error" for i in result.issues)
    warnings = sum(i.severity == "warning" for i in result.issues)
    return t(
        "cli.tidy.file_line",
        file=result.path.name,
        family=result.family or t("cli.tidy.family_unknown"),
        puskesmas=result.kode_puskesmas or "-",
        periods=periods,
        rows=len(result.rows),
        errors=errors,
        warnings=warnings,
        status=f" [{status}]" if status else "",
    )


def _issue_records(results: Sequence[FileResult]) -> list[dict[str, object]]:
    return [
        {
            "kode": i.code,
            "tingkat": i.severity,
            "pesan": i.message(),
            "berkas": i.file,
            "sheet": i.sheet,
            "sel": i.cell,
            "baris": i.row,
        }  # fmt: skip
        for r in results
        for i in r.issues
    ]


def _tidy_all(files: list[Path], tidier: Tidier) -> list[FileResult]:
    results = []
    for i, path in enumerate(files, start=1):
        _progress(i, len(files), path.name)
        results.append(tidier.tidy(path))
    return results


def cmd_tidy(args: argparse.Namespace) -> int:
    import pandas as pd

    from pws.catalogue import load_catalogue
    from pws.workspace import load_wilayah

    wilayah, found = load_wilayah(Path(args.wilayah))
    if wilayah.empty:
        _print_issues(found)
        return 2
    catalogue, _ = load_catalogue(Path(args.wilayah).parent)
    files = input_files([Path(f) for f in args.files])
    if not files:
        print(t("cli.no_files"), file=sys.stderr)
        return 2
    from pws.network import jejaring_beside

    jejaring = jejaring_beside(Path(args.wilayah), wilayah)  # names the posyandu of posyandu-level reports
    results = _tidy_all(files, Tidier(wilayah, catalogue, args.tahun, jejaring=jejaring))
    for result in results:
        print(_summary_line(result))
    if args.json:
        print(json.dumps(_issue_records(results), ensure_ascii=False, indent=1))
    else:
        _print_issues([i for r in results for i in r.issues])
    tidy = pd.concat([r.rows for r in results], ignore_index=True)
    posyandu = [r.posyandu_rows for r in results if r.posyandu_rows is not None]
    if posyandu:  # the optional column: desa rows have it empty, their posyandu breakdown follows (docs/jejaring.md)
        tidy = pd.concat([tidy.assign(posyandu=""), *(f.drop(columns="kode_unit") for f in posyandu)],
                         ignore_index=True)  # fmt: skip
    if args.output:
        neutralise_frame(tidy).to_csv(args.output, index=False)  # names from users' files: never formulas
    failed = sum(not r.readable or r.rows.empty for r in results)
    if failed == len(results):
        return 2
    return 1 if failed or any(has_errors(r.issues) for r in results) else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    ws = Workspace.resolve(args.workspace)
    if ws.wilayah_path is None:
        print(t("cli.no_wilayah", root=ws.root), file=sys.stderr)
        return 2
    files = input_files([Path(f) for f in args.files])
    if not files:
        print(t("cli.no_files"), file=sys.stderr)
        return 2
    if args.dask is not None:
        from pws.etl import distributed

        try:
            distributed.parse_address(args.dask)
        except ValueError:
            print(t("skala.dask_alamat_salah", alamat=args.dask), file=sys.stderr)
            return 2
        if not distributed.available():
            print(t("skala.dask_tidak_ada"), file=sys.stderr)
            return 2
        try:
            results, statuses = ingest_files(ws, files, _progress, args.tahun, dask=args.dask)
        except distributed.DaskConnectionError as exc:
            print(t("skala.dask_tidak_tersambung", alamat=exc.address, detail=exc.detail), file=sys.stderr)
            return 2
    else:
        results, statuses = ingest_files(ws, files, _progress, args.tahun, proses=args.proses)
    for result, status in zip(results, statuses, strict=True):
        print(_summary_line(result, status))
    if args.json:
        print(json.dumps(_issue_records(results), ensure_ascii=False, indent=1))
    else:
        _print_issues([i for r in results for i in r.issues])
    failed = sum(s == "gagal" for s in statuses)
    if failed == len(statuses):
        return 2
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    import pandas as pd

    from pws.analysis import CONTRACT_COLUMNS
    from pws.analysis.load import UnknownIndicatorError, status_for_cli

    ws = Workspace.resolve(args.workspace)
    if ws.wilayah_path is None:
        print(t("cli.no_wilayah", root=ws.root), file=sys.stderr)
        return 2
    if not 1 <= args.bulan <= 12:
        print(t("cli.status.bad_month", bulan=args.bulan), file=sys.stderr)
        return 2
    try:
        table = status_for_cli(ws, args.tahun, args.bulan, args.indikator)
    except UnknownIndicatorError as exc:
        print(t("cli.status.unknown_indicator", kode=exc.kode), file=sys.stderr)
        return 2
    out = table if args.semua_kolom else table[CONTRACT_COLUMNS]
    if args.output:
        neutralise_frame(out).to_csv(args.output, index=False)  # names from users' files: never formulas
    else:
        shown = out.copy()
        numeric = shown.select_dtypes("number").columns
        shown[numeric] = shown[numeric].round(1)
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(shown.to_string(index=False))
    return 0


def cmd_periksa(args: argparse.Namespace) -> int:
    from pws.quality.report import check_workspace, format_text, latest_year
    from pws.workspace import load_workspace

    ws = Workspace.resolve(args.workspace)
    if ws.wilayah_path is None:
        print(t("cli.no_wilayah", root=ws.root), file=sys.stderr)
        return 2
    if args.bulan is not None and not 1 <= args.bulan <= 12:
        print(t("cli.status.bad_month", bulan=args.bulan), file=sys.stderr)
        return 2
    data = load_workspace(ws)
    if args.puskesmas and args.puskesmas not in set(data.wilayah["kode_puskesmas"]):
        print(t("cli.periksa.unknown_puskesmas", kode=args.puskesmas), file=sys.stderr)
        return 2
    tahun = args.tahun if args.tahun is not None else latest_year(ws)
    report = check_workspace(ws, tahun, args.bulan, kode_puskesmas=args.puskesmas, data=data) if tahun else None
    if report is None or not report.bulan:
        print(t("cli.periksa.no_data", tahun=tahun or "-"), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_text(report))
    return 1 if report.has_errors() else 0


PACK_SUFFIXES = (".pptx", ".pdf", ".xlsx")
MAP_SUFFIXES = (".png", ".pdf")


def _rapat_period(ws: Workspace, tahun: int | None, bulan: int | None) -> tuple[int, int] | None:
    """The month of the pack: as given, else the newest month with data (of ``tahun`` when only it is given)."""
    if tahun is not None and bulan is not None:
        return tahun, bulan
    from pws import service

    periods = service.store(ws).periods()
    if tahun is not None:
        periods = periods[periods["tahun"] == tahun]
    if periods.empty:
        return None
    newest = periods.iloc[0]
    return int(newest["tahun"]), int(bulan if bulan is not None else newest["bulan"])


def cmd_rapat(args: argparse.Namespace) -> int:
    import time

    from pws import service
    from pws.report import (
        BrowserMissingError,
        NoBoundariesError,
        Renderer,
        build_pack,
        chromium_path,
        collect,
        print_map,
        write_excel,
        write_pdf,
        write_pptx,
    )

    started = time.perf_counter()
    ws = Workspace.resolve(args.workspace)
    if ws.wilayah_path is None:
        print(t("cli.no_wilayah", root=ws.root), file=sys.stderr)
        return 2
    outputs = [Path(o) for o in args.output]
    allowed = MAP_SUFFIXES if args.peta else PACK_SUFFIXES
    for path in outputs:
        if path.suffix.lower() not in allowed:
            print(t("cli.rapat.bad_suffix", path=path, allowed=", ".join(allowed)), file=sys.stderr)
            return 2
    if args.bulan is not None and not 1 <= args.bulan <= 12:
        print(t("cli.status.bad_month", bulan=args.bulan), file=sys.stderr)
        return 2
    data = service.workspace_data(ws)
    if args.puskesmas and args.puskesmas not in set(data.wilayah["kode_puskesmas"].astype(str)):
        print(t("cli.rapat.unknown_puskesmas", kode=args.puskesmas), file=sys.stderr)
        return 2
    indikator = args.peta.strip().upper() if args.peta else None
    if indikator is not None and indikator not in data.catalogue.indicators:
        print(t("cli.rapat.unknown_indicator", kode=indikator), file=sys.stderr)
        return 2
    period = _rapat_period(ws, args.tahun, args.bulan)
    if period is None:
        print(t("cli.rapat.no_data", root=ws.root), file=sys.stderr)
        return 2
    tahun, bulan = period
    pictured = [p for p in outputs if p.suffix.lower() != ".xlsx"]
    if pictured and chromium_path() is None:
        for path in pictured:
            print(t("cli.rapat.no_browser", path=path), file=sys.stderr)
        outputs = [p for p in outputs if p not in pictured]
        if not outputs:
            return 2
    failed = len(args.output) - len(outputs)

    def save(path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(t("cli.rapat.written", path=path, ukuran=f"{len(content) / 1024:,.0f}".replace(",", ".")))

    try:
        if indikator is not None:
            with Renderer() as renderer:
                for path in outputs:
                    content = print_map(ws, tahun, bulan, indikator, args.puskesmas, fmt=path.suffix.lower()[1:],
                                        kabupaten=args.kabupaten, renderer=renderer)  # fmt: skip
                    save(path, content)
        elif any(p.suffix.lower() != ".xlsx" for p in outputs):
            from concurrent.futures import ThreadPoolExecutor

            with Renderer() as renderer, ThreadPoolExecutor(max_workers=1) as printer:
                # one browser draws the figures and prints the PDF; the printing (Chromium's work) runs beside the
                # writing of the PowerPoint and the workbook (Python's)
                pack = build_pack(ws, tahun, bulan, args.puskesmas, kabupaten=args.kabupaten, renderer=renderer)
                wants_pdf = any(p.suffix.lower() == ".pdf" for p in outputs)
                pdf = printer.submit(write_pdf, pack, renderer) if wants_pdf else None
                writers = {".xlsx": lambda: write_excel(pack.data), ".pptx": lambda: write_pptx(pack),
                           ".pdf": lambda: pdf.result() if pdf is not None else b""}  # fmt: skip
                for path in sorted(outputs, key=lambda p: p.suffix.lower() == ".pdf"):
                    try:
                        save(path, writers[path.suffix.lower()]())
                    except (OSError, RuntimeError) as exc:
                        print(t("cli.rapat.failed", path=path, detail=exc), file=sys.stderr)
                        failed += 1
        else:
            numbers = collect(ws, tahun, bulan, args.puskesmas, kabupaten=args.kabupaten)
            for path in outputs:
                try:
                    save(path, write_excel(numbers))
                except OSError as exc:
                    print(t("cli.rapat.failed", path=path, detail=exc), file=sys.stderr)
                    failed += 1
    except NoBoundariesError:
        print(t("cli.rapat.no_boundaries", root=ws.root), file=sys.stderr)
        return 2
    except BrowserMissingError:
        print(t("cli.rapat.no_browser", path=", ".join(str(p) for p in outputs)), file=sys.stderr)
        return 2
    print(t("cli.rapat.elapsed", detik=f"{time.perf_counter() - started:.1f}".replace(".", ",")))
    if failed:
        return 2 if failed == len(args.output) else 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    os.environ["PWS_WORKSPACE"] = str(Workspace.resolve(args.workspace).root.resolve())
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from app import NoAdminError, create_app  # the Dash app lives beside the library, at the repository's top

    if args.auth:
        os.environ["PWS_AUTH"] = "1"
        print(t("akses.server_peringatan"), file=sys.stderr)
    try:
        app = create_app(Workspace.resolve(args.workspace))
    except NoAdminError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password: the first line of stdin with ``--sandi-stdin``, else asked twice without echo."""
    import getpass

    if args.sandi_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("akses.cli_sandi_prompt", nama=args.nama))
    if getpass.getpass(t("akses.cli_sandi_ulang")) != first:
        print(t("akses.cli_sandi_beda"), file=sys.stderr)
        return None
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from pws import auth
    from pws.etl.store import Store
    from pws.workspace import load_workspace

    if args.user_command is None:
        build_parser().parse_args(["user", "--help"])
        return 2
    ws = Workspace.resolve(args.workspace)
    store = Store.for_workspace(ws)
    try:
        if args.user_command == "list":
            users = auth.list_users(store)
            if not users:
                print(t("akses.cli_kosong"))
                return 0
            print(t("akses.cli_kolom"))
            for u in users:
                when = [f"{d:%Y-%m-%d %H:%M}" if d is not None else "-" for d in (u.dibuat, u.login_terakhir)]
                active = t("akses.cli_ya") if u.aktif else t("akses.cli_tidak")
                print(" | ".join([u.nama, u.peran, u.kode_puskesmas or "-", active, *when]))
            return 0
        if args.user_command == "remove":
            if not auth.remove_user(store, args.nama):
                print(t("akses.cli_tidak_ada", nama=args.nama), file=sys.stderr)
                return 2
            print(t("akses.cli_dihapus", nama=args.nama))
            return 0
        if args.user_command == "sandi" and auth.get_user(store, args.nama) is None:
            print(t("akses.cli_tidak_ada", nama=args.nama), file=sys.stderr)
            return 2
        password = _read_password(args)
        if password is None:
            return 2
        if args.user_command == "sandi":
            auth.set_password(store, args.nama, password)
            print(t("akses.cli_sandi_diganti", nama=args.nama))
            return 0
        known = load_workspace(ws).wilayah["kode_puskesmas"] if args.peran == "puskesmas" else []
        user = auth.add_user(store, args.nama, password, args.peran, args.puskesmas, set(known))
        print(t("akses.cli_ditambah", nama=user.nama, peran=user.peran))
        return 0
    except auth.UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        store.close()


def cmd_backup(args: argparse.Namespace) -> int:
    from pws.backup import BackupError, backup
    from pws.upload import format_size

    try:
        summary = backup(Workspace.resolve(args.workspace), Path(args.output), with_laporan=not args.tanpa_laporan)
    except BackupError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    except OSError as exc:
        print(t("keamanan.gagal", detail=exc), file=sys.stderr)
        return 2
    print(
        t("keamanan.cli_backup_done", path=summary.path, ukuran=format_size(summary.size), berkas=summary.files,
          arsip=summary.archived, store=summary.backend, baris=sum(summary.tables.values()))
    )  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pws.backup import BackupError, restore

    source = Path(args.source)
    try:
        manifest = restore(source, Workspace.resolve(args.workspace), force=args.paksa)
    except BackupError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(t("keamanan.gagal", detail=exc), file=sys.stderr)
        return 2
    files = sum(1 for name in manifest["anggota"] if name.startswith("berkas/"))
    print(t("keamanan.cli_restore_done", path=source, waktu=manifest["waktu"], berkas=files, store=manifest["store"]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    commands = {
        "demo": cmd_demo,
        "cek": cmd_check,
        "tidy": cmd_tidy,
        "ingest": cmd_ingest,
        "status": cmd_status,
        "periksa": cmd_periksa,
        "rapat": cmd_rapat,
        "serve": cmd_serve,
        "user": cmd_user,
        "backup": cmd_backup,
        "restore": cmd_restore,
    }
    if args.command is None:
        parser.print_help()
        return 2
    return commands[args.command](args)


def _demo_province(ws: Workspace, args: argparse.Namespace) -> int:
    """``pws demo --skala provinsi``: the synthetic province (written in parallel), then ingested unless told not to."""
    import os

    import pandas as pd

    from pws.demo import DEFAULT_SEED
    from pws.demo.province import generate_province

    seed = args.seed if args.seed is not None else DEFAULT_SEED
    summary = generate_province(ws.root, seed=seed, jobs=os.cpu_count() or 1)
    if not args.tanpa_ingest:
        results, _ = ingest_files(ws, input_files([ws.laporan_dir]), _progress)
        print(t("cli.demo.ingested", files=len(results), rows=sum(len(r.rows) for r in results)))
    n_kab = int(pd.read_csv(ws.root / "wilayah.csv", dtype=str)["kode_kabupaten"].nunique())
    print(
        t(
            "provinsi.cli_done",
            root=ws.root,
            kabupaten=n_kab,
            kecamatan=summary.n_kecamatan,
            puskesmas=summary.n_puskesmas,
            desa=summary.n_desa,
            files=summary.n_files,
            values=summary.n_values,
        )
    )
    return 0
