"""Exports are safe (issue 8, part 4): names planted in the master list and in file names never become formulas in
a CSV or Excel export, never become markup in the meeting pack's HTML/PDF, and the Dash pages render no data as
HTML. (The PWS page's CSV download is checked in a real browser in tests/e2e/test_export_safety.py.)"""

from __future__ import annotations

import csv
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pws.cli import main
from pws.config import Workspace
from pws.etl import input_files
from pws.report.excel import write_excel
from pws.report.pack import Cell, Pack, Slide, Table, collect
from pws.report.pdf import pack_html
from pws.safety import FORMULA_PREFIXES, neutralise, neutralise_frame

REPO = Path(__file__).resolve().parents[1]
HOSTILE = [
    '=HYPERLINK("http://x","a")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "\t=1+2",
]
TAHUN, BULAN = 2025, 6


def test_neutralise() -> None:
    for text in HOSTILE:
        safe = neutralise(text)
        dangerous = text.startswith(FORMULA_PREFIXES)
        assert safe == ("'" + text if dangerous else text)
    assert neutralise("Sukamaju") == "Sukamaju" and neutralise("") == ""
    frame = pd.DataFrame({"nama": ["=1", "a", None], "nilai": [-1.5, 2.0, 3.0], "n": [-1, 2, 3]})
    out = neutralise_frame(frame)
    assert out["nama"].tolist()[:2] == ["'=1", "a"] and pd.isna(out["nama"].iloc[2])
    assert out["nilai"].tolist() == [-1.5, 2.0, 3.0] and out["n"].tolist() == [-1, 2, 3]  # numbers stay numbers
    assert frame["nama"].iloc[0] == "=1"  # a copy


def plant(root: Path) -> dict[str, str]:
    """Hostile names for the first desa and the first puskesmas of the master list; code -> planted name."""
    path = root / "wilayah.csv"
    wilayah = pd.read_csv(path, dtype=str)
    planted = {}
    for i, name in enumerate(HOSTILE):
        wilayah.loc[i, "nama_desa"] = name
        planted[wilayah.loc[i, "kode_desa"]] = name
    first = wilayah.loc[0, "kode_puskesmas"]
    wilayah.loc[wilayah["kode_puskesmas"] == first, "nama_puskesmas"] = HOSTILE[0]
    planted[first] = HOSTILE[0]
    wilayah.to_csv(path, index=False)
    return planted


@pytest.fixture(scope="module")
def ws(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("aman") / "ws"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("cache", "unggah"))
    plant(root)
    return Workspace(root)


def csv_cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_no_formula(cells: list[str]) -> None:
    for cell in cells:
        if cell.startswith(FORMULA_PREFIXES):
            float(cell)  # only a number may begin with - or + (a number is not a formula)


def test_cli_status_csv(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "status.csv"
    assert main(["status", "--workspace", str(ws.root), "--tahun", str(TAHUN), "--bulan", str(BULAN),
                 "--indikator", "K4", "-o", str(out)]) == 0  # fmt: skip
    cells = csv_cells(out)
    assert_no_formula(cells)
    for name in HOSTILE:
        assert neutralise(name.strip()) in cells  # the planted names are there (as the master list reads them), as text


def test_cli_tidy_csv_with_hostile_file_names(ws: Workspace, tmp_path: Path) -> None:
    # a report of a puskesmas whose name was left alone (the planted one is no longer recognised in its reports)
    report = sorted(p for p in input_files([ws.laporan_dir]) if p.name.startswith("IMUNISASI_BUKIT_SARI"))[0]
    names = [f"{prefix}_{report.name}" for prefix in ("@SUM(1)", "+cmd", "=1+2")]  # the period stays in the name
    copies = []
    for name in names:
        copies.append(tmp_path / name)
        shutil.copy(report, copies[-1])
    out = tmp_path / "tidy.csv"
    code = main(["tidy", *map(str, copies), "--wilayah", str(ws.root / "wilayah.csv"), "-o", str(out)])
    assert code in (0, 1)  # 1: the demo's reports carry planted problems
    cells = csv_cells(out)
    assert_no_formula(cells)
    assert {neutralise(n) for n in names} <= set(cells)


def test_excel_pack_has_no_formula(ws: Workspace) -> None:
    data = collect(ws, TAHUN, BULAN, lang="id", quality=False).wait()
    book = openpyxl.load_workbook(io.BytesIO(write_excel(data)))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_PREFIXES), (sheet.title, cell.coordinate, cell.value)
    assert any(neutralise(HOSTILE[0]) in text for text in texts)  # the planted puskesmas name is there, as text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_meeting_pack_html_escapes_names(ws: Workspace) -> None:
    data = collect(ws, TAHUN, BULAN, lang="id", quality=False)
    table = Table(
        header=("Desa", "Puskesmas"),
        rows=tuple((Cell(text=name), Cell(text=HOSTILE[0], numeric=True)) for name in HOSTILE),
        widths=(1.0, 1.0),
    )
    slides = [
        Slide(kind="judul", title=HOSTILE[4], subtitle=HOSTILE[5], lines=(HOSTILE[5], HOSTILE[4])),
        Slide(kind="pws", title=HOSTILE[5], subtitle=HOSTILE[4], table=table, note=HOSTILE[4], lines=(HOSTILE[5],)),
    ]
    document = pack_html(Pack(data=data, slides=slides))
    parsed = _Elements()
    parsed.feed(document)
    assert "script" not in parsed.tags and "onerror" not in parsed.attrs
    assert "img" not in parsed.tags  # no picture in these slides: any <img> would be a planted one
    text = "".join(parsed.text)
    assert HOSTILE[4] in text and HOSTILE[5] in text  # shown as text


def test_dash_pages_render_no_data_as_html() -> None:
    """No component renders HTML from a string: no ``dangerously_allow_html``, no Markdown with HTML enabled, no
    ``Iframe(srcDoc=...)``; AG Grid cells render as text (no ``dangerously_allow_code``)."""
    sources = [*(REPO / "layouts").glob("*.py"), *(REPO / "callbacks").glob("*.py"), REPO / "app.py"]
    for path in sources:
        code = path.read_text(encoding="utf-8")
        for pattern in (r"dangerously_allow_html\s*=\s*True", r"dangerously_allow_code\s*=\s*True", r"srcDoc\s*="):
            assert not re.search(pattern, code), (path.name, pattern)
    for path in (REPO / "layouts" / "assets").glob("*.js"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"\.innerHTML\s*=(?!=)", code), path.name
