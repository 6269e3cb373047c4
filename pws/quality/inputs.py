"""What the data-quality checks read: the workspace's own files and, from the store, the observations with their
ingest (``berkas_id``, ``keluarga``), the ingest log and the problems stored at ingest. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from pws.config import Workspace
from pws.etl.store import Store, observasi
from pws.workspace import WorkspaceData, load_workspace, read_user_table

#: columns of :attr:`QualityInput.obs`
OBS_COLUMNS = [
    "tahun",
    "bulan",
    "kode_desa",
    "kode_puskesmas",
    "indikator",
    "jk",
    "nilai",
    "sumber_file",
    "sumber_sheet",
    "sumber_sel",
    "berkas_id",
    "keluarga",
]
#: the optional kabupaten sasaran file (``tahun, jenis_sasaran, jumlah``) in the workspace root
KABUPATEN_SASARAN_FILE = "sasaran_kabupaten.csv"
#: years of history read before the year checked (outlier series)
HISTORY_YEARS = 2


@dataclass
class QualityInput:
    """Everything the checks look at. ``obs`` holds every stored value of ``tahun`` and the totals of the
    ``HISTORY_YEARS`` before it (columns :data:`OBS_COLUMNS`), ``files`` the ingest log, ``problems`` the stored
    ETL problems."""

    data: WorkspaceData
    obs: pd.DataFrame
    files: pd.DataFrame
    problems: pd.DataFrame
    kabupaten_sasaran: pd.DataFrame


def read_observations(store: Store, first_year: int, last_year: int) -> pd.DataFrame:
    """Stored values of ``last_year`` and the totals (``jk = T``) of ``first_year`` .. ``last_year − 1``, with
    their ingest id and report family."""
    stmt = sa.select(*(observasi.c[c] for c in OBS_COLUMNS)).where(
        sa.or_(
            observasi.c.tahun == int(last_year),
            sa.and_(observasi.c.tahun >= int(first_year), observasi.c.tahun < int(last_year), observasi.c.jk == "T"),
        )
    )
    with store.engine.connect() as conn:
        result = conn.execute(stmt)
        try:
            rows = list(result.cursor.fetchall()) if result.cursor is not None else []
        finally:
            result.close()
    frame = pd.DataFrame(rows, columns=OBS_COLUMNS)
    frame = frame.astype({"tahun": "int64", "bulan": "int64", "nilai": "float64", "berkas_id": "int64"})
    frame["keluarga"] = frame["keluarga"].fillna("umum").astype(str)
    for col in ("sumber_file", "sumber_sheet", "sumber_sel"):
        frame[col] = frame[col].fillna("").astype(str)
    return frame


def read_kabupaten_sasaran(root: Path) -> pd.DataFrame:
    """``sasaran_kabupaten.csv`` (tahun, jenis_sasaran, jumlah) when present; rows that are not numbers are
    skipped. Empty frame when the file is absent or unreadable."""
    columns = ["tahun", "jenis_sasaran", "jumlah"]
    path = root / KABUPATEN_SASARAN_FILE
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    try:
        frame = read_user_table(path)
    except (OSError, ValueError, UnicodeError):
        return pd.DataFrame(columns=columns)
    if any(c not in frame.columns for c in columns):
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(
        {
            "tahun": pd.to_numeric(frame["tahun"], errors="coerce"),
            "jenis_sasaran": frame["jenis_sasaran"].astype(str).str.strip().str.upper(),
            "jumlah": pd.to_numeric(frame["jumlah"].astype(str).str.replace(",", ".", regex=False), errors="coerce"),
        }
    )
    out = out.dropna()
    return out.astype({"tahun": "int64", "jumlah": "float64"}).reset_index(drop=True)


def load_inputs(
    ws: Workspace, tahun: int, store: Store | None = None, data: WorkspaceData | None = None
) -> QualityInput:
    """Read what the checks need for ``tahun`` (``store`` and ``data`` may be passed when already open)."""
    data = data or load_workspace(ws)
    own = store is None
    store = store or Store.for_workspace(ws)
    try:
        obs = read_observations(store, int(tahun) - HISTORY_YEARS, int(tahun))
        files = store.files()
        problems = store.problems()
    finally:
        if own:
            store.close()
    return QualityInput(data, obs, files, problems, read_kabupaten_sasaran(ws.root))


__all__ = [
    "HISTORY_YEARS",
    "KABUPATEN_SASARAN_FILE",
    "OBS_COLUMNS",
    "QualityInput",
    "load_inputs",
    "read_kabupaten_sasaran",
    "read_observations",
]
