"""The view in the URL, the cached service queries and the Indonesian number formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from pws import service, viewstate
from pws.config import Workspace
from pws.figures.theme import coverage_class, coverage_class_label, format_number, format_pct, format_pp


@pytest.fixture(scope="module")
def ws(demo_store: Path) -> Workspace:
    return Workspace(demo_store)


def test_default_view_is_the_newest_month_with_data(ws: Workspace) -> None:
    state = viewstate.default_state(ws)
    assert (state.tahun, state.bulan, state.indikator) == (2025, 10, "K4")
    assert state.puskesmas is None and state.desa is None


def test_query_round_trip_and_validation(ws: Workspace) -> None:
    wilayah = service.workspace_data(ws).wilayah
    desa = wilayah.iloc[7]
    state = viewstate.ViewState(2024, 6, "K1", None, desa["kode_desa"])
    back = viewstate.from_query(ws, state.to_query())
    assert back.desa == desa["kode_desa"]
    assert back.puskesmas == desa["kode_puskesmas"]  # the desa brings its puskesmas
    assert (back.tahun, back.bulan, back.indikator) == (2024, 6, "K1")
    bad = viewstate.from_query(ws, "?tahun=x&bulan=13&indikator=<script>&puskesmas=../../etc&desa=1")
    assert bad == viewstate.default_state(ws)
    assert viewstate.from_query(ws, "?indikator=k6").indikator == "K6"  # codes are case-insensitive


def test_cached_table_follows_new_ingests(ws: Workspace, tmp_path: Path) -> None:
    first = service.table(ws, 2025, 6, "K4")
    assert service.table(ws, 2025, 6, "K4") is first  # cached
    before = service.version(ws)
    # a new ingest (any file) changes the store's version, so the cache is not reused
    from pws.etl.ingest import ingest_files

    path = tmp_path / "kosong.csv"
    path.write_text("tidak;ada;isi\n", encoding="utf-8")
    copy = Workspace(tmp_path / "ws")
    import shutil

    shutil.copytree(ws.root, copy.root)
    ingest_files(copy, [path])
    assert service.version(copy) > before
    assert service.table(copy, 2025, 6, "K4") is not service.table(ws, 2025, 6, "K4")


def test_lineage_names_file_sheet_and_cell(ws: Workspace) -> None:
    kode = service.workspace_data(ws).wilayah["kode_desa"].iloc[0]
    rows = service.lineage(ws, 2025, "K4", kode)
    assert not rows.empty and set(rows["bulan"]) <= set(range(1, 13))
    assert rows["sumber_file"].str.len().min() > 0 and rows["sumber_sel"].notna().all()


@pytest.mark.parametrize(
    ("value", "text"), [(45.5, "45,5%"), (100, "100,0%"), (12345.678, "12.345,7%"), (float("nan"), "–")]
)
def test_percentages_are_written_the_indonesian_way(value: float, text: str) -> None:
    assert format_pct(value) == text


def test_numbers_and_coverage_classes() -> None:
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_pp(-3.5) == "−3,5" and format_pp(2) == "+2,0" and format_pp(0) == "0,0"
    assert [coverage_class(v) for v in (0, 19.9, 20, 99.99, 100, 250)] == [0, 0, 1, 4, 5, 5]
    assert coverage_class(None) is None and coverage_class(float("nan")) is None
    assert coverage_class_label(0) == "0–<20%" and coverage_class_label(5) == "≥100%"
