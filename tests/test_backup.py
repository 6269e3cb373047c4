"""pws backup / pws restore (issue 8, part 3): a round trip gives back identical observations, log, problems,
files and archive on SQLite and on a real PostgreSQL server; damaged backups and non-empty targets are refused
with nothing changed; a restore failing half-way leaves the previous state."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pws import backup as backup_module
from pws.backup import BackupError, backup, restore, verify
from pws.cli import main
from pws.config import Workspace
from pws.etl import input_files
from pws.etl.ingest import ingest_files
from pws.etl.store import DATABASE_URL_ENV, Store
from tests.test_store import pg_server  # noqa: F401  (fixture: a real, throwaway PostgreSQL server)


def snapshot(ws: Workspace) -> dict[str, object]:
    """Everything a restore must give back: store contents, the user's files, the archive (bytes)."""
    with Store.for_workspace(ws) as store:
        state: dict[str, object] = {
            "observasi": store.observations(),
            "berkas": store.files(),
            "masalah": store.problems(),
        }
    files = {
        p.relative_to(ws.root).as_posix(): p.read_bytes()
        for p in ws.root.rglob("*")
        if p.is_file() and ".pws" not in p.relative_to(ws.root).parts
    }
    archive = {p.name: p.read_bytes() for p in (ws.internal_dir / "arsip").rglob("*") if p.is_file()}
    return {**state, "files": files, "arsip": archive}


def assert_same(a: dict[str, object], b: dict[str, object]) -> None:
    for key in ("observasi", "berkas", "masalah"):
        pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False)  # type: ignore[arg-type]
    assert a["files"] == b["files"]
    assert a["arsip"] == b["arsip"]


@pytest.fixture
def ws(demo_store: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("cache", "unggah"))
    return Workspace(root)


def test_sqlite_round_trip(ws: Workspace, tmp_path: Path) -> None:
    before = snapshot(ws)
    assert len(before["observasi"]) > 1000 and before["arsip"]  # type: ignore[arg-type]
    out = tmp_path / "cadangan.zip"
    summary = backup(ws, out)
    assert summary.tables["observasi"] == len(before["observasi"])  # type: ignore[arg-type]
    assert summary.files == len(before["files"])  # type: ignore[arg-type]
    shutil.rmtree(ws.root)
    restore(out, ws)
    assert_same(before, snapshot(ws))
    with Store.for_workspace(ws) as store:  # the restored store is a working store
        assert store.version() == int(before["berkas"]["id"].max())  # type: ignore[index]


def test_backup_while_a_writer_holds_the_database(ws: Workspace, tmp_path: Path) -> None:
    """The online backup API copies a consistent state while another connection is inside a write transaction."""
    with Store.for_workspace(ws) as store:
        expected = len(store.observations())
    writer = sqlite3.connect(ws.internal_dir / "pws.sqlite", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM observasi")  # not committed
        summary = backup(ws, tmp_path / "c.zip")
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert summary.tables["observasi"] == expected


def test_without_laporan(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "c.zip"
    backup(ws, out, with_laporan=False)
    names = zipfile.ZipFile(out).namelist()
    assert not any(n.startswith("berkas/laporan/") for n in names)
    assert "berkas/wilayah.csv" in names and any(n.startswith("arsip/") for n in names)


def test_restore_refuses_a_workspace_with_data_unless_forced(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "c.zip"
    backup(ws, out)
    before = snapshot(ws)
    (ws.root / "wilayah.csv").write_text("diubah", encoding="utf-8")
    with pytest.raises(BackupError) as info:
        restore(out, ws)
    assert info.value.code == "ruang_kerja_tidak_kosong" and "--paksa" in info.value.message("id")
    assert (ws.root / "wilayah.csv").read_text(encoding="utf-8") == "diubah"
    restore(out, ws, force=True)
    assert_same(before, snapshot(ws))


@pytest.mark.parametrize("damage", ["member", "manifest", "truncated", "extra", "path"])
def test_damaged_backup_is_refused_and_changes_nothing(ws: Workspace, tmp_path: Path, damage: str) -> None:
    good = tmp_path / "c.zip"
    backup(ws, good)
    bad = tmp_path / "rusak.zip"
    with zipfile.ZipFile(good) as src:
        members = {n: src.read(n) for n in src.namelist()}
    if damage == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        if damage == "member":
            members["berkas/wilayah.csv"] = members["berkas/wilayah.csv"].replace(b"1", b"2", 1)
        elif damage == "manifest":
            del members["manifest.json"]
        elif damage == "extra":
            members["berkas/sisipan.csv"] = b"x"
        else:
            manifest = json.loads(members["manifest.json"])
            manifest["anggota"]["../../luar.txt"] = {"sha256": "0" * 64, "ukuran": 1}
            members["manifest.json"] = json.dumps(manifest).encode()
            members["../../luar.txt"] = b"x"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as dst:
            for name, body in members.items():
                dst.writestr(name, body)
        bad.write_bytes(buffer.getvalue())
    shutil.rmtree(ws.root)
    with pytest.raises(BackupError) as info:
        restore(bad, ws)
    assert info.value.code in ("cadangan_rusak", "cadangan_tanpa_manifest")
    assert bad.name in info.value.message("id")
    assert not ws.root.exists() and not (tmp_path / "luar.txt").exists()


def test_a_restore_failing_half_way_leaves_the_previous_state(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "c.zip"
    backup(ws, out)
    (ws.root / "wilayah.csv").write_bytes(b"versi lama")
    before = snapshot(ws)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: object, dst: object) -> None:  # a disk error on the 7th move of the swap
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(backup_module.os, "replace", failing_replace)
    with pytest.raises(OSError):
        restore(out, ws, force=True)
    monkeypatch.setattr(backup_module.os, "replace", real_replace)
    assert_same(before, snapshot(ws))
    assert not list(ws.internal_dir.glob("pulih-*"))


def test_cli_backup_and_restore(ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.zip"
    assert main(["backup", "--workspace", str(ws.root), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert main(["restore", str(out), "--workspace", str(ws.root)]) == 2
    assert "--paksa" in capsys.readouterr().err
    assert main(["restore", str(out), "--workspace", str(ws.root), "--paksa"]) == 0
    assert main(["restore", str(tmp_path / "tidak-ada.zip"), "--workspace", str(tmp_path / "baru")]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def db_url(pg_server: str) -> Iterator[str]:  # noqa: F811
    """A new, empty schema on the PostgreSQL server (dropped afterwards)."""
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


@pytest.fixture
def pg_ws(ws: Workspace, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The demo workspace with a few reports ingested into PostgreSQL, plus a table of another feature (with a
    self-reference and a serial id) that the backup must carry without knowing it."""
    monkeypatch.setenv(DATABASE_URL_ENV, db_url)
    shutil.rmtree(ws.internal_dir / "arsip", ignore_errors=True)
    files = input_files([ws.laporan_dir])[:6]
    ingest_files(ws, files)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE pengguna_uji (id SERIAL PRIMARY KEY, nama TEXT NOT NULL, dibuat TIMESTAMPTZ, "
            "atasan INTEGER REFERENCES pengguna_uji(id), kunci BYTEA)"
        )
        conn.exec_driver_sql(
            "INSERT INTO pengguna_uji (nama, dibuat, atasan, kunci) VALUES "
            "('admin', now(), NULL, '\\x00ff'), ('dinkes', now(), 1, NULL)"
        )
        conn.exec_driver_sql("UPDATE pengguna_uji SET atasan = 2 WHERE id = 1")  # a cycle inside the table
    engine.dispose()
    yield ws


def pg_rows(url: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM pengguna_uji ORDER BY id")]
    engine.dispose()
    return rows


def test_postgresql_round_trip_of_every_table(pg_ws: Workspace, db_url: str, tmp_path: Path) -> None:
    before = snapshot(pg_ws)
    users = pg_rows(db_url)
    assert len(before["observasi"]) > 100  # type: ignore[arg-type]
    out = tmp_path / "c.zip"
    summary = backup(pg_ws, out)
    assert summary.backend == "postgresql" and summary.tables["pengguna_uji"] == 2
    verify(out)
    # wipe: the database's tables dropped, the workspace folder removed
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        for name in ("pengguna_uji", "masalah", "observasi", "berkas"):
            conn.exec_driver_sql(f"DROP TABLE {name} CASCADE")
    engine.dispose()
    shutil.rmtree(pg_ws.root)
    restore(out, pg_ws)
    assert_same(before, snapshot(pg_ws))
    assert pg_rows(db_url) == users
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # serial ids go on after the restored rows
        new_id = conn.exec_driver_sql("INSERT INTO pengguna_uji (nama) VALUES ('baru') RETURNING id").scalar()
    engine.dispose()
    assert new_id == 3
    # and the store goes on working: a re-ingest of a stored file is recognised as the same
    with Store.for_workspace(pg_ws) as store:
        n = store.version()
    results, statuses = ingest_files(pg_ws, input_files([pg_ws.laporan_dir])[:1])
    assert statuses == ["sama"] and results[0].readable and n > 0


def test_postgresql_restore_into_a_store_with_data_needs_force(pg_ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "c.zip"
    backup(pg_ws, out)
    with pytest.raises(BackupError) as info:
        restore(out, pg_ws)
    assert info.value.code == "ruang_kerja_tidak_kosong"
    before = snapshot(pg_ws)
    restore(out, pg_ws, force=True)
    assert_same(before, snapshot(pg_ws))


def test_backend_mismatch_is_refused(
    ws: Workspace, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811
    out = tmp_path / "c.zip"
    backup(ws, out)  # SQLite
    monkeypatch.setenv(DATABASE_URL_ENV, db_url)
    with pytest.raises(BackupError) as info:
        restore(out, Workspace(tmp_path / "baru"))
    assert info.value.code == "cadangan_beda_store"
