"""The idempotent store, on SQLite and on a real PostgreSQL server (every semantic test runs on both).

PostgreSQL: ``$PWS_TEST_DATABASE_URL`` when set; else a throwaway cluster started from Debian's
``/usr/lib/postgresql/*/bin`` (as the ``postgres`` OS user when the tests run as root), reached over a unix socket
in a temporary folder and stopped at the end of the session; else those tests are skipped. Each test gets its
own schema.
"""

from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from pws.config import Workspace
from pws.etl.model import TIDY_COLUMNS, FileResult
from pws.etl.store import IngestOutcome, Store, database_url
from pws.issues import Issue, issue

PKM = "P7312010101"
PKM2 = "P7312010202"
DESA = ["73.12.01.2001", "73.12.01.2002", "73.12.01.2003", "73.12.01.2004"]

#: (tahun, bulan, kode_desa, indikator, jk, nilai)
Entry = tuple[int, int, str, str, str, float]


# ---------------------------------------------------------------------- PostgreSQL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_version(initdb: str) -> float:
    try:
        return float(Path(initdb).parents[1].name)
    except ValueError:
        return 0.0


def _unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, where .ci/run installs PostgreSQL and sets PWS_REQUIRE_POSTGRES."""
    if os.environ.get("PWS_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL URL: $PWS_TEST_DATABASE_URL, or a throwaway cluster for this test session."""
    env = os.environ.get("PWS_TEST_DATABASE_URL", "").strip()
    if env:
        yield env
        return
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_pg_version)
    if not found:
        _unavailable("PostgreSQL not available: set PWS_TEST_DATABASE_URL or install postgresql (no initdb found)")
    bindir = Path(found[-1]).parent
    prefix: list[str] = []
    as_root = os.geteuid() == 0
    if as_root:  # initdb refuses to run as root: run the server as the postgres OS user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' OS user to run a throwaway PostgreSQL")
        runuser = shutil.which("runuser")
        prefix = [runuser, "-u", "postgres", "--"] if runuser else []
    base = Path(tempfile.mkdtemp(prefix="pwspg-"))  # short path: unix socket names are limited to ~100 chars
    if as_root:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, port = base / "data", _free_port()

    def run(cmd: list[str]) -> None:
        full = cmd
        if as_root:
            full = [*prefix, *cmd] if prefix else ["su", "postgres", "-c", shlex.join(cmd)]
        subprocess.run(full, check=True, capture_output=True, text=True, timeout=60)

    options = f"-k {base} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    try:
        run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-o", options, "start", "-w"])
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        shutil.rmtree(base, ignore_errors=True)
        _unavailable(f"could not start a throwaway PostgreSQL from {bindir}: {detail.strip()[:300]}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={base}&port={port}"
    finally:
        try:
            run([str(bindir / "pg_ctl"), "-D", str(data), "stop", "-m", "fast", "-w"])
        finally:
            shutil.rmtree(base, ignore_errors=True)


def _psycopg(url: str) -> sa.engine.URL:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pws.sqlite'}"
        return
    server = _psycopg(request.getfixturevalue("pg_server"))
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
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    s = Store(db_url, tmp_path / "arsip")
    try:
        yield s
    finally:
        s.close()


# ---------------------------------------------------------------------- building files


def make_file(
    name: str,
    entries: Sequence[Entry],
    family: str | None = "pws_kia",
    puskesmas: str = PKM,
    issues: list[Issue] | None = None,
    salt: str = "",
) -> tuple[FileResult, bytes]:
    """A parsed file and its raw bytes (the bytes follow the content, so equal content -> equal sha256)."""
    raw = json.dumps([name, family, puskesmas, [list(e) for e in entries], salt]).encode()
    frame = pd.DataFrame(
        [
            (y, m, d, f"Desa {d[-4:]}", puskesmas, ind, jk, float(v), name, "Sheet1", f"C{i + 5}")
            for i, (y, m, d, ind, jk, v) in enumerate(entries)
        ],
        columns=TIDY_COLUMNS,
    )
    result = FileResult(
        path=Path("laporan") / name,
        sha256=hashlib.sha256(raw).hexdigest(),
        rows=frame,
        issues=issues or [],
        family=family,
        kode_puskesmas=puskesmas,
        periods=sorted({(e[0], e[1]) for e in entries}),
    )
    return result, raw


def grid(indikator: str, bulan: int, values: dict[str, float], tahun: int = 2024) -> list[Entry]:
    return [(tahun, bulan, desa, indikator, "T", v) for desa, v in values.items()]


def snapshot(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.observations().itertuples(index=False)]


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def value(store: Store, desa: str, indikator: str, bulan: int = 1, jk: str = "T") -> pd.Series:
    obs = store.observations(tahun=2024, bulan=bulan, indikator=indikator)
    hit = obs[(obs["kode_desa"] == desa) & (obs["jk"] == jk)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ---------------------------------------------------------------------- semantics


def test_a_new_file_is_archived_logged_and_stored(store: Store, tmp_path: Path) -> None:
    warn = issue("angka_kosong", file="a.xlsx", sheet="Sheet1", cell="D9", kolom="K4", kode=DESA[0])
    entries = grid("K1", 1, {DESA[0]: 5, DESA[1]: 2.5}) + grid("K1", 2, {DESA[0]: 3})
    entries.append((2024, 1, DESA[0], "K1", "L", 2))
    result, raw = make_file("a.xlsx", entries, issues=[warn])

    out = store.ingest(result, raw, keluarga_key="pws_kia")

    assert out == IngestOutcome("baru", out.berkas_id, 4, 0, [])
    obs = store.observations()
    assert list(obs.columns) == TIDY_COLUMNS
    assert obs[["tahun", "bulan", "kode_desa", "jk"]].values.tolist() == [
        [2024, 1, DESA[0], "L"],
        [2024, 1, DESA[0], "T"],
        [2024, 1, DESA[1], "T"],
        [2024, 2, DESA[0], "T"],
    ]
    assert obs["nilai"].tolist() == [2.0, 5.0, 2.5, 3.0]  # fractional counts stay float
    assert obs["nilai"].dtype == "float64" and obs["tahun"].dtype == "int64"
    assert set(obs["sumber_file"]) == {"a.xlsx"} and obs["sumber_sel"].iloc[0] == "C8"

    log = store.files()
    assert len(log) == 1
    row = log.iloc[0]
    assert (row["status"], row["jumlah_baris"], row["jumlah_masalah"]) == ("baru", 4, 1)
    assert (row["nama_file"], row["keluarga"], row["kode_puskesmas"]) == ("a.xlsx", "pws_kia", PKM)
    assert row["periode"] == "2024-01,2024-02" and row["ukuran"] == len(raw)
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (tmp_path / "arsip" / row["arsip"]).read_bytes() == raw
    assert row["arsip"] == f"{row['sha256'][:2]}/{row['sha256']}.xlsx"
    assert str(row["waktu"].tz) == "UTC"

    problems = store.problems(out.berkas_id)
    assert problems[["kode", "tingkat", "sheet", "sel", "nama_file"]].values.tolist() == [
        ["angka_kosong", "warning", "Sheet1", "D9", "a.xlsx"]
    ]
    assert problems.iloc[0]["pesan"] == warn.message("id")
    assert json.loads(problems.iloc[0]["params"]) == {"kolom": "K4", "kode": DESA[0]}


def test_the_same_file_again_changes_nothing(store: Store) -> None:
    result, raw = make_file("a.xlsx", grid("K1", 1, {DESA[0]: 5, DESA[1]: 6}), issues=[issue("kode_desa_kosong")])
    first = store.ingest(result, raw, keluarga_key="pws_kia")
    before = snapshot(store)

    again = store.ingest(result, raw, keluarga_key="pws_kia")

    assert again.status == "sama" and (again.rows_written, again.rows_replaced, again.conflicts) == (0, 0, [])
    assert again.berkas_id != first.berkas_id
    assert snapshot(store) == before and count(store, "observasi") == 2
    log = store.files()
    assert log["status"].tolist() == ["sama", "baru"]  # the attempt is logged, newest first
    assert log["arsip"].iloc[0] == log["arsip"].iloc[1]
    assert store.problems(again.berkas_id).empty and len(store.problems()) == 1  # issues are not duplicated
    # the same bytes under another name are the same file too
    renamed = FileResult(result.path.with_name("copy.xlsx"), result.sha256, result.rows, [], "pws_kia", PKM)
    assert store.ingest(renamed, raw).status == "sama"


@pytest.mark.parametrize("family", ["pws_kia", None])
def test_a_corrected_file_replaces_the_report(store: Store, family: str | None) -> None:
    old = (
        grid("K1", 1, {DESA[0]: 5, DESA[1]: 6, DESA[2]: 7})
        + grid("K4", 1, {DESA[0]: 1})
        + grid("K1", 2, {DESA[0]: 9})
        + [(2024, 1, DESA[0], "K1", "L", 2)]
    )
    a = make_file("a.xlsx", old, family=family)
    b = make_file("a_revisi.xlsx", grid("K1", 1, {DESA[0]: 50, DESA[1]: 60}), family=family)
    first = store.ingest(*a, keluarga_key=family)

    out = store.ingest(*b, keluarga_key=family)

    # K1 January of this puskesmas and family is replaced as a whole: 4 old rows go, 2 new ones come
    assert (out.status, out.rows_written, out.rows_replaced, out.conflicts) == ("ganti", 2, 4, [])
    obs = store.observations(bulan=1, indikator="K1")
    assert obs[["kode_desa", "jk", "nilai", "sumber_file"]].values.tolist() == [
        [DESA[0], "T", 50.0, "a_revisi.xlsx"],
        [DESA[1], "T", 60.0, "a_revisi.xlsx"],
    ]  # DESA[2] and the L row are gone: the corrected file replaces, it does not merge
    assert value(store, DESA[0], "K4")["nilai"] == 1  # other reports of the old file stay
    assert value(store, DESA[0], "K1", bulan=2)["nilai"] == 9
    assert count(store, "observasi") == 4
    log = store.files().set_index("id")
    assert log.loc[first.berkas_id, "diganti_oleh"] == out.berkas_id

    # the older version uploaded again is the latest upload: it wins again; uploaded once more, nothing changes
    back = store.ingest(*a, keluarga_key=family)
    assert (back.status, back.rows_written, back.rows_replaced) == ("ganti", 6, 4)
    assert value(store, DESA[2], "K1")["nilai"] == 7 and value(store, DESA[0], "K1")["nilai"] == 5
    assert store.ingest(*a, keluarga_key=family).status == "sama"


def test_replacement_stays_within_family_and_puskesmas(store: Store) -> None:
    store.ingest(*make_file("kia.xlsx", grid("HB0", 1, {DESA[0]: 4}), family="pws_kia"))
    store.ingest(*make_file("p2.xlsx", grid("HB0", 1, {DESA[1]: 8}), puskesmas=PKM2))

    out = store.ingest(*make_file("imun.xlsx", grid("HB0", 1, {DESA[2]: 3}), family="imunisasi"))

    assert (out.status, out.rows_replaced) == ("baru", 0)
    assert sorted(store.observations()["sumber_file"]) == ["imun.xlsx", "kia.xlsx", "p2.xlsx"]


def test_a_conflict_between_two_reports_keeps_the_stored_value(store: Store) -> None:
    first = store.ingest(*make_file("kia.xlsx", grid("HB0", 1, {DESA[0]: 5}), family="pws_kia"))
    second, raw = make_file("imun.xlsx", grid("HB0", 1, {DESA[0]: 7, DESA[1]: 3}), family="imunisasi")

    out = store.ingest(second, raw, keluarga_key="imunisasi")

    assert (out.status, out.rows_written, out.rows_replaced) == ("baru", 1, 0)
    assert len(out.conflicts) == 1
    found = out.conflicts[0]
    assert (found.code, found.severity) == ("konflik_nilai", "warning")
    assert (found.file, found.sheet, found.cell) == ("imun.xlsx", "Sheet1", "C5")
    assert {k: found.params[k] for k in ("kode_desa", "indikator", "tahun", "bulan", "jk")} == {
        "kode_desa": DESA[0],
        "indikator": "HB0",
        "tahun": 2024,
        "bulan": 1,
        "jk": "T",
    }
    assert (found.params["nilai_lama"], found.params["nilai_baru"]) == (5, 7)
    assert (found.params["berkas_lama"], found.params["sel_lama"], found.params["berkas_id_lama"]) == (
        "kia.xlsx",
        "C5",
        first.berkas_id,
    )
    for lang in ("id", "en"):
        assert "kia.xlsx" in found.message(lang) and "C5" in found.message(lang)
    kept = value(store, DESA[0], "HB0")
    assert (kept["nilai"], kept["sumber_file"]) == (5.0, "kia.xlsx")
    assert value(store, DESA[1], "HB0")["sumber_file"] == "imun.xlsx"
    stored = store.problems(out.berkas_id)
    assert stored["kode"].tolist() == ["konflik_nilai"] and stored["sel"].tolist() == ["C5"]
    assert store.files().iloc[0]["jumlah_masalah"] == 1

    # another puskesmas reporting the same desa is a different report too
    other = store.ingest(*make_file("p2.xlsx", grid("HB0", 1, {DESA[0]: 9}), family="pws_kia", puskesmas=PKM2))
    assert [c.code for c in other.conflicts] == ["konflik_nilai"] and other.rows_written == 0
    assert value(store, DESA[0], "HB0")["nilai"] == 5


def test_equal_values_from_two_reports_are_no_conflict(store: Store) -> None:
    store.ingest(*make_file("kia.xlsx", grid("HB0", 1, {DESA[0]: 5}), family="pws_kia"))

    out = store.ingest(*make_file("imun.xlsx", grid("HB0", 1, {DESA[0]: 5.0, DESA[1]: 1}), family="imunisasi"))

    assert (out.status, out.rows_written, out.conflicts) == ("baru", 1, [])
    assert value(store, DESA[0], "HB0")["sumber_file"] == "kia.xlsx"  # the first lineage is kept
    assert store.problems(out.berkas_id).empty


def test_an_unreadable_file_is_logged_as_failed_with_its_problems(store: Store, tmp_path: Path) -> None:
    raw = b"\x00not a workbook"
    bad = issue("berkas_tidak_terbaca", file="rusak.xls", detail="format tidak dikenal")
    result = FileResult(Path("rusak.xls"), "", pd.DataFrame(columns=TIDY_COLUMNS), [bad], family=None, readable=False)

    out = store.ingest(result, raw)
    again = store.ingest(result, raw)

    assert (out.status, out.rows_written, out.conflicts) == ("gagal", 0, [])
    assert again.status == "gagal"  # a failure is never "the same file": nothing of it was stored
    assert store.observations().empty
    log = store.files()
    assert log["status"].tolist() == ["gagal", "gagal"] and log["jumlah_masalah"].tolist() == [1, 1]
    assert (tmp_path / "arsip" / log.iloc[0]["arsip"]).read_bytes() == raw
    problems = store.problems(out.berkas_id)
    assert problems["kode"].tolist() == ["berkas_tidak_terbaca"]
    assert "format tidak dikenal" in problems.iloc[0]["pesan"]


def test_a_readable_file_without_values_is_logged_as_failed(store: Store) -> None:
    result, raw = make_file("kosong.xlsx", [], issues=[issue("kode_desa_kosong", file="kosong.xlsx", row=3)])
    out = store.ingest(result, raw)
    assert out.status == "gagal" and store.files()["status"].tolist() == ["gagal"]
    assert store.problems(out.berkas_id)["baris"].tolist() == [3]


def _boom(*_: object) -> None:
    raise OperationalError("INSERT INTO observasi ...", {}, Exception("disk I/O error"))


def test_a_database_error_midway_stores_nothing_of_the_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest(*make_file("a.xlsx", grid("K1", 1, {DESA[0]: 5, DESA[1]: 6})))
    before = snapshot(store)
    corrected, raw = make_file("b.xlsx", grid("K1", 1, {DESA[0]: 50}))
    original = Store._insert_observations

    def insert_then_fail(self: Store, conn: sa.Connection, records: list[tuple[Any, ...]]) -> int:
        original(self, conn, records)  # the rows are in, the old ones deleted ... then the database fails
        _boom()
        return 0

    monkeypatch.setattr(Store, "_insert_observations", insert_then_fail)
    out = store.ingest(corrected, raw)

    assert (out.status, out.rows_written, out.rows_replaced) == ("gagal", 0, 0)
    assert [c.code for c in out.conflicts] == ["penyimpanan_gagal"]
    assert "disk I/O error" in out.conflicts[0].params["detail"]
    assert snapshot(store) == before  # the deletion of the older version was rolled back too
    log = store.files()
    assert log["status"].tolist() == ["gagal", "baru"]
    assert (tmp_path / "arsip" / log.iloc[0]["arsip"]).read_bytes() == raw
    assert store.problems(out.berkas_id)["kode"].tolist() == ["penyimpanan_gagal"]

    monkeypatch.undo()  # once the database is fine, the same file goes in (a failure is not "sama")
    assert store.ingest(corrected, raw).status == "ganti"
    assert value(store, DESA[0], "K1")["nilai"] == 50


def test_the_archive_is_written_before_the_database_is_touched(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, raw = make_file("a.xlsx", grid("K1", 1, {DESA[0]: 5}))
    monkeypatch.setattr(store, "_write", _boom)  # the database is unreachable: not even a failure can be logged
    out = store.ingest(result, raw)  # still an outcome the caller can show, not an exception
    assert out.status == "gagal" and out.berkas_id is None
    assert [c.code for c in out.conflicts] == ["penyimpanan_gagal"]
    digest = hashlib.sha256(raw).hexdigest()
    assert (tmp_path / "arsip" / digest[:2] / f"{digest}.xlsx").read_bytes() == raw
    assert [p.name for p in (tmp_path / "arsip" / digest[:2]).iterdir()] == [f"{digest}.xlsx"]  # no temp files
    monkeypatch.undo()
    assert store.files().empty and store.observations().empty


def test_a_constraint_violation_fails_the_whole_file(store: Store) -> None:
    store.ingest(*make_file("a.xlsx", grid("K1", 1, {DESA[0]: 5, DESA[1]: 6})))
    before = snapshot(store)
    twice = grid("K1", 1, {DESA[0]: 50, DESA[1]: 60}) + grid("K1", 1, {DESA[1]: 61})  # one key given twice

    out = store.ingest(*make_file("b.xlsx", twice))

    assert out.status == "gagal" and [c.code for c in out.conflicts] == ["penyimpanan_gagal"]
    assert snapshot(store) == before
    assert store.files()["status"].tolist() == ["gagal", "baru"]


def test_a_row_without_a_key_fails_the_file_without_crashing(store: Store) -> None:
    result, raw = make_file("b.xlsx", grid("K1", 1, {DESA[0]: 5, DESA[1]: 6}))
    result.rows.loc[1, "kode_desa"] = None
    out = store.ingest(result, raw)
    assert out.status == "gagal" and [c.code for c in out.conflicts] == ["penyimpanan_gagal"]
    assert store.observations().empty


def test_a_bug_is_logged_and_raised(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.ingest(*make_file("a.xlsx", grid("K1", 1, {DESA[0]: 5})))
    before = snapshot(store)

    def broken(self: Store, conn: sa.Connection, records: list[tuple[Any, ...]]) -> int:
        raise KeyError("nilai")

    monkeypatch.setattr(Store, "_insert_observations", broken)
    with pytest.raises(KeyError):
        store.ingest(*make_file("b.xlsx", grid("K1", 1, {DESA[0]: 7})))
    assert snapshot(store) == before
    assert store.files()["status"].tolist() == ["gagal", "baru"]
    assert store.problems()["kode"].tolist() == ["penyimpanan_gagal"]


def test_observations_are_filtered_and_sorted(store: Store) -> None:
    store.ingest(*make_file("b.xlsx", grid("K4", 2, {DESA[1]: 1, DESA[0]: 2}) + grid("K1", 1, {DESA[3]: 3})))
    store.ingest(*make_file("c.xlsx", grid("K1", 1, {DESA[2]: 4}), puskesmas=PKM2))
    obs = store.observations()
    assert obs[["bulan", "kode_desa", "indikator"]].values.tolist() == [
        [1, DESA[2], "K1"],
        [1, DESA[3], "K1"],
        [2, DESA[0], "K4"],
        [2, DESA[1], "K4"],
    ]
    assert len(store.observations(tahun=2024, bulan=1)) == 2 and store.observations(tahun=2023).empty
    assert store.observations(indikator="K4")["nilai"].tolist() == [2.0, 1.0]
    assert store.observations(kode_puskesmas=PKM2)["kode_desa"].tolist() == [DESA[2]]
    assert list(store.observations(indikator="X").columns) == TIDY_COLUMNS


def test_a_2000_row_file_is_ingested_quickly(store: Store) -> None:
    indicators = [f"IND{i:02d}" for i in range(21)]
    desa = [f"73.12.01.{2001 + i}" for i in range(8)]
    entries: list[Entry] = [
        (2024, bulan, d, ind, jk, float(bulan + i))
        for bulan in (1, 2, 3, 4)
        for i, d in enumerate(desa)
        for ind in indicators
        for jk in ("L", "P", "T")
    ][:2000]
    first = make_file("besar.xlsx", entries)
    second = make_file("besar_revisi.xlsx", [(*e[:5], e[5] + 1) for e in entries])
    store.ingest(*make_file("lain.xlsx", grid("K1", 1, {DESA[0]: 1}), puskesmas=PKM2))  # warm up

    t0 = time.perf_counter()
    out = store.ingest(*first)
    t1 = time.perf_counter()
    again = store.ingest(*second)
    t2 = time.perf_counter()

    assert (out.rows_written, again.rows_written, again.rows_replaced) == (2000, 2000, 2000)
    assert count(store, "observasi") == 2001
    print(f"\n2000-row ingest: new {1000 * (t1 - t0):.0f} ms, replacing {1000 * (t2 - t1):.0f} ms")
    assert t1 - t0 < 3 and t2 - t1 < 3  # generous: catches a row-by-row regression, not a slow machine


# ---------------------------------------------------------------------- concurrency


def _writer(url: str, archive: str, tag: int, barrier: Any, out: Any) -> None:
    """One process: open the store (both at the same moment, on a database without tables) and ingest 12 files."""
    try:
        barrier.wait(timeout=60)
        s = Store(url, Path(archive))
        mine = DESA[2 * tag : 2 * tag + 2]
        statuses = []
        for k in range(12):
            entries = grid("K1", k + 1, dict.fromkeys(mine, float(k))) + grid("HB0", 1, {mine[0]: float(k)})
            statuses.append(s.ingest(*make_file(f"w{tag}_{k}.xlsx", entries, puskesmas=f"P{tag}")).status)
        s.close()
        out.put((tag, statuses))
    except BaseException as exc:  # report, do not hang the parent
        out.put((tag, repr(exc)))


def test_two_processes_write_at_once(db_url: str, tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db_url, str(tmp_path / "arsip"), t, barrier, out)) for t in (0, 1)]
    for p in procs:
        p.start()
    try:
        results = dict(out.get(timeout=120) for _ in procs)
    finally:
        for p in procs:
            p.join(timeout=60)
    # every file of both writers went in; each new HB0 January report replaced that writer's previous version
    assert results == {0: ["baru"] + ["ganti"] * 11, 1: ["baru"] + ["ganti"] * 11}
    with Store(db_url, tmp_path / "arsip") as s:
        assert len(s.files()) == 24
        obs = s.observations()
        assert len(obs[obs["indikator"] == "K1"]) == 2 * 12 * 2
        assert obs[obs["indikator"] == "HB0"]["nilai"].tolist() == [11.0, 11.0]


# ---------------------------------------------------------------------- configuration


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'x' / 'pws.sqlite'}", tmp_path / "arsip")
    try:
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(sa.exc.IntegrityError), s.engine.begin() as conn:  # the FK is enforced
            conn.exec_driver_sql(
                "INSERT INTO masalah (berkas_id, kode, tingkat, pesan, params) VALUES (99, 'x', 'info', 'x', '{}')"
            )
    finally:
        s.close()


def test_database_url_and_workspace_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "kab")
    monkeypatch.delenv("PWS_DATABASE_URL", raising=False)
    url = database_url(ws)
    assert url == f"sqlite:///{(tmp_path / 'kab' / '.pws' / 'pws.sqlite').resolve()}"
    with Store.for_workspace(ws) as s:
        out = s.ingest(*make_file("a.xlsx", grid("K1", 1, {DESA[0]: 1})))
        assert out.status == "baru"
    assert (tmp_path / "kab" / ".pws" / "pws.sqlite").is_file()
    assert (tmp_path / "kab" / ".pws" / "arsip" / s.files().iloc[0]["arsip"]).is_file()
    monkeypatch.setenv("PWS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert database_url(ws) == "postgresql+psycopg://u@h/db"
