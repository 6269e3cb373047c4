"""``pws ingest --proses N``: parsing in worker processes gives the very store a sequential ingest gives (same
observations, log statuses and problems, in input order), and a file that breaks its parser or kills its worker
fails alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ingest_cases import CORRECTION, CrashingTidier, RaisingTidier, make_case, result_state, store_state

from pws.cli import main
from pws.demo import DemoSummary
from pws.etl.ingest import ingest_files
from pws.etl.store import DATABASE_URL_ENV, database_url


@pytest.fixture(autouse=True)
def _sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)


def _state(ws_root: Path) -> dict[str, object]:
    from pws.config import Workspace

    ws = Workspace(ws_root)
    return store_state(database_url(ws), ws.internal_dir / "arsip")


def test_two_processes_give_the_same_store_as_one(demo: DemoSummary, tmp_path: Path) -> None:
    case = make_case(demo, tmp_path / "a")
    other = tmp_path / "b"
    shutil.copytree(case.ws.root, other)
    files_b = [other / f.relative_to(case.ws.root) for f in case.files]

    sequential = ingest_files(case.ws, case.files)
    seen: list[tuple[int, int, str]] = []
    parallel = ingest_files(type(case.ws)(other), files_b, lambda i, n, name: seen.append((i, n, name)), proses=2)

    assert result_state(*parallel) == result_state(*sequential)
    assert _state(other) == _state(case.ws.root)
    assert seen == [(i, len(files_b), f.name) for i, f in enumerate(files_b, start=1)]  # progress in input order
    statuses = dict(zip((f.name for f in case.files), sequential[1], strict=True))
    assert statuses[case.broken.name] == "gagal"
    assert statuses[case.corrected.name] == "ganti"  # it came later: it replaced the original's report
    assert sum(s == "baru" for s in statuses.values()) == len(case.files) - 2
    # the corrected cell holds the corrected number, with the corrected file as its source
    tahun, bulan, desa, indikator, jk = case.key
    from pws.config import Workspace
    from pws.etl.store import Store

    with Store.for_workspace(Workspace(other)) as store:
        obs = store.observations(tahun=tahun, bulan=bulan, indikator=indikator)
    hit = obs[(obs["kode_desa"] == desa) & (obs["jk"] == jk)]
    assert hit["nilai"].tolist() == [case.before + CORRECTION]
    assert hit["sumber_file"].tolist() == [case.corrected.name]


def test_a_parser_bug_and_a_dead_worker_fail_only_their_file(demo: DemoSummary, tmp_path: Path) -> None:
    case = make_case(demo, tmp_path / "a", stride=60)
    good = [f for f in case.files if f not in (case.broken, case.corrected)][:6]
    bug = case.ws.root / "revisi" / "galat.xlsx"
    shutil.copyfile(good[0], bug)
    crash = case.ws.root / "revisi" / "mati.xlsx"
    shutil.copyfile(good[1], crash)
    reference = tmp_path / "ref"
    shutil.copytree(case.ws.root, reference)

    class Both(CrashingTidier, RaisingTidier):
        pass

    files = [good[0], good[1], crash, good[2], bug, good[3], good[4], good[5]]
    results, statuses = ingest_files(case.ws, files, proses=2, tidier_class=Both)

    by_name = {r.path.name: (r, s) for r, s in zip(results, statuses, strict=True)}
    assert [r.path.name for r in results] == [f.name for f in files]
    crashed, status = by_name["mati.xlsx"]
    assert status == "gagal" and [i.code for i in crashed.issues] == ["pekerja_hilang"]
    assert crashed.issues[0].file == "mati.xlsx"
    failed, status = by_name["galat.xlsx"]
    assert status == "gagal" and [i.code for i in failed.issues] == ["pembacaan_gagal"]
    assert "RuntimeError: uji: pengurai gagal" in failed.issues[0].message("id")
    # the other files are stored exactly as a sequential ingest of them alone stores them
    ref_files = [reference / f.relative_to(case.ws.root) for f in good[:6]]
    ingest_files(type(case.ws)(reference), ref_files)
    assert _state(case.ws.root)["observations"] == _state(reference)["observations"]
    assert [s for f, s in zip(files, statuses, strict=True) if f in good] == ["baru"] * 6


def test_a_parser_bug_fails_its_file_in_this_process_too(demo: DemoSummary, tmp_path: Path) -> None:
    case = make_case(demo, tmp_path / "a", stride=90)
    bug = case.ws.root / "revisi" / "galat.xlsx"
    shutil.copyfile(case.files[0], bug)
    results, statuses = ingest_files(case.ws, [bug, case.files[0]], tidier_class=RaisingTidier)
    assert statuses == ["gagal", "baru"]
    assert [i.code for i in results[0].issues] == ["pembacaan_gagal"]
    assert _state(case.ws.root)["log"][0][6] == "gagal"


def test_cli_ingest_with_processes(demo: DemoSummary, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case(demo, tmp_path / "a", stride=90)
    args = ["ingest", *map(str, case.files), "--workspace", str(case.ws.root)]
    code = main([*args, "--proses", "2"])
    out = capsys.readouterr()
    assert code == 1  # the unreadable file failed, the rest were stored
    lines = [line for line in out.out.splitlines() if line.strip()]
    assert [line.split(":")[0] for line in lines] == [f.name for f in case.files]
    assert "rusak.xlsx" in out.err
    assert main([*args, "--proses", "2", "--dask", "local:2"]) == 2  # one engine at a time
    assert main([*args, "--proses", "-1"]) == 2
    capsys.readouterr()
