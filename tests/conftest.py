"""Shared fixtures: a demo workspace generated once per test session, and the real data folder (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pws.demo import DemoSummary, generate

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """The demo district written into a fresh folder (default seed)."""
    return generate(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/data/real is not present (fresh clone)")
    return REAL
