"""The dashboard shell and its first page, through Flask's test client (no browser)."""

from __future__ import annotations

import json

import dash
import pytest

from pws.config import Workspace
from pws.demo import DemoSummary


@pytest.fixture(scope="session")
def app(demo: DemoSummary) -> dash.Dash:
    from app import create_app

    return create_app(Workspace(demo.root), warm=False)


def test_pages_and_callbacks_are_registered(app: dash.Dash) -> None:
    paths = {page["path"] for page in dash.page_registry.values()}
    assert "/wilayah" in paths
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    outputs = " ".join(d["output"] for d in deps)
    assert "shell-filters.data" in outputs and "wilayah-peta.figure" in outputs


def test_index_and_layout_are_served_in_indonesian(app: dash.Dash) -> None:
    client = app.server.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/wilayah").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    for text in ("Tahun", "Bulan", "Indikator", "Wilayah"):
        assert text in layout


def test_geometry_is_served_once_as_a_cacheable_file(app: dash.Dash) -> None:
    from pws import service

    geometry = service.map_geometry(service.current_workspace())
    assert geometry is not None
    client = app.server.test_client()
    response = client.get(f"/geo/{geometry.desa_geojson.name}")
    assert response.status_code == 200
    assert "max-age" in response.headers.get("Cache-Control", "")
    features = json.loads(response.get_data())["features"]
    assert len(features) == 120
    assert {"kode_desa"} <= set(features[0]["properties"])
    assert "kode_desa,nama_desa" not in client.get("/geo/../../wilayah.csv").get_data(as_text=True)
    assert "kode_desa,nama_desa" not in client.get("/geo/..%2Fwilayah.csv").get_data(as_text=True)
    assert client.get("/geo/tidak_ada.geojson").status_code == 404


def test_map_callback_colours_every_desa_by_its_puskesmas(app: dash.Dash) -> None:
    client = app.server.test_client()
    payload = {
        "output": "..wilayah-peta.figure...wilayah-ringkasan.children..",
        "outputs": [{"id": "wilayah-peta", "property": "figure"}, {"id": "wilayah-ringkasan", "property": "children"}],
        "inputs": [
            {"id": "shell-filters", "property": "data", "value": {"tahun": 2025, "bulan": 6, "indikator": "K4"}}
        ],
        "changedPropIds": ["shell-filters.data"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()["response"]
    figure = body["wilayah-peta"]["figure"]
    traces = figure["data"]
    assert len(traces) == 10
    assert sum(len(tr["locations"]) for tr in traces) == 120
    assert all(tr["geojson"].startswith("/geo/") for tr in traces)  # geometry by URL, not inline
    assert len(json.dumps(figure)) < 200_000
    assert figure["layout"]["map"]["style"] == "white-bg"  # no tile server needed offline
    assert "Sasaran Ibu hamil 2025" in json.dumps(traces)
    assert "120 desa/kelurahan, 10 puskesmas, 9 kecamatan" in body["wilayah-ringkasan"]["children"]
