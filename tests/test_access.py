"""Roles enforced on the server, tried the way an attacker would: the documented gunicorn command serving a copy
of the ingested demo with login on, and direct HTTP requests to every callback the app registers (read from
``/_dash-dependencies``, so a callback added later is tried too — or fails :func:`test_every_callback_is_classified`
until it is classified here) and to every download route."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from pws import auth
from pws.config import Workspace
from pws.etl.store import Store, berkas
from pws.workspace import load_workspace

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "sandi-uji-akses"
#: stores whose value is a view dict carrying "puskesmas" and "desa" (the shell's filters and the page stores
#: that copy them)
VIEW_STORES = {"shell-filters", "peta-tergambar", "peta-panel-kunci", "kualitas-tergambar", "kualitas-terdaftar"}
#: server callbacks that carry no area (their outputs show nothing of another puskesmas by construction)
UNSCOPED = {
    "pws-tabel.dashGridOptions",  # the quick-filter text
    "pws-tabel.exportDataAsCsv",  # exports the grid the user already has
    "pws-tabel-posyandu.exportDataAsCsv",  # the same for the posyandu table
    "jejaring-celah.exportDataAsCsv",  # the same for the Jejaring page's grids
    "jejaring-belum-lapor.exportDataAsCsv",
    "shell-alert.children",  # closes the error alert
    "_pages_content.children",  # the page layout: the URL's query is clamped by pws.viewstate (tested below)
}
#: the Unggah page's callbacks: admin only
ADMIN_ONLY_PREFIX = "unggah-"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    url: str
    root: Path
    own: str  # the puskesmas user's puskesmas
    other: str
    own_desa: list[str]
    other_desa: str
    log: Path


@pytest.fixture(scope="session")
def site(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The documented production command (gunicorn, 2 workers) with PWS_AUTH=1 on a copy of the ingested demo,
    with an admin, a dinkes and a puskesmas user."""
    pytest.importorskip("gunicorn")
    root = tmp_path_factory.mktemp("akses") / "ws"
    shutil.copytree(demo_store, root)
    ws = Workspace(root)
    wilayah = load_workspace(ws).wilayah
    store = Store.for_workspace(ws)
    with store.engine.connect() as conn:
        with_files = [r[0] for r in conn.execute(sa.select(berkas.c.kode_puskesmas).distinct()) if r[0]]
    single = sorted(c for c in with_files if "," not in c)
    own, other = single[0], single[1]
    codes = set(wilayah["kode_puskesmas"])
    auth.add_user(store, "admin", PASSWORD, "admin")
    auth.add_user(store, "dinkes", PASSWORD, "dinkes")
    auth.add_user(store, "pkm", PASSWORD, "puskesmas", own, codes)
    store.close()
    own_desa = sorted(wilayah.loc[wilayah["kode_puskesmas"] == own, "kode_desa"])
    other_desa = str(wilayah.loc[wilayah["kode_puskesmas"] == other, "kode_desa"].iloc[0])
    port = _free_port()
    log = root.parent / "gunicorn.log"
    env = {**os.environ, "PWS_WORKSPACE": str(root), "PWS_AUTH": "1", "PWS_LANG": "id"}
    env.pop(auth.SECRET_ENV, None)  # the workers must share the generated key file
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
               "app:create_server()"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{url}/login", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    yield Site(url, root, own, other, own_desa, other_desa, log)
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def login(site: Site, nama: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{site.url}/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = session.post(f"{site.url}/login", data={"csrf": token, "nama": nama, "sandi": PASSWORD, "next": "/"},
                            allow_redirects=False)  # fmt: skip
    assert response.status_code == 302, response.text
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    session.headers["Origin"] = site.url
    return session


@pytest.fixture(scope="session")
def pkm(site: Site) -> requests.Session:
    return login(site, "pkm")


@pytest.fixture(scope="session")
def callbacks(pkm: requests.Session, site: Site) -> list[dict[str, Any]]:
    """Every server-side callback of the running app."""
    deps = pkm.get(f"{site.url}/_dash-dependencies").json()
    return [d for d in deps if not d.get("clientside_function")]


# ---------------------------------------------------------------------------------------------- request building


def _outputs(spec: str) -> list[dict[str, str]] | dict[str, str]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    outs = [{"id": p.split(".", 1)[0], "property": p.split(".", 1)[1]} for p in parts]
    return outs if spec.startswith("..") else outs[0]


def _ids(entries: list[dict[str, Any]]) -> set[str]:
    return {str(e["id"]) for e in entries}


def _view(pkm: str | None, desa: str | None) -> dict[str, Any]:
    return {"tahun": 2025, "bulan": 6, "indikator": "K4", "puskesmas": pkm, "desa": desa, "mode": "status",
            "street": False, "lang": "id", "check": None, "version": 0}  # fmt: skip


def _value(cid: str, prop: str, pkm: str | None, desa: str | None) -> Any:
    """A value for one input or state naming the area (pkm, desa); None for inputs that name no area."""
    if cid in VIEW_STORES and prop == "data":
        return _view(pkm, desa)
    if cid == "shell-puskesmas":
        return pkm
    if cid == "shell-desa":
        return desa
    if cid == "peta-choropleth" and prop == "clickData":
        return {"points": [{"location": desa, "curveNumber": 0}]} if desa else None
    if cid == "shell-url":
        return f"?puskesmas={pkm}" if pkm else ""
    if cid == "peta-warna":
        return "status"
    return None


def _entry(dep: dict[str, Any], pkm: str | None, desa: str | None) -> dict[str, Any] | list[dict[str, Any]]:
    cid, prop = dep["id"], dep["property"]
    if cid.startswith("{"):  # a pattern (ALL): one concrete component naming the area
        pattern = json.loads(cid)
        kode = desa if pattern["type"] == "peta-pilih" else pkm
        concrete = {k: (v if not isinstance(v, list) else None) for k, v in pattern.items()}
        concrete.update({"kode": kode or "", **({"level": "desa"} if "level" in pattern else {}),
                         **({"asal": "kartu"} if "asal" in pattern else {})})  # fmt: skip
        return [{"id": concrete, "property": prop, "value": 1}]
    return {"id": cid, "property": prop, "value": _value(cid, prop, pkm, desa)}


def call(
    session: requests.Session, site: Site, cb: dict[str, Any], pkm: str | None, desa: str | None
) -> requests.Response:
    body = {
        "output": cb["output"],
        "outputs": _outputs(cb["output"]),
        "inputs": [_entry(d, pkm, desa) for d in cb["inputs"]],
        "state": [_entry(d, pkm, desa) for d in cb["state"]],
        "changedPropIds": [],
    }
    return session.post(f"{site.url}/_dash-update-component", json=body, timeout=120)


def _carries_area(cb: dict[str, Any]) -> bool:
    ids = _ids(cb["inputs"]) | _ids(cb["state"])
    return bool(ids & (VIEW_STORES | {"shell-puskesmas", "shell-desa", "peta-choropleth"})) or any(
        i.startswith("{") and '"kode"' in i for i in ids
    )


def _has_view_store(cb: dict[str, Any]) -> bool:
    return bool((_ids(cb["inputs"]) | _ids(cb["state"])) & VIEW_STORES)


def _admin_only(cb: dict[str, Any]) -> bool:
    return ADMIN_ONLY_PREFIX in cb["output"] or any(
        i.startswith(ADMIN_ONLY_PREFIX) for i in _ids(cb["inputs"]) | _ids(cb["state"])
    )


def _name(cb: dict[str, Any]) -> str:
    return re.sub(r"@[0-9a-f]+", "", cb["output"]).strip(".").split("...")[0]


# ---------------------------------------------------------------------------------------------- every callback


def test_every_callback_is_classified(callbacks: list[dict[str, Any]], site: Site) -> None:
    """Each server callback either names an area (tried with other areas below), is admin-only, or is listed in
    UNSCOPED after checking that it shows nothing of another puskesmas."""
    unclassified = [
        cb["output"] for cb in callbacks if not (_carries_area(cb) or _admin_only(cb) or _name(cb) in UNSCOPED)
    ]
    assert not unclassified, f"classify these callbacks in tests/test_access.py: {unclassified}"
    assert len(callbacks) >= 20, site.log.read_text(errors="replace")[-3000:]


def test_a_puskesmas_user_can_call_every_callback_only_for_its_own_area(
    pkm: requests.Session, site: Site, callbacks: list[dict[str, Any]]
) -> None:
    mine = site.own_desa[0]
    tried = 0
    for cb in callbacks:
        if _admin_only(cb) or not _carries_area(cb):
            continue
        tried += 1
        own = call(pkm, site, cb, site.own, mine)
        assert own.status_code in (200, 204), (cb["output"], own.status_code, own.text[:300])
        other = call(pkm, site, cb, site.other, site.other_desa)
        assert other.status_code == 403, (cb["output"], other.status_code)
        assert "puskesmas Anda sendiri" in other.text
        other_desa = call(pkm, site, cb, site.own, site.other_desa)  # own puskesmas, a desa of another
        assert other_desa.status_code == 403, (cb["output"], "desa", other_desa.status_code)
        if _has_view_store(cb):
            whole = call(pkm, site, cb, None, None)  # the whole kabupaten
            assert whole.status_code == 403, (cb["output"], "kabupaten", whole.status_code)
    assert tried >= 15


def test_admin_only_callbacks_refuse_dinkes_and_puskesmas(
    site: Site, pkm: requests.Session, callbacks: list[dict[str, Any]]
) -> None:
    dinkes, admin = login(site, "dinkes"), login(site, "admin")
    upload = [cb for cb in callbacks if _admin_only(cb)]
    assert len(upload) >= 3
    for cb in upload:
        for session in (dinkes, pkm):
            response = call(session, site, cb, None, None)
            assert response.status_code == 403 and "hanya untuk admin" in response.text, cb["output"]
        assert call(admin, site, cb, None, None).status_code in (200, 204), cb["output"]


def test_unscoped_callbacks_are_allowed(pkm: requests.Session, site: Site, callbacks: list[dict[str, Any]]) -> None:
    for cb in callbacks:
        if _name(cb) in UNSCOPED and _name(cb) != "_pages_content.children":
            assert call(pkm, site, cb, None, None).status_code in (200, 204), cb["output"]


def test_dinkes_sees_the_whole_kabupaten(site: Site, callbacks: list[dict[str, Any]]) -> None:
    dinkes = login(site, "dinkes")
    pws_page = next(cb for cb in callbacks if "pws-tabel.rowData" in cb["output"])
    response = call(dinkes, site, pws_page, None, None)
    assert response.status_code == 200
    rows = response.json()["response"]["pws-tabel"]["rowData"]
    assert len({r["kode_desa"] for r in rows}) > len(site.own_desa)


# ---------------------------------------------------------------------------------------------- what comes back


def _response(session: requests.Session, site: Site, cb: dict[str, Any], **area: Any) -> dict[str, Any]:
    response = call(session, site, cb, area.get("pkm", site.own), area.get("desa"))
    assert response.status_code == 200, response.text[:300]
    return response.json()["response"]


def test_outputs_for_a_puskesmas_user_hold_only_its_own_desa(
    pkm: requests.Session, site: Site, callbacks: list[dict[str, Any]]
) -> None:
    by_output = {_name(cb): cb for cb in callbacks}
    own = set(site.own_desa)

    rows = _response(pkm, site, next(cb for cb in callbacks if "pws-tabel.rowData" in cb["output"]))
    assert {r["kode_desa"] for r in rows["pws-tabel"]["rowData"]} == own

    update_map = next(cb for cb in callbacks if cb["output"].startswith("..peta-choropleth.figure..."))
    patch = _response(pkm, site, update_map)["peta-choropleth"]["figure"]
    z = [op["params"]["value"] for op in patch["operations"] if op["location"] == ["data", 0, "z"]]
    assert len(z) == 1 and len(z[0]) == len(own)  # the map's values: its own desa only
    mark_map = next(cb for cb in callbacks if cb["output"].startswith("peta-choropleth.figure@"))
    response = call(pkm, site, mark_map, site.own, None)
    if response.status_code == 200:  # 204 when no shown value failed a check
        notes = response.json()["response"]["peta-choropleth"]["figure"]["operations"]
        assert all(op["location"][3] < len(own) for op in notes)  # ["data", 0, "customdata", i, field]

    tren = _response(pkm, site, by_output["tren-grafik-puskesmas.figure"])
    assert tren["tren-kode-puskesmas"]["data"] == [site.own]

    wilayah = _response(pkm, site, by_output["wilayah-peta.figure"])["wilayah-peta"]["figure"]
    shown = {loc for trace in wilayah["data"] for loc in (trace.get("locations") or [])}
    assert shown and shown <= own

    # a link naming another puskesmas (or none) opens the user's own
    sync = next(cb for cb in callbacks if "shell-filters.data" in cb["output"])
    body = {"output": sync["output"], "outputs": _outputs(sync["output"]), "changedPropIds": ["shell-url.search"],
            "inputs": [{"id": d["id"], "property": d["property"],
                        "value": f"?puskesmas={site.other}&desa={site.other_desa}" if d["id"] == "shell-url" else None}
                       for d in sync["inputs"]],
            "state": [{"id": "shell-filters", "property": "data", "value": None}]}  # fmt: skip
    response = pkm.post(f"{site.url}/_dash-update-component", json=body, timeout=60)
    assert response.status_code == 200
    out = response.json()["response"]
    assert out["shell-filters"]["data"]["puskesmas"] == site.own and out["shell-filters"]["data"]["desa"] is None
    assert {o["value"] for o in out["shell-desa"]["options"]} == own


def test_layout_locks_the_puskesmas_and_hides_the_upload_page(pkm: requests.Session, site: Site) -> None:
    layout = json.dumps(pkm.get(f"{site.url}/_dash-layout").json())
    assert '"disabled": true' in layout and f'"value": "{site.own}"' in layout
    assert '"page": "/unggah"' not in layout and "/logout" in layout and '"pkm"' in layout
    admin = json.dumps(login(site, "admin").get(f"{site.url}/_dash-layout").json())
    assert '"page": "/unggah"' in admin


def test_upload_page_content_is_for_admins_only(pkm: requests.Session, site: Site, callbacks: list) -> None:
    pages = next(cb for cb in callbacks if "_pages_content" in cb["output"])

    def page(session: requests.Session) -> str:
        body = {"output": pages["output"], "outputs": _outputs(pages["output"]), "changedPropIds": [],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/unggah"},
                           {"id": "_pages_location", "property": "search", "value": ""}], "state": []}  # fmt: skip
        response = session.post(f"{site.url}/_dash-update-component", json=body, timeout=60)
        assert response.status_code == 200
        return response.text

    assert "hanya untuk admin" in page(pkm) and "unggah-berkas" not in page(pkm)
    assert "unggah-berkas" in page(login(site, "admin"))


# ---------------------------------------------------------------------------------------------- plain routes


def test_archived_files_only_of_the_users_puskesmas(pkm: requests.Session, site: Site) -> None:
    store = Store.for_workspace(Workspace(site.root))
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(berkas.c.id, berkas.c.kode_puskesmas).where(berkas.c.arsip.is_not(None))).all()
    store.close()
    own_id = next(i for i, k in rows if k == site.own)
    other_id = next(i for i, k in rows if k == site.other)
    assert pkm.get(f"{site.url}/berkas/{own_id}").status_code == 200
    refused = pkm.get(f"{site.url}/berkas/{other_id}")
    assert refused.status_code == 403 and "puskesmas lain" in refused.text
    dinkes = login(site, "dinkes")
    assert dinkes.get(f"{site.url}/berkas/{other_id}").status_code == 200
    assert requests.get(f"{site.url}/berkas/{own_id}", allow_redirects=False).status_code == 302  # no login


def test_nothing_but_the_login_page_without_a_session(site: Site) -> None:
    anonymous = requests.Session()
    for path in ("/", "/peta", "/_dash-layout", "/_dash-dependencies", "/geo/x.geojson", "/bahasa"):
        response = anonymous.get(site.url + path, allow_redirects=False)
        assert response.status_code in (302, 401), path
        assert response.status_code == 401 or response.headers["Location"].startswith("/login")
    assert anonymous.post(f"{site.url}/_dash-update-component", json={}).status_code in (401, 403)


def test_callback_requests_need_the_csrf_header(site: Site, callbacks: list[dict[str, Any]]) -> None:
    session = login(site, "dinkes")
    cb = next(cb for cb in callbacks if "pws-tabel.rowData" in cb["output"])
    assert call(session, site, cb, None, None).status_code == 200
    del session.headers["X-CSRFToken"]
    assert call(session, site, cb, None, None).status_code == 403
    session.headers["X-CSRFToken"] = "palsu"
    assert call(session, site, cb, None, None).status_code == 403
    session.headers["X-CSRFToken"] = session.cookies["_csrf_token"]
    session.headers["Origin"] = "http://jahat.example"
    assert call(session, site, cb, None, None).status_code == 403


def test_server_refuses_to_start_without_an_admin(demo: Any, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns("laporan"))
    env = {**os.environ, "PWS_WORKSPACE": str(root), "PWS_AUTH": "1", "PWS_LANG": "id", "PWS_PORT": "1"}
    done = subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pws user add" in done.stderr and "--peran admin" in done.stderr
