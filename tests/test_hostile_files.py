"""Hostile and broken files (issue 8, part 2): limits checked before parsing, the real type from the bytes, and
every refused file leaving the store exactly as it was (a ``gagal`` log row is the only trace)."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pws import service
from pws.config import Workspace
from pws.etl import Tidier, input_files
from pws.etl.limits import Deadline, Limits
from pws.etl.model import UnreadableFileError
from pws.etl.read import read_workbook
from pws.etl.store import Store


def xlsx_bytes(cells: dict[str, object], title: str = "Data", extra_sheets: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for address, value in cells.items():
        sheet[address] = value
    for i in range(extra_sheets):
        book.create_sheet(f"S{i + 2}")["A1"] = i
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data: bytes, name: str = "laporan.xlsx", limits: Limits | None = None) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(name, data, limits)
    return info.value


def zip_with(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- limits


def test_limits_from_the_environment() -> None:
    limits = Limits.from_env({"PWS_BATAS_MAX_ROWS": "5000", "PWS_BATAS_MAX_FILE_MB": "2,5", "PWS_BATAS_MAX_SHEETS": "x",
                              "PWS_BATAS_PARSE_SECONDS": "-3"})  # fmt: skip
    assert limits.max_rows == 5000 and isinstance(limits.max_rows, int)
    assert limits.max_file_bytes == int(2.5 * 1024 * 1024)
    assert limits.max_sheets == Limits().max_sheets  # not a number: the default
    assert limits.parse_seconds == Limits().parse_seconds  # not positive: the default


def test_file_size_is_checked_first() -> None:
    data = xlsx_bytes({"A1": 1})
    error = refused(data, limits=Limits(max_file_mb=(len(data) - 1) / 1024 / 1024))
    assert error.code == "berkas_terlalu_besar"
    read_workbook("laporan.xlsx", data, Limits(max_file_mb=len(data) / 1024 / 1024))  # exactly at the limit: read


def test_zip_bomb_refused_from_the_directory() -> None:
    """50 MB of zeros deflate to ~50 KB (ratio ~1000): refused on the ratio the zip directory declares."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"A1": 1})))
    members = {n: good.read(n) for n in good.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<x>" + b"\0" * (50 * 1024 * 1024) + b"</x>"
    bomb = zip_with(members)
    assert len(bomb) < 200_000
    error = refused(bomb)
    assert error.code == "zip_rasio_kompresi"
    assert error.params["anggota"] == "xl/worksheets/sheet1.xml" and error.params["rasio"] > 200


def test_declared_uncompressed_size_refused_without_decompressing() -> None:
    """A directory claiming 4 GB for a member holding a few bytes: refused on the claim alone (if anything were
    decompressed the CRC/size mismatch would surface as a broken file instead)."""
    data = bytearray(xlsx_bytes({"A1": 1}))
    directory = data.rfind(b"PK\x01\x02")
    while directory >= 0:  # every central directory entry: uncompressed size := 4 GB - 1
        struct.pack_into("<I", data, directory + 24, 0xFFFFFFFF)
        directory = data.rfind(b"PK\x01\x02", 0, directory)
    error = refused(bytes(data))
    assert error.code in ("zip_terlalu_besar_terurai", "zip_rasio_kompresi")


def test_too_many_zip_entries() -> None:
    data = xlsx_bytes({"A1": 1})
    entries = len(zipfile.ZipFile(io.BytesIO(data)).namelist())
    error = refused(data, limits=Limits(max_zip_entries=entries - 1))
    assert (error.code, error.params["jumlah"]) == ("zip_terlalu_banyak_isi", entries)


def test_sheet_dimension_checked_before_reading() -> None:
    """A value in row 300,000 declares A1:B300000: refused from the first KB of the sheet's XML."""
    data = xlsx_bytes({"A1": "desa", "B300000": 1}, title="Rekap")
    error = refused(data)
    assert error.code == "sheet_terlalu_besar"
    assert (error.sheet, error.cell, error.params["baris"], error.params["kolom"]) == ("Rekap", "B300000", 300000, 2)


def test_sheet_size_checked_after_reading_when_the_dimension_lies() -> None:
    data = xlsx_bytes({"A1": "desa", "C40": 1}, title="Rekap")
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = {n: archive.read(n) for n in archive.namelist()}
    xml = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1"/>', xml)
    error = refused(zip_with(members), limits=Limits(max_rows=39))
    assert (error.code, error.sheet, error.cell) == ("sheet_terlalu_besar", "Rekap", "C40")
    assert read_workbook("x.xlsx", zip_with(members), Limits(max_rows=40)).sheets[0].rows[39][2] == 1


def test_too_many_sheets() -> None:
    data = xlsx_bytes({"A1": 1}, extra_sheets=3)
    assert refused(data, limits=Limits(max_sheets=3)).code == "terlalu_banyak_sheet"
    assert len(read_workbook("x.xlsx", data, Limits(max_sheets=4)).sheets) == 4


def test_csv_rows_and_columns() -> None:
    text = "\n".join(";".join(str(c) for c in range(30)) for _ in range(10)).encode()
    assert refused(text, "x.csv", Limits(max_columns=29)).params["kolom"] == 30
    assert refused(text, "x.csv", Limits(max_rows=9)).params["baris"] == 10


def test_parse_budget_is_soft_and_checked_between_sheets() -> None:
    data = xlsx_bytes({"A1": 1}, extra_sheets=2)
    with pytest.raises(UnreadableFileError) as info:
        read_workbook("x.xlsx", data, Limits(), Deadline(0.0))
    assert info.value.code == "waktu_baca_habis" and info.value.params["sheet_berikut"] == "Data"


# ---------------------------------------------------------------------------------------------- through the ETL


@pytest.fixture
def ws(demo_store: Path, tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("cache", "unggah"))
    return Workspace(root)


def demo_report(ws: Workspace) -> Path:
    return sorted(p for p in input_files([ws.laporan_dir]) if p.suffix == ".xlsx")[0]


def hostile_files(ws: Workspace) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, the issue code that refuses it)."""
    good = demo_report(ws).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(good))
    members = {n: archive.read(n) for n in archive.namelist()}
    first_sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    bomb = dict(members)
    bomb[first_sheet] = b" " * (30 * 1024 * 1024)
    return {
        "kosong.xlsx": (b"", "berkas_tidak_terbaca"),
        "terpotong.xlsx": (good[: len(good) // 2], "berkas_tidak_terbaca"),
        "bom.xlsx": (zip_with(bomb), "zip_rasio_kompresi"),
        "raksasa.xlsx": (xlsx_bytes({"A1": "desa", "XFD1048576": 1}), "sheet_terlalu_besar"),
        "dokumen.xlsx": (b"%PDF-1.7\n" + bytes(range(256)) * 20, "berkas_tidak_terbaca"),
        "gambar.xlsx": (b"\x89PNG\r\n\x1a\n" + zlib.compress(bytes(range(256)) * 40), "berkas_tidak_terbaca"),
        "program.xlsx": (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 20, "berkas_tidak_terbaca"),
        "sandi.xlsx": (_ole_encrypted(), "berkas_tidak_terbaca"),
    }


def _ole_encrypted() -> bytes:
    """An OLE file holding an ``EncryptedPackage`` stream, as Excel's "Encrypt with Password" writes."""
    from tests.test_etl_read import ole_file

    return ole_file(b"\x04\x00\x04\x00" + b"\x99" * 5000, stream_name="EncryptedPackage")


def test_every_hostile_file_is_refused_cleanly_and_the_store_is_unchanged(ws: Workspace) -> None:
    data = service.workspace_data(ws)
    tidier = Tidier(data.wilayah, data.catalogue)
    with Store.for_workspace(ws) as store:
        before = store.observations()
        n_files = len(store.files())
        for name, (raw, code) in hostile_files(ws).items():
            result = tidier.tidy(Path(name), raw)
            assert not result.readable, name
            [problem] = [i for i in result.issues if i.severity == "error"]
            assert problem.code == code, (name, problem)
            assert problem.file == name and problem.message("id") and problem.message("en")
            outcome = store.ingest(result, raw)
            assert outcome.status == "gagal", name
        pd.testing.assert_frame_equal(store.observations(), before)
        log = store.files()
        assert len(log) == n_files + len(hostile_files(ws)) and set(log["status"].iloc[:8]) == {"gagal"}
        stored = store.problems()
        assert set(stored[stored["berkas_id"].isin(log["id"].iloc[:8])]["kode"]) >= {"zip_rasio_kompresi"}


def test_password_message_names_the_remedy(ws: Workspace) -> None:
    data = service.workspace_data(ws)
    result = Tidier(data.wilayah, data.catalogue).tidy(Path("sandi.xlsx"), _ole_encrypted())
    assert "kata sandi" in result.issues[0].message("id")


def test_formula_cells_without_saved_values_are_named(ws: Workspace) -> None:
    data = xlsx_bytes({"A1": "Desa", "B1": "K1", "A2": "X", "B2": 3, "B3": 4, "B4": "=SUM(B2:B3)", "C9": "=B4*2"})
    book = read_workbook("rumus.xlsx", data)
    [note] = book.issues
    assert (note.code, note.sheet, note.cell) == ("rumus_tanpa_nilai", "Data", "B4")
    assert note.params["jumlah"] == 2 and note.params["rumus"] == "SUM(B2:B3)"
    text = note.message("id")
    assert "B4" in text and "=SUM(B2:B3)" in text and "simpan ulang di Excel" in text
    rows = book.sheets[0].rows
    assert len(rows) < 4 or rows[3][1] == ""  # read as empty (calamine drops the empty row)


def test_formula_with_saved_value_is_not_reported(tmp_path: Path) -> None:
    """Excel saves ``<f>`` with ``<v>``: nothing to report."""
    data = xlsx_bytes({"A1": 1, "A2": "=A1+1"})
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = {n: archive.read(n) for n in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"<v></v>", b"<v>2</v>")
    book = read_workbook("x.xlsx", zip_with(members))
    assert book.issues == [] and book.sheets[0].rows[1][0] == 2


def test_csv_named_xlsx_is_read_as_csv_with_a_note() -> None:
    book = read_workbook("laporan.xlsx", b"desa;k1\nA;1\n")
    assert book.kind == "csv" and book.sheets[0].rows[1] == ["A", "1"]
    assert [(i.code, i.severity, i.params["ekstensi"]) for i in book.issues] == [
        ("format_beda_ekstensi", "info", ".xlsx")
    ]


def test_html_named_xls_is_read_as_html_with_a_note() -> None:
    book = read_workbook("laporan.xls", b"<html><table><tr><td>desa</td><td>1</td></tr></table></html>")
    assert book.kind == "html" and book.issues[0].code == "format_beda_ekstensi"
    assert "HTML" in book.issues[0].message("id")


def test_utf16_csv_is_read_and_cp1252_fallback_is_reported() -> None:
    book = read_workbook("x.csv", "desa;nilai\nKaré;1\n".encode("utf-16"))
    assert book.sheets[0].rows[1][0] == "Karé" and book.issues == []
    book = read_workbook("x.csv", "desa;nilai\nKaré;1\n".encode("cp1252"))
    assert book.sheets[0].rows[1][0] == "Karé"
    assert [i.code for i in book.issues] == ["pengodean_cadangan"]


def test_reading_a_huge_file_from_disk_stops_at_its_size(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    path = demo_report(ws)
    monkeypatch.setenv("PWS_BATAS_MAX_FILE_MB", str(path.stat().st_size / 2 / 1024 / 1024))
    data = service.workspace_data(ws)
    result = Tidier(data.wilayah, data.catalogue).tidy(path)
    assert not result.readable and result.issues[0].code == "berkas_terlalu_besar"
    assert result.issues[0].file == path.name


def test_parse_budget_through_the_tidier(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PWS_BATAS_PARSE_SECONDS", "1e-9")
    data = service.workspace_data(ws)
    result = Tidier(data.wilayah, data.catalogue).tidy(demo_report(ws))
    assert not result.readable and result.issues[-1].code == "waktu_baca_habis"
    assert result.rows.empty


@pytest.mark.parametrize("name", ["../../x.xlsx", "C:\\Users\\x\\..\\x.xlsx", "a\x00b.xlsx", "x" * 5000 + ".xlsx"])
def test_hostile_upload_names_stay_names(ws: Workspace, name: str) -> None:
    """Upload names reach the log only as display names; the archive path is the content hash."""
    from pws import upload

    raw = demo_report(ws).read_bytes()
    safe = upload.safe_display_name(name)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe and len(safe) <= upload.MAX_NAME_CHARS
    data = service.workspace_data(ws)
    result = Tidier(data.wilayah, data.catalogue).tidy(Path(safe), raw)
    with Store.for_workspace(ws) as store:
        outcome = store.ingest(result, raw)
        row = store.files().set_index("id").loc[outcome.berkas_id]
    assert row["nama_file"] == safe
    archived = (ws.internal_dir / "arsip" / row["arsip"]).resolve()
    assert archived.is_relative_to((ws.internal_dir / "arsip").resolve()) and archived.read_bytes() == raw
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{64}\.xlsx", row["arsip"])
