"""pws.upload: size limits, display names, reading from bytes, staging, the dry-run preview and the ingest of
uploads, on copies of the ingested demo workspace."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pws import service, upload
from pws.config import Workspace
from pws.etl import Tidier, input_files
from pws.etl import read as read_module
from pws.etl.model import UnreadableFileError
from pws.etl.read import read_workbook
from pws.etl.store import Store

REPO = Path(__file__).resolve().parents[1]
KEY = ["tahun", "bulan", "kode_desa", "indikator", "jk"]


def data_url(raw: bytes, mime: str = "application/octet-stream") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


@pytest.fixture
def ws(demo_store: Path, tmp_path: Path) -> Workspace:
    """A private copy of the ingested demo (the archive left out: it is only written to)."""
    root = tmp_path / "ws"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("arsip", "cache", "unggah"))
    return Workspace(root)


def pws_kia_report(ws: Workspace) -> Path:
    """A PWS KIA report of the demo (desa as rows, BLN INI columns), the newest one."""
    files = [p for p in input_files([ws.laporan_dir]) if p.name.upper().startswith("PWS KIA")]
    return sorted(files, key=lambda p: (p.parent.name, p.stat().st_mtime, p.name))[-1]


def tidier(ws: Workspace) -> Tidier:
    data = service.workspace_data(ws)
    return Tidier(data.wilayah, data.catalogue)


def changed_copy(raw: bytes, ws: Workspace, name: str) -> tuple[bytes, pd.Series]:
    """The report with one numeric desa value (the first BLN INI number the ETL reads from it) raised by 5; returns
    the new bytes and the tidy row of that value as the ETL reads it from the original."""
    original = tidier(ws).tidy(Path(name), raw).rows
    book = openpyxl.load_workbook(io.BytesIO(raw))
    for _, row in original[original["sumber_sel"].notna()].iterrows():
        sheet = book[row["sumber_sheet"]]
        old = sheet[row["sumber_sel"]].value
        if isinstance(old, int | float) and not isinstance(old, bool):
            break
    else:
        raise AssertionError("no numeric cell in the report")
    sheet[row["sumber_sel"]] = old + 5
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), row


# ---------------------------------------------------------------------------------------------- limits


def test_decode_round_trip_and_empty_file() -> None:
    raw = os.urandom(1000)
    assert upload.decode_upload(data_url(raw), "a.xlsx") == raw
    assert upload.decode_upload("data:", "kosong.csv") == b""
    assert upload.decode_upload("data:text/csv;base64,", "kosong.csv") == b""


def test_size_limit_is_checked_on_the_base64_text_before_decoding() -> None:
    limit = 300
    assert len(upload.decode_upload(data_url(b"x" * limit), "a.xlsx", max_bytes=limit)) == limit
    with pytest.raises(upload.UploadError) as info:
        upload.decode_upload(data_url(b"x" * (limit + 3)), "a.xlsx", max_bytes=limit)
    assert info.value.code == "terlalu_besar"
    # text that is not base64 at all, but too long: refused for its size, so it was never decoded
    too_long = "data:application/octet-stream;base64," + "!" * (upload.base64_length(limit) + 4)
    with pytest.raises(upload.UploadError) as info:
        upload.decode_upload(too_long, "a.xlsx", max_bytes=limit)
    assert info.value.code == "terlalu_besar"
    message = info.value.message("id")
    assert "a.xlsx" in message and "MB" in message
    # one byte over the limit, hidden in the padding: caught after decoding
    with pytest.raises(upload.UploadError):
        upload.decode_upload(data_url(b"x" * (limit + 1)), "a.xlsx", max_bytes=limit)


def test_the_default_limits_fit_one_request() -> None:
    assert upload.base64_length(upload.MAX_FILE_BYTES) + upload.REQUEST_OVERHEAD_BYTES <= upload.MAX_REQUEST_BYTES
    assert int(upload.MAX_UPLOAD_MB * 1024 * 1024) == upload.MAX_REQUEST_BYTES


@pytest.mark.parametrize(("text", "value"), [("10", 10.0), ("2,5", 2.5), ("abc", 25.0), ("-1", 25.0), ("", 25.0)])
def test_upload_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch, text: str, value: float) -> None:
    monkeypatch.setenv(upload.MAX_UPLOAD_ENV, text)
    assert upload._max_upload_mb() == value


@pytest.mark.parametrize(
    ("contents", "code"),
    [
        ("bukan data", "bukan_data_url"),
        ("data:text/plain,halo", "bukan_data_url"),
        ("data:x;base64,@@@", "base64_rusak"),
    ],
)
def test_decode_refuses_what_is_not_a_base64_data_url(contents: str, code: str) -> None:
    with pytest.raises(upload.UploadError) as info:
        upload.decode_upload(contents, "a.xlsx")
    assert info.value.code == code


SERVER_CHECK = """
import json, sys
from pathlib import Path
from app import create_app
from pws.config import Workspace
from pws.upload import MAX_REQUEST_BYTES
server = create_app(Workspace(Path(sys.argv[1])), warm=False).server
client = server.test_client()
big = client.post("/_dash-update-component", data=b"{" + b" " * MAX_REQUEST_BYTES + b"}",
                  content_type="application/json")
small = client.post("/_dash-update-component", data=b"{}", content_type="application/json")
print(json.dumps({"limit": server.config["MAX_CONTENT_LENGTH"], "big": big.status_code,
                  "text": big.get_data(as_text=True), "small": small.status_code}))
"""


def test_server_refuses_an_oversized_request_with_413(ws: Workspace) -> None:
    """Flask's test client on the real app, in a fresh process: Dash hands the registered callbacks to the first
    app of a process, which in this test session is tests/test_app.py's."""
    env = {**os.environ, "PWS_LANG": "id"}
    done = subprocess.run(
        [sys.executable, "-c", SERVER_CHECK, str(ws.root)], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["limit"] == upload.MAX_REQUEST_BYTES
    assert answer["big"] == 413
    assert answer["text"] == upload.too_large_message("id")
    assert answer["small"] != 413


# ---------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.xlsx", "y.xlsx"),
        ("laporan/2025/PWS KIA.xlsx", "PWS KIA.xlsx"),
        ("lap\x00kia\x1b[31m\u202eJUNI.xlsx", "lapkia[31mJUNI.xlsx"),
        ("  banyak   spasi .xlsx ", "banyak spasi .xlsx"),
        ("..", "berkas"),
        ("", "berkas"),
        (None, "berkas"),
    ],
)
def test_safe_display_name(name: str | None, shown: str) -> None:
    assert upload.safe_display_name(name) == shown


def test_long_names_keep_their_extension() -> None:
    shown = upload.safe_display_name("x" * 500 + ".xlsx")
    assert len(shown) == upload.MAX_NAME_CHARS and shown.endswith("….xlsx")


@given(st.text(max_size=300))
def test_display_names_never_make_a_path(name: str) -> None:
    shown = upload.safe_display_name(name)
    assert "/" not in shown and "\\" not in shown
    assert shown.strip(".") and len(shown) <= upload.MAX_NAME_CHARS
    assert Path(shown).name == shown
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in shown)


# ---------------------------------------------------------------------------------------------- reading from bytes


def test_reading_bytes_equals_reading_the_file_and_opens_no_path(demo_store: Path, tmp_path: Path) -> None:
    files = input_files([demo_store / "laporan"])
    for path in [files[0], next(p for p in files if p.suffix == ".csv")]:
        raw = path.read_bytes()
        missing = tmp_path / "tidak-ada" / path.name  # not on disk: only its name may be used
        from_bytes = read_workbook(missing, raw)
        from_file = read_workbook(path)
        assert from_bytes.name == path.name and from_bytes.kind == from_file.kind
        assert [(s.name, s.rows, s.merged, s.visible) for s in from_bytes.sheets] == [
            (s.name, s.rows, s.merged, s.visible) for s in from_file.sheets
        ]


def test_password_protected_bytes_are_read_through_a_file_we_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calamine names the password only when its reader is chosen by extension, i.e. from a path: bytes go to a
    private temporary file whose name is ours, never the uploaded one."""
    from tests.test_etl_read import write_xls

    raw = write_xls(tmp_path / "x.xls", password=True).read_bytes()
    opened: list[Path] = []
    original = read_module.CalamineWorkbook.from_path

    def spy(path: object) -> object:
        opened.append(Path(str(path)))
        return original(path)

    monkeypatch.setattr(read_module.CalamineWorkbook, "from_path", spy)
    with pytest.raises(UnreadableFileError) as info:
        read_workbook("../../RAHASIA-PUSKESMAS.xls", raw)
    assert info.value.detail == read_module.PASSWORD
    assert opened and all("RAHASIA" not in str(p) for p in opened)
    assert not any(p.exists() for p in opened)  # removed afterwards


# ---------------------------------------------------------------------------------------------- preview


def test_preview_recognises_what_the_tidier_recognises(ws: Workspace) -> None:
    path = pws_kia_report(ws)
    raw = path.read_bytes()
    [item] = upload.preview(ws, [(path.name, raw)])
    result = tidier(ws).tidy(path, raw)
    wilayah = service.workspace_data(ws).wilayah
    names = dict(zip(wilayah["kode_puskesmas"], wilayah["nama_puskesmas"], strict=True))
    assert item.name == path.name and item.size == len(raw)
    assert item.family == result.family == "pws_kia"
    assert item.periods == result.periods and len(item.periods) == 1
    assert item.kode_puskesmas == result.kode_puskesmas
    assert item.puskesmas == sorted({names[k] for k in result.rows["kode_puskesmas"]})
    assert item.puskesmas == [names[str(result.kode_puskesmas)]]
    assert item.rows == len(result.rows) > 0
    assert item.desa == result.rows["kode_desa"].nunique()
    assert len(item.problems) == len(result.issues)
    # the demo store holds this very file: saving it again changes nothing
    assert item.status == upload.PREVIEW_EXISTS and not item.ready


def test_a_file_changed_in_one_cell_replaces_and_is_stored(ws: Workspace) -> None:
    path = pws_kia_report(ws)
    new_raw, row = changed_copy(path.read_bytes(), ws, path.name)
    before = tidier(ws).tidy(path, path.read_bytes()).rows.set_index(KEY)["nilai"]
    after = tidier(ws).tidy(Path("perbaikan.xlsx"), new_raw).rows.set_index(KEY)["nilai"]
    both = pd.concat([before.rename("lama"), after.rename("baru")], axis=1)
    differ = both[~((both["lama"] - both["baru"]).abs() <= 1e-9)]
    assert len(differ) >= 1  # the changed cell (and any value derived from it)

    version = service.version(ws)
    [item] = upload.preview(ws, [("perbaikan.xlsx", new_raw)])
    assert item.status == upload.PREVIEW_REPLACES and item.ready
    assert item.changed == len(differ)
    assert item.stored_rows >= len(before)
    assert service.version(ws) == version  # a dry run

    [result] = upload.ingest_uploads(ws, [("perbaikan.xlsx", new_raw)])
    assert (result.name, result.status, result.rows) == ("perbaikan.xlsx", "ganti", len(after))
    assert service.version(ws) > version
    stored = Store.for_workspace(ws).observations(tahun=int(row["tahun"]), bulan=int(row["bulan"]))
    stored = stored.set_index(KEY)
    for key, values in differ.iterrows():
        assert stored.loc[key, "nilai"] == values["baru"]
        assert stored.loc[key, "sumber_file"] == "perbaikan.xlsx"
    # the service (what every page reads) sees it at once
    key = differ.index[0]
    seen = service.observations(ws, int(row["tahun"]), str(key[3])).set_index(KEY)
    assert seen.loc[key, "nilai"] == differ.iloc[0]["baru"]
    # preview again: the same bytes are now stored
    assert upload.preview(ws, [("perbaikan.xlsx", new_raw)])[0].status == upload.PREVIEW_EXISTS


def test_an_old_version_listed_after_its_correction_does_not_undo_it(ws: Workspace) -> None:
    path = pws_kia_report(ws)
    old_raw = path.read_bytes()
    new_raw, _ = changed_copy(old_raw, ws, path.name)
    previews = upload.preview(ws, [("baru.xlsx", new_raw), ("lama.xlsx", old_raw)])
    assert [p.status for p in previews] == [upload.PREVIEW_REPLACES, upload.PREVIEW_EXISTS]
    results = upload.ingest_uploads(ws, [("baru.xlsx", new_raw), ("lama.xlsx", old_raw)])
    assert [(r.name, r.status) for r in results] == [("baru.xlsx", "ganti"), ("lama.xlsx", "sama")]
    stored = Store.for_workspace(ws).observations()
    assert set(stored.loc[stored["sumber_file"].isin(["baru.xlsx", "lama.xlsx"]), "sumber_file"]) == {"baru.xlsx"}


def test_unreadable_file_gives_a_clean_problem_and_changes_nothing(ws: Workspace) -> None:
    version = service.version(ws)
    reception = upload.receive(ws, [data_url(os.urandom(5000))], ["laporan.xlsx"], "id")
    [item] = reception.previews
    assert item.status == upload.PREVIEW_UNUSABLE and not item.ready and not reception.ready
    [problem] = item.problems
    assert (problem.severity, problem.code) == ("error", "berkas_tidak_terbaca")
    assert "tidak dapat dibaca" in problem.message
    assert service.version(ws) == version


def test_refused_upload_is_listed_in_place_and_not_staged(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload, "MAX_FILE_BYTES", 1000)
    reception = upload.receive(ws, [data_url(b"x" * 2000), data_url(b"a;b\n")], ["besar.xlsx", "kecil.csv"], "id")
    assert [p.name for p in reception.previews] == ["besar.xlsx", "kecil.csv"]
    big = reception.previews[0]
    assert big.index is None and big.status == upload.PREVIEW_UNUSABLE
    assert big.problems[0].code == "unggah_terlalu_besar"
    assert reception.token is not None
    assert [name for name, _ in upload.staged(ws, reception.token)] == ["kecil.csv"]


def test_upload_names_never_reach_the_disk(ws: Workspace) -> None:
    path = pws_kia_report(ws)
    new_raw, _ = changed_copy(path.read_bytes(), ws, path.name)
    marker = "NAMA-UNIK-SEKALI"
    reception = upload.receive(ws, [data_url(new_raw)], [f"../../{marker}.xlsx"], "id")
    assert reception.previews[0].name == f"{marker}.xlsx"
    assert reception.token is not None and upload.start_ingest(ws, reception.token, "id")
    state = wait(ws, reception.token)
    assert state.results[0].status == "ganti"
    written = [p for p in ws.root.rglob("*") if marker in p.name]
    assert written == []
    assert not (ws.root.parent / marker).exists()


# ---------------------------------------------------------------------------------------------- staging, progress


def wait(ws: Workspace, token: str, timeout: float = 60) -> upload.IngestProgress:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = upload.read_progress(ws, token)
        assert state is not None
        if state.finished:
            return state
        time.sleep(0.05)
    raise AssertionError("ingest did not finish")


def test_staging_round_trip_and_token_checks(ws: Workspace) -> None:
    token = upload.stage(ws, [("a.xlsx", b"123"), ("../b.csv", b"")])
    assert upload.staged(ws, token) == [("a.xlsx", b"123"), ("b.csv", b"")]
    folder = upload.staging_dir(ws, token)
    assert folder.parent == ws.internal_dir / "unggah"
    assert sorted(p.name for p in folder.iterdir()) == ["0.bin", "1.bin", "manifest.json"]
    for bad in ["../../etc", "a/b", "kurang", "", "x" * 200, "..%2F" * 5]:
        with pytest.raises(upload.StagingError):
            upload.staging_dir(ws, bad)
    (folder / "0.bin").write_bytes(b"diubah")  # changed on disk: refused
    with pytest.raises(upload.StagingError):
        upload.staged(ws, token)
    upload.discard(ws, token)
    assert not folder.exists()
    with pytest.raises(upload.StagingError):
        upload.start_ingest(ws, token)


def test_old_staging_folders_are_removed(ws: Workspace) -> None:
    old = upload.stage(ws, [("a.xlsx", b"1")])
    new = upload.stage(ws, [("b.xlsx", b"2")])
    day_ago = time.time() - upload.STAGING_MAX_AGE_S - 60
    os.utime(upload.staging_dir(ws, old), (day_ago, day_ago))
    assert upload.cleanup_staging(ws) == 1
    assert not upload.staging_dir(ws, old).exists() and upload.staging_dir(ws, new).exists()
    upload.receive(ws, [], [], "id")  # every upload cleans up first
    later = time.time() + upload.STAGING_MAX_AGE_S + 60
    assert upload.cleanup_staging(ws, now=later) == 1
    assert not upload.staging_dir(ws, new).exists()


def test_ingest_runs_once_reports_progress_and_drops_the_bytes(ws: Workspace) -> None:
    path = pws_kia_report(ws)
    new_raw, _ = changed_copy(path.read_bytes(), ws, path.name)
    calls: list[tuple[int, int, str]] = []
    token = upload.stage(ws, [("satu.xlsx", new_raw), ("dua.xlsx", os.urandom(100))])
    assert upload.read_progress(ws, token) is None  # not started
    assert upload.start_ingest(ws, token, "id")
    assert not upload.start_ingest(ws, token, "id")  # a double click stores nothing twice
    state = wait(ws, token)
    assert state.state == upload.DONE and (state.done, state.total) == (2, 2)
    assert [(r.name, r.status) for r in state.results] == [("satu.xlsx", "ganti"), ("dua.xlsx", "gagal")]
    assert state.results[1].problems[0].code == "berkas_tidak_terbaca"
    assert not list(upload.staging_dir(ws, token).glob("*.bin"))
    # the progress callback of ingest_uploads itself
    upload.ingest_uploads(ws, [("tiga.csv", b"a;b\n")], lambda i, n, name: calls.append((i, n, name)))
    assert calls == [(1, 1, "tiga.csv")]


def test_a_dead_ingest_is_reported_not_awaited(ws: Workspace) -> None:
    token = upload.stage(ws, [("a.xlsx", b"1")])
    progress = upload.staging_dir(ws, token) / upload.PROGRESS
    upload._write_json(progress, upload._progress_json(upload.IngestProgress(upload.RUNNING, 0, 1, "a.xlsx")))
    state = upload.read_progress(ws, token)
    assert state is not None and not state.finished
    stale = time.time() - upload.STALLED_S - 5
    os.utime(progress, (stale, stale))
    state = upload.read_progress(ws, token)
    assert state is not None and state.state == upload.BROKEN and state.detail


# ---------------------------------------------------------------------------------------------- labels


def test_labels() -> None:
    assert upload.period_label([(2025, 6)], "id") == "Juni 2025"
    assert upload.period_label([(2025, 1), (2025, 2), (2025, 3)], "id") == "Januari – Maret 2025 (3 bulan)"
    assert upload.period_label([(2024, 12), (2025, 1)], "en") == "December 2024 – January 2025 (2 months)"
    assert upload.period_label([], "id") == "–"
    assert upload.family_label("pws_kia", "id") == "PWS KIA"
    assert upload.family_label(None, "id") == "format umum"
    assert upload.family_label("tidak_ada", "id") == "tidak_ada"
    assert upload.format_mb(upload.MAX_REQUEST_BYTES) == f"{upload.MAX_UPLOAD_MB:.1f}".replace(".", ",") + " MB"


def test_newest_period_to_open_after_an_upload() -> None:
    def result(status: str, periods: list[tuple[int, int]], indicators: list[str]) -> upload.IngestResult:
        return upload.IngestResult("f", status, 1, [], periods, indicators)

    results = [
        result("baru", [(2025, 5)], ["K1"]),
        result("ganti", [(2025, 6)], ["KN1", "K4"]),
        result("gagal", [(2025, 9)], ["K1"]),
    ]
    assert upload.newest_period(results, ["K1", "K4", "KN1"]) == (2025, 6, "K4")
    assert upload.newest_period([results[2]], ["K1"]) is None


def test_format_size() -> None:
    assert [upload.format_size(n) for n in (0, 10, 35_000, 3 * 1024 * 1024 // 2)] == ["0 KB", "1 KB", "34 KB", "1,5 MB"]
