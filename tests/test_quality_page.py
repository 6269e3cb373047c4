"""The dashboard side of the data-quality report: the cached report (pws.service.quality_report), the marks on
values that failed a check (pws.quality.marks), the rows, cards and indicator table of the Kualitas data page, and
the /berkas/<id> route that serves the archived original of a finding's file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pws import service
from pws.config import Workspace
from pws.etl.store import Store
from pws.quality import FINDING_COLUMNS, QualityReport, QualitySettings, check_workspace
from pws.quality.marks import (
    archived_file,
    file_ids,
    findings_rows,
    flagged_values,
    indicator_marks,
    indicator_month,
    score_cards,
    source_markdown,
)

TAHUN, BULAN = 2025, 10


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
def report(ws: Workspace) -> QualityReport:
    found = service.quality_report(ws, TAHUN, BULAN)
    assert found is not None
    return found


def _desa(ws: Workspace, nama: str) -> str:
    wilayah = service.workspace_data(ws).wilayah
    return str(wilayah.loc[wilayah["nama_desa"] == nama, "kode_desa"].iloc[0])


def _one(report: QualityReport, **where: Any) -> pd.Series:
    rows = report.findings
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


# ---------------------------------------------------------------------------------------------- the cache


def test_the_report_is_the_library_report_cached_per_month_and_language(
    ws: Workspace, report: QualityReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    direct = check_workspace(ws, TAHUN, BULAN, store=service.store(ws), data=service.workspace_data(ws))
    pd.testing.assert_frame_equal(report.findings.drop(columns="params"), direct.findings.drop(columns="params"))
    pd.testing.assert_frame_equal(report.completeness, direct.completeness)
    assert service.quality_report(ws, TAHUN, BULAN) is report  # cached
    assert service.quality_report(ws, TAHUN, BULAN, wait=False) is report
    assert service.quality_report(ws, TAHUN, 4, wait=False) is None  # never computed: not computed now either

    pkm = str(report.completeness["kode_puskesmas"].iloc[0])
    one = service.quality_report(ws, TAHUN, BULAN, pkm)
    assert one is not None and one is not report and one.kode_puskesmas == pkm
    assert set(one.findings["kode_puskesmas"].dropna()) <= {pkm}
    mine = report.findings["kode_puskesmas"].isna() | (report.findings["kode_puskesmas"] == pkm)
    assert len(one.findings) == int(mine.sum())
    assert set(one.completeness["kode_puskesmas"]) == {pkm}

    monkeypatch.setenv("PWS_LANG", "en")
    english = service.quality_report(ws, TAHUN, BULAN)
    assert english is not None and english is not report
    assert english.lang == "en" and len(english.findings) == len(report.findings)
    assert list(english.findings["pesan"]) != list(report.findings["pesan"])


def test_two_callers_at_once_compute_the_report_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = service.run_checks

    def counted(*args: Any, **kwargs: Any) -> QualityReport:
        calls.append(1)
        time.sleep(0.3)  # long enough for the second caller to arrive while the first computes
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "run_checks", counted)
    results: list[QualityReport | None] = []
    threads = [threading.Thread(target=lambda: results.append(service.quality_report(ws, TAHUN, 5))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 2 and results[0] is results[1] is not None


# ---------------------------------------------------------------------------------------------- marks


def test_an_outlier_marks_its_desa_in_its_month_and_the_cumulative_months_after(ws: Workspace) -> None:
    july = service.quality_report(ws, TAHUN, 7)
    assert july is not None
    outlier = _one(july, kode="pencilan", indikator="KN1", bulan=7, nama_desa="Batu Sari")
    desa = str(outlier["kode_desa"])
    assert desa == _desa(ws, "Batu Sari")
    month = flagged_values(july, "KN1", 7)
    assert outlier["pesan"] in month[desa]
    # only findings of July about KN1 mark a desa in the month view
    rows = july.findings[(july.findings["bulan"] == 7) & july.findings["kode_desa"].notna()]
    about = rows[rows["indikator"] == "KN1"]
    assert set(month) == set(about["kode_desa"])
    assert flagged_values(july, "KN1", 6).get(desa) is None
    assert flagged_values(july, "K4", 7).get(desa) is None  # another indicator
    # a cumulative view of a later month still contains July's value
    october = service.quality_report(ws, TAHUN, 10)
    assert october is not None
    kn1 = service.workspace_data(ws).catalogue.indicators["KN1"]
    assert outlier["pesan"] in indicator_marks(october, kn1, 10)[desa]
    assert outlier["pesan"] not in flagged_values(october, "KN1", 10).get(desa, [])  # the month alone


def test_a_cascade_marks_both_steps_and_a_missing_sasaran_marks_its_indicators(
    ws: Workspace, report: QualityReport
) -> None:
    cascade = _one(report, kode="kaskade_terbalik", indikator="K4")
    desa, month = str(cascade["kode_desa"]), int(cascade["bulan"])
    assert cascade["params"]["hulu"] == "K1"
    for code in ("K4", "K1"):
        assert cascade["pesan"] in flagged_values(report, code, month)[desa]
    assert desa not in flagged_values(report, "K6", month)

    missing = _one(report, kode="desa_tanpa_sasaran")
    jenis = missing["params"]["jenis"]
    catalogue = service.workspace_data(ws).catalogue
    uses = [ind for ind in catalogue.indicators.values() if ind.sasaran == jenis]
    other = next(ind for ind in catalogue.indicators.values() if ind.sasaran != jenis)
    assert uses, jenis
    for ind in uses:
        assert missing["pesan"] in indicator_marks(report, ind, 3)[str(missing["kode_desa"])]
    assert str(missing["kode_desa"]) not in indicator_marks(report, other, 3)


def test_marks_name_only_desa_and_follow_the_related_indicators_of_a_finding() -> None:
    findings = pd.DataFrame(
        [
            {"kode": "melebihi_sasaran", "kode_desa": "D1", "indikator": "PN", "tahun": 2025, "bulan": 4,
             "pesan": "PN di atas sasaran", "params": {"jenis": "BULIN", "lainnya": "KF1, PF"}},
            {"kode": "laporan_tidak_ada", "kode_desa": None, "indikator": None, "tahun": 2025, "bulan": 4,
             "pesan": "laporan tidak ada", "params": {}},
            {"kode": "pencilan", "kode_desa": "D2", "indikator": "KF1", "tahun": 2024, "bulan": 4,
             "pesan": "tahun lalu", "params": {}},
            {"kode": "pencilan", "kode_desa": "D1", "indikator": "KF1", "tahun": 2025, "bulan": 2,
             "pesan": "Februari", "params": {}},
        ]
    ).reindex(columns=FINDING_COLUMNS)  # fmt: skip
    findings["tahun"] = findings["tahun"].astype("Int64")
    findings["bulan"] = findings["bulan"].astype("Int64")
    empty = pd.DataFrame()
    report = QualityReport(2025, [1, 2, 3, 4], QualitySettings(), empty, empty, findings, empty, empty)
    assert flagged_values(report, "KF1", 4) == {"D1": ["PN di atas sasaran"]}
    assert flagged_values(report, "KF1", 4, cumulative=True) == {"D1": ["Februari", "PN di atas sasaran"]}
    assert flagged_values(report, "PF", 4) == {"D1": ["PN di atas sasaran"]}
    assert flagged_values(report, "K1", 4) == {}


# ---------------------------------------------------------------------------------------------- page rows


def test_file_ids_prefer_the_newest_ingest_that_stored_values() -> None:
    files = pd.DataFrame(
        {
            "id": [9, 7, 5, 3, 2],
            "nama_file": ["a.xlsx", "a.xlsx", "b.xlsx", "a.xlsx", "c.xlsx"],
            "status": ["gagal", "ganti", "gagal", "baru", "baru"],
            "arsip": ["aa/x.xlsx", "aa/y.xlsx", "bb/z.xlsx", "aa/w.xlsx", None],
        }
    )
    assert file_ids(["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx", None, ""], files) == [7, 5, None, None, None, None]
    assert file_ids(["a.xlsx"], files.iloc[0:0]) == [None]


def test_source_is_markdown_with_the_file_linked_and_its_text_escaped() -> None:
    text = source_markdown("Lap [KIA]_*2025*.xlsx", "MAR 2025", "K11", 12)
    assert text == r"[Lap \[KIA\]\_\*2025\*\.xlsx](/berkas/12)!MAR 2025!K11"
    assert source_markdown("sasaran.csv", None, None, None) == r"sasaran\.csv"
    assert source_markdown(None, None, None, None) == ""


def test_findings_rows_errors_first_with_links_to_stored_files(ws: Workspace, report: QualityReport) -> None:
    files = service.store(ws).files()
    rows = findings_rows(report, files, lang="id")
    assert len(rows) == len(report.findings)
    rank = {"error": 0, "warning": 1, "info": 2}
    assert [rank[r["tingkat_key"]] for r in rows] == sorted(rank[r["tingkat_key"]] for r in rows)
    assert rows[0]["tingkat"] == "Galat"
    by_name = dict(zip(files["nama_file"], files["id"], strict=False))
    linked = [r for r in rows if r["berkas_id"] is not None]
    assert linked, "the demo's findings name stored files"
    for row in linked:
        assert files.loc[files["id"] == row["berkas_id"], "nama_file"].iloc[0] == row["berkas"]
        assert f"(/berkas/{row['berkas_id']})" in row["asal"]
    for row in rows:
        if row["berkas"] and row["berkas"] not in by_name:
            assert row["berkas_id"] is None and "/berkas/" not in row["asal"]
    late = findings_rows(report, files, check="laporan_terlambat")
    assert len(late) == int((report.findings["kode"] == "laporan_terlambat").sum()) > 0
    assert {r["cek"] for r in late} == {"Laporan terlambat"}


def test_score_cards_worst_first_and_explained(report: QualityReport) -> None:
    cards = score_cards(report)
    means = report.puskesmas_scores().set_index("kode_puskesmas")
    assert [c.kode for c in cards] and len(cards) == len(means)
    assert [c.skor for c in cards] == sorted(c.skor for c in cards)
    for card in cards:
        assert card.skor == pytest.approx(float(means.loc[card.kode, "skor"]))
        assert 100 - card.skor == pytest.approx(sum(p for _, p in card.dimensi), abs=0.05 * 5)
        assert [p for _, p in card.dimensi] == sorted((p for _, p in card.dimensi), reverse=True)
        month = report.scores[(report.scores["kode_puskesmas"] == card.kode) & (report.scores["bulan"] == BULAN)]
        assert card.skor_bulan == pytest.approx(float(month["skor"].iloc[0]))
        assert sum(p for _, p, _ in card.cek) == pytest.approx(100 - card.skor, abs=0.05 * 10)
    missing = next(c for c in cards if any(code == "laporan_tidak_ada" for code, _, _ in c.cek))
    assert missing.dimensi[0][0] == "kelengkapan" or "kelengkapan" in dict(missing.dimensi)


def test_indicator_month_counts_desa_with_a_value(ws: Workspace, report: QualityReport) -> None:
    september = indicator_month(report, 9)
    frame = report.indicator_completeness
    for row in september.head(5).to_dict("records"):
        month = frame[(frame["indikator"] == row["indikator"]) & (frame["bulan"] == 9)]
        assert row["desa_dengan_nilai"] == int(month["desa_dengan_nilai"].sum())
        assert row["persen"] == pytest.approx(100.0 * row["desa_dengan_nilai"] / row["desa_total"])
    assert list(september["persen"]) == sorted(september["persen"])
    # September: Mekar Jaya sent neither its KIA nor its immunisation report, so its desa have no K4 or BCG
    wilayah = service.workspace_data(ws).wilayah
    mekar_jaya = int((wilayah["nama_puskesmas"] == "Mekar Jaya").sum())
    by_code = september.set_index("indikator")
    for code in ("K4", "BCG"):
        assert by_code.loc[code, "desa_dengan_nilai"] == len(wilayah) - mekar_jaya
        assert by_code.loc[code, "persen"] < 100


# ---------------------------------------------------------------------------------------------- /berkas/<id>


@pytest.fixture(scope="module")
def client(ws: Workspace):  # type: ignore[no-untyped-def]
    """The Flask test client of the process's Dash app (reused when an earlier test made one), serving the
    ingested demo."""
    from dash import _get_app

    app = _get_app.APP
    if app is None:
        from app import create_app

        app = create_app(ws, warm=False)
    service.configure(ws)
    return app.server.test_client()


def test_route_serves_the_archived_original_under_its_name(ws: Workspace, client: Any) -> None:
    files = service.store(ws).files()
    stored = files[files["status"] == "baru"].iloc[0]
    original = next(ws.laporan_dir.rglob(stored["nama_file"]))  # the file the demo wrote and ingest read
    response = client.get(f"/berkas/{int(stored['id'])}")
    assert response.status_code == 200
    assert response.get_data() == original.read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and stored["nama_file"].split(".")[0].split(" ")[0] in disposition


def test_route_answers_404_for_unknown_ids_and_never_reads_a_path(ws: Workspace, client: Any) -> None:
    files = service.store(ws).files()
    assert client.get(f"/berkas/{int(files['id'].max()) + 1}").status_code == 404
    assert client.get("/berkas/0").status_code == 404
    secret = (ws.root / "wilayah.csv").read_bytes()[:40]
    for path in ("/berkas/..%2F..%2Fwilayah.csv", "/berkas/../../wilayah.csv", "/berkas/-1", "/berkas/1.5"):
        response = client.get(path)
        assert secret not in response.get_data()
        assert "attachment" not in response.headers.get("Content-Disposition", "")


class _FakeStore:
    """A store whose ingest log points outside its archive (as a tampered database would)."""

    def __init__(self, archive: Path, arsip: str) -> None:
        self.archive_dir = archive
        self._arsip = arsip

    def files(self) -> pd.DataFrame:
        return pd.DataFrame({"id": [1], "nama_file": ["x.xlsx"], "arsip": [self._arsip]})


def test_archived_file_stays_inside_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "arsip"
    (archive / "ab").mkdir(parents=True)
    (archive / "ab" / "abc.xlsx").write_bytes(b"isi")
    (tmp_path / "rahasia.csv").write_text("kode_desa")
    inside: Any = _FakeStore(archive, "ab/abc.xlsx")
    assert archived_file(inside, 1) == ((archive / "ab" / "abc.xlsx").resolve(), "x.xlsx")
    assert archived_file(inside, 2) is None
    for arsip in ("../rahasia.csv", str(tmp_path / "rahasia.csv"), "ab/hilang.xlsx", ""):
        outside: Any = _FakeStore(archive, arsip)
        assert archived_file(outside, 1) is None, arsip


def test_archived_file_of_the_real_store(ws: Workspace) -> None:
    with Store.for_workspace(ws) as store:
        files = store.files()
        first = files.iloc[-1]
        found = archived_file(store, int(first["id"]))
    assert found is not None
    path, name = found
    assert name == first["nama_file"] and path.is_file()
    assert path.read_bytes() == next(ws.laporan_dir.rglob(name)).read_bytes()
