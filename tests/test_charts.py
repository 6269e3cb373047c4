"""Figure builders of the Tren and PWS pages (pws.figures.charts), checked against the service frames they draw."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from pws import service
from pws.config import Workspace
from pws.figures.charts import (
    DESA_CODE,
    TRACES_PER_PANEL,
    TrendPanel,
    area_of,
    grid_cells,
    lagging_first,
    pws_bar_chart,
    trend_grid,
)
from pws.figures.theme import STATUS_COLOURS, TARGET_LINE, TARGET_STATUS_COLOURS

BULAN = 6


@pytest.fixture(scope="module")
def ws(demo_store: Path) -> Workspace:
    return Workspace(demo_store)


@pytest.fixture(scope="module")
def tahun(ws: Workspace) -> int:
    latest = service.latest_period(ws)
    assert latest is not None
    return latest[0]


def _listed(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _valid(fig: go.Figure) -> None:
    """The builders skip plotly's validation for speed; the same figure must pass it."""
    go.Figure(fig.to_dict())


def _stage_panels(ws: Workspace, tahun: int, stage: str) -> tuple[list[str], list[TrendPanel]]:
    indicators = service.workspace_data(ws).catalogue.by_tahap(stage)
    panels = [
        TrendPanel(ind.name("id"), service.series(ws, tahun, ind.kode), prevalence=ind.jenis == "prevalensi")
        for ind in indicators
    ]
    return [ind.kode for ind in indicators], panels


def test_trend_grid_draws_one_panel_per_indicator_with_the_series_lines(ws: Workspace, tahun: int) -> None:
    codes, panels = _stage_panels(ws, tahun, "ibu_hamil")
    assert len(codes) >= 2
    fig = trend_grid(panels, BULAN, tahun, cols=3, lang="id")
    _valid(fig)
    assert len(fig.data) == TRACES_PER_PANEL * len(codes)
    axes = {trace.xaxis for trace in fig.data}
    assert len(axes) == len(codes)
    titles = [a.text for a in fig.layout.annotations]
    for panel in panels:
        assert panel.title in titles
    for i, panel in enumerate(panels):
        last_year, target, this_year, point = fig.data[i * TRACES_PER_PANEL : (i + 1) * TRACES_PER_PANEL]
        assert list(target.y) == _listed(panel.series["target_sd_bulan"])
        assert list(this_year.y) == _listed(panel.series["cakupan_kumulatif"])
        assert list(last_year.y) == _listed(panel.series["cakupan_kumulatif_tahun_lalu"])
        assert target.line.color == TARGET_LINE and target.line.dash == "dash"
        assert len({target.xaxis, this_year.xaxis, last_year.xaxis, point.xaxis}) == 1
        month_row = panel.series[panel.series["bulan"] == BULAN].iloc[0]
        if pd.isna(month_row["cakupan_kumulatif"]):
            assert len(point.y) == 0
        else:
            assert list(point.y) == [float(month_row["cakupan_kumulatif"])]
            assert point.marker.color == STATUS_COLOURS[str(month_row["status"])]
    # the chosen month is marked in every panel by a vertical line at its category position
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == len(codes) and all(s.x0 == BULAN - 1 == s.x1 for s in lines)


def test_trend_grid_labels_prevalence_panels_as_monthly_values(ws: Workspace, tahun: int) -> None:
    _, panels = _stage_panels(ws, tahun, "balita")
    fig = trend_grid(panels, BULAN, tahun, lang="id")
    for i, panel in enumerate(panels):
        template = fig.data[i * TRACES_PER_PANEL + 2].hovertemplate
        assert ("Nilai bulan itu" in template) == panel.prevalence
    assert any(p.prevalence for p in panels) and any(not p.prevalence for p in panels)


def test_per_puskesmas_grid_shares_the_y_axis_and_lists_the_laggards_first(ws: Workspace, tahun: int) -> None:
    aggregate = service.aggregate_table(ws, tahun, BULAN, "K4", "puskesmas")
    order = lagging_first(aggregate)
    expected = sorted(aggregate.itertuples(), key=lambda r: math.inf if pd.isna(r.kesenjangan) else r.kesenjangan)
    assert [kode for kode, _ in order] == [str(r.kode) for r in expected]
    assert len(order) == len(service.puskesmas_list(ws))
    panels = [
        TrendPanel(nama, service.series(ws, tahun, "K4", "puskesmas", kode), highlight=i == 2)
        for i, (kode, nama) in enumerate(order)
    ]
    fig = trend_grid(panels, BULAN, tahun, cols=5, shared_y=True, lang="id")
    _valid(fig)
    assert len(fig.data) == TRACES_PER_PANEL * len(order)
    ranges = {tuple(fig.layout[key].range) for key in fig.layout if key.startswith("yaxis")}
    assert len(ranges) == 1
    highest = max(
        v
        for p in panels
        for col in ("cakupan_kumulatif", "target_sd_bulan", "cakupan_kumulatif_tahun_lalu")
        for v in p.series[col].dropna()
    )
    assert next(iter(ranges))[1] >= highest
    assert sum(1 for s in fig.layout.shapes if s.type == "rect") == 1  # the highlighted puskesmas


def test_grid_cells_fill_rows_left_to_right_without_overlap() -> None:
    cells = grid_cells(7, 3, 200)
    assert [c.xaxis for c in cells[:2]] == ["x", "x2"]
    assert cells[0].y0 > cells[3].y1 and cells[0].x1 < cells[1].x0
    assert cells[0].x0 == cells[3].x0 == cells[6].x0
    assert all(0 <= c.y0 < c.y1 <= 1 and 0 <= c.x0 < c.x1 <= 1 for c in cells)


def test_area_is_the_desa_else_the_puskesmas_else_the_kabupaten(ws: Workspace) -> None:
    wilayah = service.workspace_data(ws).wilayah
    row = wilayah.iloc[5]
    desa = area_of(wilayah, None, row["kode_desa"])
    assert (desa.level, desa.kode, desa.nama, desa.puskesmas) == (
        "desa",
        row["kode_desa"],
        row["nama_desa"],
        row["nama_puskesmas"],
    )
    pkm = area_of(wilayah, row["kode_puskesmas"], None)
    assert (pkm.level, pkm.kode, pkm.nama) == ("puskesmas", row["kode_puskesmas"], row["nama_puskesmas"])
    assert area_of(wilayah, "TIDAK-ADA", "xx").level == "kabupaten"
    assert area_of(wilayah, None, None).kode is None


def _bar(fig: go.Figure) -> go.Bar:
    return fig.data[0]


def test_pws_chart_sorts_desa_by_coverage_and_colours_them_by_status(ws: Workspace, tahun: int) -> None:
    table = service.table(ws, tahun, BULAN, "K4")
    pkm = str(table["kode_puskesmas"].iloc[0])
    rows = table[table["kode_puskesmas"] == pkm]
    agg = service.aggregate_table(ws, tahun, BULAN, "K4", "puskesmas")
    record = agg[agg["kode"] == pkm].iloc[0].to_dict()
    fig = pws_bar_chart(rows, record, aggregate_label="PKM", bulan=BULAN, selected_desa=rows["kode_desa"].iloc[0])
    _valid(fig)
    bar = _bar(fig)
    assert bar.orientation == "v"
    expected = sorted(rows.to_dict("records"), key=lambda r: (-r["cakupan_kumulatif"], r["nama_desa"]))
    assert list(bar.x) == [r["kode_desa"] for r in expected]
    assert list(bar.y) == pytest.approx([r["cakupan_kumulatif"] for r in expected])
    assert list(bar.marker.color) == [STATUS_COLOURS[r["status"]] for r in expected]
    assert list(fig.layout.xaxis.ticktext) == [r["nama_desa"] for r in expected]
    assert [row[DESA_CODE] for row in bar.customdata] == list(bar.x)  # what a click on a bar reads
    assert sum(1 for w in bar.marker.line.width if w > 0) == 1  # the chosen desa is outlined
    legend = [trace.name for trace in fig.data[1:] if trace.showlegend]
    assert legend == [s for s in ("Baik", "Kurang", "Cukup", "Jelek") if s in set(rows["status"])]
    lines = sorted(s.y0 for s in fig.layout.shapes)
    assert lines == pytest.approx(sorted([record["target_sd_bulan"], record["cakupan_kumulatif"]]))


def test_pws_chart_of_the_whole_kabupaten_has_horizontal_bars_tall_enough_for_every_desa(
    ws: Workspace, tahun: int
) -> None:
    table = service.table(ws, tahun, BULAN, "K4")
    record = service.aggregate_table(ws, tahun, BULAN, "K4", "kabupaten").iloc[0].to_dict()
    fig = pws_bar_chart(table, record, aggregate_label="Kabupaten", bulan=BULAN)
    bar = _bar(fig)
    assert bar.orientation == "h" and len(bar.y) == len(table) == 120
    coverage = list(bar.x)
    assert coverage == sorted(coverage, reverse=True)
    assert fig.layout.yaxis.autorange == "reversed"  # highest on top
    assert fig.layout.height >= 18 * len(table)
    lines = sorted(s.x0 for s in fig.layout.shapes)
    assert lines == pytest.approx(sorted([record["target_sd_bulan"], record["cakupan_kumulatif"]]))


def test_pws_chart_of_a_target3_indicator_uses_met_not_met_colours(ws: Workspace, tahun: int) -> None:
    table = service.table(ws, tahun, BULAN, "STUNTING")
    assert set(table["aturan_status"]) == {"target3"}
    fig = pws_bar_chart(table, None, aggregate_label="Kabupaten", bulan=BULAN, orientation="v")
    _valid(fig)
    bar = _bar(fig)
    by_code = table.set_index("kode_desa")["status_target"]
    assert list(bar.marker.color) == [TARGET_STATUS_COLOURS[by_code[c]] for c in bar.x]
    names = {trace.name for trace in fig.data[1:]}
    assert names <= {"Tercapai", "Tidak tercapai", "Tanpa data"} and names


def test_desa_with_their_own_target_get_a_tick_at_it(ws: Workspace, tahun: int) -> None:
    table = service.table(ws, tahun, BULAN, "K4")
    rows = table[table["kode_puskesmas"] == table["kode_puskesmas"].iloc[0]].copy()  # a copy: cached frames are shared
    record = {"target_sd_bulan": float(rows["target_sd_bulan"].iloc[0]), "cakupan_kumulatif": 30.0}
    plain = pws_bar_chart(rows, record, aggregate_label="PKM", bulan=BULAN)
    assert not any(trace.type == "scatter" for trace in plain.data)  # one shared target: the line says it all
    rows.loc[rows.index[0], "target_sd_bulan"] = 20.0
    fig = pws_bar_chart(rows, record, aggregate_label="PKM", bulan=BULAN)
    ticks = [trace for trace in fig.data if trace.type == "scatter"]
    assert len(ticks) == 1
    by_code = dict(zip(ticks[0].x, ticks[0].y, strict=True))
    assert by_code == pytest.approx(dict(zip(rows["kode_desa"], rows["target_sd_bulan"], strict=True)))
