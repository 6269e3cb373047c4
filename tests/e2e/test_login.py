"""Server mode in a real browser: a puskesmas user signs in through the form, sees only its own desa on the map
and in the PWS table (the puskesmas filter locked to its own, no Unggah in the menu), and signs out."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import AUTH_PASSWORD, AuthServer, settle


def _sign_in(tab: Any, path: str, nama: str) -> None:
    tab.goto(path)
    tab.wait_for_selector("form[action='/login']")
    assert "/login?next=" in tab.url
    tab.fill("input[name=nama]", nama)
    tab.fill("input[name=sandi]", AUTH_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_selector(".topbar")
    settle(tab, 120_000)  # the first views of a fresh server fill its caches


def test_puskesmas_user_sees_only_its_own_desa_then_signs_out(auth_page: Any, auth_server: AuthServer) -> None:
    tab = auth_page
    _sign_in(tab, "/peta", "pkm")
    assert tab.evaluate("window.location.pathname") == "/peta"
    assert tab.locator(".user-badge .user-name").inner_text() == "pkm"
    assert tab.locator("a.nav-link[href^='/unggah']").count() == 0
    assert tab.locator("#shell-puskesmas").first.is_disabled() or tab.locator("#shell-puskesmas [disabled]").count()

    tab.wait_for_function(
        "document.querySelector('#peta-choropleth .js-plotly-plot')?.data?.length > 0", timeout=120_000
    )
    locations = tab.evaluate("Array.from(document.querySelector('#peta-choropleth .js-plotly-plot').data[0].locations)")
    assert sorted(locations) == auth_server.desa  # the map holds its own desa, no others

    # a page opened without a puskesmas (the whole kabupaten, for others) shows the user's own puskesmas
    tab.goto("/pws")
    tab.wait_for_selector("#pws-tabel .ag-row", timeout=120_000)
    settle(tab, 120_000)
    shown = tab.evaluate(
        "Array.from(document.querySelectorAll('#pws-tabel .ag-center-cols-container .ag-row'))"
        ".map(r => r.getAttribute('row-id'))"
    )
    assert shown and set(shown) <= set(auth_server.desa)

    tab.click(".user-badge button[type=submit]")
    tab.wait_for_selector("form[action='/login']")
    tab.goto("/peta")
    tab.wait_for_selector("form[action='/login']")  # signed out: back to the form
