"""The Peta page: map classes, hover text and legend counts computed from the PWS table (pws.mapdata), the map
and trend figures (pws.figures.maps), and the page's callbacks through Flask's test client (values travel as a
small Patch, never the geometry)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pws import service
from pws.analysis.coverage import NO_DATA
from pws.config import Workspace
from pws.figures import theme
from pws.figures.maps import desa_trend_figure, fit_view, focus_opacity, status_map
from pws.mapdata import (
    COVERAGE_MODE,
    STATUS_MODE,
    TARGET3_ORDER,
    area_facts,
    desa_facts,
    desa_items,
    fill_hover,
    hover_template,
    ink_on,
    lineage_groups,
    map_locations,
    map_values,
    static_hover_texts,
    status_label,
    stepped_colorscale,
)

TAHUN, BULAN = 2025, 6


@pytest.fixture(scope="module")
def ws(demo_store: Path) -> Iterator[Workspace]:
    workspace = Workspace(demo_store)
    try:
        previous: Workspace | None = service.current_workspace()
    except RuntimeError:
        previous = None
    service.configure(workspace)
    yield workspace
    if previous is not None:
        service.configure(previous)


@pytest.fixture(scope="module")
def locations(ws: Workspace) -> tuple[str, ...]:
    return map_locations(service.workspace_data(ws).wilayah)


def _table(ws: Workspace, indikator: str = "K4", bulan: int = BULAN) -> pd.DataFrame:
    return service.table(ws, TAHUN, bulan, indikator)


# ---------------------------------------------------------------------------------------------- classes


def test_status_classes_and_legend_counts_follow_the_table(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws)
    values = map_values(table, locations, STATUS_MODE, "id")
    assert [c.key for c in values.classes] == list(theme.STATUS_ORDER)
    assert [c.colour for c in values.classes] == [theme.STATUS_COLOURS[s] for s in theme.STATUS_ORDER]
    status = dict(zip(table["kode_desa"], table["status"], strict=True))
    assert len(values.z) == len(locations) == len(set(table["kode_desa"]))
    for kode, z in zip(values.locations, values.z, strict=True):
        assert values.classes[z].key == status[kode], kode
    assert sum(values.counts) == len(locations)
    for cls, count in zip(values.classes, values.counts, strict=True):
        assert count == int((table["status"] == cls.key).sum()), cls.key
    assert len({c for c in values.counts if c}) > 1  # the demo month has several statuses: the test can fail


def test_coverage_classes_are_the_theme_classes(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws)
    values = map_values(table, locations, COVERAGE_MODE, "id")
    assert [c.colour for c in values.classes] == [*theme.COVERAGE_COLOURS, theme.NO_DATA]
    coverage = dict(zip(table["kode_desa"], table["cakupan_kumulatif"], strict=True))
    for kode, z in zip(values.locations, values.z, strict=True):
        expected = theme.coverage_class(float(coverage[kode]))
        assert z == (len(values.classes) - 1 if expected is None else expected), kode
    assert sum(values.counts) == len(locations)
    assert values.classes[2].label == theme.coverage_class_label(2)


def test_no_data_desa_and_unknown_locations_are_grey(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws).copy()
    gone = table["kode_desa"].iloc[:7].tolist()
    table.loc[table.index[:5], "status"] = NO_DATA
    table.loc[table.index[5], "cakupan_kumulatif"] = np.nan
    table = table[table["kode_desa"] != gone[6]]  # a desa of the map that the table does not have
    values = map_values(table, locations, STATUS_MODE, "id")
    grey = len(values.classes) - 1
    assert values.classes[grey].colour == theme.NO_DATA
    assert values.classes[grey].label == "Tidak ada data"
    for kode in gone[:5] + gone[6:]:
        assert values.z[locations.index(kode)] == grey
    assert values.counts[grey] == 6
    coverage = map_values(table, locations, COVERAGE_MODE, "id")
    coverage_grey = len(coverage.classes) - 1
    assert coverage.classes[coverage_grey].colour == theme.NO_DATA
    assert coverage.z[locations.index(gone[5])] == coverage_grey
    assert coverage.z[locations.index(gone[6])] == coverage_grey
    assert "Tidak ada data" in coverage.hover_text(locations.index(gone[6]))


def test_a_month_without_reports_is_all_grey(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws, bulan=12)  # the demo has data to October
    assert not table["dilaporkan"].any()
    values = map_values(table, locations, STATUS_MODE, "id")
    assert values.counts[-1] == len(locations) and sum(values.counts[:-1]) == 0
    assert "Belum melapor bulan ini" in values.hover_text(0)


def test_target3_indicator_is_coloured_by_status_target(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws, "STUNTING")
    assert (table["aturan_status"] == "target3").all()
    values = map_values(table, locations, STATUS_MODE, "id")
    assert tuple(c.key for c in values.classes) == TARGET3_ORDER
    assert [c.colour for c in values.classes] == [theme.TARGET_STATUS_COLOURS[k] for k in TARGET3_ORDER]
    assert [c.label for c in values.classes] == ["Tercapai", "Tidak tercapai", "Tidak ada data"]
    target = dict(zip(table["kode_desa"], table["status_target"], strict=True))
    for kode, z in zip(values.locations, values.z, strict=True):
        assert values.classes[z].key == target[kode]
    for cls, count in zip(values.classes, values.counts, strict=True):
        assert count == int((table["status_target"] == cls.key).sum())
    assert values.title == "Capaian target"
    assert "Nilai Juni" in values.hovertemplate  # a prevalence: this month's value, not a cumulative coverage


def test_stepped_colorscale_gives_each_class_its_flat_colour() -> None:
    colours = ["#111111", "#222222", "#333333"]
    scale = stepped_colorscale(colours)
    assert scale[0][0] == 0 and scale[-1][0] == 1
    assert [p for p, _ in scale] == sorted(p for p, _ in scale)
    for z, colour in enumerate(colours):  # plotly maps z to (z - zmin) / (zmax - zmin) with zmin -0.5
        position = (z + 0.5) / len(colours)
        below = [c for p, c in scale if p <= position][-1]
        above = [c for p, c in scale if p >= position][0]
        assert below == above == colour


# ---------------------------------------------------------------------------------------------- hover text


def test_hover_text_has_the_table_numbers_in_indonesian_format(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws, bulan=10)
    assert table["status_tanpa_tren"].any() and not table["status_tanpa_tren"].all()
    values = map_values(table, locations, STATUS_MODE, "id")
    for row in table.sample(25, random_state=1).to_dict("records"):
        text = values.hover_text(locations.index(row["kode_desa"]))
        assert f"Sasaran: {theme.format_int(row['sasaran'])}" in text
        assert f"Oktober: {theme.format_int(row['bulan_ini'])} · kumulatif {theme.format_int(row['kumulatif'])}" in text
        assert f"Cakupan kumulatif: {theme.format_pct(row['cakupan_kumulatif'])}" in text
        if not math.isnan(row["ci_atas"]):
            low, high = theme.format_number(row["ci_bawah"]), theme.format_number(row["ci_atas"])
            assert f"(IK 95%: {low}–{high}%)" in text
        assert f"Target s.d. Oktober: {theme.format_pct(row['target_sd_bulan'])}" in text
        assert f"Status: <b>{row['status']}" in text
        assert ("(tanpa tren)" in text) == bool(row["status_tanpa_tren"])
        assert "." not in theme.format_pct(row["cakupan_kumulatif"])  # decimal comma
    static = static_hover_texts(service.workspace_data(ws).wilayah.drop_duplicates("kode_desa"), "id")
    first = table.set_index("kode_desa").loc[locations[0]]
    assert (
        static[0] == f"<b>{first['nama_desa']}</b> ({first['nama_kecamatan']})<br>Puskesmas: {first['nama_puskesmas']}"
    )


def test_hover_template_is_filled_like_plotly_does() -> None:
    template = hover_template(False, 3, "id")
    assert "%{customdata[0]}" in template and "Maret" in template
    row = ["10", "2 · kumulatif 5", "50,0%", "25,0%", "Baik", "", ""]  # the last: the data-quality note
    text = fill_hover(template, row)
    assert "%{" not in text and "Sasaran: 10" in text and "Target s.d. Maret: 25,0%" in text
    assert "Sasaran" not in hover_template(True, 3, "id")  # prevalence: a denominator
    assert "Cumulative coverage" in hover_template(False, 3, "en")


# ---------------------------------------------------------------------------------------------- lists and panel


def test_desa_list_of_a_puskesmas(ws: Workspace, locations: tuple[str, ...]) -> None:
    table = _table(ws)
    values = map_values(table, locations, STATUS_MODE, "id")
    pkm = str(table["kode_puskesmas"].iloc[0])
    items = desa_items(table, values, pkm, "id")
    mine = table[table["kode_puskesmas"] == pkm]
    assert {i.kode for i in items} == set(mine["kode_desa"])
    shown = [float(mine.set_index("kode_desa").loc[i.kode, "cakupan_kumulatif"]) for i in items]
    assert shown == sorted(shown, reverse=True)
    for item in items:
        row = mine.set_index("kode_desa").loc[item.kode]
        assert item.colour == theme.STATUS_COLOURS[row["status"]]
        assert item.value == theme.format_pct(row["cakupan_kumulatif"])
        assert item.status == status_label(row["status"], "id")


def test_desa_facts_have_the_key_numbers(ws: Workspace) -> None:
    table = _table(ws)
    behind = table[(table["kesenjangan_orang"] > 0) & (table["status"] != NO_DATA)].iloc[0]
    facts = desa_facts(table, behind["kode_desa"], "id")
    assert facts is not None
    assert facts.title == behind["nama_desa"] and facts.level == "desa"
    assert behind["nama_puskesmas"] in facts.subtitle and behind["nama_kecamatan"] in facts.subtitle
    assert facts.status == behind["status"] and facts.status_colour == theme.STATUS_COLOURS[behind["status"]]
    shown = dict(facts.facts)
    assert shown["Sasaran"].startswith(theme.format_int(behind["sasaran"]))
    assert shown["Kumulatif"] == theme.format_int(behind["kumulatif"])
    assert shown["Cakupan kumulatif"].startswith(theme.format_pct(behind["cakupan_kumulatif"]))
    assert shown["Target s.d. Juni"] == theme.format_pct(behind["target_sd_bulan"])
    assert f"kurang {theme.format_int(behind['kesenjangan_orang'])} orang" in shown["Kesenjangan"]
    assert desa_facts(table, "99.99.99.9999", "id") is None


def test_area_facts_of_a_puskesmas_and_the_kabupaten(ws: Workspace) -> None:
    table = _table(ws)
    pkm = str(table["kode_puskesmas"].iloc[0])
    rows = service.aggregate_table(ws, TAHUN, BULAN, "K4", "puskesmas")
    row = rows.set_index("kode").loc[pkm]
    facts = area_facts(rows, pkm, "id")
    assert facts is not None and facts.level == "puskesmas"
    assert facts.title == f"Puskesmas {row['nama']}" and facts.status == row["status"]
    shown = dict(facts.facts)
    mine = table[table["kode_puskesmas"] == pkm]
    assert shown["Kumulatif"] == theme.format_int(mine["kumulatif"].sum())  # ratio of sums: the desa add up
    assert shown["Cakupan kumulatif"].startswith(
        theme.format_pct(100 * mine["kumulatif"].sum() / mine["sasaran"].sum())
    )
    assert shown["Laporan"] == f"{int(mine['dilaporkan'].sum())} dari {len(mine)} desa melapor"
    kabupaten = area_facts(service.aggregate_table(ws, TAHUN, BULAN, "K4", "kabupaten"), None, "id")
    assert kabupaten is not None and kabupaten.title == "Kabupaten" and kabupaten.subtitle.startswith("120 desa")
    assert area_facts(rows, "TIDAK-ADA", "id") is None


def test_lineage_is_grouped_by_file_with_sheet_and_cell(ws: Workspace) -> None:
    kode = str(_table(ws)["kode_desa"].iloc[3])
    lineage = service.lineage(ws, TAHUN, "K4", kode)
    assert not lineage.empty
    groups = lineage_groups(lineage, "id")
    assert [f for f, _ in groups] == [f for i, f in enumerate(lineage["sumber_file"]) if i == 0 or
                                      f != lineage["sumber_file"].iloc[i - 1]]  # fmt: skip
    rows = [r for _, group in groups for r in group]
    assert len(rows) == len(lineage)
    assert [r.sel for r in rows] == lineage["sumber_sel"].tolist()
    assert [r.sheet for r in rows] == lineage["sumber_sheet"].tolist()
    assert rows[0].bulan == "Jan" if int(lineage["bulan"].iloc[0]) == 1 else True


def test_ink_is_readable_on_status_colours() -> None:
    assert ink_on(theme.STATUS_COLOURS["Jelek"]) == "#ffffff"
    assert ink_on(theme.STATUS_COLOURS["Kurang"]) == theme.INK
    assert ink_on(theme.NO_DATA) == theme.INK


# ---------------------------------------------------------------------------------------------- figures


def test_status_map_references_the_geometry_by_url(ws: Workspace, locations: tuple[str, ...]) -> None:
    values = map_values(_table(ws), locations, STATUS_MODE, "id")
    focus = set(locations[:4])
    fig = status_map(locations, ["x"] * len(locations), "/geo/desa.geojson", "/geo/kec.geojson",
                     fit_view((120.0, -3.8, 120.5, -3.3)), values=values, focus=focus,
                     highlight=(sorted(focus), "puskesmas"), lang="id")  # fmt: skip
    data = fig.to_plotly_json()
    choropleth, outline = data["data"]
    assert choropleth["geojson"] == "/geo/desa.geojson" and outline["geojson"] == "/geo/desa.geojson"
    assert list(choropleth["locations"]) == list(locations)
    assert list(choropleth["z"]) == values.z and choropleth["zmax"] == len(values.classes) - 0.5
    assert list(choropleth["customdata"]) == values.hover
    assert list(choropleth["marker"]["opacity"]) == focus_opacity(locations, focus)
    assert sorted(outline["locations"]) == sorted(focus) and outline["hoverinfo"] == "skip"
    layout = data["layout"]
    assert layout["map"]["style"] == "white-bg"
    assert layout["map"]["layers"][0]["source"] == "/geo/kec.geojson"
    assert len(json.dumps(data, default=str)) < 60_000


@pytest.mark.parametrize(
    "bounds", [(120.0, -3.8, 120.6, -3.3), (120.19, -3.61, 120.31, -3.45), (110.0, -8.0, 112.5, -7.6)]
)
def test_fit_view_shows_the_whole_area_and_fills_the_map(bounds: tuple[float, float, float, float]) -> None:
    width, height = 700, 600
    view = fit_view(bounds, width, height)
    scale = 512 * 2 ** view["zoom"]  # MapLibre: the world is 512 px wide at zoom 0

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi) * scale

    shown_w = (bounds[2] - bounds[0]) / 360 * scale
    shown_h = y(bounds[3]) - y(bounds[1])
    assert shown_w <= width and shown_h <= height
    assert max(shown_w / width, shown_h / height) > 0.75
    assert bounds[0] < view["center"]["lon"] < bounds[2] and bounds[1] < view["center"]["lat"] < bounds[3]


def test_desa_trend_figure_plots_the_series(ws: Workspace) -> None:
    kode = str(_table(ws)["kode_desa"].iloc[0])
    series = service.series(ws, TAHUN, "K4", "desa", kode)
    fig = desa_trend_figure(series, BULAN, "id")
    last_year, target, this_year = fig.data
    np.testing.assert_allclose(np.asarray(this_year.y, dtype=float), series["cakupan_kumulatif"].to_numpy(dtype=float))
    np.testing.assert_allclose(np.asarray(target.y, dtype=float), series["target_sd_bulan"].to_numpy(dtype=float))
    assert last_year.line.dash == "dash" and last_year.line.color == theme.LAST_YEAR
    assert list(this_year.x)[:3] == ["Jan", "Feb", "Mar"]
    assert fig.layout.separators == ",."


# ---------------------------------------------------------------------------------------------- callbacks


@pytest.fixture(scope="module")
def client(ws: Workspace):  # type: ignore[no-untyped-def]
    """The Flask test client of the process's Dash app (Dash hands the registered callbacks to the first app that
    serves a request, so an app made earlier in the session is reused), serving the ingested demo."""
    from dash import _get_app

    from layouts._ids import PETA

    app = _get_app.APP
    if app is None:
        from app import create_app

        app = create_app(ws, warm=False)
    service.configure(ws)
    test_client = app.server.test_client()
    deps = test_client.get("/_dash-dependencies").get_json()
    assert any(f"{PETA.map}.figure" in d["output"] for d in deps), "the Peta callbacks are not registered"
    return test_client


def _map_request(filters: dict, mode: str = STATUS_MODE, drawn: dict | None = None, street: bool = False) -> dict:
    outputs = [
        ("peta-choropleth", "figure"),
        ("peta-tergambar", "data"),
        ("peta-legenda", "children"),
        ("peta-jejak", "children"),
        ("peta-daftar-desa", "children"),
        ("peta-subjudul", "children"),
        ("peta-catatan", "children"),
    ]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": "shell-filters", "property": "data", "value": filters},
            {"id": "peta-warna", "property": "value", "value": mode},
            {"id": "peta-peta-jalan", "property": "value", "value": ["jalan"] if street else []},
        ],
        "state": [{"id": "peta-tergambar", "property": "data", "value": drawn}],
        "changedPropIds": ["shell-filters.data"],
    }


def _legend_counts(node: object) -> dict[str, str]:
    """data-class -> the first count shown in its legend row, from the rendered components (JSON)."""
    found: dict[str, str] = {}

    def texts(n: object, cls: str) -> list[str]:
        if isinstance(n, list):
            return [x for child in n for x in texts(child, cls)]
        if isinstance(n, dict):
            props = n.get("props", {})
            if cls in str(props.get("className", "")).split():
                return [str(props.get("children"))]
            return texts(props.get("children"), cls)
        return []

    def walk(n: object) -> None:
        if isinstance(n, list):
            for child in n:
                walk(child)
        elif isinstance(n, dict):
            props = n.get("props", {})
            if "data-class" in props:
                found[props["data-class"]] = texts(props.get("children"), "legend-count")[0]
            walk(props.get("children"))

    walk(node)
    return found


def _operations(figure: dict) -> dict[tuple, object]:
    assert figure.get("__dash_patch_update") == "__dash_patch_update", "the figure must be a Patch"
    return {tuple(op["location"]): op["params"].get("value") for op in figure["operations"]}


def test_map_callback_sends_a_small_patch_of_values(client, ws: Workspace, locations: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    filters = {"tahun": TAHUN, "bulan": BULAN, "indikator": "K4", "puskesmas": None, "desa": None}
    response = client.post("/_dash-update-component", json=_map_request(filters))
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data(as_text=True)
    assert len(raw) < 30_000, len(raw)
    assert "coordinates" not in raw and "FeatureCollection" not in raw  # never the geometry
    body = response.get_json()["response"]
    ops = _operations(body["peta-choropleth"]["figure"])
    expected = map_values(_table(ws), locations, STATUS_MODE, "id")
    assert ops[("data", 0, "z")] == expected.z
    assert ("data", 0, "locations") not in ops  # the desa stay where the layout put them
    assert _legend_counts(body["peta-legenda"]["children"]) == dict(
        zip([c.key for c in expected.classes], [theme.format_int(n) for n in expected.counts], strict=True)
    )
    assert "Jumlah 120 desa" in json.dumps(body["peta-legenda"]["children"])
    assert "Juni 2025" in body["peta-subjudul"]["children"]

    # another month: only values change; the same view again: nothing for the figure
    drawn = body["peta-tergambar"]["data"]
    july = client.post("/_dash-update-component", json=_map_request({**filters, "bulan": 7}, drawn=drawn))
    ops = _operations(july.get_json()["response"]["peta-choropleth"]["figure"])
    assert ops[("data", 0, "z")] == map_values(_table(ws, bulan=7), locations, STATUS_MODE, "id").z
    assert ("layout", "map", "center") not in ops
    again = client.post("/_dash-update-component", json=_map_request(filters, drawn=drawn)).get_json()["response"]
    assert "peta-choropleth" not in again

    # the street basemap is a switch of the map style only (off by default: no tile requests)
    street = client.post("/_dash-update-component", json=_map_request(filters, drawn=drawn, street=True))
    assert _operations(street.get_json()["response"]["peta-choropleth"]["figure"]) == {
        ("layout", "map", "style"): "open-street-map"
    }

    # drilling into a puskesmas moves the view, fades the others and outlines its desa; the legend counts both
    pkm = str(_table(ws)["kode_puskesmas"].iloc[0])
    drill = client.post("/_dash-update-component", json=_map_request({**filters, "puskesmas": pkm}, drawn=drawn))
    body = drill.get_json()["response"]
    ops = _operations(body["peta-choropleth"]["figure"])
    mine = set(_table(ws).query("kode_puskesmas == @pkm")["kode_desa"])
    assert sorted(ops[("data", 1, "locations")]) == sorted(mine)  # type: ignore[arg-type]
    assert ops[("layout", "uirevision")] == f"peta:{pkm}"
    assert ("data", 0, "z") not in ops
    items = json.dumps(body["peta-daftar-desa"]["children"])
    assert all(kode in items for kode in mine)


def test_navigation_callback_turns_clicks_into_shell_filters(client) -> None:  # type: ignore[no-untyped-def]
    def navigate(trigger: str, buttons: list[dict], click: dict | None) -> dict:
        payload = {
            "output": "..shell-puskesmas.value@x...shell-desa.value@x..",
            "outputs": [
                {"id": "shell-puskesmas", "property": "value"},
                {"id": "shell-desa", "property": "value"},
                {"id": "shell-kabupaten", "property": "value"},
            ],
            "inputs": [buttons, {"id": "peta-choropleth", "property": "clickData", "value": click}],
            "changedPropIds": [trigger],
            "state": [],
        }
        deps = client.get("/_dash-dependencies").get_json()
        payload["output"] = next(d["output"] for d in deps if "shell-desa.value@" in d["output"] and
                                 "peta-pilih" in json.dumps(d["inputs"]))  # fmt: skip
        response = client.post("/_dash-update-component", json=payload)
        return {} if response.status_code == 204 else response.get_json()["response"]

    click = {"points": [{"curveNumber": 0, "location": "99.01.01.1006"}]}
    assert navigate("peta-choropleth.clickData", [], click)["shell-desa"]["value"] == "99.01.01.1006"
    up = {"id": {"type": "peta-pilih", "level": "kabupaten", "kode": ""}, "property": "n_clicks", "value": 1}
    trigger = json.dumps(up["id"], separators=(",", ":"), sort_keys=True) + ".n_clicks"
    result = navigate(trigger, [up], None)
    assert result["shell-puskesmas"]["value"] is None and result["shell-desa"]["value"] is None
    fresh = {**up, "value": 0}  # a breadcrumb that just appeared: not a click
    assert navigate(trigger, [fresh], None) == {}
