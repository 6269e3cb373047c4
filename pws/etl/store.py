"""The idempotent store: tidy observations, the ingest log and the problems found, with SQLAlchemy Core.

Default backend: a SQLite file ``<workspace>/.pws/pws.sqlite`` (WAL journal, 30 s busy timeout, foreign keys on,
set on every connection). PostgreSQL when ``PWS_DATABASE_URL`` is set (``postgresql+psycopg://user@host/db``).

Tables (Indonesian names, like the tidy table):

- ``berkas``: the ingest log, one row per ingest attempt, failures included.
- ``observasi``: the tidy table (contracts §2) + ``berkas_id`` + ``keluarga``; one value per
  (tahun, bulan, kode_desa, indikator, jk).
- ``masalah``: the problems found in each file (and by the store), message rendered in Indonesian at ingest time.

How :meth:`Store.ingest` treats a file (statuses of the ingest log and of :class:`IngestOutcome`):

1. The raw bytes are archived first, by content hash (``arsip/<sha[:2]>/<sha><suffix>``, atomic write), so no
   upload is ever lost, whatever happens next. Every attempt gets a ``berkas`` row.
2. ``sama``: the same bytes were stored successfully before and those values are still current (no later file
   replaced any of them): nothing changes; the attempt is logged with status ``sama``. A file whose values were
   later replaced by a corrected version is *not* ``sama`` when uploaded again: the latest upload wins.
3. A report is identified by (keluarga, kode_puskesmas, tahun, bulan, indikator). A new file replaces every stored
   value of the reports it contains (``ganti``, or ``baru`` when nothing was there): values the corrected file no
   longer holds disappear (it replaces, it does not merge).
4. A value already stored for the same (tahun, bulan, kode_desa, indikator, jk) by a *different* report is kept;
   when the numbers differ the new value is skipped with a ``konflik_nilai`` warning naming both places.
5. ``gagal``: nothing was stored (unreadable file, no values, or a database error). Each file's values, log row
   and problems go in one transaction; on a database error the transaction is rolled back (earlier data
   untouched), and a ``gagal`` row with a ``penyimpanan_gagal`` problem is written in a separate transaction.
   Any other exception is a bug: it is logged the same way and re-raised.

Writers are serialised (SQLite ``BEGIN IMMEDIATE``; PostgreSQL transaction-level advisory lock), so several
processes may ingest into the same store at once. Rows go in bulk: one executemany of the compiled Core insert on
SQLite, a COPY on PostgreSQL. ``berkas.diganti_oleh`` (an extra column) names the later ingest that replaced some of
a file's values; it is what tells ``sama`` from a re-upload of an outdated version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from pws.config import Workspace
from pws.etl.model import TIDY_COLUMNS, FileResult
from pws.issues import Issue, issue

DATABASE_URL_ENV = "PWS_DATABASE_URL"
SQLITE_NAME = "pws.sqlite"
ARCHIVE_DIR = "arsip"
BUSY_TIMEOUT_MS = 30_000
#: a temporary archive file older than this belongs to no running writer
_STALE_TMP_S = 600
#: key of the PostgreSQL advisory lock that serialises writers
_PG_LOCK_KEY = 0x5057_5344  # "PWSD"

#: statuses of a stored ingest, as written to ``berkas.status`` and returned in ``IngestOutcome.status``
STATUS_NEW = "baru"  # stored; no earlier value of the same report was there
STATUS_SAME = "sama"  # identical file already stored and still current: nothing changed
STATUS_REPLACED = "ganti"  # stored; earlier values of the same report were replaced
STATUS_FAILED = "gagal"  # nothing stored
STATUSES = (STATUS_NEW, STATUS_SAME, STATUS_REPLACED, STATUS_FAILED)
_STORED = (STATUS_NEW, STATUS_REPLACED)

_KEY = ["tahun", "bulan", "kode_desa", "indikator", "jk"]

metadata = sa.MetaData()

berkas = sa.Table(
    "berkas",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("nama_file", sa.Text, nullable=False),
    sa.Column("ukuran", sa.BigInteger, nullable=False),
    sa.Column("keluarga", sa.Text),
    sa.Column("kode_puskesmas", sa.Text),
    sa.Column("periode", sa.Text, nullable=False, default=""),
    sa.Column("waktu", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("jumlah_baris", sa.Integer, nullable=False, default=0),
    sa.Column("jumlah_masalah", sa.Integer, nullable=False, default=0),
    sa.Column("arsip", sa.Text),
    # the later ingest that replaced (some of) this file's values; NULL while all of them are current
    sa.Column("diganti_oleh", sa.Integer, sa.ForeignKey("berkas.id")),
)

observasi = sa.Table(
    "observasi",
    metadata,
    sa.Column("tahun", sa.Integer, primary_key=True),
    sa.Column("bulan", sa.SmallInteger, primary_key=True),
    sa.Column("kode_desa", sa.String(32), primary_key=True),
    sa.Column("nama_desa", sa.Text),
    sa.Column("kode_puskesmas", sa.String(64), nullable=False),
    sa.Column("indikator", sa.String(64), primary_key=True),
    sa.Column("jk", sa.String(1), primary_key=True),
    sa.Column("nilai", sa.Float(precision=53), nullable=False),
    sa.Column("sumber_file", sa.Text),
    sa.Column("sumber_sheet", sa.Text),
    sa.Column("sumber_sel", sa.Text),
    sa.Column("berkas_id", sa.Integer, sa.ForeignKey("berkas.id"), nullable=False, index=True),
    sa.Column("keluarga", sa.Text),
    sa.CheckConstraint("bulan BETWEEN 1 AND 12", name="ck_observasi_bulan"),
    sa.CheckConstraint("jk IN ('L', 'P', 'T')", name="ck_observasi_jk"),
    sa.Index("ix_observasi_laporan", "kode_puskesmas", "tahun", "bulan", "indikator"),
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree less to write
)

masalah = sa.Table(
    "masalah",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("berkas_id", sa.Integer, sa.ForeignKey("berkas.id"), index=True),
    sa.Column("kode", sa.String(64), nullable=False),
    sa.Column("tingkat", sa.String(16), nullable=False),
    sa.Column("pesan", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text),
    sa.Column("sel", sa.Text),
    sa.Column("baris", sa.Integer),
    sa.Column("params", sa.Text, nullable=False, default="{}"),
)

#: posyandu-level values (reports with one row per posyandu): the tidy columns plus the posyandu as written or as in
#: jejaring.csv and its ``kode_unit`` (NULL when the name matched no unit). Their desa sums are in ``observasi``.
#: Created automatically in existing stores; replaced together with the desa sums of the same report.
observasi_posyandu = sa.Table(
    "observasi_posyandu",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tahun", sa.Integer, nullable=False),
    sa.Column("bulan", sa.SmallInteger, nullable=False),
    sa.Column("kode_desa", sa.String(32), nullable=False),
    sa.Column("nama_desa", sa.Text),
    sa.Column("kode_puskesmas", sa.String(64), nullable=False),
    sa.Column("indikator", sa.String(64), nullable=False),
    sa.Column("jk", sa.String(1), nullable=False),
    sa.Column("nilai", sa.Float(precision=53), nullable=False),
    sa.Column("sumber_file", sa.Text),
    sa.Column("sumber_sheet", sa.Text),
    sa.Column("sumber_sel", sa.Text),
    sa.Column("posyandu", sa.Text, nullable=False),
    sa.Column("kode_unit", sa.Text),
    sa.Column("berkas_id", sa.Integer, sa.ForeignKey("berkas.id"), nullable=False, index=True),
    sa.Column("keluarga", sa.Text),
    sa.Index("ix_observasi_posyandu_laporan", "kode_puskesmas", "tahun", "bulan", "indikator"),
    sa.Index("ix_observasi_posyandu_desa", "tahun", "kode_desa"),
)
POSYANDU_COLUMNS = [*TIDY_COLUMNS, "posyandu", "kode_unit"]

OBSERVASI_COLUMNS = [c.name for c in observasi.columns]
FILES_COLUMNS = [c.name for c in berkas.columns]
PROBLEM_COLUMNS = ["id", "berkas_id", "nama_file", "kode", "tingkat", "pesan", "sheet", "sel", "baris", "params"]


@dataclass(frozen=True)
class IngestOutcome:
    """What storing one file did.

    ``status`` is one of ``baru``, ``sama``, ``ganti``, ``gagal`` (see the module docstring); ``berkas_id`` is the
    ingest-log row of this attempt; ``rows_written`` the observations inserted; ``rows_replaced`` the earlier
    observations of the same reports deleted. ``conflicts`` holds the problems the store itself raised for this
    file (``konflik_nilai``; ``penyimpanan_gagal`` when storing failed), not the file's own issues.
    """

    status: str
    berkas_id: int | None
    rows_written: int = 0
    rows_replaced: int = 0
    conflicts: list[Issue] = field(default_factory=list)


def database_url(ws: Workspace) -> str:
    """``$PWS_DATABASE_URL`` when set, else the workspace's SQLite file (absolute path)."""
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    return f"sqlite:///{(ws.internal_dir / SQLITE_NAME).resolve()}"


def _normalise_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):  # plain scheme: use psycopg 3, the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class Store:
    """The store of one workspace (or one database). Each call takes its own connection, so one Store may serve
    several threads; each process opens its own."""

    def __init__(self, url: str, archive_dir: Path) -> None:
        parsed = _normalise_url(url)
        self.archive_dir = Path(archive_dir)
        self._sqlite = parsed.get_backend_name() == "sqlite"
        self._postgres = parsed.get_backend_name() == "postgresql"
        if self._sqlite and parsed.database and parsed.database != ":memory:" and "mode=memory" not in str(parsed):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = sa.create_engine(parsed, pool_pre_ping=not self._sqlite)
        if self._sqlite:
            _configure_sqlite(self.engine)
        compiled = sa.insert(observasi).compile(dialect=self.engine.dialect)
        if self._sqlite and list(compiled.positiontup or []) != OBSERVASI_COLUMNS:
            raise AssertionError("unexpected parameter order in the compiled insert")
        self._insert_sql = str(compiled)
        with self._write() as conn:
            metadata.create_all(conn)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> Store:
        ws.internal_dir.mkdir(parents=True, exist_ok=True)
        return cls(database_url(ws), ws.internal_dir / ARCHIVE_DIR)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer of the same database."""
        with self.engine.connect() as conn:
            if self._sqlite:
                conn.execution_options(pws_immediate=True)
            with conn.begin():
                if self._postgres:
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                yield conn

    def archive(self, raw: bytes, digest: str, suffix: str) -> str:
        """Write ``raw`` to ``archive_dir/<digest[:2]>/<digest><suffix>`` (atomically, once); the relative path."""
        suffix = suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""
        relative = f"{digest[:2]}/{digest}{suffix}"
        target = self.archive_dir / relative
        if target.is_file() and target.stat().st_size == len(raw):
            return relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{digest}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            _pause("arsip")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # temporary files of the same content left by a writer that was killed (never read: not a final name)
        for stale in target.parent.glob(f".{digest}.*.tmp"):
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > _STALE_TMP_S:
                    stale.unlink()
        return relative

    def ingest(self, result: FileResult, raw: bytes, keluarga_key: str | None = None) -> IngestOutcome:
        """Store one file's tidy rows and issues; see the module docstring for the rules.

        ``keluarga_key`` is the report family (defaults to ``result.family``); the sha256 is computed from ``raw``.
        """
        digest = hashlib.sha256(raw).hexdigest()
        keluarga = keluarga_key if keluarga_key is not None else result.family
        name = result.path.name
        try:
            arsip: str | None = self.archive(raw, digest, result.path.suffix)
        except OSError as exc:
            problem = issue("penyimpanan_gagal", file=name, detail=f"arsip: {_describe(exc)}")
            return self._fail(result, raw, digest, None, keluarga, [problem])

        if not result.readable:
            return self._fail(result, raw, digest, arsip, keluarga, [])
        if result.rows.empty:  # nothing to store; the reader has said why (its issues are stored)
            return self._fail(result, raw, digest, arsip, keluarga, [])

        try:
            with self._write() as conn:
                return self._store(conn, result, raw, digest, arsip, keluarga)
        except SQLAlchemyError as exc:
            problem = issue("penyimpanan_gagal", file=name, detail=_describe(exc))
            return self._fail(result, raw, digest, arsip, keluarga, [problem])
        except Exception as exc:  # a bug: log the attempt, then let it surface
            problem = issue("penyimpanan_gagal", file=name, detail=_describe(exc))
            with contextlib.suppress(Exception):
                self._fail(result, raw, digest, arsip, keluarga, [problem])
            raise

    def _store(
        self, conn: Connection, result: FileResult, raw: bytes, digest: str, arsip: str | None, keluarga: str | None
    ) -> IngestOutcome:
        rows = _prepare(result.rows, result.kode_puskesmas)
        base = _log_values(result, raw, digest, arsip, keluarga, _periode(rows, result))
        if not base["kode_puskesmas"]:
            base["kode_puskesmas"] = ",".join(_distinct(rows["kode_puskesmas"])) or None

        current = conn.execute(
            sa.select(berkas.c.id)
            .where(berkas.c.sha256 == digest, berkas.c.status.in_(_STORED), berkas.c.diganti_oleh.is_(None))
            .limit(1)
        ).first()
        if current is not None:
            bid = _insert_log(conn, {**base, "status": STATUS_SAME})
            return IngestOutcome(STATUS_SAME, bid, 0, 0, [])

        bid = _insert_log(conn, {**base, "status": STATUS_NEW})

        # 1. replace: delete the stored values of every report this file holds (older versions of it)
        replaced = 0
        older: set[int] = set()
        same_family = observasi.c.keluarga.is_(None) if keluarga is None else observasi.c.keluarga == keluarga
        for (puskesmas, tahun, bulan), group in rows.groupby(["kode_puskesmas", "tahun", "bulan"], sort=True):
            gone = conn.execute(
                sa.delete(observasi)
                .where(
                    same_family,
                    observasi.c.kode_puskesmas == puskesmas,
                    observasi.c.tahun == int(tahun),
                    observasi.c.bulan == int(bulan),
                    observasi.c.indikator.in_(_distinct(group["indikator"])),
                )
                .returning(observasi.c.berkas_id)
            ).scalars()
            ids = gone.all()
            replaced += len(ids)
            older.update(ids)
            conn.execute(  # and the posyandu rows behind them (pws.etl.posyandu): replaced together
                sa.delete(observasi_posyandu).where(
                    observasi_posyandu.c.keluarga.is_(None)
                    if keluarga is None
                    else observasi_posyandu.c.keluarga == keluarga,
                    observasi_posyandu.c.kode_puskesmas == puskesmas,
                    observasi_posyandu.c.tahun == int(tahun),
                    observasi_posyandu.c.bulan == int(bulan),
                    observasi_posyandu.c.indikator.in_(_distinct(group["indikator"])),
                )
            )
        if older:
            conn.execute(sa.update(berkas).where(berkas.c.id.in_(sorted(older))).values(diganti_oleh=bid))

        # 2. values already stored at the same keys come from other reports: keep them
        conflicts: list[Issue] = []
        stored = _stored_at(conn, rows)
        if not stored.empty:
            merged = rows.merge(stored, on=_KEY, how="left", indicator=True)
            taken = (merged["_merge"] == "both").to_numpy()
            for rec in merged.loc[taken].itertuples(index=False):
                if _same_number(rec.nilai, rec.nilai_lama):
                    continue
                conflicts.append(
                    issue(
                        "konflik_nilai",
                        file=_text(rec.sumber_file) or result.path.name,
                        sheet=_text(rec.sumber_sheet),
                        cell=_text(rec.sumber_sel),
                        kode_desa=rec.kode_desa,
                        indikator=rec.indikator,
                        tahun=int(rec.tahun),
                        bulan=int(rec.bulan),
                        jk=rec.jk,
                        nilai_lama=_number(rec.nilai_lama),
                        nilai_baru=_number(rec.nilai),
                        berkas_lama=_text(rec.file_lama) or "?",
                        sheet_lama=_text(rec.sheet_lama) or "?",
                        sel_lama=_text(rec.sel_lama) or "?",
                        berkas_id_lama=int(rec.berkas_id_lama),
                    )
                )
            rows = rows.loc[~taken]

        # 3. the new values, the problems, the final log row
        written = self._insert_observations(conn, _records(rows, bid, keluarga))
        if result.posyandu_rows is not None and not result.posyandu_rows.empty:
            _insert_posyandu(conn, result.posyandu_rows, result.kode_puskesmas, bid, keluarga)
        _pause("transaksi")
        problems = [*result.issues, *conflicts]
        _insert_problems(conn, bid, problems)
        status = STATUS_REPLACED if replaced else STATUS_NEW
        conn.execute(
            sa.update(berkas)
            .where(berkas.c.id == bid)
            .values(status=status, jumlah_baris=written, jumlah_masalah=len(problems))
        )
        return IngestOutcome(status, bid, written, replaced, conflicts)

    def _insert_observations(self, conn: Connection, records: list[tuple[Any, ...]]) -> int:
        """Insert rows (values in ``OBSERVASI_COLUMNS`` order) in bulk, inside the caller's transaction.

        SQLite: one executemany of the Core ``insert(observasi)`` compiled once (SQLAlchemy's per-row parameter
        handling would double the cost); PostgreSQL: a COPY (an executemany there costs a round trip per row).
        """
        if not records:
            return 0
        if not self._postgres:
            conn.exec_driver_sql(self._insert_sql, records)
            return len(records)
        statement = f"COPY {observasi.name} ({', '.join(OBSERVASI_COLUMNS)}) FROM STDIN"
        driver = conn.connection.driver_connection
        assert driver is not None
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for record in records:
                    copy.write_row(record)
        except dbapi_error as exc:  # speak SQLAlchemy's errors, as everywhere else
            raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc
        return len(records)

    def _fail(
        self,
        result: FileResult,
        raw: bytes,
        digest: str,
        arsip: str | None,
        keluarga: str | None,
        extra: list[Issue],
    ) -> IngestOutcome:
        """Log a failed attempt (status ``gagal``) with the file's issues and ``extra``, in its own transaction."""
        problems = [*result.issues, *extra]
        periode = ",".join(f"{y:04d}-{m:02d}" for y, m in sorted(set(result.periods)))
        values = _log_values(result, raw, digest, arsip, keluarga, periode)
        try:
            with self._write() as conn:
                bid = _insert_log(conn, {**values, "status": STATUS_FAILED, "jumlah_masalah": len(problems)})
                _insert_problems(conn, bid, problems)
        except SQLAlchemyError as exc:
            # even the log cannot be written (disk full, database gone): nothing was stored; say so to the caller,
            # whose report shows the problems of the outcome
            if not extra:
                extra = [issue("penyimpanan_gagal", file=result.path.name, detail=_describe(exc))]
            return IngestOutcome(STATUS_FAILED, None, 0, 0, extra)
        return IngestOutcome(STATUS_FAILED, bid, 0, 0, extra)

    # ------------------------------------------------------------------ reading

    def observations(
        self,
        tahun: int | None = None,
        bulan: int | None = None,
        indikator: str | None = None,
        kode_puskesmas: str | None = None,
    ) -> pd.DataFrame:
        """The tidy table (TIDY_COLUMNS), optionally filtered, sorted by tahun, bulan, kode_desa, indikator, jk."""
        stmt = sa.select(*(observasi.c[c] for c in TIDY_COLUMNS))
        if tahun is not None:
            stmt = stmt.where(observasi.c.tahun == int(tahun))
        if bulan is not None:
            stmt = stmt.where(observasi.c.bulan == int(bulan))
        if indikator is not None:
            stmt = stmt.where(observasi.c.indikator == indikator)
        if kode_puskesmas is not None:
            stmt = stmt.where(observasi.c.kode_puskesmas == kode_puskesmas)
        stmt = stmt.order_by(*(observasi.c[c] for c in _KEY))
        with self.engine.connect() as conn:
            frame = _fetch(conn, stmt, TIDY_COLUMNS)
        return frame.astype({"tahun": "int64", "bulan": "int64", "nilai": "float64"})

    def posyandu_observations(
        self,
        tahun: int | None = None,
        bulan: int | None = None,
        indikator: str | None = None,
        kode_puskesmas: str | None = None,
        kode_desa: str | None = None,
    ) -> pd.DataFrame:
        """Posyandu-level values (TIDY_COLUMNS + ``posyandu``, ``kode_unit``; NA where unmatched), optionally
        filtered, sorted by tahun, bulan, kode_desa, posyandu, indikator, jk."""
        table = observasi_posyandu
        stmt = sa.select(*(table.c[c] for c in POSYANDU_COLUMNS))
        for column, value in (("tahun", tahun), ("bulan", bulan), ("indikator", indikator),
                              ("kode_puskesmas", kode_puskesmas), ("kode_desa", kode_desa)):  # fmt: skip
            if value is not None:
                stmt = stmt.where(table.c[column] == value)
        stmt = stmt.order_by(*(table.c[c] for c in ("tahun", "bulan", "kode_desa", "posyandu", "indikator", "jk")))
        with self.engine.connect() as conn:
            frame = _fetch(conn, stmt, POSYANDU_COLUMNS)
        frame = frame.astype({"tahun": "int64", "bulan": "int64", "nilai": "float64"})
        frame["kode_unit"] = frame["kode_unit"].astype(object).where(frame["kode_unit"].notna(), pd.NA)
        return frame

    def version(self) -> int:
        """A number that changes whenever anything is ingested (the newest ingest's id; 0 for an empty store).
        Caches of derived tables key on it."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(berkas.c.id))).scalar() or 0)

    def periods(self) -> pd.DataFrame:
        """Each (tahun, bulan) with data and how many rows it has, newest first."""
        stmt = (
            sa.select(observasi.c.tahun, observasi.c.bulan, sa.func.count().label("baris"))
            .group_by(observasi.c.tahun, observasi.c.bulan)
            .order_by(observasi.c.tahun.desc(), observasi.c.bulan.desc())
        )
        with self.engine.connect() as conn:
            data = conn.execute(stmt).all()
        return pd.DataFrame([tuple(r) for r in data], columns=["tahun", "bulan", "baris"]).astype("int64")

    def files(self) -> pd.DataFrame:
        """The ingest log, newest first (columns of table ``berkas``; ``waktu`` in UTC)."""
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(berkas).order_by(berkas.c.id.desc())).all()
        frame = pd.DataFrame([tuple(r) for r in data], columns=FILES_COLUMNS)
        frame["waktu"] = pd.to_datetime(frame["waktu"], utc=True)
        return frame.astype({"id": "int64", "ukuran": "int64", "jumlah_baris": "int64", "jumlah_masalah": "int64"})

    def problems(self, berkas_id: int | None = None) -> pd.DataFrame:
        """Stored problems (all, or of one ingest attempt), with the file name, in the order found."""
        stmt = (
            sa.select(
                masalah.c.id,
                masalah.c.berkas_id,
                berkas.c.nama_file,
                masalah.c.kode,
                masalah.c.tingkat,
                masalah.c.pesan,
                masalah.c.sheet,
                masalah.c.sel,
                masalah.c.baris,
                masalah.c.params,
            )
            .select_from(masalah.outerjoin(berkas, masalah.c.berkas_id == berkas.c.id))
            .order_by(masalah.c.id)
        )
        if berkas_id is not None:
            stmt = stmt.where(masalah.c.berkas_id == int(berkas_id))
        with self.engine.connect() as conn:
            data = conn.execute(stmt).all()
        return pd.DataFrame([tuple(r) for r in data], columns=PROBLEM_COLUMNS)


# ---------------------------------------------------------------------- helpers


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and foreign keys on every connection; real BEGINs (IMMEDIATE for writers).

    pysqlite's own transaction handling is switched off (it would BEGIN lazily, after the first SELECT) so that a
    writer takes the write lock at the start of its transaction and waits for it up to the busy timeout.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _set_wal(cursor)
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; the raw files are archived anyway
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pws_immediate") else "BEGIN")


def _set_wal(cursor: Any) -> None:
    """Switch the database file to WAL (persistent; a no-op once done).

    Switching needs an exclusive lock and SQLite may refuse at once ("database is locked") instead of waiting
    when another process is opening the same new database: retry until the busy timeout has passed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _prepare(frame: pd.DataFrame, kode_puskesmas: str | None) -> pd.DataFrame:
    """The tidy columns with plain types; a missing key stays missing (the database then refuses the file)."""
    rows = frame[TIDY_COLUMNS].copy()
    if kode_puskesmas:
        rows["kode_puskesmas"] = rows["kode_puskesmas"].fillna(kode_puskesmas)
    rows["tahun"] = rows["tahun"].astype("int64")
    rows["bulan"] = rows["bulan"].astype("int64")
    rows["nilai"] = pd.to_numeric(rows["nilai"]).astype("float64")
    for col in ("kode_desa", "kode_puskesmas", "indikator", "jk"):
        column = rows[col]
        rows[col] = column.astype(object).where(column.isna(), column.astype(str))
    return rows.reset_index(drop=True)


def _periode(rows: pd.DataFrame, result: FileResult) -> str:
    pairs = set(zip(rows["tahun"].tolist(), rows["bulan"].tolist(), strict=True)) | set(result.periods)
    return ",".join(f"{y:04d}-{m:02d}" for y, m in sorted(pairs))


def _log_values(
    result: FileResult, raw: bytes, digest: str, arsip: str | None, keluarga: str | None, periode: str
) -> dict[str, Any]:
    return {
        "sha256": digest,
        "nama_file": result.path.name,
        "ukuran": len(raw),
        "keluarga": keluarga,
        "kode_puskesmas": result.kode_puskesmas,
        "periode": periode,
        "waktu": datetime.now(UTC),
        "jumlah_baris": 0,
        "jumlah_masalah": 0,
        "arsip": arsip,
    }


def _insert_log(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(berkas).values(**values).returning(berkas.c.id)).scalar_one())


def _stored_at(conn: Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """Stored values at (a superset of) the new rows' keys, with their lineage."""
    stmt = sa.select(
        observasi.c.tahun,
        observasi.c.bulan,
        observasi.c.kode_desa,
        observasi.c.indikator,
        observasi.c.jk,
        observasi.c.nilai.label("nilai_lama"),
        observasi.c.sumber_file.label("file_lama"),
        observasi.c.sumber_sheet.label("sheet_lama"),
        observasi.c.sumber_sel.label("sel_lama"),
        observasi.c.berkas_id.label("berkas_id_lama"),
    ).where(
        observasi.c.tahun.in_(_distinct(rows["tahun"])),
        observasi.c.bulan.in_(_distinct(rows["bulan"])),
        observasi.c.indikator.in_(_distinct(rows["indikator"])),
        observasi.c.kode_desa.in_(_distinct(rows["kode_desa"])),
    )
    columns = [*_KEY, "nilai_lama", "file_lama", "sheet_lama", "sel_lama", "berkas_id_lama"]
    stored = _fetch(conn, stmt, columns)
    return stored.astype({"tahun": "int64", "bulan": "int64"})


def _fetch(conn: Connection, stmt: sa.Select[Any], columns: list[str]) -> pd.DataFrame:
    """A query's rows as a frame, straight from the driver's cursor (only for plain int/float/text columns:
    SQLAlchemy's row objects would cost more than the query on a district's 200,000 rows)."""
    result = conn.execute(stmt)
    try:
        data = result.cursor.fetchall()
    finally:
        result.close()
    return pd.DataFrame(data, columns=columns)


def _distinct(column: pd.Series) -> list[Any]:
    return sorted(column.dropna().unique().tolist())


def _plain(column: pd.Series) -> list[Any]:
    """Python scalars for the driver; NaN/NA -> None."""
    values = column.tolist()
    if not column.hasnans:
        return values
    return [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in values]


def _records(rows: pd.DataFrame, bid: int, keluarga: str | None) -> list[tuple[Any, ...]]:
    """The rows as tuples in ``OBSERVASI_COLUMNS`` order, plain Python values."""
    columns = {c: _plain(rows[c]) for c in TIDY_COLUMNS}
    columns["berkas_id"] = [bid] * len(rows)
    columns["keluarga"] = [keluarga] * len(rows)
    return list(zip(*(columns[c] for c in OBSERVASI_COLUMNS), strict=True))


def _insert_posyandu(
    conn: Connection, frame: pd.DataFrame, kode_puskesmas: str | None, bid: int, keluarga: str | None
) -> None:
    """Posyandu-level rows of one file, inside the caller's transaction (a few hundred per file: a plain insert)."""
    rows = _prepare(frame, kode_puskesmas)
    rows["posyandu"] = frame["posyandu"].astype(str).to_numpy()
    rows["kode_unit"] = _plain(frame["kode_unit"].astype(object).where(frame["kode_unit"].notna(), None))
    records = rows.to_dict("records")
    for rec in records:
        rec["berkas_id"] = bid
        rec["keluarga"] = keluarga
        for key in ("sumber_file", "sumber_sheet", "sumber_sel", "nama_desa"):
            rec[key] = _text(rec[key]) or None
    conn.execute(sa.insert(observasi_posyandu), records)


def _insert_problems(conn: Connection, bid: int | None, problems: list[Issue]) -> None:
    if not problems:
        return
    conn.execute(
        sa.insert(masalah),
        [
            {
                "berkas_id": bid,
                "kode": p.code,
                "tingkat": p.severity,
                "pesan": _message(p),
                "sheet": p.sheet,
                "sel": p.cell,
                "baris": p.row,
                "params": json.dumps(p.params, ensure_ascii=False, default=str, sort_keys=True),
            }
            for p in problems
        ],
    )


def _message(problem: Issue) -> str:
    try:
        return problem.message("id")
    except (KeyError, IndexError, ValueError):  # a message template out of step with its params: keep the facts
        return f"{problem.code} {json.dumps(problem.params, ensure_ascii=False, default=str)}"


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _same_number(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _number(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


#: tests only: ``<point>:<marker file>`` makes an ingest stop at ``point`` (``arsip``: the archive's temporary file
#: written, not yet renamed; ``transaksi``: the observations inserted, not yet committed), write the marker file and
#: sleep, so that a test can kill the process at exactly that moment (tests/test_faults.py)
PAUSE_ENV = "PWS_UJI_JEDA"


def _pause(point: str) -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    where, _, marker = spec.partition(":")
    if where == point and marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(600)


def _describe(exc: BaseException) -> str:
    """A short, single-line account of an exception for the user."""
    source: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(source).strip().splitlines()
    detail = f"{type(source).__name__}: {text[0] if text else ''}".rstrip(": ")
    return detail[:300]
