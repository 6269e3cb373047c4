"""The review-meeting pack (pws.report): the PowerPoint deck and the PDF of the demo district and of one puskesmas,
read back with python-pptx and pdftoppm; the print-ready map; the warm image renderer; the pure helpers.

Tests that need Chromium (images) or pdftoppm (PDF pages to PNG) skip with the reason when those are missing,
and fail instead with ``PWS_REQUIRE_BROWSER=1`` (as in CI)."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from pws import service
from pws.analysis import overview
from pws.cli import main
from pws.config import Workspace
from pws.figures.static import LegendItem, MapLabel, nice_length_km, outline_lines, scale_bar, status_map
from pws.figures.theme import STATUS_COLOURS, format_pct
from pws.i18n import t
from pws.report import images
from pws.report.images import Job, Renderer, chromium_path, png_size
from pws.report.pack import (
    MAX_TABLE_ROWS,
    Cell,
    Pack,
    Table,
    build_pack,
    fit_table,
    indicator_title,
    league_matrix,
    map_base,
    spread_labels,
    stages,
    table_height,
)
from pws.report.pdf import write_pdf
from pws.report.pptx import write_pptx
from pws.report.printmap import A4_PX, PNG_SCALE, print_map, print_map_figure

TAHUN, BULAN = 2025, 10
PKM = "P9901020201"  # Bukit Sari in the demo


def _unavailable(reason: str) -> None:
    if os.environ.get("PWS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (PWS_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"skipped: {reason}")


def need_chromium() -> None:
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")


def need_pdftoppm() -> None:
    if shutil.which("pdftoppm") is None:
        _unavailable("pdftoppm is not installed (apt-get install poppler-utils)")


@pytest.fixture(scope="module")
def ws(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("rapat") / "ws"
    shutil.copytree(demo_store, root)
    return Workspace(root)


@pytest.fixture(scope="module")
def district(ws: Workspace) -> Pack:
    need_chromium()
    return build_pack(ws, TAHUN, BULAN, lang="id")


@pytest.fixture(scope="module")
def puskesmas(ws: Workspace) -> Pack:
    need_chromium()
    return build_pack(ws, TAHUN, BULAN, PKM, lang="id")


def _title(slide: object) -> str:
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.name == "Judul":
            return str(shape.text_frame.text)
    raise AssertionError("slide without a title")


def _expected_titles(ws: Workspace, kode_puskesmas: str | None) -> list[str]:
    """The titles the pack must have, from the key-indicator setting and the locale (not from the pack)."""
    data = service.workspace_data(ws)
    keys = overview.key_indicators(ws, data.catalogue)
    nama = {k: nid for k, nid, _ in data.catalogue.tahap}
    if kode_puskesmas:
        pkm_name = str(data.wilayah.loc[data.wilayah["kode_puskesmas"] == kode_puskesmas, "nama_puskesmas"].iloc[0])
        titles = [t("rapat.judul_puskesmas", "id", nama=pkm_name)]
        compared = int((data.wilayah["kode_puskesmas"] == kode_puskesmas).sum())
        league = t("rapat.peringkat_desa", "id")
    else:
        titles = [t("rapat.judul_kabupaten", "id")]
        compared = data.wilayah["kode_puskesmas"].nunique()
        league = t("rapat.peringkat_puskesmas", "id")
    titles.append(t("rapat.ikhtisar", "id"))
    pages = math.ceil(compared / MAX_TABLE_ROWS)
    titles += [league] if pages == 1 else [t("rapat.lanjutan", "id", judul=league, halaman=i, dari=pages)
                                          for i in range(1, pages + 1)]  # fmt: skip
    for tahap, codes in stages(keys):
        titles.append(t("rapat.tahap", "id", nama=nama[tahap]))
        for kode in codes:
            name = indicator_title(data.catalogue.indicators[kode].nama_id, kode)
            titles += [t("rapat.peta", "id", indikator=name), t("rapat.pws", "id", indikator=name)]
    if (ws.root / "jejaring.csv").exists():  # the network slide: puskesmas (or its desa) per page
        network = t("jejaring.rapat_judul", "id", periode=f"{t(f'month.{BULAN}', 'id')} {TAHUN}")
        rows = compared if kode_puskesmas else data.wilayah["kode_puskesmas"].nunique()
        pages = math.ceil(rows / MAX_TABLE_ROWS)
        titles += [network] if pages == 1 else [t("rapat.lanjutan", "id", judul=network, halaman=i, dari=pages)
                                                for i in range(1, pages + 1)]  # fmt: skip
    titles += [t("rapat.kelengkapan", "id", tahun=TAHUN), t("rapat.tindak_lanjut", "id")]
    return titles


def _not_blank(image: Image.Image, least: float = 0.02) -> float:
    """Share of pixels that are not (nearly) white; fails when below ``least``."""
    grey = np.asarray(image.convert("L"))
    share = float((grey < 240).mean())
    assert share >= least, f"image is nearly blank ({share:.3%} non-white)"
    return share


# ---------------------------------------------------------------------------------------------- the deck


def test_district_deck_has_every_slide_title_and_real_pictures(district: Pack, ws: Workspace) -> None:
    deck = Presentation(io.BytesIO(write_pptx(district)))
    titles = [_title(slide) for slide in deck.slides]
    assert titles == _expected_titles(ws, None)
    assert deck.slide_width == Emu(int(13.333 * 914400)) and deck.slide_height == Emu(int(7.5 * 914400))

    keys = overview.key_indicators(ws, service.workspace_data(ws).catalogue)
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == len(stages(keys)) + 2 * len(keys)  # a trend per stage, a map and a chart per indicator
    for picture in pictures:
        image = Image.open(io.BytesIO(picture.image.blob))
        assert image.format == "PNG"
        assert image.width >= 1200 and image.height >= 900, image.size  # 2 image pixels per layout pixel
        assert abs(image.width / image.height - picture.width / picture.height) < 0.01  # not stretched
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20  # a drawing, not a flat placeholder
        _not_blank(image)
        assert picture._element.xpath("./p:nvPicPr/p:cNvPr")[0].get("descr")  # described for screen readers


def test_overview_slide_shows_the_kabupaten_numbers(district: Pack, ws: Workspace) -> None:
    deck = Presentation(io.BytesIO(write_pptx(district)))
    overview_slide = deck.slides[1]
    table = next(shape.table for shape in overview_slide.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    keys = overview.key_indicators(ws, service.workspace_data(ws).catalogue)
    assert len(rows) == len(keys) + 1
    for (_, kode), row in zip(keys, rows[1:], strict=True):
        expected = service.aggregate_table(ws, TAHUN, BULAN, kode, "kabupaten").iloc[0]
        assert kode in row[1]
        assert row[2] == format_pct(expected["cakupan_kumulatif"])
        assert row[3] == format_pct(expected["target_sd_bulan"])


def test_map_and_attention_slides_follow_the_overview_rules(district: Pack, ws: Workspace) -> None:
    deck = Presentation(io.BytesIO(write_pptx(district)))
    name = indicator_title(service.workspace_data(ws).catalogue.indicators["K4"].nama_id, "K4")
    slides = {(_title(s)): s for s in deck.slides}
    league = next(sh.table for sh in slides[t("rapat.peta", "id", indikator=name)].shapes if sh.has_table)
    expected = overview.league(service.aggregate_table(ws, TAHUN, BULAN, "K4", "puskesmas"))
    assert [row.cells[1].text for row in list(league.rows)[1:]] == expected["nama"].tolist()

    attention = next(sh.table for sh in slides[t("rapat.pws", "id", indikator=name)].shapes if sh.has_table)
    urgent = overview.attention(service.table(ws, TAHUN, BULAN, "K4"))
    shown = list(attention.rows)[1:]
    assert 0 < len(shown) <= len(urgent)
    for row, (_, rec) in zip(shown, urgent.iterrows(), strict=False):
        assert row.cells[1].text.startswith(str(rec["nama_desa"]))
        assert row.cells[4].text == f"{int(rec['kesenjangan_orang'])}"


def test_puskesmas_pack_is_about_one_puskesmas_and_its_desa(puskesmas: Pack, ws: Workspace) -> None:
    deck = Presentation(io.BytesIO(write_pptx(puskesmas)))
    assert [_title(s) for s in deck.slides] == _expected_titles(ws, PKM)
    wilayah = service.workspace_data(ws).wilayah
    own = set(wilayah.loc[wilayah["kode_puskesmas"] == PKM, "nama_desa"])
    league = next(sh.table for sh in deck.slides[2].shapes if sh.has_table)
    assert {row.cells[1].text for row in list(league.rows)[1:]} == own
    for table in puskesmas.data.tables.values():
        assert set(table["kode_puskesmas"]) == {PKM}
    base = map_base(ws, PKM)
    assert base is not None and {lab.text for lab in base.labels} == own
    assert puskesmas.info.file_stem().endswith(PKM)


# ---------------------------------------------------------------------------------------------- the PDF


def test_pdf_has_one_page_per_slide_and_no_page_is_blank(district: Pack, tmp_path: Path) -> None:
    need_pdftoppm()
    path = tmp_path / "paket.pdf"
    path.write_bytes(write_pdf(district))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {len(district.slides)}" in info
    assert "960 x 540 pts" in info  # 13.333 × 7.5 in, like the slides
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(path), str(tmp_path / "halaman")], check=True)
    pages = sorted(tmp_path.glob("halaman-*.png"))
    assert len(pages) == len(district.slides)
    for page in pages:
        _not_blank(Image.open(page), least=0.03)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=False).stdout
    if text:  # the tables are text in the PDF, not pictures
        assert t("rapat.ikhtisar", "id") in text and t("rapat.tindak_lanjut", "id") in text


# ---------------------------------------------------------------------------------------------- the print map


def test_print_map_png_and_pdf(ws: Workspace, tmp_path: Path) -> None:
    need_chromium()
    with Renderer() as renderer:
        png = print_map(ws, TAHUN, BULAN, "K4", fmt="png", renderer=renderer)
        pdf = print_map(ws, TAHUN, BULAN, "K4", PKM, fmt="pdf", renderer=renderer)
    assert png_size(png) == (round(A4_PX[0] * PNG_SCALE), round(A4_PX[1] * PNG_SCALE))
    _not_blank(Image.open(io.BytesIO(png)), least=0.15)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        path = tmp_path / "peta.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert "(A4)" in info and "Pages:           1" in info


def test_print_map_says_what_it_shows(ws: Workspace) -> None:
    fig = print_map_figure(ws, TAHUN, BULAN, "IDL", PKM, lang="id")
    go.Figure(fig.to_dict())  # a valid figure
    text = " ".join(str(a.text) for a in fig.layout.annotations)
    ind = service.workspace_data(ws).catalogue.indicators["IDL"]
    for part in (ind.nama_id, "Oktober 2025", "Bukit Sari", "Filter:", "Sumber:", "Data per", "▲"):
        assert part in text, part
    legend = [trace.name for trace in fig.data if trace.showlegend is not False and trace.name]
    table = overview.in_puskesmas(service.table(ws, TAHUN, BULAN, "IDL"), PKM)
    counts = table["status"].fillna("NO_DATA").value_counts()
    for status in ("Baik", "Kurang", "Cukup", "Jelek"):
        label = t(f"pws_page.status_{status.lower()}", "id")
        assert f"{label} ({int(counts.get(status, 0))})" in legend
    scale_text = [trace for trace in fig.data if trace.type == "scattergeo" and trace.mode == "text"][0]
    assert scale_text.text[0].endswith("km")


# ---------------------------------------------------------------------------------------------- the renderer


def test_warm_renderer_draws_a_figure_the_same_after_others() -> None:
    need_chromium()
    bar = go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2], marker_color="#1a9641"))
    geo = status_map(
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"kode_desa": "1"},
             "geometry": {"type": "Polygon", "coordinates": [[[110, -7], [110.1, -7], [110.1, -6.9], [110, -7]]]}}]},
        ["1"], [0], [LegendItem("Baik", STATUS_COLOURS["Baik"], 1)], (110, -7, 110.1, -6.9),
    )  # fmt: skip
    with Renderer() as renderer:
        first = renderer.render(Job(bar, 300, 200, 1))
        renderer.render(Job(geo, 300, 200, 1))
        renderer.render(Job(geo, 300, 200, 1, "pdf"))
        again = renderer.render_all([Job(bar, 300, 200, 1)])[0]
    assert first == again
    assert png_size(first) == (300, 200)


def test_renderer_without_a_browser_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "chromium_path", lambda: None)
    with pytest.raises(images.BrowserMissingError), Renderer():
        pass


# ---------------------------------------------------------------------------------------------- command line


def test_cli_rejects_unknown_kinds_and_areas(ws: Workspace, tmp_path: Path) -> None:
    base = ["rapat", "--workspace", str(ws.root), "--tahun", "2025", "--bulan", "10"]
    assert main([*base, "-o", str(tmp_path / "x.docx")]) == 2
    assert main([*base, "--puskesmas", "P000", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert main([*base, "--peta", "NOPE", "-o", str(tmp_path / "x.png")]) == 2
    assert main([*base, "--peta", "K4", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert main([*base[:-2], "--bulan", "13", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not list(tmp_path.iterdir())


def test_cli_writes_the_print_map(ws: Workspace, tmp_path: Path) -> None:
    need_chromium()
    out = tmp_path / "peta.png"
    assert main(["rapat", "--workspace", str(ws.root), "--peta", "k6", "-o", str(out)]) == 0
    assert png_size(out.read_bytes())[0] == round(A4_PX[0] * PNG_SCALE)


# ---------------------------------------------------------------------------------------------- pure helpers


def test_league_matrix_ranks_by_indicators_on_target_then_jelek_then_gap() -> None:
    keys = [("ibu_hamil", "A"), ("ibu_hamil", "B")]

    def rows(gaps: dict[str, float], statuses: dict[str, str]) -> pd.DataFrame:
        return pd.DataFrame(
            {"kode": list(gaps), "cakupan_kumulatif": [50.0 + g for g in gaps.values()],
             "kesenjangan": list(gaps.values()), "status": [statuses[k] for k in gaps],
             "status_target": ["Tercapai" if g >= 0 else "Tidak tercapai" for g in gaps.values()],
             "aturan_status": "pws4"}
        )  # fmt: skip

    frames = {
        "A": rows({"p1": 1.0, "p2": -5.0, "p3": -1.0, "p4": 2.0},
                  {"p1": "Baik", "p2": "Jelek", "p3": "Cukup", "p4": "Kurang"}),
        "B": rows({"p1": -3.0, "p2": 4.0, "p3": -2.0, "p4": 0.0},
                  {"p1": "Jelek", "p2": "Baik", "p3": "Cukup", "p4": "Baik"}),
    }  # fmt: skip
    order = [("p1", "Satu"), ("p2", "Dua"), ("p3", "Tiga"), ("p4", "Empat"), ("p5", "Lima")]
    matrix = league_matrix(keys, frames, order)
    # p4: 2 on target; p1, p2: 1 on target and 1 Jelek each, p2 has the larger mean gap (-0.5 vs -1.0);
    # p3: none on target, no Jelek; p5: no data at all
    assert matrix["kode"].tolist() == ["p4", "p2", "p1", "p3", "p5"]
    assert matrix["peringkat"].tolist() == [1, 2, 3, 4, 5]
    assert matrix.set_index("kode").loc["p4", "di_atas_target"] == 2
    assert matrix.set_index("kode").loc["p5", "A_status"] == "NO_DATA"
    assert matrix.set_index("kode").loc["p2", "B"] == pytest.approx(54.0)


def test_fit_table_makes_a_long_table_smaller_until_it_fits() -> None:
    rows = tuple((Cell("Nama desa yang cukup panjang sekali"), Cell("12,5%", numeric=True)) for _ in range(14))
    table = Table(("Desa", "Cakupan"), rows, (2.0, 1.0), font_pt=14)
    box = (0, 0, 3.0, 4.0)
    assert table_height(table, 3.0) > 4.0
    fitted = fit_table(table, box)
    assert fitted.font_pt < 14 and table_height(fitted, 3.0) <= 4.0 or fitted.font_pt == 9.0
    small = fit_table(Table(("A",), ((Cell("x"),),), (1.0,)), box)
    assert small.font_pt == 13.0
    assert table.align(1) == "right" and table.align(0) == "left"


def test_spread_labels_moves_overlapping_names_apart_only() -> None:
    bounds = (110.0, -7.0, 111.0, -6.0)
    labels = [MapLabel("Tanjung Harapan", 110.5, -6.5), MapLabel("Tanjung Harapan Timur", 110.52, -6.5),
              MapLabel("Jauh", 110.1, -6.1)]  # fmt: skip
    spread = spread_labels(labels, bounds)
    assert abs(spread[0].lat - spread[1].lat) >= 2 * 0.022 - 1e-9
    assert spread[2] == labels[2]
    assert [s.lon for s in spread] == [lab.lon for lab in labels]


def test_scale_bar_is_a_round_number_of_kilometres() -> None:
    assert nice_length_km(47.0) == 10.0
    assert nice_length_km(9.0) == 2.0
    assert nice_length_km(0.6) == pytest.approx(0.1)
    lons, lats, label = scale_bar((110.0, -7.2, 110.5, -6.8), "id")
    ends = [v for v in lons if v is not None]
    km = (max(ends) - min(ends)) * 111.32 * math.cos(math.radians(lats[3]))
    assert km == pytest.approx(10.0, rel=1e-6) and label == "10 km"
    assert max(v for v in lats if v is not None) < -7.2 + 0.05  # below the map's lower edge


def test_outline_lines_draw_every_ring_once() -> None:
    square = [[0, 0], [1, 0], [1, 1], [0, 0]]
    hole = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.4], [0.2, 0.2]]
    geojson = {"features": [
        {"geometry": {"type": "Polygon", "coordinates": [square, hole]}},
        {"geometry": {"type": "MultiPolygon", "coordinates": [[square], [hole]]}},
        {"geometry": None},
    ]}  # fmt: skip
    lons, lats = outline_lines(geojson)
    assert lons.count(None) == 4 and len(lons) == len(lats) == 4 * 5


def test_static_figures_are_valid_plotly(ws: Workspace) -> None:
    base = map_base(ws)
    assert base is not None and len(base.locations) == len(service.workspace_data(ws).wilayah)
    assert len(base.labels) == service.workspace_data(ws).wilayah["kode_puskesmas"].nunique()
    fig = status_map(base.geojson, base.locations, [0] * len(base.locations),
                     [LegendItem("Baik", STATUS_COLOURS["Baik"], len(base.locations))], base.bounds,
                     outline_geojson=base.outlines, labels=base.labels)  # fmt: skip
    go.Figure(fig.to_dict())


def test_slides_without_pictures_and_in_english(ws: Workspace) -> None:
    """Without boundaries (or a browser) the map slides say so instead of breaking; the pack speaks English on
    request. No browser needed: the slides are built without pictures."""
    from pws.report.pack import build_slides, collect

    data = collect(ws, TAHUN, BULAN, lang="en", quality=False)
    pack = Pack(data, build_slides(data, {}))
    deck = Presentation(io.BytesIO(write_pptx(pack)))
    titles = [_title(slide) for slide in deck.slides]
    assert titles[0] == t("rapat.judul_kabupaten", "en") and t("rapat.ikhtisar", "en") in titles
    missing = t("rapat.tanpa_gambar", "en")
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    keys = overview.key_indicators(ws, service.workspace_data(ws).catalogue)
    assert texts.count(missing) == len(stages(keys)) + 2 * len(keys)
    assert t("rapat.kelengkapan_tidak_ada", "en") in texts  # quality checks skipped


def test_network_slide_counts_desa_without_pustu_and_posyandu_reporting(ws: Workspace) -> None:
    """The network slide of the district pack against an independent count from jejaring.csv and the posyandu
    rows of the store (no browser needed)."""
    from pws.etl.store import Store
    from pws.report.pack import build_slides, collect, network_slides

    data = collect(ws, TAHUN, BULAN, lang="id", quality=False)
    slides = network_slides(data)
    assert len(slides) == 1 and slides[0].table is not None
    wilayah = service.workspace_data(ws).wilayah
    units = pd.read_csv(ws.root / "jejaring.csv", dtype=str, keep_default_na=False)
    units = units[units["kode_desa"].isin(set(wilayah["kode_desa"]))].drop_duplicates(["kode_desa", "jenis", "nama"])
    end = pd.Timestamp(TAHUN, BULAN, 1) + pd.offsets.MonthEnd(0)
    since = pd.to_datetime(units["aktif_sejak"].where(units["aktif_sejak"].str.len() != 4,
                                                      units["aktif_sejak"] + "-01-01"), errors="coerce")  # fmt: skip
    active = units[since.isna() | (since <= end)]
    served = set(active.loc[active["jenis"].isin(["pustu", "puskesmas"]), "kode_desa"])
    posyandu = active[active["jenis"] == "posyandu"]
    reported = Store.for_workspace(ws).posyandu_observations(tahun=TAHUN, bulan=BULAN)
    reported_names = set(zip(reported["kode_desa"], reported["posyandu"], strict=True))
    rows = {row[0].text: row for row in slides[0].table.rows}
    assert len(rows) == wilayah["kode_puskesmas"].nunique()
    for kode, group in wilayah.groupby("kode_puskesmas"):
        row = rows[str(group["nama_puskesmas"].iloc[0])]
        without = sorted(set(group["kode_desa"]) - served)
        names = sorted(wilayah.set_index("kode_desa").loc[without, "nama_desa"])
        mine = posyandu[posyandu["kode_desa"].isin(set(group["kode_desa"]))]
        n_reported = sum((k, n) in reported_names for k, n in zip(mine["kode_desa"], mine["nama"], strict=True))
        assert row[1].text == str(len(group)), kode
        assert row[2].text == str(len(without)), kode
        assert row[3].text == str(len(mine)), kode
        assert row[4].text == str(n_reported), kode
        assert row[6].text == (", ".join(names) or "–"), kode
    assert sum(int(r[2].text) for r in rows.values()) >= 3  # the demo plants desa without pustu
    # the slide is in the pack, before the reporting completeness
    kinds = [s.kind for s in build_slides(data, {})]
    assert kinds.index("jejaring") == kinds.index("kelengkapan") - 1
