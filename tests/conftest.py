"""Shared fixtures: a demo workspace generated once per test session (as written, and with its reports
ingested), and the real data folder (optional)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pws.demo import DemoSummary, generate

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """The demo district written into a fresh folder (default seed)."""
    return generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_store(demo: DemoSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace with all its reports ingested into its store (read-only for tests: copy it
    before writing)."""
    from pws.config import Workspace
    from pws.etl import input_files
    from pws.etl.ingest import ingest_files

    root = tmp_path_factory.mktemp("demo-store") / "ws"
    shutil.copytree(demo.root, root)
    ws = Workspace(root)
    ingest_files(ws, input_files([ws.laporan_dir]))
    return root


@pytest.fixture
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/data/real is not present (fresh clone)")
    return REAL


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """The small demo province (``pws.demo.province.SMALL``: 3 kabupaten/kota, ~150 desa, three months)."""
    from pws.demo.province import SMALL, generate_province

    summary: DemoSummary = generate_province(tmp_path_factory.mktemp("province") / "ws", size=SMALL, jobs=2)
    return summary


@pytest.fixture(scope="session")
def province_store(province: DemoSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the small province with its reports ingested (read-only for tests: copy it before writing)."""
    from pws.config import Workspace
    from pws.etl import input_files
    from pws.etl.ingest import ingest_files

    root = tmp_path_factory.mktemp("province-store") / "ws"
    shutil.copytree(province.root, root)
    ws = Workspace(root)
    ingest_files(ws, input_files([ws.laporan_dir]))
    return root
