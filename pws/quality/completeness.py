"""Completeness and timeliness of reporting (WHO Data Quality Review, dimension 1).

**Which reports are expected.** A report family (``pws_kia``, ``imunisasi``, ...) is *monthly* when its files
usually hold one month each (median number of months per stored file = 1); annual recaps and multi-month exports
are not. Every puskesmas of the master list is expected to send every monthly family the district uses (any
puskesmas sent it) for every month of the period. Without any monthly family (only exports), every family seen
is expected.

**Received** means: values of that family, puskesmas and month are in the store now. The status of a puskesmas ×
month is ``tidak_ada`` (none of the expected reports), ``sebagian`` (some), else ``diterima`` or ``terlambat``.

**Report date** = the ingest time of the *first* file that brought that family, puskesmas and month (a later
correction does not make a report late), converted to the office's time zone; a month's date is the date its last
expected family arrived. The month's deadline is ``deadline_day`` of the following month; later is
``terlambat``. The files themselves state no date the ETL keeps, so the ingest time is the report date. (On the
demo every file was ingested at once, long after its deadline: there every received report is late, and only
received / missing is meaningful.)

**Indicator completeness**: per indicator, month and puskesmas, the share of its desa with a value (blank cells of
a filled-in block are zeros, so a missing value means the desa row or the whole report is absent). Indicators no
puskesmas reported in the year are not expected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from pws.quality.findings import finding
from pws.quality.settings import QualitySettings

#: the values of the ``status`` column of the completeness matrix
STATUSES = ("diterima", "terlambat", "sebagian", "tidak_ada")
#: one character per status, for the grid printed by ``pws periksa``
SYMBOLS = {"diterima": "✓", "terlambat": "T", "sebagian": "S", "tidak_ada": "–"}

MATRIX_COLUMNS = [
    "kode_puskesmas",
    "nama_puskesmas",
    "tahun",
    "bulan",
    "status",
    "tanggal",
    "tenggat",
    "hari_terlambat",
    "laporan_diharapkan",
    "laporan_diterima",
    "laporan_hilang",
    "berkas_terakhir",
]
INDICATOR_COLUMNS = ["indikator", "tahun", "bulan", "kode_puskesmas", "desa_total", "desa_dengan_nilai", "persen"]

_STORED = ("baru", "ganti", "sama")


def deadline(tahun: int, bulan: int, settings: QualitySettings) -> date:
    """The day a month's report is due: ``deadline_day`` of the following month."""
    year, month = (tahun + 1, 1) if bulan == 12 else (tahun, bulan + 1)
    return date(year, month, settings.deadline_day)


def _explode_log(files: pd.DataFrame) -> pd.DataFrame:
    """Successful ingests, one row per (keluarga, kode_puskesmas, tahun, bulan) they brought, with ``waktu``."""
    cols = ["berkas_id", "nama_file", "keluarga", "kode_puskesmas", "tahun", "bulan", "waktu"]
    if files.empty:
        return pd.DataFrame(columns=cols)
    ok = files[files["status"].isin(_STORED)]
    rows: list[tuple[Any, ...]] = []
    for rec in ok.itertuples(index=False):
        keluarga = rec.keluarga if isinstance(rec.keluarga, str) and rec.keluarga else "umum"
        pkms = [p for p in str(rec.kode_puskesmas or "").split(",") if p]
        periods = [p for p in str(rec.periode or "").split(",") if p]
        for p in pkms:
            for period in periods:
                year, _, month = period.partition("-")
                if year.isdigit() and month.isdigit():
                    rows.append((rec.id, rec.nama_file, keluarga, p, int(year), int(month), rec.waktu))
    return pd.DataFrame(rows, columns=cols)


def monthly_families(files: pd.DataFrame) -> list[str]:
    """Report families whose stored files usually hold one month each (sorted)."""
    if files.empty:
        return []
    ok = files[files["status"].isin(_STORED)]
    if ok.empty:
        return []
    months = ok["periode"].fillna("").astype(str).map(lambda s: len([p for p in s.split(",") if p]))
    families = ok["keluarga"].fillna("umum").astype(str)
    median = months.groupby(families).median()
    return sorted(str(f) for f, m in median.items() if m <= 1)


def period_end(obs: pd.DataFrame, tahun: int, bulan: int | None) -> int:
    """The last month of the period checked: ``bulan`` when given, else the newest month of ``tahun`` with any
    stored value (0 when the year has none)."""
    if bulan is not None:
        return int(bulan)
    year = obs.loc[obs["tahun"] == tahun, "bulan"]
    return int(year.max()) if len(year) else 0


def completeness_matrix(
    obs: pd.DataFrame,
    files: pd.DataFrame,
    wilayah: pd.DataFrame,
    tahun: int,
    months: list[int],
    settings: QualitySettings,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The puskesmas × month matrix (:data:`MATRIX_COLUMNS`) and its findings (``laporan_tidak_ada``,
    ``laporan_sebagian``, ``laporan_terlambat``). ``obs`` are the stored values (with ``keluarga``)."""
    pkm = wilayah[["kode_puskesmas", "nama_puskesmas"]].drop_duplicates("kode_puskesmas")
    pkm = pkm.sort_values("kode_puskesmas").reset_index(drop=True)
    year = obs[obs["tahun"] == tahun]
    monthly = monthly_families(files)
    used = sorted(set(year["keluarga"]))
    expected = [f for f in monthly if f in used] or ([f for f in monthly] if monthly else used)
    received = year[year["keluarga"].isin(expected)][["keluarga", "kode_puskesmas", "bulan"]].drop_duplicates()

    log = _explode_log(files)
    log = log[(log["tahun"] == tahun) & log["keluarga"].isin(expected)]
    first = log.sort_values(["waktu", "berkas_id"]).drop_duplicates(["keluarga", "kode_puskesmas", "bulan"])
    arrived = received.merge(first, on=["keluarga", "kode_puskesmas", "bulan"], how="left")
    if arrived["waktu"].isna().any():  # a value without a matching log entry: the ingest of its own file
        by_id = files.set_index("id")[["waktu", "nama_file"]] if not files.empty else None
        fallback = year.groupby(["keluarga", "kode_puskesmas", "bulan"])["berkas_id"].min()
        for i in np.flatnonzero(arrived["waktu"].isna().to_numpy()):
            key = tuple(arrived.loc[i, ["keluarga", "kode_puskesmas", "bulan"]])
            bid = fallback.get(key)
            if by_id is not None and bid in by_id.index:
                arrived.loc[i, "waktu"] = by_id.loc[bid, "waktu"]
                arrived.loc[i, "nama_file"] = by_id.loc[bid, "nama_file"]
    if len(arrived):
        waktu = pd.to_datetime(arrived["waktu"], utc=True)
        arrived["tanggal"] = waktu.dt.tz_convert(settings.timezone).dt.date
    else:
        arrived["tanggal"] = pd.Series(dtype=object)
    by_cell: dict[tuple[str, int], list[tuple[str, Any, Any]]] = {}
    for rec in arrived.itertuples(index=False):
        by_cell.setdefault((rec.kode_puskesmas, int(rec.bulan)), []).append((rec.keluarga, rec.tanggal, rec.nama_file))

    rows: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    weight = settings.weight("kelengkapan")
    for p in pkm.itertuples(index=False):
        for m in months:
            due = deadline(tahun, m, settings)
            got = sorted(by_cell.get((p.kode_puskesmas, m), []), key=lambda r: (str(r[1]), r[0]))
            families = {g[0] for g in got}
            missing = [f for f in expected if f not in families]
            dated = [g for g in got if isinstance(g[1], date)]
            last = max(dated, key=lambda g: g[1]) if dated else None
            tanggal = last[1] if last else None
            late = (tanggal - due).days if tanggal is not None and tanggal > due else 0
            if not expected or not got:
                status = "tidak_ada"
            elif missing:
                status = "sebagian"
            else:
                status = "terlambat" if late > 0 else "diterima"
            rows.append(
                {
                    "kode_puskesmas": p.kode_puskesmas,
                    "nama_puskesmas": p.nama_puskesmas,
                    "tahun": tahun,
                    "bulan": m,
                    "status": status,
                    "tanggal": tanggal,
                    "tenggat": due,
                    "hari_terlambat": late if tanggal is not None else None,
                    "laporan_diharapkan": len(expected),
                    "laporan_diterima": len(expected) - len(missing),
                    "laporan_hilang": ", ".join(missing),
                    "berkas_terakhir": last[2] if last else None,
                }
            )
            place = {"kode_puskesmas": p.kode_puskesmas, "tahun": tahun, "bulan": m}
            if status == "tidak_ada" and expected:
                found.append(finding("laporan_tidak_ada", **place, poin=weight, laporan=", ".join(expected)))
            elif status == "sebagian":
                share = len(missing) / len(expected)
                found.append(
                    finding(
                        "laporan_sebagian",
                        **place,
                        nilai=len(expected) - len(missing),
                        pembanding=len(expected),
                        poin=weight * share,
                        hilang=", ".join(missing),
                        ada=", ".join(sorted(families)),
                    )
                )
            if late > 0 and last is not None:
                found.append(
                    finding(
                        "laporan_terlambat",
                        **place,
                        nilai=late,
                        berkas=last[2],
                        hari=late,
                        tanggal=tanggal.isoformat() if tanggal else "",
                        tenggat=due.isoformat(),
                    )
                )
    matrix = pd.DataFrame(rows, columns=MATRIX_COLUMNS)
    matrix = matrix.astype({"tahun": "int64", "bulan": "int64"})
    matrix["hari_terlambat"] = pd.array(matrix["hari_terlambat"].tolist(), dtype="Int64")
    return matrix, found


def indicator_completeness(
    obs: pd.DataFrame, wilayah: pd.DataFrame, tahun: int, months: list[int]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Per indicator, month and puskesmas: desa of the puskesmas and how many have a value (:data:`INDICATOR_COLUMNS`);
    and ``nilai_desa_kosong`` findings: a desa without values for indicators its puskesmas reported for other desa
    that month (one finding per desa and month, listing the indicators)."""
    desa = wilayah[["kode_desa", "kode_puskesmas"]].drop_duplicates("kode_desa")
    per_pkm = desa.groupby("kode_puskesmas").size().rename("desa_total")
    year = obs[(obs["tahun"] == tahun) & (obs["jk"] == "T") & obs["bulan"].isin(months)]
    year = year[["kode_desa", "indikator", "bulan"]].drop_duplicates()
    year = year.merge(desa, on="kode_desa", how="inner")  # the owner of the desa in the master list
    indicators = sorted(set(year["indikator"]))
    if not indicators:
        return pd.DataFrame(columns=INDICATOR_COLUMNS), []
    have = year.groupby(["indikator", "bulan", "kode_puskesmas"]).size().rename("desa_dengan_nilai")
    grid = pd.MultiIndex.from_product(
        [indicators, months, sorted(per_pkm.index)], names=["indikator", "bulan", "kode_puskesmas"]
    )
    frame = have.reindex(grid, fill_value=0).reset_index()
    frame["desa_total"] = frame["kode_puskesmas"].map(per_pkm).astype("int64")
    frame["tahun"] = tahun
    frame["persen"] = 100.0 * frame["desa_dengan_nilai"] / frame["desa_total"]
    frame = frame[INDICATOR_COLUMNS].astype({"tahun": "int64", "bulan": "int64", "desa_dengan_nilai": "int64"})

    # desa missing where their puskesmas reported the indicator for some desa that month
    partial = frame[(frame["desa_dengan_nilai"] > 0) & (frame["desa_dengan_nilai"] < frame["desa_total"])]
    found: list[dict[str, Any]] = []
    if not partial.empty:
        expected = partial[["indikator", "bulan", "kode_puskesmas"]].merge(desa, on="kode_puskesmas")
        present = year[["kode_desa", "indikator", "bulan"]].assign(_ada=True)
        gaps = expected.merge(present, on=["kode_desa", "indikator", "bulan"], how="left")
        gaps = gaps[gaps["_ada"].isna()]
        for (kode_desa, bulan), group in gaps.groupby(["kode_desa", "bulan"], sort=True):
            codes = sorted(group["indikator"])
            found.append(
                finding(
                    "nilai_desa_kosong",
                    kode_puskesmas=str(group["kode_puskesmas"].iloc[0]),
                    kode_desa=str(kode_desa),
                    tahun=tahun,
                    bulan=int(bulan),
                    nilai=len(codes),
                    jumlah=len(codes),
                    daftar=", ".join(codes[:8]) + (" …" if len(codes) > 8 else ""),
                )
            )
    return frame.reset_index(drop=True), found


def indicator_summary(indicator_frame: pd.DataFrame) -> pd.DataFrame:
    """Per indicator over the period and all puskesmas: desa-months expected, with a value, and the percentage."""
    if indicator_frame.empty:
        return pd.DataFrame(columns=["indikator", "desa_bulan", "dengan_nilai", "persen"])
    grouped = indicator_frame.groupby("indikator")[["desa_total", "desa_dengan_nilai"]].sum()
    out = grouped.rename(columns={"desa_total": "desa_bulan", "desa_dengan_nilai": "dengan_nilai"}).reset_index()
    out["persen"] = 100.0 * out["dengan_nilai"] / out["desa_bulan"]
    return out.sort_values(["persen", "indikator"]).reset_index(drop=True)


def completeness_by_month(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per month (for the meeting pack): puskesmas expected, how many sent everything on time, late, partly,
    nothing, and the percentages received (complete, on time or late) and on time."""
    columns = ["tahun", "bulan", "puskesmas", *STATUSES, "persen_lengkap", "persen_tepat_waktu"]
    if matrix.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab([matrix["tahun"], matrix["bulan"]], matrix["status"])
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts["puskesmas"] = counts.sum(axis=1)
    counts["persen_lengkap"] = 100.0 * (counts["diterima"] + counts["terlambat"]) / counts["puskesmas"]
    counts["persen_tepat_waktu"] = 100.0 * counts["diterima"] / counts["puskesmas"]
    out = counts.reset_index()
    out.columns.name = None
    return out[columns]


__all__ = [
    "INDICATOR_COLUMNS",
    "MATRIX_COLUMNS",
    "STATUSES",
    "SYMBOLS",
    "completeness_by_month",
    "completeness_matrix",
    "deadline",
    "indicator_completeness",
    "indicator_summary",
    "monthly_families",
    "period_end",
]
