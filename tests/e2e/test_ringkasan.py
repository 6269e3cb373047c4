"""Ringkasan in a real browser: the home page, a card per life stage with the service's numbers, the puskesmas
league, the desa needing attention, the month filter, a click through to the PWS page and into one puskesmas."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from pws import service
from pws.analysis import overview
from pws.config import Workspace
from pws.figures.theme import format_pct
from tests.e2e.conftest import Server, choose, current_url, open_page, settle, shot


def _big_number(page: Any, code: str) -> str:
    """The coverage shown on the card block of indicator ``code``."""
    for link in page.locator("a.rk-ind").all():
        query = parse_qs(urlparse(link.get_attribute("href") or "").query)
        if query.get("indikator") == [code]:
            return str(link.locator(".rk-big").inner_text()).strip()
    raise AssertionError(f"no card for {code}")


def _coverage(ws: Workspace, bulan: int, code: str) -> str:
    row = service.aggregate_table(ws, 2025, bulan, code, "kabupaten").iloc[0]
    return format_pct(row["cakupan_kumulatif"])


def test_the_home_page_is_the_overview(page: Any) -> None:
    open_page(page, "/")
    assert urlparse(current_url(page)).path == "/ringkasan"
    page.wait_for_selector(".rk-card .rk-big")
    assert "Ringkasan" in page.inner_text("h1")


def test_cards_league_and_attention_show_the_service_numbers(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    catalogue = service.workspace_data(ws).catalogue
    keys = overview.key_indicators(catalogue)
    open_page(page, "/ringkasan?tahun=2025&bulan=6")
    page.wait_for_selector(".rk-card .rk-big")
    assert "Juni 2025" in page.inner_text("h1")

    cards = page.locator(".rk-card")
    assert cards.count() == len(catalogue.tahap)
    for i, (_, nama_id, _) in enumerate(catalogue.tahap):
        text = cards.nth(i).inner_text()
        assert nama_id.upper() in text.upper() and "%" in cards.nth(i).locator(".rk-big").first.inner_text()
    assert page.locator("a.rk-ind").count() == len(keys)
    for _, code in keys:
        assert _big_number(page, code) == _coverage(ws, 6, code), code

    league = page.locator(".rk-league tbody tr")
    assert league.count() == 10
    expected = overview.league(service.aggregate_table(ws, 2025, 6, "K4", "puskesmas"))
    assert expected["nama"].iloc[0] in league.nth(0).inner_text()
    assert expected["nama"].iloc[-1] in league.nth(9).inner_text()

    attention = page.locator(".rk-attention tbody tr")
    assert 0 < attention.count() <= overview.ATTENTION_N
    first = overview.attention(service.table(ws, 2025, 6, "K4")).iloc[0]
    assert first["nama_desa"] in attention.nth(0).inner_text()
    assert f"kurang {int(first['kesenjangan_orang'])} orang" in attention.nth(0).inner_text()
    shot(page, "ringkasan")

    june = _big_number(page, "K6")
    choose(page, "shell-bulan", "Maret")
    page.wait_for_function("document.querySelector('h1').innerText.includes('Maret')")
    march = _coverage(ws, 3, "K6")
    assert march != june  # the demo's coverage grows over the year: the check below sees a change
    assert _big_number(page, "K6") == march

    for link in page.locator("a.rk-ind").all():
        if parse_qs(urlparse(link.get_attribute("href") or "").query).get("indikator") == ["IDL"]:
            link.click()
            break
    page.wait_for_url("**/pws?**")
    query = parse_qs(urlparse(current_url(page)).query)
    assert urlparse(current_url(page)).path == "/pws"
    assert query["indikator"] == ["IDL"] and query["bulan"] == ["3"] and query["tahun"] == ["2025"]


def test_a_puskesmas_in_the_league_opens_its_own_overview(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    open_page(page, "/ringkasan?tahun=2025&bulan=6&indikator=K4")
    page.wait_for_selector(".rk-league tbody tr")
    first = page.locator(".rk-league tbody tr").nth(0).locator("a")
    name = first.inner_text().strip()
    first.click()
    page.wait_for_function(f"document.querySelector('h1').innerText.includes({name!r})")
    settle(page)
    kode = parse_qs(urlparse(current_url(page)).query)["puskesmas"][0]
    wilayah = service.workspace_data(ws).wilayah
    own = wilayah[wilayah["kode_puskesmas"] == kode]
    assert page.locator(".rk-league tbody tr").count() == len(own)
    shown = set(page.locator(".rk-league tbody td.name").all_inner_texts())
    assert {s.strip() for s in shown} == set(own["nama_desa"])
    reported = page.locator(".rk-reported").first.inner_text()
    assert f"dari {len(own)} desa" in reported
