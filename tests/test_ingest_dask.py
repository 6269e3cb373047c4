"""``pws ingest --dask``: workbooks parsed on a Dask ``LocalCluster`` of two worker processes and stored in the real
PostgreSQL give exactly the store of a sequential local ingest; a second run changes nothing; a corrected file
later in the list replaces; an unreadable file, or a file that kills its worker, fails alone."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from ingest_cases import CORRECTION, CrashingTidier, make_case, result_state, store_state  # noqa: E402
from test_store import _psycopg, pg_server  # noqa: E402,F401  (the store tests' throwaway PostgreSQL)

from pws.cli import main  # noqa: E402
from pws.config import Workspace  # noqa: E402
from pws.demo import DemoSummary  # noqa: E402
from pws.etl import distributed as pws_dask  # noqa: E402
from pws.etl.ingest import ingest_files  # noqa: E402
from pws.etl.store import DATABASE_URL_ENV, Store  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """Two single-threaded worker processes. A task whose worker dies fails at once (no retries on other workers),
    so the dead-worker test costs two worker restarts, not eight."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture
def pg_schema(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty schemas on the PostgreSQL server (a URL each), dropped at the end of the test."""
    server = _psycopg(request.getfixturevalue("pg_server"))
    admin = sa.create_engine(server)
    made: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        made.append(schema)
        return server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.begin() as conn:
            for schema in made:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _twin(root: Path, target: Path, files: list[Path]) -> tuple[Workspace, list[Path]]:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(".pws"))
    return Workspace(target), [target / f.relative_to(root) for f in files]


def test_dask_stores_what_a_sequential_ingest_stores(
    demo: DemoSummary,
    tmp_path: Path,
    client: distributed.Client,
    pg_schema: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = make_case(demo, tmp_path / "seq")
    ws, files = _twin(case.ws.root, tmp_path / "dask", case.files)
    url_seq, url_dask = pg_schema(), pg_schema()

    monkeypatch.setenv(DATABASE_URL_ENV, url_seq)
    sequential = ingest_files(case.ws, case.files)
    monkeypatch.setenv(DATABASE_URL_ENV, url_dask)
    on_dask = ingest_files(ws, files, dask=client)

    assert result_state(*on_dask) == result_state(*sequential)
    state = store_state(url_dask, ws.internal_dir / "arsip")
    assert state == store_state(url_seq, case.ws.internal_dir / "arsip")
    statuses = dict(zip((f.name for f in files), on_dask[1], strict=True))
    assert statuses[case.broken.name] == "gagal"
    assert [i.code for r in on_dask[0] if r.path.name == case.broken.name for i in r.issues] == ["berkas_tidak_terbaca"]
    assert statuses[case.corrected.name] == "ganti"
    assert list(statuses.values()).count("baru") == len(files) - 2
    tahun, bulan, desa, indikator, jk = case.key
    with Store(url_dask, ws.internal_dir / "arsip") as store:
        obs = store.observations(tahun=tahun, bulan=bulan, indikator=indikator)
    hit = obs[(obs["kode_desa"] == desa) & (obs["jk"] == jk)]
    assert hit[["nilai", "sumber_file"]].values.tolist() == [[case.before + CORRECTION, case.corrected.name]]
    leftover = client.run(lambda dask_worker: [n for n in dask_worker.plugins if n.startswith("pws-")])
    assert len(leftover) == 2 and not any(leftover.values())  # the master list does not stay on the workers

    # the same list again: nothing changes. The original is no longer current (the corrected file replaced it), so
    # it replaces again and the corrected file after it too: the latest upload still wins.
    again = ingest_files(ws, files, dask=client)
    replaced = (case.original.name, case.corrected.name)
    expected = ["gagal" if f.name == case.broken.name else "ganti" if f.name in replaced else "sama" for f in files]
    assert again[1] == expected
    assert store_state(url_dask, ws.internal_dir / "arsip")["observations"] == state["observations"]


def test_a_worker_that_dies_fails_only_its_file(
    demo: DemoSummary,
    tmp_path: Path,
    client: distributed.Client,
    pg_schema: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = make_case(demo, tmp_path / "a", stride=60)
    good = [f for f in case.files if f not in (case.broken, case.corrected)][:5]
    crash = case.ws.root / "revisi" / "mati.xlsx"
    shutil.copyfile(good[0], crash)
    files = [good[0], good[1], crash, good[2], good[3], good[4]]
    ws_ref, ref_files = _twin(case.ws.root, tmp_path / "ref", good)

    monkeypatch.setenv(DATABASE_URL_ENV, url := pg_schema())
    results, statuses = ingest_files(case.ws, files, dask=client, tidier_class=CrashingTidier)
    monkeypatch.setenv(DATABASE_URL_ENV, url_ref := pg_schema())
    ingest_files(ws_ref, ref_files)

    assert statuses == ["baru", "baru", "gagal", "baru", "baru", "baru"]
    assert [i.code for i in results[2].issues] == ["pekerja_hilang"] and results[2].issues[0].file == "mati.xlsx"
    assert "KilledWorker" in results[2].issues[0].message("id")
    mine = store_state(url, case.ws.internal_dir / "arsip")
    assert mine["observations"] == store_state(url_ref, ws_ref.internal_dir / "arsip")["observations"]
    assert [row[6] for row in mine["log"]] == statuses
    assert len(client.scheduler_info()["workers"]) == 2  # the nanny restarted the dead worker


def test_cli_with_a_local_cluster(
    demo: DemoSummary,
    tmp_path: Path,
    pg_schema: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = make_case(demo, tmp_path / "a", stride=120)
    ws_ref, ref_files = _twin(case.ws.root, tmp_path / "ref", case.files)
    monkeypatch.setenv(DATABASE_URL_ENV, url := pg_schema())
    code = main(["ingest", *map(str, case.files), "--workspace", str(case.ws.root), "--dask", "local:2"])
    out = capsys.readouterr()
    assert code == 1, out.err  # the unreadable file failed, the others were stored
    assert [line.split(":")[0] for line in out.out.splitlines() if line.strip()] == [f.name for f in case.files]
    monkeypatch.setenv(DATABASE_URL_ENV, url_ref := pg_schema())
    ingest_files(ws_ref, ref_files)
    assert store_state(url, case.ws.internal_dir / "arsip") == store_state(url_ref, ws_ref.internal_dir / "arsip")


def test_cli_dask_address_errors(
    demo: DemoSummary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = make_case(demo, tmp_path / "a", stride=200)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    args = ["ingest", *map(str, case.files), "--workspace", str(case.ws.root), "--dask"]
    assert main([*args, "local:0"]) == 2
    assert "local:N" in capsys.readouterr().err
    monkeypatch.setattr(pws_dask, "CONNECT_TIMEOUT_S", 1)
    assert main([*args, "tcp://127.0.0.1:9"]) == 2  # nothing listens on the discard port
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in err and "Tidak ada berkas yang diproses" in err
    assert not (case.ws.internal_dir / "pws.sqlite").exists()  # nothing was stored, not even a log row
