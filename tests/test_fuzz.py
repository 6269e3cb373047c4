"""A short, deterministic run of the fuzz target of bench/fuzz.py (issue 8, part 5): mutated demo reports fed to
``Tidier.tidy(name, bytes)`` always end in a FileResult (read, or unreadable with a clean issue), never in another
exception. The long run is ``bench/fuzz.py --seconds 60``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import corpus, mutate, outcome
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.etl import FileResult, Tidier
from pws.workspace import load_workspace


@pytest.fixture(scope="module")
def target(demo: DemoSummary) -> tuple[Tidier, list[tuple[str, bytes]]]:
    data = load_workspace(Workspace(demo.root))
    return Tidier(data.wilayah, data.catalogue), corpus(demo.root, limit=8)


def test_the_corpus_reads_cleanly(target: tuple[Tidier, list[tuple[str, bytes]]]) -> None:
    tidier, seeds = target
    assert {Path(name).suffix for name, _ in seeds} >= {".xlsx", ".csv"}
    assert all(outcome(tidier.tidy(Path(name), raw)).startswith("ok") for name, raw in seeds)


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False), which=st.integers(min_value=0, max_value=7), rounds=st.integers(1, 3))
def test_mutated_reports_end_in_a_file_result(
    target: tuple[Tidier, list[tuple[str, bytes]]], rnd: random.Random, which: int, rounds: int
) -> None:
    tidier, seeds = target
    name, raw = seeds[which % len(seeds)]
    for _ in range(rounds):
        raw = mutate(raw, rnd)
    result = tidier.tidy(Path(name), raw)
    assert isinstance(result, FileResult)
    if not result.readable:
        assert result.rows.empty and any(i.severity == "error" and i.file == name for i in result.issues)
        assert all(i.message("id") and i.message("en") for i in result.issues)
