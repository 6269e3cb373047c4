"""The analysis on a workspace: load its files and its store, then build the PWS table (``pws status``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pws.analysis.coverage import pws_table
from pws.analysis.settings import Settings
from pws.config import Workspace
from pws.etl.model import TIDY_COLUMNS
from pws.etl.store import Store
from pws.workspace import WorkspaceData, load_workspace


class UnknownIndicatorError(KeyError):
    """An indicator code the workspace's catalogue does not know (``kode`` holds it, upper-cased)."""

    def __init__(self, kode: str) -> None:
        super().__init__(kode)
        self.kode = kode


def observations_for(store: Store, tahun: int, codes: list[str]) -> pd.DataFrame:
    """The tidy rows of ``codes`` in ``tahun`` and ``tahun − 1`` (January's trend, campaign windows)."""
    frames = [
        store.observations(tahun=year, indikator=code) for code in dict.fromkeys(codes) for year in (tahun - 1, tahun)
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def status_for_cli(
    ws: Workspace | str | os.PathLike[str],
    tahun: int,
    bulan: int,
    indikator: str,
    settings: Settings | None = None,
    data: WorkspaceData | None = None,
) -> pd.DataFrame:
    """The PWS table (:func:`pws.analysis.coverage.pws_table`) of ``indikator`` for ``bulan``/``tahun`` from the
    workspace's own files and its store. ``data`` may pass an already loaded workspace.

    Raises :class:`UnknownIndicatorError` for a code the catalogue does not know, ValueError for a month outside
    1..12. The workspace's file problems are in ``load_workspace(ws).issues``; they are not repeated here.
    """
    settings = settings or Settings()
    workspace = ws if isinstance(ws, Workspace) else Workspace(Path(ws))
    if not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    data = data or load_workspace(workspace)
    code = indikator.strip().upper()
    if code not in data.catalogue.indicators:
        raise UnknownIndicatorError(code)
    codes = [code]
    measured = settings.measured_denominator(code)
    if measured and data.catalogue.indicators[code].jenis == "prevalensi":
        codes.append(measured)
    with Store.for_workspace(workspace) as store:
        obs = observations_for(store, int(tahun), codes)
    return pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, int(tahun), int(bulan), code,
                     settings)  # fmt: skip


__all__ = ["UnknownIndicatorError", "observations_for", "status_for_cli"]
