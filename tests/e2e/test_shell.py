"""The shell in a real browser: the URL sets the filters, the filters rewrite the URL, the menu carries them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from tests.e2e.conftest import Server, choose, current_url, open_page, settle


def test_a_link_reproduces_the_view_and_filters_rewrite_the_url(page: Any) -> None:
    open_page(page, "/wilayah?tahun=2024&bulan=6&indikator=K1")
    assert "Juni" in page.inner_text("#shell-bulan")
    assert "K1" in page.inner_text("#shell-indikator") or "Kunjungan" in page.inner_text("#shell-indikator")
    # a filter change updates the page in place: the page is not rebuilt (a mark on its heading survives)
    page.evaluate("document.querySelector('.page h1').dataset.tanda = 'tetap'")
    choose(page, "shell-bulan", "Agustus")
    url = current_url(page)
    assert "bulan=8" in url and "tahun=2024" in url and "indikator=K1" in url
    assert page.evaluate("document.querySelector('.page h1').dataset.tanda") == "tetap"
    href = page.get_attribute("a.nav-link[href^='/wilayah']", "href")
    assert href is not None and "bulan=8" in href
    # the back button returns to the previous view
    page.go_back()
    settle(page)
    assert "Juni" in page.inner_text("#shell-bulan")


def test_a_desa_in_the_link_is_kept_with_its_puskesmas(page: Any, server: Server) -> None:
    wilayah = pd.read_csv(Path(server.root) / "wilayah.csv", dtype=str)
    desa = wilayah.iloc[15]
    open_page(page, f"/wilayah?tahun=2025&bulan=3&indikator=K4&desa={desa['kode_desa']}")
    settle(page)
    assert desa["nama_desa"] in page.inner_text("#shell-desa")
    assert desa["nama_puskesmas"] in page.inner_text("#shell-puskesmas")
    assert f"desa={desa['kode_desa']}" in current_url(page)
    choose(page, "shell-bulan", "April")
    assert f"puskesmas={desa['kode_puskesmas']}&desa={desa['kode_desa']}" in current_url(page)


def test_unknown_values_in_the_url_fall_back_to_defaults(page: Any) -> None:
    open_page(page, "/wilayah?tahun=abc&bulan=13&indikator=TIDAKADA&desa=xx")
    settle(page)
    assert "Oktober" in page.inner_text("#shell-bulan")  # newest month of the demo
