"""Faults (issue 8, part 3): concurrent writers and readers, a process killed mid-ingest, a full disk.

Real processes, a real SQLite file and a real PostgreSQL server; the moment of the kill is made deterministic by
the ``PWS_UJI_JEDA`` hook of pws.etl.store (the process writes a marker file and sleeps at that point)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pws.config import Workspace
from pws.etl import Tidier, input_files
from pws.etl.ingest import ingest_files
from pws.etl.store import DATABASE_URL_ENV, PAUSE_ENV, Store
from pws.workspace import load_workspace
from tests.test_store import pg_server  # noqa: F401  (fixture: a real, throwaway PostgreSQL server)

REPO = Path(__file__).resolve().parents[1]
GROUPS = ("IMUNISASI_BUKIT_SARI_2025", "Imunisasi Batu Putih", "Imunisasi Karang Anyar")


@pytest.fixture
def fresh(demo: object, tmp_path: Path) -> Workspace:
    """The demo workspace as written (nothing ingested), without the store the demo generator filled."""
    root = tmp_path / "ws"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns(".pws"))  # type: ignore[attr-defined]
    return Workspace(root)


def groups(ws: Workspace) -> list[list[Path]]:
    """Three groups of four reports, one puskesmas each (no desa in common: the final contents do not depend on
    the order in which the groups are stored)."""
    files = input_files([ws.laporan_dir / "2025"])
    return [sorted(p for p in files if p.name.startswith(prefix))[:4] for prefix in GROUPS]


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ingest_script(root: Path, files: list[Path]) -> str:
    return f"""
        import json, sys
        from pathlib import Path
        from pws.config import Workspace
        from pws.etl.ingest import ingest_files
        results, statuses = ingest_files(Workspace(Path({str(root)!r})), [Path(p) for p in {[str(f) for f in files]!r}])
        print(json.dumps(statuses))
    """


READ_SCRIPT = """
    import sys, time
    from pathlib import Path
    from pws.config import Workspace
    from pws.etl.store import Store
    store = Store.for_workspace(Workspace(Path({root!r})))
    end, n = time.monotonic() + {seconds}, 0
    while time.monotonic() < end:
        store.observations(); store.version(); store.files(); n += 1
    print(n)
"""


def contents(ws: Workspace) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The observations, and each stored file's (name, status) sorted: what must not depend on timing."""
    with Store.for_workspace(ws) as store:
        obs = store.observations()
        files = store.files()
    return obs, sorted(zip(files["nama_file"], files["status"], strict=True))


def concurrent_ingest(ws: Workspace, env: dict[str, str]) -> None:
    Store.for_workspace(ws).close()  # the tables exist before the race (as on a running server)
    readers = [run_python(READ_SCRIPT.format(root=str(ws.root), seconds=6), env) for _ in range(2)]
    writers = [run_python(ingest_script(ws.root, group), env) for group in groups(ws)]
    outputs = []
    for proc in [*writers, *readers]:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "locked" not in err
        outputs.append(out)
    for out in outputs[len(writers) :]:
        assert int(out.strip() or 0) > 0  # the readers did read, all along


def sequential_ingest(ws: Workspace) -> None:
    for group in groups(ws):
        ingest_files(ws, group)


def test_concurrent_writers_and_readers_on_sqlite(fresh: Workspace, tmp_path: Path) -> None:
    reference = Workspace(tmp_path / "ref")
    shutil.copytree(fresh.root, reference.root)
    sequential_ingest(reference)
    concurrent_ingest(fresh, {})
    obs, files = contents(fresh)
    ref_obs, ref_files = contents(reference)
    assert len(ref_obs) > 500 and all(status != "gagal" for _, status in ref_files)
    pd.testing.assert_frame_equal(obs, ref_obs)
    assert files == ref_files


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:  # noqa: F811
    server = sa.engine.make_url(pg_server).set(drivername="postgresql+psycopg")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(server)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_concurrent_writers_and_readers_on_postgresql(
    fresh: Workspace, tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Workspace(tmp_path / "ref")
    shutil.copytree(fresh.root, reference.root)
    sequential_ingest(reference)  # SQLite: the reference contents
    monkeypatch.setenv(DATABASE_URL_ENV, pg_url)
    concurrent_ingest(fresh, {DATABASE_URL_ENV: pg_url})
    obs, files = contents(fresh)
    monkeypatch.delenv(DATABASE_URL_ENV)
    ref_obs, ref_files = contents(reference)
    pd.testing.assert_frame_equal(obs, ref_obs, check_dtype=False)
    assert files == ref_files


# ---------------------------------------------------------------------------------------------- killed mid-ingest


def kill_at(ws: Workspace, point: str, files: list[Path], tmp_path: Path) -> None:
    """Start an ingest of ``files`` in a subprocess, SIGKILL it when it reaches ``point`` of the last file."""
    marker = tmp_path / f"jeda-{point}"
    earlier = files[:-1]
    if earlier:
        ingest_files(ws, earlier)
    proc = run_python(ingest_script(ws.root, files[-1:]), {PAUSE_ENV: f"{point}:{marker}"})
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the ingest never reached the pause"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["transaksi", "arsip"])
def test_killed_mid_ingest_leaves_a_consistent_store(fresh: Workspace, tmp_path: Path, point: str) -> None:
    files = groups(fresh)[0]
    clean = Workspace(tmp_path / "bersih")
    shutil.copytree(fresh.root, clean.root)
    ingest_files(clean, files)

    kill_at(fresh, point, files, tmp_path)
    with Store.for_workspace(fresh) as store:
        log = store.files()
        with store.engine.connect() as conn:
            orphans = conn.exec_driver_sql(
                "SELECT COUNT(*) FROM observasi WHERE berkas_id NOT IN (SELECT id FROM berkas)"
            ).scalar()
            problems_orphans = conn.exec_driver_sql(
                "SELECT COUNT(*) FROM masalah WHERE berkas_id NOT IN (SELECT id FROM berkas)"
            ).scalar()
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    assert integrity == "ok" and orphans == 0 and problems_orphans == 0
    assert files[-1].name not in set(log["nama_file"])  # the killed attempt left no log row at all
    assert set(log["status"]) <= {"baru", "ganti", "sama", "gagal"}
    archive = fresh.internal_dir / "arsip"
    leftovers = [p for p in archive.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    archived = [p for p in archive.rglob("*") if p.is_file() and not p.name.endswith(".tmp")]
    raws = {f.read_bytes() for f in files}
    assert all(p.read_bytes() in raws for p in archived)  # every archived file complete
    # a temporary file remains after a kill inside the archive write; it is never taken for an archived file, and
    # the next archive of the same file removes it once it is old enough not to belong to a running writer
    assert len(leftovers) == (1 if point == "arsip" else 0)
    for leftover in leftovers:
        os.utime(leftover, (time.time() - 3600, time.time() - 3600))

    # simply ingest it again: the same as a clean ingest
    results, statuses = ingest_files(fresh, files[-1:])
    assert statuses[0] in ("baru", "ganti")
    assert not [p for p in archive.rglob("*") if p.name.endswith(".tmp")]
    obs, _ = contents(fresh)
    clean_obs, _ = contents(clean)
    pd.testing.assert_frame_equal(obs, clean_obs)


# ---------------------------------------------------------------------------------------------- disk full


def test_database_full_is_a_clean_failure(fresh: Workspace) -> None:
    """SQLite's real "database or disk is full" (PRAGMA max_page_count): the file is reported gagal, nothing of
    it is stored, earlier data intact."""
    files = groups(fresh)[1]
    ingest_files(fresh, files[:1])
    data = load_workspace(fresh)
    tidier = Tidier(data.wilayah, data.catalogue)
    big = tidier.tidy(files[1])
    raw = files[1].read_bytes()
    with Store.for_workspace(fresh) as store:
        before = store.observations()
        n_log = len(store.files())
        with store.engine.connect() as conn:
            pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)

        @sa.event.listens_for(store.engine, "connect")
        def _limit(dbapi_connection: object, _record: object) -> None:
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")  # type: ignore[attr-defined]

        store.engine.dispose()  # new connections get the limit
        outcome = store.ingest(big, raw)
        assert outcome.status == "gagal"
        [problem] = outcome.conflicts
        assert problem.code == "penyimpanan_gagal" and "full" in problem.params["detail"]
        assert "tidak ada nilai dari berkas ini yang disimpan" in problem.message("id")
        sa.event.remove(store.engine, "connect", _limit)
        store.engine.dispose()
        pd.testing.assert_frame_equal(store.observations(), before)
        log = store.files()
        assert len(log) <= n_log + 1 and set(log["status"].iloc[: len(log) - n_log]) <= {"gagal"}
    # room again: the same file goes in
    _, statuses = ingest_files(fresh, files[1:2])
    assert statuses == ["baru"]


def test_archive_disk_error_is_a_clean_failure(fresh: Workspace, tmp_path: Path) -> None:
    """A real file-size limit of the OS (RLIMIT_FSIZE: EFBIG, what a full disk looks like to a writer) hits the
    archive's atomic write of a large report in a subprocess: the ingest reports gagal naming the archive, nothing
    is half-written, and the failure is logged (the small log row still fits)."""
    files = groups(fresh)[2]
    ingest_files(fresh, files[:1])
    with Store.for_workspace(fresh) as store:
        before = store.observations()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    target = max(input_files([fresh.laporan_dir]), key=lambda p: p.stat().st_size)
    limit = 64 * 1024
    assert target.stat().st_size > 2 * limit
    script = f"""
        import json, resource, signal
        from pathlib import Path
        from pws.config import Workspace
        from pws.etl import Tidier
        from pws.etl.store import Store
        from pws.workspace import load_workspace
        ws = Workspace(Path({str(fresh.root)!r}))
        data = load_workspace(ws)
        raw = Path({str(target)!r}).read_bytes()
        result = Tidier(data.wilayah, data.catalogue).tidy(Path({str(target)!r}), raw)
        store = Store.for_workspace(ws)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        outcome = store.ingest(result, raw)
        found = [(i.code, i.params.get("detail", "")) for i in outcome.conflicts]
        print(json.dumps([outcome.status, outcome.berkas_id, found]))
    """
    proc = run_python(script)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    status, berkas_id, problems = json.loads(out)
    assert status == "gagal" and berkas_id is not None
    [(code, detail)] = problems
    assert code == "penyimpanan_gagal" and detail.startswith("arsip") and "File too large" in detail
    archive = fresh.internal_dir / "arsip"
    assert not [p for p in archive.rglob("*") if p.name.endswith(".tmp")]
    assert {p.read_bytes() for p in archive.rglob("*") if p.is_file()} == {files[0].read_bytes()}
    with Store.for_workspace(fresh) as store:
        pd.testing.assert_frame_equal(store.observations(), before)
        log = store.files().set_index("id")
        assert log.loc[berkas_id, "status"] == "gagal" and log.loc[berkas_id, "nama_file"] == target.name
