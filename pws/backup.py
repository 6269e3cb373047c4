"""``pws backup`` / ``pws restore``: one zip holding a workspace's files, its raw archive and its store.

Layout of the zip (docs/keamanan.md):

- ``manifest.json``: format name, version, time, the store's backend, and the SHA-256 and size of every member.
- ``berkas/<path>``: the user's own files of the workspace (wilayah, sasaran, target, batas_desa.*, jejaring.*,
  indikator/alias files, anything else outside ``.pws/``), ``laporan/`` unless ``tanpa_laporan``.
- ``arsip/<path>``: the raw archive of every ingested file (``.pws/arsip``).
- ``store/pws.sqlite``: a SQLite store copied with the sqlite3 online backup API (consistent while the server
  writes), or ``store/<table>.jsonl`` + ``store/schema.json`` for PostgreSQL: *every* table of the database,
  reflected (tables added by other features included), one JSON object per row, restored in dependency order.

Restore checks the manifest and every checksum before touching anything, refuses a workspace or store that holds
data unless ``force``, writes the files beside their targets and swaps them in at the end (the old ones are kept
until the swap has succeeded and put back if it fails); the PostgreSQL tables are emptied and refilled in one
transaction. A failed restore leaves the previous state.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa

from pws.config import Workspace
from pws.etl.store import ARCHIVE_DIR, SQLITE_NAME, Store, _normalise_url, database_url

__all__ = ["BackupError", "BackupSummary", "backup", "restore"]

FORMAT = "pws-cadangan"
VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1024 * 1024
_INTERNAL = ".pws"


class BackupError(Exception):
    """A backup or restore that cannot be done. ``code`` names the message ``keamanan.<code>``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def message(self, lang: str | None = None) -> str:
        from pws.i18n import t

        return t(f"keamanan.{self.code}", lang, **self.params)


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int  # user's files
    archived: int  # raw archive files
    backend: str  # sqlite | postgresql
    tables: dict[str, int]  # rows per table
    size: int  # bytes of the zip


# ------------------------------------------------------------------------------------------------------------------
# backup
# ------------------------------------------------------------------------------------------------------------------


def _user_files(ws: Workspace, with_laporan: bool) -> Iterator[tuple[Path, str]]:
    root = ws.root
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == _INTERNAL or not path.is_file() or path.is_symlink():
            continue
        if not with_laporan and relative.parts[0] == ws.laporan_dir.name:
            continue
        yield path, relative.as_posix()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def backup(ws: Workspace, output: Path, with_laporan: bool = True) -> BackupSummary:
    """Write the backup zip of ``ws`` to ``output`` (atomically: a temporary file renamed at the end)."""
    if not ws.root.is_dir():
        raise BackupError("ruang_kerja_tidak_ada", root=ws.root)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    url = database_url(ws)
    backend = _normalise_url(url).get_backend_name()
    members: dict[str, dict[str, Any]] = {}
    tables: dict[str, int] = {}
    n_files = n_archived = 0
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=".pws-cadangan-", suffix=".zip.tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:

            def add_file(path: Path, name: str) -> None:
                archive.write(path, name)
                members[name] = {"sha256": _sha256_file(path), "ukuran": path.stat().st_size}

            def add_bytes(data: bytes, name: str) -> None:
                archive.writestr(name, data)
                members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "ukuran": len(data)}

            for path, relative in _user_files(ws, with_laporan):
                add_file(path, f"berkas/{relative}")
                n_files += 1
            archive_dir = ws.internal_dir / ARCHIVE_DIR
            if archive_dir.is_dir():
                for path in sorted(p for p in archive_dir.rglob("*") if p.is_file() and not p.name.endswith(".tmp")):
                    add_file(path, f"arsip/{path.relative_to(archive_dir).as_posix()}")
                    n_archived += 1
            if backend == "sqlite":
                database = _normalise_url(url).database
                with tempfile.TemporaryDirectory(prefix="pws-cadangan-") as folder:
                    copy = Path(folder) / SQLITE_NAME
                    if database and Path(database).is_file():
                        _sqlite_copy(Path(database), copy)
                        add_file(copy, f"store/{SQLITE_NAME}")
                        with sqlite3.connect(copy) as conn:
                            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                            tables = {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
                        copy.unlink()
            else:
                engine = sa.create_engine(_normalise_url(url))
                try:
                    tables = _dump_tables(engine, add_bytes)
                finally:
                    engine.dispose()
            manifest = {
                "format": FORMAT,
                "versi": VERSION,
                "waktu": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "store": backend,
                "laporan": with_laporan,
                "tabel": tables,
                "anggota": members,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupSummary(output, n_files, n_archived, backend, tables, output.stat().st_size)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API: readers and writers may go on)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$waktu": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$tanggal": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$biner": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, decimal.Decimal):
        return {"$desimal": str(value)}
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return {"$float": repr(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$waktu":
            return dt.datetime.fromisoformat(raw)
        if tag == "$tanggal":
            return dt.date.fromisoformat(raw)
        if tag == "$biner":
            return base64.b64decode(raw)
        if tag == "$desimal":
            return decimal.Decimal(raw)
        if tag == "$float":
            return float(raw)
    return value


def _dump_tables(engine: sa.Engine, add_bytes: Any) -> dict[str, int]:
    """Every table of the database (reflected), in dependency order, in one repeatable-read snapshot."""
    reflected = sa.MetaData()
    counts: dict[str, int] = {}
    schema: list[dict[str, Any]] = []
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            reflected.reflect(conn)
            for table in reflected.sorted_tables:
                lines = []
                order = [table.c[c.name] for c in table.primary_key.columns] or list(table.c)
                for row in conn.execute(sa.select(table).order_by(*order)):
                    lines.append(json.dumps([_encode(v) for v in row], ensure_ascii=False, default=str))
                add_bytes(("\n".join(lines) + "\n" if lines else "").encode(), f"store/{table.name}.jsonl")
                counts[table.name] = len(lines)
                schema.append(
                    {
                        "tabel": table.name,
                        "kolom": [c.name for c in table.columns],
                        "ddl": str(sa.schema.CreateTable(table).compile(dialect=engine.dialect)).strip(),
                        "indeks": [
                            str(sa.schema.CreateIndex(index).compile(dialect=engine.dialect)) for index in table.indexes
                        ],
                    }
                )
    add_bytes(json.dumps(schema, ensure_ascii=False, indent=1).encode(), "store/schema.json")
    return counts


# ------------------------------------------------------------------------------------------------------------------
# restore
# ------------------------------------------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name and "\x00" not in name


def verify(source: Path) -> dict[str, Any]:
    """The manifest of a backup zip whose every member matches its checksum; :class:`BackupError` otherwise."""
    try:
        with zipfile.ZipFile(source) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except (KeyError, ValueError) as exc:
                raise BackupError("cadangan_tanpa_manifest", file=source.name) from exc
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError("cadangan_tanpa_manifest", file=source.name)
            if manifest.get("versi") != VERSION:
                raise BackupError("cadangan_versi", file=source.name, versi=manifest.get("versi"), didukung=VERSION)
            expected: dict[str, dict[str, Any]] = manifest.get("anggota", {})
            present = set(archive.namelist()) - {MANIFEST}
            for name in sorted(set(expected) | present):
                if name not in expected or name not in present or not _safe_member(name):
                    raise BackupError("cadangan_rusak", file=source.name, anggota=name)
                digest = hashlib.sha256()
                with archive.open(name) as fh:
                    while chunk := fh.read(_CHUNK):
                        digest.update(chunk)
                if digest.hexdigest() != expected[name].get("sha256"):
                    raise BackupError("cadangan_rusak", file=source.name, anggota=name)
    except BackupError:
        raise
    except FileNotFoundError as exc:
        raise BackupError("cadangan_tidak_ada", file=str(source)) from exc
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, RuntimeError) as exc:
        raise BackupError("cadangan_rusak", file=source.name, anggota="zip") from exc
    return manifest


def _store_has_data(ws: Workspace) -> bool:
    url = database_url(ws)
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).is_file()):
        return False
    engine = sa.create_engine(parsed)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return any(conn.execute(sa.text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() for n in names)
    finally:
        engine.dispose()


def restore(source: Path, ws: Workspace, force: bool = False) -> dict[str, Any]:
    """Put the backup ``source`` into ``ws`` (and its store); returns the manifest. See the module docstring."""
    source = Path(source)
    manifest = verify(source)
    backend = _normalise_url(database_url(ws)).get_backend_name()
    if manifest.get("store") != backend:
        raise BackupError("cadangan_beda_store", file=source.name, cadangan=manifest.get("store"), sekarang=backend)
    has_files = ws.root.is_dir() and any(True for _ in _user_files(ws, True))
    if not force and (has_files or _store_has_data(ws)):
        raise BackupError("ruang_kerja_tidak_kosong", root=ws.root)
    ws.root.mkdir(parents=True, exist_ok=True)
    ws.internal_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=ws.internal_dir, prefix="pulih-"))
    try:
        with zipfile.ZipFile(source) as archive:
            for name in manifest["anggota"]:
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(name) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
        if backend != "sqlite":
            _load_tables(ws, staging / "store")  # one transaction: on error nothing changed yet
        _swap_in(ws, staging, backend)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _swap_in(ws: Workspace, staging: Path, backend: str) -> None:
    """Move the restored files over the workspace's; the replaced ones are kept aside and put back on failure."""
    moves: list[tuple[Path | None, Path]] = []  # (new file in staging, or None to remove the target; target)
    for base, target_root in (("berkas", ws.root), ("arsip", ws.internal_dir / ARCHIVE_DIR)):
        folder = staging / base
        if folder.is_dir():
            moves += [(p, target_root / p.relative_to(folder)) for p in sorted(folder.rglob("*")) if p.is_file()]
    sqlite_new = staging / "store" / SQLITE_NAME
    if backend == "sqlite":
        database = _normalise_url(database_url(ws)).database
        assert database
        db = Path(database)
        # the old database's journal must never be replayed onto the new one: moved aside first
        moves += [(None, Path(f"{db}{suffix}")) for suffix in ("-wal", "-shm")]
        moves.append((sqlite_new, db) if sqlite_new.is_file() else (_empty_sqlite(staging), db))
    aside = staging / "alt"
    done: list[tuple[Path, Path | None]] = []  # (target, where its old version went)
    try:
        for new, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            old: Path | None = None
            if target.exists():
                old = aside / str(len(done))
                old.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, old)
            done.append((target, old))
            if new is not None:
                os.replace(new, target)
    except BaseException:
        for target, old in reversed(done):
            target.unlink(missing_ok=True)
            if old is not None:
                os.replace(old, target)
        raise


def _empty_sqlite(staging: Path) -> Path:
    path = staging / "store" / "kosong.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(path).close()
    return path


def _load_tables(ws: Workspace, folder: Path) -> None:
    """Empty every table the backup holds and refill it, in dependency order, in one transaction. Tables missing
    from the database are created from the DDL in the backup; serial ids continue after the restored rows."""
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    Store.for_workspace(ws).close()  # the store's own tables exist
    engine = sa.create_engine(_normalise_url(database_url(ws)))
    try:
        with engine.begin() as conn:
            existing = set(sa.inspect(conn).get_table_names())
            for spec in schema:
                if spec["tabel"] not in existing:
                    conn.execute(sa.text(spec["ddl"]))
                    for index in spec["indeks"]:
                        conn.execute(sa.text(index))
            reflected = sa.MetaData()
            reflected.reflect(conn, only=[s["tabel"] for s in schema])
            names = ", ".join(f'"{s["tabel"]}"' for s in schema)
            if names:
                conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
            for spec in schema:
                table = reflected.tables[spec["tabel"]]
                columns = spec["kolom"]
                self_refs = [
                    fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name
                ]  # filled after all rows are in
                rows = []
                with (folder / f"{table.name}.jsonl").open(encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            rows.append(dict(zip(columns, map(_decode, json.loads(line)), strict=True)))
                if not rows:
                    continue
                first = [{**r, **dict.fromkeys(self_refs)} for r in rows] if self_refs else rows
                conn.execute(sa.insert(table), first)
                if self_refs:
                    pk = [c.name for c in table.primary_key.columns]
                    for r in rows:
                        if any(r[c] is not None for c in self_refs):
                            stmt = sa.update(table).where(*(table.c[k] == r[k] for k in pk))
                            conn.execute(stmt.values({c: r[c] for c in self_refs}))
                for column in table.primary_key.columns:
                    if isinstance(column.type, sa.Integer):
                        conn.execute(
                            sa.text(
                                f'SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX("{column.name}"), 1), '
                                f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}" '
                                "WHERE pg_get_serial_sequence(:t, :c) IS NOT NULL"
                            ),
                            {"t": table.name, "c": column.name},
                        )
    finally:
        engine.dispose()
