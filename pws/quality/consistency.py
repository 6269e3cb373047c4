"""Internal consistency (WHO Data Quality Review, dimension 2; domain.md §6 validation rules).

Checks on the stored values (``jk == "T"`` unless said otherwise), for the months of the period:

* ``kaskade_terbalik`` — a later step of a cascade above an earlier one: year-to-date counts K4 > K1, K6 > K4,
  K1 murni > K1, KN lengkap > KN1, KF lengkap > KF1, DPT-HB-Hib3 > 2 > 1 (negative drop-out), counted over the
  months in which *both* were reported (a missing report is a completeness problem, not an inconsistency); and,
  for stock indicators, a part above its whole in the same month (balita ditimbang > terdaftar, stunting >
  ditimbang). Reported once per episode: at the first month of a run of months in which it holds.
* ``melebihi_sasaran`` — the count above the annual sasaran by more than chance: year-to-date (campaign window,
  or this month for prevalence) count > ``sasaran + z·√sasaran`` (``over_sasaran_z``; 0 = any excess). Coverage
  above 100 % is shown as it is and never clamped; this only points at the denominator or the count. One finding
  per desa, year and sasaran type, at the first month and indicator that crossed, naming the others.
* ``nilai_negatif`` — a negative monthly count: the cumulative decreased from one month to the next.
* ``l_p_tidak_sama_jml`` — L + P ≠ JML on the stored L / P / T values.

Checks the ETL makes while reading a file (KUMULATIF = BLN LALU + BLN INI, JUMLAH = Σ desa, L + P = JML within
the file, decreasing cumulative snapshots, duplicate rows, conflicts between reports) are stored with their file,
sheet and cell and brought in by :func:`stored_findings`; a derived finding the ETL already stored for the same
place is not repeated.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from pws.analysis.settings import Settings
from pws.catalogue import Catalogue
from pws.quality.findings import finding, number
from pws.quality.settings import QualitySettings

_CELL_ROW = re.compile(r"^[A-Za-z]{1,4}(\d+)$")
_LINEAGE = ["sumber_file", "sumber_sheet", "sumber_sel"]


def _place(row: Any) -> dict[str, Any]:
    return {"berkas": row.sumber_file or None, "sheet": row.sumber_sheet or "", "sel": row.sumber_sel or None}


def totals(obs: pd.DataFrame, tahun: int) -> pd.DataFrame:
    """The ``T`` rows of ``tahun``."""
    return obs[(obs["tahun"] == tahun) & (obs["jk"] == "T")]


# ------------------------------------------------------------------------------------------------ cascades


def cascade_findings(
    obs: pd.DataFrame, tahun: int, months: list[int], settings: QualitySettings
) -> list[dict[str, Any]]:
    """``kaskade_terbalik`` findings (see the module docstring)."""
    year = totals(obs, tahun)
    wanted = {c for pair in (*settings.cascades, *settings.monthly_cascades) for c in pair}
    year = year[(year["bulan"] <= max(months, default=0)) & year["indikator"].isin(list(wanted))]
    found: list[dict[str, Any]] = []
    cols = ["kode_desa", "bulan", "nilai", "kode_puskesmas", *_LINEAGE]
    for monthly, pairs in ((False, settings.cascades), (True, settings.monthly_cascades)):
        for hulu, hilir in pairs:
            a = year.loc[year["indikator"] == hulu, cols]
            b = year.loc[year["indikator"] == hilir, cols]
            if a.empty or b.empty:
                continue
            both = b.merge(a[["kode_desa", "bulan", "nilai"]], on=["kode_desa", "bulan"], suffixes=("", "_hulu"))
            both = both.sort_values(["kode_desa", "bulan"]).reset_index(drop=True)
            if monthly:
                later, earlier = both["nilai"], both["nilai_hulu"]
            else:
                later = both.groupby("kode_desa")["nilai"].cumsum()
                earlier = both.groupby("kode_desa")["nilai_hulu"].cumsum()
            bad = (later > earlier + settings.cascade_tolerance).to_numpy()
            previous = np.r_[False, bad[:-1]] & np.r_[False, (both["kode_desa"].to_numpy()[1:] ==
                                                                both["kode_desa"].to_numpy()[:-1])]  # fmt: skip
            starts = bad & ~previous & both["bulan"].isin(months).to_numpy()
            for i in np.flatnonzero(starts):
                row = both.iloc[i]
                up, down = float(earlier.iloc[i]), float(later.iloc[i])
                dropout = 100.0 * (up - down) / up if up > 0 else float("nan")
                found.append(
                    finding(
                        "kaskade_terbalik",
                        kode_desa=row.kode_desa,
                        indikator=hilir,
                        tahun=tahun,
                        bulan=int(row.bulan),
                        nilai=down,
                        pembanding=up,
                        **_place(row),
                        hulu=hulu,
                        hilir=hilir,
                        nilai_hilir=number(down),
                        nilai_hulu=number(up),
                        dropout=number(dropout) if up > 0 else "-",
                        cara="bulan ini" if monthly else "kumulatif",
                    )
                )
    return found


# ------------------------------------------------------------------------------------------------ sasaran


def sasaran_table(data_sasaran: pd.DataFrame, catalogue: Catalogue, wilayah: pd.DataFrame, tahun: int,
                  codes: list[str]) -> pd.DataFrame:  # fmt: skip
    """``kode_desa, indikator, jenis_sasaran, sasaran`` for ``codes`` in ``tahun``: the indicator's sasaran type
    from ``sasaran.csv``, estimated from the nearest type of its catalogue chain when missing (as the PWS table
    does with its default settings, :func:`pws.analysis.coverage.sasaran_for`)."""
    desa = pd.Index(wilayah["kode_desa"].drop_duplicates())
    columns = ["kode_desa", "sasaran", "indikator", "jenis_sasaran"]
    if data_sasaran.empty:
        return pd.DataFrame(columns=columns)
    year = data_sasaran[pd.to_numeric(data_sasaran["tahun"], errors="coerce") == tahun]
    wide = (
        year.assign(
            jenis_sasaran=year["jenis_sasaran"].astype(str).str.upper(),
            jumlah=pd.to_numeric(year["jumlah"], errors="coerce"),
        )  # fmt: skip
        .pivot_table(index="kode_desa", columns="jenis_sasaran", values="jumlah", aggfunc="last")
        .reindex(desa)
    )
    estimate = Settings().estimate_missing_sasaran
    values: dict[str, np.ndarray] = {}
    parts = []
    for code in codes:
        ind = catalogue.indicators.get(code)
        if ind is None:
            continue
        jenis = ind.sasaran
        if jenis not in values:
            chain = catalogue.sasaran_chain(jenis) if estimate and jenis in catalogue.sasaran_types else []
            value = np.full(len(desa), np.nan)
            factor = 1.0
            for kind in [t.kode for t in chain] or [jenis]:
                if kind in wide.columns:
                    candidate = wide[kind].to_numpy(dtype="float64") * factor
                    value = np.where(np.isnan(value), candidate, value)
                factor *= catalogue.sasaran_types[kind].faktor if kind in catalogue.sasaran_types else 1.0
            values[jenis] = value
        parts.append(pd.DataFrame({"kode_desa": desa, "sasaran": values[jenis], "indikator": code,
                                   "jenis_sasaran": jenis}))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def _running(obs: pd.DataFrame, catalogue: Catalogue, tahun: int, months: list[int]) -> pd.DataFrame:
    """Per desa, indicator and month of the period: the count judged against the annual sasaran (year-to-date
    for cumulative indicators, the campaign window's sum for campaigns, this month for prevalence), with the
    lineage of this month's value."""
    analysis = Settings()
    rows = obs[(obs["jk"] == "T") & obs["tahun"].isin([tahun - 1, tahun])]
    jenis = rows["indikator"].map({k: v.jenis for k, v in catalogue.indicators.items()})
    parts = []
    cumul = rows[(jenis == "kumulatif") & (rows["tahun"] == tahun)].sort_values(["kode_desa", "indikator", "bulan"])
    if not cumul.empty:
        cumul = cumul.assign(jumlah=cumul.groupby(["kode_desa", "indikator"])["nilai"].cumsum())
        parts.append(cumul)
    prev = rows[(jenis == "prevalensi") & (rows["tahun"] == tahun)]
    if not prev.empty:
        parts.append(prev.assign(jumlah=prev["nilai"]))
    camp = rows[jenis == "kampanye"]
    for code, group in camp.groupby("indikator"):
        rule = analysis.campaign_rule(str(code))
        wide = group.pivot_table(index="kode_desa", columns=["tahun", "bulan"], values="nilai", aggfunc="sum")
        this = group[group["tahun"] == tahun].set_index(["kode_desa", "bulan"])
        for m in months:
            cols = [c for c in rule.window_months(tahun, m) if c in wide.columns]
            if (tahun, m) not in wide.columns or not cols:
                continue
            sums = wide[cols].sum(axis=1, min_count=1)
            month_rows = this.xs(m, level="bulan", drop_level=False).reset_index()
            month_rows = month_rows.assign(jumlah=month_rows["kode_desa"].map(sums))
            parts.append(month_rows)
    if not parts:
        return pd.DataFrame(columns=[*obs.columns, "jumlah"])
    out = pd.concat(parts, ignore_index=True)
    return out[out["bulan"].isin(months)]


def over_sasaran_findings(
    obs: pd.DataFrame,
    data_sasaran: pd.DataFrame,
    catalogue: Catalogue,
    wilayah: pd.DataFrame,
    tahun: int,
    months: list[int],
    settings: QualitySettings,
) -> list[dict[str, Any]]:
    """``melebihi_sasaran`` findings (see the module docstring)."""
    running = _running(obs, catalogue, tahun, months)
    if running.empty:
        return []
    sas = sasaran_table(data_sasaran, catalogue, wilayah, tahun, sorted(set(running["indikator"])))
    joined = running.merge(sas, on=["kode_desa", "indikator"], how="inner")
    joined = joined[joined["sasaran"].notna() & (joined["sasaran"] > 0)]
    limit = joined["sasaran"] + settings.over_sasaran_z * np.sqrt(joined["sasaran"])
    over = joined[joined["jumlah"] > limit + 1e-9].assign(batas=limit)
    if over.empty:
        return []
    over = over.assign(rasio=over["jumlah"] / over["sasaran"])
    first = over.sort_values(["bulan", "rasio"], ascending=[True, False])
    found = []
    for (kode_desa, jenis), group in first.groupby(["kode_desa", "jenis_sasaran"], sort=True):
        row = group.iloc[0]
        others = sorted(set(group["indikator"]) - {row.indikator})
        found.append(
            finding(
                "melebihi_sasaran",
                kode_desa=str(kode_desa),
                indikator=row.indikator,
                tahun=tahun,
                bulan=int(row.bulan),
                nilai=float(row.jumlah),
                pembanding=float(row.sasaran),
                **_place(row),
                jenis=jenis,
                sasaran=number(row.sasaran),
                jumlah=number(row.jumlah),
                cakupan=number(100.0 * row.rasio),
                batas=number(row.batas),
                lainnya=", ".join(others) if others else "-",
            )
        )
    return found


# ------------------------------------------------------------------------------------------------ values


def negative_findings(obs: pd.DataFrame, tahun: int, months: list[int]) -> list[dict[str, Any]]:
    """``nilai_negatif``: negative monthly counts (every sex)."""
    rows = obs[(obs["tahun"] == tahun) & obs["bulan"].isin(months) & (obs["nilai"] < 0)]
    return [
        finding(
            "nilai_negatif",
            kode_desa=row.kode_desa,
            indikator=row.indikator,
            tahun=tahun,
            bulan=int(row.bulan),
            nilai=float(row.nilai),
            **_place(row),
            jk=row.jk,
            angka=number(row.nilai),
        )
        for row in rows.itertuples(index=False)
    ]


def sex_sum_findings(obs: pd.DataFrame, tahun: int, months: list[int]) -> list[dict[str, Any]]:
    """``l_p_tidak_sama_jml``: stored L + P different from the stored total."""
    rows = obs[(obs["tahun"] == tahun) & obs["bulan"].isin(months)]
    split = rows[rows["jk"].isin(["L", "P"])]
    if split.empty:
        return []
    keys = ["kode_desa", "indikator", "bulan"]
    sexes = split.pivot_table(index=keys, columns="jk", values="nilai", aggfunc="sum").dropna()
    if sexes.empty or not {"L", "P"} <= set(sexes.columns):
        return []
    total = rows[rows["jk"] == "T"].set_index(keys)
    joined = total.join(sexes, how="inner")
    bad = joined[(joined["L"] + joined["P"] - joined["nilai"]).abs() > 1e-9].reset_index()
    return [
        finding(
            "l_p_tidak_sama_jml",
            kode_desa=row.kode_desa,
            indikator=row.indikator,
            tahun=tahun,
            bulan=int(row.bulan),
            nilai=float(row.nilai),
            pembanding=float(row.L + row.P),
            **_place(row),
            jml=number(row.nilai),
            l=number(row.L),
            p=number(row.P),
        )
        for row in bad.itertuples(index=False)
    ]


# ------------------------------------------------------------------------------------------------ stored problems


def _row_of(cell: Any) -> int | None:
    if not isinstance(cell, str):
        return None
    match = _CELL_ROW.match(cell.strip())
    return int(match.group(1)) if match else None


def _single(values: pd.Series) -> Any:
    distinct = values.dropna().unique()
    return distinct[0] if len(distinct) == 1 else None


def stored_findings(
    problems: pd.DataFrame, files: pd.DataFrame, obs: pd.DataFrame, tahun: int, months: list[int]
) -> list[dict[str, Any]]:
    """The problems the ETL stored at ingest (warnings and errors; reading notes of severity info stay on the
    upload page), placed on puskesmas, desa, indicator and month, for the period.

    A problem's place comes from the stored value at its cell (same ingest, sheet and cell), else from its
    parameters (``kode``, ``bulan``, ``indikator``), else from the values on the same sheet row (for
    ``baris_ganda``: the row that was used), else from the ingest log (its puskesmas and period when single).
    Problems of a file whose values were all replaced by a later upload are left out, and so are those of a failed
    upload that a later successful one of the same file name made obsolete.
    """
    if problems.empty:
        return []
    probs = problems[problems["tingkat"].isin(["warning", "error"])].copy()
    if probs.empty:
        return []
    log = files.set_index("id") if not files.empty else pd.DataFrame()
    ids = set(pd.to_numeric(probs["berkas_id"], errors="coerce").dropna().astype(int).tolist())
    live = set(obs["berkas_id"].unique().tolist())
    by_cell = obs[(obs["tahun"] == tahun) & obs["berkas_id"].isin(list(ids))].reset_index(drop=True)
    by_cell = by_cell.assign(_row=[_row_of(c) for c in by_cell["sumber_sel"].tolist()])
    keys = zip(by_cell["berkas_id"].tolist(), by_cell["sumber_sheet"].tolist(), by_cell["sumber_sel"].tolist(),
               by_cell["_row"].tolist(), strict=True)  # fmt: skip
    cell_index: dict[tuple[int, str, str], int] = {}
    rows_index: dict[tuple[int, str, int], list[int]] = {}
    for i, (b, s, c, r) in enumerate(keys):
        cell_index[(int(b), s, c)] = i
        if r is not None:
            rows_index.setdefault((int(b), s, int(r)), []).append(i)
    found: list[dict[str, Any]] = []
    for p in probs.itertuples(index=False):
        bid = int(p.berkas_id) if p.berkas_id is not None and not pd.isna(p.berkas_id) else None
        meta = log.loc[bid] if bid is not None and bid in log.index else None
        status = str(meta["status"]) if meta is not None else ""
        if meta is not None and status in ("baru", "ganti") and not pd.isna(meta["diganti_oleh"]) and bid not in live:
            continue  # every value of this file was replaced later
        if status == "gagal" and meta is not None and not files.empty:
            later = files[(files["nama_file"] == meta["nama_file"]) & (files["id"] > bid)]
            if later["status"].isin(["baru", "ganti", "sama"]).any():
                continue
        try:
            params = json.loads(p.params) if isinstance(p.params, str) and p.params else {}
        except ValueError:
            params = {}
        params = {k: number(v) if isinstance(v, float) else v for k, v in params.items()}
        sheet = p.sheet if isinstance(p.sheet, str) else ""
        cell = p.sel if isinstance(p.sel, str) else None
        place: dict[str, Any] = {"kode_desa": None, "indikator": None, "tahun": None, "bulan": None,
                                 "kode_puskesmas": None, "nilai": None}  # fmt: skip
        hit = cell_index.get((bid, sheet, cell)) if bid is not None and cell else None
        if hit is not None:
            row = by_cell.iloc[hit]
            place.update(
                kode_desa=row["kode_desa"],
                indikator=row["indikator"],
                tahun=int(row["tahun"]),
                bulan=int(row["bulan"]),
                kode_puskesmas=row["kode_puskesmas"],
                nilai=float(row["nilai"]),
            )
        if place["kode_desa"] is None and isinstance(params.get("kode"), str):
            place["kode_desa"] = params["kode"]
        if place["indikator"] is None and isinstance(params.get("indikator"), str) and "," not in params["indikator"]:
            place["indikator"] = params["indikator"]
        if place["bulan"] is None and str(params.get("bulan", "")).isdigit():
            place["bulan"] = int(params["bulan"])
        if place["tahun"] is None and str(params.get("tahun", "")).isdigit():
            place["tahun"] = int(params["tahun"])
        row_no = int(params["baris_dipakai"]) if str(params.get("baris_dipakai", "")).isdigit() else _row_of(cell)
        if bid is not None and row_no is not None and (place["kode_desa"] is None or place["bulan"] is None):
            same_row = by_cell.iloc[rows_index.get((bid, sheet, row_no), [])]
            if len(same_row):
                for key in ("kode_desa", "kode_puskesmas", "bulan", "tahun"):
                    if place[key] is None:
                        value = _single(same_row[key])
                        place[key] = int(value) if key in ("bulan", "tahun") and value is not None else value
        if meta is not None:
            pkms = [x for x in str(meta["kode_puskesmas"] or "").split(",") if x]
            periods = [x for x in str(meta["periode"] or "").split(",") if x]
            if place["kode_puskesmas"] is None and len(pkms) == 1:
                place["kode_puskesmas"] = pkms[0]
            if len(periods) == 1 and (place["tahun"] is None or place["bulan"] is None):
                year, _, month = periods[0].partition("-")
                place["tahun"] = place["tahun"] or int(year)
                place["bulan"] = place["bulan"] or int(month)
            if place["tahun"] is None and periods and len({x[:4] for x in periods}) == 1:
                place["tahun"] = int(periods[0][:4])
        if place["tahun"] is not None and place["tahun"] != tahun:
            continue
        if place["tahun"] is None:
            continue
        if place["bulan"] is not None and place["bulan"] not in months:
            continue
        record = finding(
            str(p.kode),
            kode_puskesmas=place["kode_puskesmas"],
            kode_desa=place["kode_desa"],
            indikator=place["indikator"],
            tahun=place["tahun"],
            bulan=place["bulan"],
            nilai=place["nilai"],
            berkas=p.nama_file if isinstance(p.nama_file, str) else None,
            sheet=sheet,
            sel=cell,
            asal="etl",
            tingkat=str(p.tingkat),
            pesan=str(p.pesan),
        )
        record["params"] = params
        found.append(record)
    return found


#: a derived finding code -> the stored ETL code that says the same thing about the same value
SAME_AS_STORED = {"nilai_negatif": "kumulatif_turun", "l_p_tidak_sama_jml": "l_p_tidak_sama_jml"}


def drop_repeats(derived: list[dict[str, Any]], stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Derived findings minus those the ETL already stored for the same value (same file, sheet and cell, or same
    desa, indicator, year and month)."""
    cells = {(s["kode"], s["berkas"], s["sheet"] or "", s["sel"]) for s in stored}
    places = {(s["kode"], s["kode_desa"], s["indikator"], s["tahun"], s["bulan"]) for s in stored}
    out = []
    for d in derived:
        code = SAME_AS_STORED.get(d["kode"])
        if code is not None and (
            (code, d["berkas"], d["sheet"] or "", d["sel"]) in cells
            or (code, d["kode_desa"], d["indikator"], d["tahun"], d["bulan"]) in places
        ):
            continue
        out.append(d)
    return out


__all__ = [
    "SAME_AS_STORED",
    "cascade_findings",
    "drop_repeats",
    "negative_findings",
    "over_sasaran_findings",
    "sasaran_table",
    "sex_sum_findings",
    "stored_findings",
]
