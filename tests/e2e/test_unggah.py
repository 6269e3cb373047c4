"""The Unggah page in a real browser: drop a corrected report, read the preview, confirm, watch it stored, open the
PWS page of its period; a file too large is refused in the browser with a message; cancel stores nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from pws import service, upload
from pws.config import Workspace
from pws.etl import Tidier, input_files
from pws.etl.store import Store
from pws.figures.theme import format_int
from pws.i18n import t
from tests.e2e.conftest import Server, open_page, settle, shot

KEY = ["tahun", "bulan", "kode_desa", "indikator", "jk"]
UPLOAD_INPUT = "#unggah-berkas input"


def _report(ws: Workspace) -> Path:
    """A 2024 PWS KIA report of the demo (an old month: other pages' tests keep their newest period)."""
    files = [p for p in input_files([ws.laporan_dir]) if p.name.upper().startswith("PWS KIA") and "2024" in p.name]
    return sorted(files)[0]


def _corrected(ws: Workspace, path: Path, target: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``target``: ``path`` with its first numeric desa value raised by 7. Returns the tidy rows of both."""
    data = service.workspace_data(ws)
    tidier = Tidier(data.wilayah, data.catalogue)
    before = tidier.tidy(path).rows
    book = openpyxl.load_workbook(path)
    for _, row in before[before["sumber_sel"].notna()].iterrows():
        cell = book[row["sumber_sheet"]][row["sumber_sel"]]
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            cell.value = cell.value + 7
            break
    else:
        raise AssertionError(f"no numeric desa cell in {path.name}")
    buffer = io.BytesIO()
    book.save(buffer)
    target.write_bytes(buffer.getvalue())
    return before, tidier.tidy(target).rows


def test_upload_preview_confirm_and_the_rest_of_the_app_sees_it(page: Any, server: Server, tmp_path: Path) -> None:
    ws = Workspace(server.root)
    original = _report(ws)
    corrected = tmp_path / f"Perbaikan {original.name}"
    before, after = _corrected(ws, original, corrected)
    old, new = before.set_index(KEY)["nilai"].rename("lama"), after.set_index(KEY)["nilai"].rename("baru")
    both = pd.concat([old, new], axis=1)
    differ = both[~((both["lama"] - both["baru"]).abs() <= 1e-9)]
    assert len(differ) >= 1
    [(tahun, bulan)] = sorted(set(zip(after["tahun"], after["bulan"], strict=True)))
    wilayah = service.workspace_data(ws).wilayah
    puskesmas = wilayah.loc[wilayah["kode_puskesmas"] == after["kode_puskesmas"].iloc[0], "nama_puskesmas"].iloc[0]
    key = differ.index[0]  # (tahun, bulan, kode_desa, indikator, jk) of the changed value
    kode_desa, indikator = str(key[2]), str(key[3])
    kode_puskesmas = str(after["kode_puskesmas"].iloc[0])
    table_before = service.table(ws, int(tahun), int(bulan), indikator).set_index("kode_desa")
    version = Store.for_workspace(ws).version()
    try:
        open_page(page, "/unggah")
        page.set_input_files(UPLOAD_INPUT, [str(corrected)])
        page.wait_for_selector(".unggah-table")
        settle(page)
        preview = page.inner_text("#unggah-pratinjau")
        assert corrected.name in preview
        assert upload.period_label([(int(tahun), int(bulan))], "id") in preview
        assert puskesmas in preview
        assert upload.family_label("pws_kia", "id") in preview
        assert t("unggah.status_mengganti", "id") in preview
        assert f"{len(after)}" in preview.replace(".", "")
        assert Store.for_workspace(ws).version() == version  # a preview stores nothing
        assert page.is_enabled("#unggah-simpan")
        # every problem with its place, one click away
        page.click("#unggah-pratinjau details > summary")
        places = page.locator("#unggah-pratinjau .unggah-problems code").all_inner_texts()
        assert places and all("!" in place for place in places)  # Sheet!Cell
        shot(page, "unggah")

        page.click("#unggah-simpan")
        page.wait_for_selector(".unggah-summary", timeout=60_000)
        settle(page)
        summary = page.inner_text(".unggah-summary")
        assert t("unggah.hasil_ganti", "id") in summary and corrected.name in summary
        assert page.is_enabled("#unggah-berkas input")
        shot(page, "unggah-selesai")

        # stored: every changed value, with the new file as its source
        stored = Store.for_workspace(ws).observations(tahun=int(tahun), bulan=int(bulan)).set_index(KEY)
        for key, values in differ.iterrows():
            assert stored.loc[key, "nilai"] == values["baru"]
            assert stored.loc[key, "sumber_file"] == corrected.name
        # what every page reads: the service keys its caches on the store version
        seen = service.observations(ws, int(tahun), indikator).set_index(KEY)
        assert seen.loc[key, "nilai"] == differ.iloc[0]["baru"]
        table_after = service.table(ws, int(tahun), int(bulan), indikator).set_index("kode_desa")
        bulan_ini = table_after.loc[kode_desa, "bulan_ini"]
        assert bulan_ini != table_before.loc[kode_desa, "bulan_ini"]

        # the summary links to the PWS table of the period, which the running server shows with the new number
        page.click(".unggah-summary a.unggah-link >> nth=0")
        page.wait_for_url(f"**/pws?tahun={tahun}&bulan={bulan}*")
        settle(page)
        open_page(page, f"/pws?tahun={tahun}&bulan={bulan}&indikator={indikator}&puskesmas={kode_puskesmas}")
        cell = page.locator(f".ag-center-cols-container [row-id='{kode_desa}'] [col-id='bulan_ini']")
        cell.wait_for()
        assert cell.inner_text().strip() == format_int(bulan_ini)
    finally:  # put the demo back as it was for the other pages' tests
        upload.ingest_uploads(ws, [(original.name, original.read_bytes())])


def test_files_too_large_are_refused_in_the_browser(page: Any, tmp_path: Path) -> None:
    """One file above the per-file limit, or files adding up to more than one request may carry: the browser says
    so and sends nothing (the server would answer 413)."""
    sent: list[int] = []
    page.on("request", lambda r: sent.append(len(r.post_data_buffer or b"")) if "_dash-update" in r.url else None)
    big = tmp_path / "laporan besar.xlsx"
    big.write_bytes(b"\0" * (upload.MAX_FILE_BYTES + 1))
    open_page(page, "/unggah")
    page.set_input_files(UPLOAD_INPUT, [str(big)])
    page.wait_for_selector("#unggah-pemberitahuan:has-text('laporan besar.xlsx')")
    settle(page)
    assert upload.format_mb(upload.MAX_FILE_BYTES) in page.inner_text("#unggah-pemberitahuan")

    halves = []
    for n in (1, 2):  # each under the per-file limit, together over the request limit
        half = tmp_path / f"bagian {n}.xlsx"
        half.write_bytes(b"\0" * (upload.MAX_REQUEST_BYTES // 2))
        halves.append(str(half))
    page.set_input_files(UPLOAD_INPUT, halves)
    page.wait_for_selector(f"#unggah-pemberitahuan:has-text('{upload.format_mb(upload.MAX_REQUEST_BYTES)}')")
    settle(page)
    assert page.locator(".unggah-table").count() == 0
    assert max(sent, default=0) < 1_000_000


def test_an_unchanged_file_cannot_be_saved_and_cancel_discards_it(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    original = _report(ws)
    staging = ws.internal_dir / "unggah"
    before = {p.name for p in staging.iterdir()} if staging.is_dir() else set()
    open_page(page, "/unggah")
    page.set_input_files(UPLOAD_INPUT, [str(original)])
    page.wait_for_selector(".unggah-table")
    settle(page)
    assert t("unggah.status_sudah_ada", "id") in page.inner_text("#unggah-pratinjau")
    assert not page.is_enabled("#unggah-simpan")
    assert len({p.name for p in staging.iterdir()} - before) == 1
    page.click("#unggah-batal")
    page.wait_for_selector(f".unggah-message:has-text('{t('unggah.dibatalkan', 'id')}')")
    assert page.locator(".unggah-table").count() == 0
    assert {p.name for p in staging.iterdir()} - before == set()
