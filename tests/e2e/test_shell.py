"""The shell in a real browser: the URL sets the filters, the filters rewrite the URL, the menu carries them."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import choose, open_page, settle


def test_a_link_reproduces_the_view_and_filters_rewrite_the_url(page: Any) -> None:
    open_page(page, "/wilayah?tahun=2024&bulan=6&indikator=K1")
    assert "Juni" in page.inner_text("#shell-bulan")
    assert "K1" in page.inner_text("#shell-indikator") or "Kunjungan" in page.inner_text("#shell-indikator")
    choose(page, "shell-bulan", "Agustus")
    assert "bulan=8" in page.url and "tahun=2024" in page.url and "indikator=K1" in page.url
    href = page.get_attribute("a.nav-link[href^='/wilayah']", "href")
    assert href is not None and "bulan=8" in href


def test_unknown_values_in_the_url_fall_back_to_defaults(page: Any) -> None:
    open_page(page, "/wilayah?tahun=abc&bulan=13&indikator=TIDAKADA&desa=xx")
    settle(page)
    assert "Oktober" in page.inner_text("#shell-bulan")  # newest month of the demo
