"""Reports uploaded from the dashboard: size limits, display names, staging, dry-run preview and ingest.

No dash here; the Unggah page (``callbacks/unggah.py``) only calls these functions and renders their records.

How an upload travels:

1. The browser sends each file as a base64 data URL inside one callback request. Flask refuses a request larger
   than :data:`MAX_REQUEST_BYTES` (HTTP 413, ``app.py`` reads the limit from here); :func:`decode_upload` refuses
   a file larger than :data:`MAX_FILE_BYTES` from the length of its base64 text, before decoding anything.
2. :func:`receive` decodes the files, stages their bytes server-side under
   ``<workspace>/.pws/unggah/<token>/<index>.bin`` (the token is random, :func:`secrets.token_urlsafe`; the
   browser holds only the token, never the bytes again) and returns a dry-run :func:`preview` of each file:
   nothing is stored yet.
3. On confirmation :func:`start_ingest` stores the staged files in a background thread, one transaction per file
   (:meth:`pws.etl.store.Store.ingest`, which archives the raw bytes by SHA-256), writing its progress to
   ``progress.json`` in the staging folder, which any server process can read (:func:`read_progress`).
4. Staging folders older than :data:`STAGING_MAX_AGE_S` are removed (:func:`cleanup_staging`, run on every new
   upload); the cancel button removes one at once (:func:`discard`).

File names from uploads are never used as paths: :func:`safe_display_name` turns them into a name for display and
lineage only; on disk the files are ``0.bin``, ``1.bin``, ... in a folder named by the random token, and the ETL
reads them from memory (:meth:`pws.etl.Tidier.tidy` with ``data``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import sqlalchemy as sa

from pws import service
from pws.config import Workspace
from pws.etl import FileResult, Tidier
from pws.etl.store import STATUS_NEW, STATUS_REPLACED, Store, berkas, observasi
from pws.i18n import t
from pws.issues import Issue

log = logging.getLogger("pws.upload")

# ------------------------------------------------------------------------------------------------------------------
# limits
# ------------------------------------------------------------------------------------------------------------------

MAX_UPLOAD_ENV = "PWS_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 25.0
#: room left in a request for its JSON around the base64 text (ids, file names, other properties)
REQUEST_OVERHEAD_BYTES = 64 * 1024


def _max_upload_mb() -> float:
    """``$PWS_MAX_UPLOAD_MB`` when it is a positive number, else the default (25 MB)."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip().replace(",", ".")
    try:
        value = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if 0 < value < 100_000 else DEFAULT_MAX_UPLOAD_MB


#: the upload setting in MB: the largest request the server accepts (all files of one upload together)
MAX_UPLOAD_MB: float = _max_upload_mb()
#: Flask's MAX_CONTENT_LENGTH: a larger request gets HTTP 413 before any callback runs
MAX_REQUEST_BYTES: int = int(MAX_UPLOAD_MB * 1024 * 1024)
#: the largest single file: its base64 text (4/3 of it) and the request's JSON must fit in one request
MAX_FILE_BYTES: int = max(1, (MAX_REQUEST_BYTES - REQUEST_OVERHEAD_BYTES) * 3 // 4)
#: longest display name kept (characters)
MAX_NAME_CHARS = 120


def base64_length(n_bytes: int) -> int:
    """Length of the base64 text of ``n_bytes`` bytes (with padding)."""
    return 4 * ((n_bytes + 2) // 3)


def format_mb(n_bytes: int) -> str:
    """``19.6 MB`` the Indonesian way: ``"19,6 MB"``."""
    return f"{n_bytes / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def format_size(n_bytes: int) -> str:
    """A file's size: ``"34 KB"`` below 1 MB (at least 1 KB unless empty), else ``"1,2 MB"``."""
    if n_bytes < 1024 * 1024:
        return f"{max(1, round(n_bytes / 1024)) if n_bytes else 0} KB"
    return format_mb(n_bytes)


# ------------------------------------------------------------------------------------------------------------------
# decoding and names
# ------------------------------------------------------------------------------------------------------------------


class UploadError(Exception):
    """An upload refused before reading it (too large, not a data URL, broken base64). ``code`` names the
    message ``unggah.galat_<code>`` in the locale files; ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str | None = None) -> str:
        return t(f"unggah.galat_{self.code}", lang, **self.params)


def decode_upload(contents: str, filename: str, max_bytes: int | None = None) -> bytes:
    """The bytes of one file from ``dcc.Upload``'s data URL (``data:<type>;base64,<text>``).

    The size is checked on the length of the base64 text before anything is decoded, so a huge upload costs no
    memory beyond the request itself. ``filename`` is used only in messages. Raises :class:`UploadError`.
    """
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    name = safe_display_name(filename)
    if not isinstance(contents, str) or not contents.startswith("data:"):
        raise UploadError("bukan_data_url", nama=name)
    header, sep, payload = contents.partition(",")
    if not sep:  # an empty file: some browsers give just "data:"
        return b""
    if len(payload) > base64_length(limit):
        raise UploadError("terlalu_besar", nama=name, ukuran=format_mb(len(payload) * 3 // 4), batas=format_mb(limit))
    if not header.endswith(";base64"):
        raise UploadError("bukan_data_url", nama=name)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadError("base64_rusak", nama=name) from exc
    if len(data) > limit:
        raise UploadError("terlalu_besar", nama=name, ukuran=format_mb(len(data)), batas=format_mb(limit))
    return data


_SEPARATORS = re.compile(r"[/\\]")


def safe_display_name(filename: object) -> str:
    """A file name fit for display and lineage, never for a path.

    Directories are dropped (``../../etc/passwd`` -> ``passwd``, ``C:\\x\\y.xlsx`` -> ``y.xlsx``; a folder dropped
    on the page gives ``folder/sub/file.xlsx``), control and format characters removed (a right-to-left override
    could disguise ``laporan‮xslx.exe``), whitespace collapsed, the length limited to :data:`MAX_NAME_CHARS`
    keeping the extension. What is left is never empty, ``.`` or ``..`` (``berkas`` instead).
    """
    text = unicodedata.normalize("NFC", str(filename or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n\r")
    text = _SEPARATORS.split(text)[-1]
    text = " ".join(text.split())
    if len(text) > MAX_NAME_CHARS:
        stem, dot, suffix = text.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            text = stem[: MAX_NAME_CHARS - len(suffix) - 2] + "…." + suffix
        else:
            text = text[: MAX_NAME_CHARS - 1] + "…"
    return text if text.strip(".") else "berkas"


# ------------------------------------------------------------------------------------------------------------------
# records
# ------------------------------------------------------------------------------------------------------------------

#: statuses of a previewed file (labels under ``unggah.status_<code>``)
PREVIEW_NEW = "baru"  # nothing stored yet for the reports it holds
PREVIEW_EXISTS = "sudah_ada"  # this exact file is stored and current: saving it changes nothing
PREVIEW_REPLACES = "mengganti"  # it replaces stored values of the same reports
PREVIEW_UNUSABLE = "tidak_terpakai"  # refused, unreadable, or no value could be read
PREVIEW_STATUSES = (PREVIEW_NEW, PREVIEW_EXISTS, PREVIEW_REPLACES, PREVIEW_UNUSABLE)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Problem:
    """One problem of a file as shown to the user: severity, message (in the request's language), place."""

    severity: str
    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    @classmethod
    def of(cls, issue: Issue, lang: str | None = None) -> Problem:
        return cls(issue.severity, issue.code, issue.message(lang), issue.sheet, issue.cell, issue.row)

    @property
    def place(self) -> str:
        """``Sheet1!F12`` the way Excel writes it (``F12`` for CSV files, whose one sheet has no name)."""
        if self.cell:
            return f"{self.sheet}!{self.cell}" if self.sheet else self.cell
        if self.sheet:
            return self.sheet
        return str(self.row) if self.row is not None else ""


@dataclass
class FilePreview:
    """What one uploaded file would do, found without storing anything.

    ``index`` is its place in the staging folder (None when the upload was refused before staging); ``periods``
    the (tahun, bulan) it holds; ``puskesmas`` the names of the puskesmas its rows belong to; ``stored_rows`` the
    values already stored for the same reports (which saving replaces) and ``changed`` how many values differ
    from them (new, changed or no longer reported).
    """

    index: int | None
    name: str
    size: int
    sha256: str
    status: str
    family: str | None = None
    kind: str | None = None
    periods: list[tuple[int, int]] = field(default_factory=list)
    kode_puskesmas: str | None = None
    puskesmas: list[str] = field(default_factory=list)
    rows: int = 0
    desa: int = 0
    indicators: int = 0
    stored_rows: int = 0
    changed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Saving this file would store or change something."""
        return self.status in (PREVIEW_NEW, PREVIEW_REPLACES)

    def counts(self) -> dict[str, int]:
        """Problems per severity (error, warning, info)."""
        out = {"error": 0, "warning": 0, "info": 0}
        for p in self.problems:
            out[p.severity] = out.get(p.severity, 0) + 1
        return out


class IngestResult(NamedTuple):
    """What storing one staged file did: the store's status (``baru``, ``ganti``, ``sama``, ``gagal``), the values
    written, every problem (the file's and the store's conflicts), the periods and indicators it holds."""

    name: str
    status: str
    rows: int
    problems: list[Problem]
    periods: list[tuple[int, int]]
    indicators: list[str]


@dataclass(frozen=True)
class Reception:
    """One upload received: the staging token (None when no file could be staged) and each file's preview."""

    token: str | None
    previews: list[FilePreview]

    @property
    def ready(self) -> bool:
        return self.token is not None and any(p.ready for p in self.previews)


# ------------------------------------------------------------------------------------------------------------------
# preview
# ------------------------------------------------------------------------------------------------------------------


def _tidier(ws: Workspace) -> Tidier:
    data = service.workspace_data(ws)
    return Tidier(data.wilayah, data.catalogue, jejaring=service.jejaring(ws)[0])


def _tidy(tidier: Tidier, name: str, raw: bytes) -> FileResult:
    """The dry run of one upload: ``name`` is a display name, only ever used as a name (never opened)."""
    return tidier.tidy(Path(safe_display_name(name)), raw)


def _is_current(store: Store, sha256: str) -> bool:
    """This exact file is stored and none of its values was replaced since (the store would answer ``sama``)."""
    stmt = (
        sa.select(berkas.c.id)
        .where(
            berkas.c.sha256 == sha256,
            berkas.c.status.in_((STATUS_NEW, STATUS_REPLACED)),
            berkas.c.diganti_oleh.is_(None),
        )
        .limit(1)
    )
    with store.engine.connect() as conn:
        return conn.execute(stmt).first() is not None


_KEY = ["tahun", "bulan", "kode_desa", "indikator", "jk"]


def _replaced(store: Store, result: FileResult) -> tuple[int, int]:
    """(stored values of the reports this file holds, values that would differ) — the reports as the store
    identifies them: (keluarga, kode_puskesmas, tahun, bulan, indikator)."""
    rows = result.rows[[*_KEY, "kode_puskesmas", "nilai"]].copy()
    if result.kode_puskesmas:
        rows["kode_puskesmas"] = rows["kode_puskesmas"].fillna(result.kode_puskesmas)
    rows = rows.dropna(subset=["kode_puskesmas"])
    if rows.empty:
        return 0, 0
    same_family = observasi.c.keluarga.is_(None) if result.family is None else observasi.c.keluarga == result.family
    stored: list[tuple[Any, ...]] = []
    columns = [observasi.c[c] for c in [*_KEY, "nilai"]]
    with store.engine.connect() as conn:
        for (puskesmas, tahun, bulan), group in rows.groupby(["kode_puskesmas", "tahun", "bulan"], sort=True):
            stmt = sa.select(*columns).where(
                same_family,
                observasi.c.kode_puskesmas == str(puskesmas),
                observasi.c.tahun == int(tahun),
                observasi.c.bulan == int(bulan),
                observasi.c.indikator.in_(sorted(map(str, group["indikator"].unique()))),
            )
            stored += [tuple(r) for r in conn.execute(stmt).all()]
    if not stored:
        return 0, 0
    old = pd.DataFrame(stored, columns=[*_KEY, "lama"]).astype({"tahun": "int64", "bulan": "int64"})
    new = rows[[*_KEY, "nilai"]].astype({"tahun": "int64", "bulan": "int64"})
    new = new.astype({c: str for c in ("kode_desa", "indikator", "jk")})
    both = new.merge(old, on=_KEY, how="outer")
    differ = ~((both["nilai"].astype(float) - both["lama"].astype(float)).abs() <= 1e-9)
    return len(old), int(differ.sum())


def preview(ws: Workspace, uploads: Sequence[tuple[str, bytes]], lang: str | None = None) -> list[FilePreview]:
    """A dry run of each ``(display name, bytes)``: what was recognised, every problem with its place, and what
    saving would do. Nothing is written (the store is only read)."""
    tidier = _tidier(ws)
    store = service.store(ws)
    names = dict(zip(tidier.wilayah["kode_puskesmas"], tidier.wilayah["nama_puskesmas"], strict=True))
    seen: set[str] = set()
    out: list[FilePreview] = []
    for index, (name, raw) in enumerate(uploads):
        result = _tidy(tidier, name, raw)
        item = FilePreview(
            index=index,
            name=result.path.name,
            size=len(raw),
            sha256=result.sha256,
            status=PREVIEW_UNUSABLE,
            family=result.family,
            kind=_kind(raw) if result.readable else None,
            periods=list(result.periods),
            kode_puskesmas=result.kode_puskesmas,
            rows=len(result.rows),
            problems=_problems(result.issues, lang),
        )
        if not result.rows.empty:
            codes = result.rows["kode_puskesmas"].dropna().astype(str).unique().tolist()
            if result.kode_puskesmas and result.kode_puskesmas not in codes:
                codes.insert(0, result.kode_puskesmas)
            item.puskesmas = sorted(names.get(c, c) for c in codes)
            item.desa = int(result.rows["kode_desa"].nunique())
            item.indicators = int(result.rows["indikator"].nunique())
            if result.sha256 in seen or _is_current(store, result.sha256):
                item.status = PREVIEW_EXISTS
            else:
                item.stored_rows, item.changed = _replaced(store, result)
                item.status = PREVIEW_REPLACES if item.stored_rows else PREVIEW_NEW
            seen.add(result.sha256)
        out.append(item)
    return out


def _kind(raw: bytes) -> str | None:
    from pws.etl.model import UnreadableFileError
    from pws.etl.read import detect_kind

    try:
        return detect_kind(raw)
    except UnreadableFileError:
        return None


def _problems(issues: Sequence[Issue], lang: str | None) -> list[Problem]:
    """Problems in a stable order: errors first, then warnings, then notes; each group in the order found."""
    ranked = sorted(enumerate(issues), key=lambda pair: (_SEVERITY_ORDER.get(pair[1].severity, 3), pair[0]))
    return [Problem.of(issue, lang) for _, issue in ranked]


# ------------------------------------------------------------------------------------------------------------------
# staging
# ------------------------------------------------------------------------------------------------------------------

STAGING_DIR = "unggah"
STAGING_MAX_AGE_S = 24 * 3600
MANIFEST = "manifest.json"
PROGRESS = "progress.json"
_LOCK = "ingest.lock"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


class StagingError(Exception):
    """The staged upload is gone (expired, cancelled, already stored) or the token is not one of ours."""


def staging_root(ws: Workspace) -> Path:
    return ws.internal_dir / STAGING_DIR


def staging_dir(ws: Workspace, token: str) -> Path:
    """The folder of one staged upload. The token comes from the browser: anything but our own token format is
    refused, so it can never point outside the staging root."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise StagingError("invalid token")
    return staging_root(ws) / token


def _write_json(path: Path, data: Any) -> None:
    """Atomic write: readers in other threads or processes see the old or the new file, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stage(ws: Workspace, uploads: Sequence[tuple[str, bytes]]) -> str:
    """Keep the bytes of an upload server-side until it is confirmed or cancelled; returns the token."""
    root = staging_root(ws)
    root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    folder = staging_dir(ws, token)
    folder.mkdir()
    files = []
    for index, (name, raw) in enumerate(uploads):
        (folder / f"{index}.bin").write_bytes(raw)
        files.append({"name": safe_display_name(name), "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()})
    _write_json(folder / MANIFEST, {"created": time.time(), "files": files})
    return token


def staged(ws: Workspace, token: str) -> list[tuple[str, bytes]]:
    """The (display name, bytes) of a staged upload, checked against their recorded SHA-256."""
    folder = staging_dir(ws, token)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        out = []
        for index, entry in enumerate(manifest["files"]):
            raw = (folder / f"{index}.bin").read_bytes()
            if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                raise StagingError(f"staged file {index} changed")
            out.append((safe_display_name(entry["name"]), raw))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StagingError(str(exc)) from exc
    return out


def discard(ws: Workspace, token: str) -> None:
    """Remove one staged upload (cancel); nothing happens when it is already gone."""
    shutil.rmtree(staging_dir(ws, token), ignore_errors=True)


def cleanup_staging(ws: Workspace, max_age_s: float = STAGING_MAX_AGE_S, now: float | None = None) -> int:
    """Remove staged uploads untouched for longer than ``max_age_s`` (default 24 h); returns how many."""
    root = staging_root(ws)
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for folder in root.iterdir():
        try:
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > max_age_s:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:  # removed meanwhile by another process
            continue
    return removed


def receive(
    ws: Workspace,
    contents: Sequence[str] | str | None,
    filenames: Sequence[str] | str | None,
    lang: str | None = None,
) -> Reception:
    """What the page calls with ``dcc.Upload``'s ``contents`` and ``filename``: decode each file (refusals become
    previews with one problem), stage the others, preview them. Old staging folders are cleaned up first."""
    cleanup_staging(ws)
    if isinstance(contents, str):
        contents = [contents]
    if isinstance(filenames, str):
        filenames = [filenames]
    contents = list(contents or [])
    names = list(filenames or [])
    names += [""] * (len(contents) - len(names))
    accepted: list[tuple[str, bytes]] = []
    refused: list[tuple[int, FilePreview]] = []
    for position, (text, raw_name) in enumerate(zip(contents, names, strict=False)):
        name = safe_display_name(raw_name)
        try:
            accepted.append((name, decode_upload(text, name)))
        except UploadError as exc:
            size = len(text.partition(",")[2]) * 3 // 4 if isinstance(text, str) else 0
            problem = Problem("error", f"unggah_{exc.code}", exc.message(lang))
            refused.append((position, FilePreview(None, name, size, "", PREVIEW_UNUSABLE, problems=[problem])))
    token = stage(ws, accepted) if accepted else None
    previews = preview(ws, accepted, lang)
    for position, item in refused:  # back in the order the user gave
        previews.insert(position, item)
    return Reception(token, previews)


# ------------------------------------------------------------------------------------------------------------------
# ingest
# ------------------------------------------------------------------------------------------------------------------

Progress = Callable[[int, int, str], None]


def ingest_uploads(
    ws: Workspace, uploads: Sequence[tuple[str, bytes]], progress: Progress | None = None, lang: str | None = None
) -> list[IngestResult]:
    """Store each ``(display name, bytes)`` in the workspace's store, one transaction per file (the store
    archives the raw bytes by SHA-256). ``progress(i, n, name)`` is called before each file. One bad file never
    stops the others. Results come in the order of ``uploads``.

    Files already stored and current (previewed as "sudah ada") go first: the store then answers ``sama`` for
    them, as the preview promised, even when a corrected version of the same report comes earlier in the upload
    (stored after it, the old file would otherwise replace the correction).
    """
    tidier = _tidier(ws)
    out: dict[int, IngestResult] = {}
    with Store.for_workspace(ws) as store:
        current = [_is_current(store, hashlib.sha256(raw).hexdigest()) for _, raw in uploads]
        order = sorted(range(len(uploads)), key=lambda n: not current[n])  # stable: otherwise the user's order
        for i, index in enumerate(order, start=1):
            name, raw = uploads[index]
            if progress is not None:
                progress(i, len(uploads), safe_display_name(name))
            result = _tidy(tidier, name, raw)
            outcome = store.ingest(result, raw, keluarga_key=result.family)
            indicators = sorted(map(str, result.rows["indikator"].dropna().unique())) if len(result.rows) else []
            out[index] = IngestResult(
                result.path.name,
                outcome.status,
                outcome.rows_written,
                _problems([*result.issues, *outcome.conflicts], lang),
                list(result.periods),
                indicators,
            )
    return [out[index] for index in range(len(uploads))]


@dataclass(frozen=True)
class IngestProgress:
    """The state of a confirmed upload as written to ``progress.json``: ``state`` is ``berjalan`` (running),
    ``selesai`` (done, ``results`` filled) or ``gagal`` (the ingest itself broke; ``detail`` says why)."""

    state: str
    done: int
    total: int
    current: str | None = None
    results: list[IngestResult] = field(default_factory=list)
    detail: str | None = None

    @property
    def finished(self) -> bool:
        return self.state != "berjalan"


RUNNING, DONE, BROKEN = "berjalan", "selesai", "gagal"


def _progress_json(state: IngestProgress) -> dict[str, Any]:
    data = asdict(state)
    data["results"] = [{**r._asdict(), "problems": [asdict(p) for p in r.problems]} for r in state.results]
    return data


def _progress_from_json(data: dict[str, Any]) -> IngestProgress:
    results = [
        IngestResult(
            r["name"],
            r["status"],
            int(r["rows"]),
            [Problem(**p) for p in r["problems"]],
            [(int(y), int(m)) for y, m in r.get("periods", [])],
            list(r.get("indicators", [])),
        )
        for r in data.get("results", [])
    ]
    return IngestProgress(
        data["state"], int(data["done"]), int(data["total"]), data.get("current"), results, data.get("detail")
    )


#: a running ingest whose progress file has not moved for this long has died with its server process
STALLED_S = 300.0


def read_progress(ws: Workspace, token: str) -> IngestProgress | None:
    """The progress of a confirmed upload; None when it was never started or its folder is gone. An ingest
    whose process died (no progress for :data:`STALLED_S`) is reported as broken, so nobody waits forever."""
    try:
        path = staging_dir(ws, token) / PROGRESS
        state = _progress_from_json(json.loads(path.read_text(encoding="utf-8")))
        stalled = state.state == RUNNING and time.time() - path.stat().st_mtime > STALLED_S
    except (StagingError, OSError, ValueError, KeyError, TypeError):
        return None
    if stalled:
        return IngestProgress(BROKEN, state.done, state.total, state.current, [], t("unggah.proses_terhenti"))
    return state


def start_ingest(ws: Workspace, token: str, lang: str | None = None) -> bool:
    """Store a staged upload in a background thread that writes its progress to disk (:func:`read_progress`).

    Returns False when this upload's ingest was already started (a double click, or a second server process):
    a lock file created exclusively makes sure each upload is stored once. Raises :class:`StagingError` when the
    staged files are gone. The staged bytes are deleted when the thread ends; the progress file stays until the
    folder expires, so every server process can show the summary.
    """
    folder = staging_dir(ws, token)
    uploads = staged(ws, token)
    try:
        fd = os.open(folder / _LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise StagingError(str(exc)) from exc
    os.close(fd)
    total = len(uploads)
    _write_json(folder / PROGRESS, _progress_json(IngestProgress(RUNNING, 0, total)))

    def report(i: int, n: int, name: str) -> None:
        _write_json(folder / PROGRESS, _progress_json(IngestProgress(RUNNING, i - 1, n, name)))

    def run() -> None:
        try:
            results = ingest_uploads(ws, uploads, report, lang)
            final = IngestProgress(DONE, total, total, None, results)
        except Exception as exc:  # a bug or a broken database: shown to the user, logged with its traceback
            log.exception("ingest of staged upload %s failed", token)
            final = IngestProgress(BROKEN, 0, total, None, [], f"{type(exc).__name__}: {exc}"[:300])
        for index in range(total):  # the bytes go first: whoever sees the final state sees them gone
            with contextlib.suppress(OSError):
                (folder / f"{index}.bin").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            _write_json(folder / PROGRESS, _progress_json(final))

    threading.Thread(target=run, name=f"pws-unggah-{token[:8]}", daemon=True).start()
    return True


def newest_period(results: Sequence[IngestResult], indicator_order: Sequence[str]) -> tuple[int, int, str] | None:
    """(tahun, bulan, indikator) to open after an upload: the newest period any stored file holds, and its first
    indicator in catalogue order; None when nothing was stored."""
    stored = [r for r in results if r.status in (STATUS_NEW, STATUS_REPLACED, "sama") and r.periods]
    if not stored:
        return None
    tahun, bulan = max(p for r in stored for p in r.periods)
    found = {i for r in stored if (tahun, bulan) in r.periods for i in r.indicators}
    rank = {code: n for n, code in enumerate(indicator_order)}
    ordered = sorted(found, key=lambda code: (rank.get(code, len(rank)), code))
    return tahun, bulan, ordered[0] if ordered else ""


# ------------------------------------------------------------------------------------------------------------------
# labels
# ------------------------------------------------------------------------------------------------------------------


def family_label(family: str | None, lang: str | None = None) -> str:
    """The report family as the user knows it (``pws_kia`` -> ``PWS KIA``); the family's own title for one
    without a translation, ``format umum`` when no family was recognised."""
    from pws.etl.families import families
    from pws.i18n import messages

    if not family:
        return t("unggah.jenis_umum", lang)
    key = f"unggah.keluarga_{family}"
    if key in messages(lang or "id") or key in messages("id"):
        return t(key, lang)
    titles = {f.id: f.title for f in families()}
    return titles.get(family, family)


def period_label(periods: Sequence[tuple[int, int]], lang: str | None = None) -> str:
    """``Juni 2025``; ``Januari – Oktober 2025 (10 bulan)``; ``Januari 2024 – Oktober 2025 (22 bulan)``."""
    if not periods:
        return "–"
    first, last = min(periods), max(periods)

    def month(y: int, m: int, with_year: bool = True) -> str:
        name = t(f"month.{m}", lang)
        return f"{name} {y}" if with_year else name

    if first == last:
        return month(*first)
    start = month(*first, with_year=first[0] != last[0])
    return t("unggah.periode_rentang", lang, awal=start, akhir=month(*last), n=len(set(periods)))


def too_large_message(lang: str | None = None) -> str:
    """What the server answers (HTTP 413) to a request above :data:`MAX_REQUEST_BYTES`."""
    return t("unggah.galat_413", lang, batas=format_mb(MAX_REQUEST_BYTES))
