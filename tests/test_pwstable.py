"""The PWS table's AG Grid configuration (pws.figures.pwstable): rows equal the service table, Indonesian
formatters on every number, status colours from the theme, totals row equal to the aggregate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pws import service
from pws.config import Workspace
from pws.figures.pwstable import (
    NUMBER_FIELDS,
    ROW_ID,
    TOTAL_ROW_ID,
    colour_of,
    column_defs,
    js_number,
    leaf_columns,
    row_data,
    status_cell_style,
    totals_row,
)
from pws.figures.theme import STATUS_COLOURS, TARGET_STATUS_COLOURS

BULAN = 6


@pytest.fixture(scope="module")
def ws(demo_store: Path) -> Workspace:
    return Workspace(demo_store)


@pytest.fixture(scope="module")
def tahun(ws: Workspace) -> int:
    latest = service.latest_period(ws)
    assert latest is not None
    return latest[0]


def _same(a: object, b: object) -> bool:
    if b is None or pd.isna(b):  # type: ignore[arg-type]
        return a is None
    return a == pytest.approx(float(b))  # type: ignore[arg-type]


def test_rows_carry_the_service_table_values_in_chart_order(ws: Workspace, tahun: int) -> None:
    table = service.table(ws, tahun, BULAN, "K4")
    rows = row_data(table, lang="id")
    assert len(rows) == len(table) == 120
    assert len({r[ROW_ID] for r in rows}) == 120
    by_code = table.set_index("kode_desa")
    for row in rows:
        source = by_code.loc[row[ROW_ID]]
        assert row["nama_desa"] == source["nama_desa"] and row["nama_puskesmas"] == source["nama_puskesmas"]
        for field in NUMBER_FIELDS:
            assert _same(row[field], source[field]), field
        assert row["status_key"] == source["status"]
        assert row["tren"].endswith(str(source["tren"])) if isinstance(source["tren"], str) else row["tren"] == "–"
    coverage = [r["cakupan_kumulatif"] for r in rows]
    assert coverage == sorted(coverage, reverse=True)


def test_target3_rows_carry_met_or_not_met(ws: Workspace, tahun: int) -> None:
    table = service.table(ws, tahun, BULAN, "STUNTING")
    rows = row_data(table, lang="id")
    by_code = table.set_index("kode_desa")["status_target"]
    assert all(r["status_key"] == by_code[r[ROW_ID]] for r in rows)
    assert all(colour_of(r) == TARGET_STATUS_COLOURS[r["status_key"]] for r in rows)


def test_every_number_column_is_right_aligned_filterable_and_formatted_the_indonesian_way() -> None:
    columns = leaf_columns(column_defs("kumulatif", lang="id"))
    fields = [c["field"] for c in columns]
    assert fields == [
        "nama_desa",
        "nama_puskesmas",
        "sasaran",
        "bulan_lalu",
        "bulan_ini",
        "kumulatif",
        "cakupan_kumulatif",
        "target_sd_bulan",
        "tren",
        "status",
        "kesenjangan",
        "kesenjangan_orang",
    ]
    headers = {c["field"]: c["headerName"] for c in columns}
    assert headers["bulan_lalu"] == "BLN LALU" and headers["bulan_ini"] == "BLN INI"
    assert headers["cakupan_kumulatif"] == "%"
    for column in columns:
        if column["field"] in NUMBER_FIELDS:
            assert column["type"] == "rightAligned"
            assert column["filter"] == "agNumberColumnFilter"
            assert "toLocaleString('id-ID'" in column["valueFormatter"]["function"]
        else:
            assert column["filter"] == "agTextColumnFilter"
    gap = next(c for c in columns if c["field"] == "kesenjangan")
    assert "signDisplay: 'exceptZero'" in gap["valueFormatter"]["function"]
    assert leaf_columns(column_defs("prevalensi", lang="id"))[5]["headerName"] != headers["kumulatif"]
    assert next(c for c in column_defs(show_puskesmas=False) if c.get("field") == "nama_puskesmas")["hide"] is True


def test_js_number_guards_missing_values() -> None:
    formatter = js_number(1, fixed=True)["function"]
    assert formatter.startswith("params.value == null ? '–'")
    assert "minimumFractionDigits: 1" in formatter and "maximumFractionDigits: 1" in formatter


def test_status_cells_are_filled_with_the_theme_colours() -> None:
    conditions = status_cell_style()["styleConditions"]
    colours = {c["condition"].split("=== ")[1].strip("'"): c["style"]["backgroundColor"] for c in conditions}
    assert colours == {**STATUS_COLOURS, **TARGET_STATUS_COLOURS}
    text = {c["style"]["backgroundColor"]: c["style"]["color"] for c in conditions}
    assert text[STATUS_COLOURS["Jelek"]] == "#ffffff" and text[STATUS_COLOURS["Kurang"]] != "#ffffff"


@pytest.mark.parametrize("level", ["kabupaten", "puskesmas"])
def test_totals_row_equals_the_aggregate(ws: Workspace, tahun: int, level: str) -> None:
    table = service.table(ws, tahun, BULAN, "K4")
    agg = service.aggregate_table(ws, tahun, BULAN, "K4", level).iloc[0]
    row = totals_row(agg.to_dict(), "Total", "Kabupaten", lang="id")
    assert row[ROW_ID] == TOTAL_ROW_ID and row["nama_desa"] == "Total"
    for field in NUMBER_FIELDS:
        assert _same(row[field], agg[field]), field
    assert row["status_key"] == agg["status"]
    # independently: the totals are sums over the scope's desa, the percentage a ratio of sums
    scope = table if level == "kabupaten" else table[table["kode_puskesmas"] == agg["kode"]]
    assert row["sasaran"] == pytest.approx(scope["sasaran"].sum())
    assert row["kumulatif"] == pytest.approx(scope["kumulatif"].sum())
    assert row["cakupan_kumulatif"] == pytest.approx(100 * scope["kumulatif"].sum() / scope["sasaran"].sum())
