"""The service network (jejaring) as the dashboard shows it: key figures, the desa where the network is thin, the
posyandu that did not report, the recent values of a posyandu, the posyandu rows of the PWS table, and the map
layer (unit points, desa without a pustu outlined). No dash here: frames in, frames, dicts and figures out.

Inputs are the frames of :mod:`pws.network` (``jejaring``: one row per unit; ``by_desa``:
:func:`pws.network.network_by_desa`; ``reporting``: :func:`pws.network.posyandu_reporting`) and the posyandu
observations of the store (the tidy columns plus ``posyandu`` and ``kode_unit``).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pws.figures.theme import BRAND, base_layout, format_number, format_pct
from pws.i18n import current_lang, t

#: unit types in display order (the loader's ``UNIT_TYPES``, the biggest first)
UNIT_ORDER = ("puskesmas", "pustu", "poskesdes", "posyandu", "posbindu")
#: map marker colour and size per unit type (colour-blind friendly, distinct from the status colours)
UNIT_STYLE: dict[str, tuple[str, int]] = {
    "puskesmas": ("#7b1fa2", 15),
    "pustu": ("#1565c0", 11),
    "poskesdes": ("#00838f", 9),
    "posyandu": ("#ef6c00", 7),
    "posbindu": ("#6d4c41", 7),
}
#: outline of the desa without an active pustu when the network layer is on
NO_PUSTU_COLOUR = "#1565c0"
NO_PUSTU_WIDTH = 3.0
#: SKDN ratios shown beside a posyandu's counts: numerator → (denominator, label)
SKDN_RATIOS: dict[str, tuple[str, str]] = {
    "BALITA_K": ("BALITA_S", "K/S"),
    "BALITA_D": ("BALITA_S", "D/S"),
    "BALITA_N": ("BALITA_D", "N/D"),
}
#: months of recent values shown per posyandu
HISTORY_MONTHS = 12
#: the indicator order of a posyandu's values (SKDN first, the rest by code)
SKDN_ORDER = ("BALITA_S", "BALITA_K", "BALITA_D", "BALITA_N")


def month_end(tahun: int, bulan: int) -> date:
    """The last day of a month: a unit active since any day of the month counts for it."""
    return date(int(tahun), int(bulan), calendar.monthrange(int(tahun), int(bulan))[1])


def unit_label(jenis: str, lang: str | None = None) -> str:
    """ "Pustu", "Posyandu"… (the type itself when it has no label)."""
    return t(f"jejaring_page.jenis_{jenis}", lang) if jenis in UNIT_ORDER else jenis


def active_units(jejaring: pd.DataFrame, on: date | None = None) -> pd.DataFrame:
    """The units active on ``on`` (no ``aktif_sejak``, or since that day or earlier); all units when ``on`` is
    None."""
    if on is None or jejaring.empty:
        return jejaring
    since = pd.to_datetime(jejaring["aktif_sejak"])
    return jejaring[since.isna() | (since <= pd.Timestamp(on))]


def unit_counts(units: pd.DataFrame) -> dict[str, int]:
    """Number of units per type, every type of :data:`UNIT_ORDER` (zero when absent) plus any other type found."""
    found = units["jenis"].astype(str).value_counts() if len(units) else pd.Series(dtype=int)
    counts = {jenis: int(found.get(jenis, 0)) for jenis in UNIT_ORDER}
    counts.update({str(j): int(n) for j, n in found.items() if j not in counts})
    return counts


@dataclass(frozen=True)
class NetworkSummary:
    """The key figures of the Jejaring page for one month and scope."""

    units: dict[str, int]
    desa: int
    tanpa_pustu: int
    tanpa_posyandu: int
    posyandu: int  # active posyandu expected to report
    melapor: int  # of those, with at least one value this month

    @property
    def reporting_rate(self) -> float | None:
        """Share of the active posyandu that reported, in percent (None without posyandu)."""
        return 100.0 * self.melapor / self.posyandu if self.posyandu else None


def summary(units: pd.DataFrame, by_desa: pd.DataFrame, reporting: pd.DataFrame) -> NetworkSummary:
    """Units per type (``units``: the active units of the scope), desa without pustu / posyandu (``by_desa``), and
    the posyandu reporting rate (``reporting``: one row per active posyandu with ``dilaporkan``)."""
    reported = int(reporting["dilaporkan"].astype(bool).sum()) if len(reporting) else 0
    return NetworkSummary(
        units=unit_counts(units),
        desa=len(by_desa),
        tanpa_pustu=int(by_desa["tanpa_pustu"].astype(bool).sum()) if len(by_desa) else 0,
        tanpa_posyandu=int(by_desa["tanpa_posyandu"].astype(bool).sum()) if len(by_desa) else 0,
        posyandu=len(reporting),
        melapor=reported,
    )


def in_scope(frame: pd.DataFrame, kode_puskesmas: str | None = None, kode_desa: str | None = None) -> pd.DataFrame:
    """The rows of one puskesmas and/or desa (every row when neither is given)."""
    if kode_puskesmas and "kode_puskesmas" in frame.columns:
        frame = frame[frame["kode_puskesmas"] == kode_puskesmas]
    if kode_desa and "kode_desa" in frame.columns:
        frame = frame[frame["kode_desa"] == kode_desa]
    return frame


GAP_COLUMNS = ["kode_desa", "nama_desa", "nama_kecamatan", "kode_puskesmas", "nama_puskesmas", "pustu", "posyandu",
               "kurang", "prioritas"]  # fmt: skip


def gap_rows(by_desa: pd.DataFrame, wilayah: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The desa without an active pustu or without an active posyandu, with kecamatan and puskesmas names and what
    is missing (``kurang``, in words); desa missing both first (``prioritas`` 1, then 2 = no pustu, 3 = no
    posyandu), then by puskesmas and desa name."""
    gaps = by_desa[by_desa["tanpa_pustu"].astype(bool) | by_desa["tanpa_posyandu"].astype(bool)]
    names = wilayah.drop_duplicates("kode_desa").set_index("kode_desa")
    out = pd.DataFrame(
        {
            "kode_desa": gaps["kode_desa"].astype(str).to_numpy(),
            "pustu": gaps["pustu"].astype(int).to_numpy(),
            "posyandu": gaps["posyandu"].astype(int).to_numpy(),
        }
    )
    for column in ("nama_desa", "nama_kecamatan", "kode_puskesmas", "nama_puskesmas"):
        out[column] = out["kode_desa"].map(names[column]).fillna("").astype(str).to_numpy()
    no_pustu = gaps["tanpa_pustu"].astype(bool).to_numpy()
    no_posyandu = gaps["tanpa_posyandu"].astype(bool).to_numpy()
    out["prioritas"] = np.where(no_pustu & no_posyandu, 1, np.where(no_pustu, 2, 3))
    words = {1: t("jejaring_page.kurang_keduanya", lang), 2: t("jejaring_page.kurang_pustu", lang),
             3: t("jejaring_page.kurang_posyandu", lang)}  # fmt: skip
    out["kurang"] = out["prioritas"].map(words)
    out = out.sort_values(["prioritas", "nama_puskesmas", "nama_desa"], kind="stable")
    return out[GAP_COLUMNS].reset_index(drop=True)


def gaps_by_puskesmas(by_desa: pd.DataFrame, wilayah: pd.DataFrame) -> pd.DataFrame:
    """Per puskesmas: desa, desa without pustu, desa without posyandu; most desa without pustu first."""
    names = wilayah.drop_duplicates("kode_puskesmas").set_index("kode_puskesmas")["nama_puskesmas"]
    frame = by_desa.assign(
        tanpa_pustu=by_desa["tanpa_pustu"].astype(bool), tanpa_posyandu=by_desa["tanpa_posyandu"].astype(bool)
    )
    grouped = frame.groupby("kode_puskesmas", sort=False).agg(
        desa=("kode_desa", "size"), tanpa_pustu=("tanpa_pustu", "sum"), tanpa_posyandu=("tanpa_posyandu", "sum")
    )
    out = grouped.reset_index()
    out["nama_puskesmas"] = out["kode_puskesmas"].map(names).fillna(out["kode_puskesmas"]).astype(str)
    out[["desa", "tanpa_pustu", "tanpa_posyandu"]] = out[["desa", "tanpa_pustu", "tanpa_posyandu"]].astype(int)
    return out.sort_values(["tanpa_pustu", "tanpa_posyandu", "nama_puskesmas"], ascending=[False, False, True])[
        ["kode_puskesmas", "nama_puskesmas", "desa", "tanpa_pustu", "tanpa_posyandu"]
    ].reset_index(drop=True)


def _period(tahun: Any, bulan: Any) -> int:
    return int(tahun) * 12 + int(bulan) - 1


def last_reported(values: pd.DataFrame) -> pd.Series:
    """Per ``kode_unit`` the newest month with a value, as ``tahun * 12 + bulan − 1``."""
    known = values[values["kode_unit"].notna()]
    if known.empty:
        return pd.Series(dtype="int64")
    periods = known["tahun"].astype(int) * 12 + known["bulan"].astype(int) - 1
    return periods.groupby(known["kode_unit"].astype(str)).max()


UNREPORTED_COLUMNS = ["kode_unit", "nama", "kode_desa", "nama_desa", "kode_puskesmas", "nama_puskesmas",
                      "terakhir", "bulan_kosong"]  # fmt: skip


def unreported_rows(
    reporting: pd.DataFrame, values: pd.DataFrame, wilayah: pd.DataFrame, tahun: int, bulan: int,
    lang: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The posyandu that did not report in the month, with the last month they did (``terakhir``, "Mei 2025" or
    "–") and how many months they have been silent (``bulan_kosong``; None when never seen in ``values``); the
    longest silent first (never seen first of all), then by puskesmas, desa and name."""
    missing = reporting[~reporting["dilaporkan"].astype(bool)]
    last = last_reported(values)
    now = _period(tahun, bulan)
    names = wilayah.drop_duplicates("kode_puskesmas").set_index("kode_puskesmas")["nama_puskesmas"]
    rows = []
    for r in missing.to_dict("records"):
        seen = last.get(str(r["kode_unit"]))
        seen = int(seen) if seen is not None and not pd.isna(seen) and int(seen) < now else None
        rows.append(
            {
                "kode_unit": str(r["kode_unit"]),
                "nama": str(r["nama"]),
                "kode_desa": str(r["kode_desa"]),
                "nama_desa": str(r["nama_desa"]),
                "kode_puskesmas": str(r["kode_puskesmas"]),
                "nama_puskesmas": str(names.get(r["kode_puskesmas"], r["kode_puskesmas"])),
                "terakhir": "–" if seen is None else f"{t(f'month.{seen % 12 + 1}', lang)} {seen // 12}",
                "bulan_kosong": None if seen is None else now - seen,
            }
        )
    out = pd.DataFrame(rows, columns=UNREPORTED_COLUMNS)
    order = out["bulan_kosong"].astype(float).fillna(np.inf)
    return (
        out.assign(_o=-order)
        .sort_values(["_o", "nama_puskesmas", "nama_desa", "nama"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _totals(values: pd.DataFrame) -> pd.DataFrame:
    """One value per unit, indicator and month: the ``T`` (total) row where there is one, else L + P."""
    if values.empty:
        return pd.DataFrame(columns=["kode_unit", "posyandu", "kode_desa", "indikator", "tahun", "bulan", "nilai"])
    keys = ["kode_unit", "posyandu", "kode_desa", "indikator", "tahun", "bulan"]
    frame = values.assign(kode_unit=values["kode_unit"].astype("string").fillna("?" + values["posyandu"].astype(str)))
    frame = frame.assign(nilai=pd.to_numeric(frame["nilai"], errors="coerce"))
    total = frame[frame["jk"] == "T"].groupby(keys, as_index=False)["nilai"].sum()
    split = frame[frame["jk"] != "T"].groupby(keys, as_index=False)["nilai"].sum()
    merged = pd.concat([total, split], ignore_index=True).drop_duplicates(keys, keep="first")
    return merged.reset_index(drop=True)


def indicator_order(codes: Sequence[str]) -> list[str]:
    """SKDN first (S, K, D, N), the other indicators by code."""
    present = list(dict.fromkeys(codes))
    return [c for c in SKDN_ORDER if c in present] + sorted(c for c in present if c not in SKDN_ORDER)


def recent_months(tahun: int, bulan: int, months: int = HISTORY_MONTHS) -> list[tuple[int, int]]:
    """The ``months`` months ending with (tahun, bulan), oldest first."""
    end = _period(tahun, bulan)
    return [(p // 12, p % 12 + 1) for p in range(end - months + 1, end + 1)]


def posyandu_history(
    values: pd.DataFrame, kode_units: Sequence[str], tahun: int, bulan: int, months: int = HISTORY_MONTHS
) -> pd.DataFrame:
    """The recent values of some posyandu: one row per posyandu and indicator (SKDN order), one column per month
    (``"2025-06"``, the ``months`` months up to the chosen one, oldest first), NaN where nothing was reported."""
    periods = recent_months(tahun, bulan, months)
    columns = [f"{y}-{m:02d}" for y, m in periods]
    totals = _totals(values)
    totals = totals[totals["kode_unit"].isin([str(k) for k in kode_units])]
    totals = totals[[(int(y), int(m)) in set(periods) for y, m in zip(totals["tahun"], totals["bulan"], strict=True)]]
    if totals.empty:
        return pd.DataFrame(columns=["kode_unit", "posyandu", "indikator", *columns])
    totals = totals.assign(kolom=[f"{int(y)}-{int(m):02d}" for y, m in zip(totals["tahun"], totals["bulan"],
                                                                             strict=True)])  # fmt: skip
    wide = totals.pivot_table(index=["kode_unit", "posyandu", "indikator"], columns="kolom", values="nilai",
                              aggfunc="sum")  # fmt: skip
    wide = wide.reindex(columns=columns).reset_index()
    wide.columns.name = None
    order = {code: i for i, code in enumerate(indicator_order(wide["indikator"].astype(str)))}
    unit_order = {str(k): i for i, k in enumerate(kode_units)}
    wide = wide.assign(_u=wide["kode_unit"].map(unit_order), _i=wide["indikator"].map(order))
    return wide.sort_values(["_u", "_i"]).drop(columns=["_u", "_i"]).reset_index(drop=True)


def history_chart(
    history: pd.DataFrame, kode_unit: str, names: Mapping[str, str], lang: str | None = None
) -> go.Figure:
    """The SKDN bars of one posyandu: per month one bar per indicator (``names``: code → label), the classic
    "balok SKDN" of the posyandu book."""
    rows = history[history["kode_unit"].astype(str) == str(kode_unit)]
    months = [c for c in history.columns if c not in ("kode_unit", "posyandu", "indikator")]
    labels = [f"{t(f'month.{int(c[5:])}', lang)[:3]} {c[2:4]}" for c in months]
    palette = ("#9aa5b1", "#5b7db1", BRAND, "#d08c60", "#9c7fc0", "#c9a227")
    fig = go.Figure()
    for i, r in enumerate(rows.to_dict("records")):
        code = str(r["indikator"])
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[None if pd.isna(r[c]) else float(r[c]) for c in months],
                name=names.get(code, code),
                marker={"color": palette[i % len(palette)]},
                hovertemplate="%{x}: %{y:,.0f}<extra>" + names.get(code, code) + "</extra>",
            )
        )
    fig.update_layout(
        **base_layout(
            barmode="group",
            height=280,
            margin={"l": 44, "r": 8, "t": 8, "b": 28},
            legend={"orientation": "h", "y": -0.16, "x": 0, "font": {"size": 12}},
            yaxis={"rangemode": "tozero", "gridcolor": "#eef2f6", "zeroline": False, "fixedrange": True},
            xaxis={"fixedrange": True, "tickfont": {"size": 11}},
        )
    )
    return fig


POSYANDU_TABLE_COLUMNS = ["kode_unit", "posyandu", "kode_desa", "nama_desa", "kode_puskesmas", "nama_puskesmas",
                          "bulan_lalu", "bulan_ini", "kumulatif", "penyebut", "persen"]  # fmt: skip


def posyandu_table(
    values: pd.DataFrame,
    units: pd.DataFrame,
    wilayah: pd.DataFrame,
    tahun: int,
    bulan: int,
    indikator: str,
    kode_unit: str | None = None,
) -> pd.DataFrame:
    """One row per posyandu of ``units`` (the active posyandu of the scope; a posyandu with values but not in
    ``units`` — unmatched names — is added) for one indicator: last month's and this month's count, the sum from
    January (``kumulatif``), and for the SKDN ratios (:data:`SKDN_RATIOS`) this month's denominator and the ratio
    in percent. Highest ``bulan_ini`` first, posyandu without a value last. ``kode_unit`` keeps that one only."""
    totals = _totals(values[values["tahun"].astype(int) == int(tahun)])
    this = totals[totals["indikator"] == indikator]
    posyandu = units[units["jenis"] == "posyandu"] if "jenis" in units.columns else units
    base = pd.DataFrame(
        {
            "kode_unit": posyandu["kode_unit"].astype(str).to_numpy(),
            "posyandu": posyandu["nama"].astype(str).to_numpy(),
            "kode_desa": posyandu["kode_desa"].astype(str).to_numpy(),
        }
    )
    extra = this[~this["kode_unit"].isin(base["kode_unit"])][["kode_unit", "posyandu", "kode_desa"]]
    base = pd.concat([base, extra.drop_duplicates("kode_unit").astype(str)], ignore_index=True)
    if kode_unit:
        base = base[base["kode_unit"] == str(kode_unit)]

    def month_sum(frame: pd.DataFrame, months: Sequence[int]) -> pd.Series:
        part = frame[frame["bulan"].astype(int).isin(list(months))]
        return part.groupby("kode_unit")["nilai"].sum(min_count=1)

    names = wilayah.drop_duplicates("kode_desa").set_index("kode_desa")
    base["nama_desa"] = base["kode_desa"].map(names["nama_desa"]).fillna("").astype(str)
    base["kode_puskesmas"] = base["kode_desa"].map(names["kode_puskesmas"]).fillna("").astype(str)
    base["nama_puskesmas"] = base["kode_desa"].map(names["nama_puskesmas"]).fillna("").astype(str)
    base["bulan_lalu"] = base["kode_unit"].map(month_sum(this, [bulan - 1])) if bulan > 1 else np.nan
    base["bulan_ini"] = base["kode_unit"].map(month_sum(this, [bulan]))
    base["kumulatif"] = base["kode_unit"].map(month_sum(this, range(1, bulan + 1)))
    ratio = SKDN_RATIOS.get(indikator)
    if ratio:
        under = totals[totals["indikator"] == ratio[0]]
        base["penyebut"] = base["kode_unit"].map(month_sum(under, [bulan]))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = 100.0 * base["bulan_ini"].astype(float) / base["penyebut"].astype(float)
        base["persen"] = share.where(base["penyebut"].astype(float) > 0)
    else:
        base["penyebut"] = np.nan
        base["persen"] = np.nan
    for column in ("bulan_lalu", "bulan_ini", "kumulatif", "penyebut", "persen"):
        base[column] = base[column].astype(float)
    base = base.sort_values(["bulan_ini", "nama_puskesmas", "nama_desa", "posyandu"],
                            ascending=[False, True, True, True], na_position="last", kind="stable")  # fmt: skip
    return base[POSYANDU_TABLE_COLUMNS].reset_index(drop=True)


def ratio_codes(indikator: str) -> list[str]:
    """The other indicator a posyandu table of ``indikator`` needs (its SKDN denominator), if any."""
    ratio = SKDN_RATIOS.get(indikator)
    return [ratio[0]] if ratio else []


def posyandu_indicators(values: pd.DataFrame) -> set[str]:
    """The indicators that have posyandu-level values."""
    return set(values["indikator"].astype(str)) if len(values) else set()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Grid rows: NaN / NA as None (JSON null), numbers as plain floats."""
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in r.items()} for r in out]


# ---------------------------------------------------------------------------------------------- the map layer
POINT_COLUMNS = ["kode_unit", "jenis", "nama", "kode_desa", "nama_desa", "dusun", "lintang", "bujur"]


def map_points(units: pd.DataFrame, kode_desa: Sequence[str] | None = None) -> pd.DataFrame:
    """The units with both coordinates (of the desa ``kode_desa`` when given), biggest type first so that the small
    posyandu dots are drawn on top."""
    frame = units[units["lintang"].notna() & units["bujur"].notna()]
    if kode_desa is not None:
        frame = frame[frame["kode_desa"].isin(list(kode_desa))]
    rank = {jenis: i for i, jenis in enumerate(UNIT_ORDER)}
    frame = frame.assign(_r=frame["jenis"].map(rank).fillna(len(rank)))
    return frame.sort_values(["_r", "kode_desa", "nama"], kind="stable")[POINT_COLUMNS].reset_index(drop=True)


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)


def points_trace(points: pd.DataFrame, lang: str | None = None) -> dict[str, Any]:
    """The network layer's point trace (a plotly ``scattermap`` as a dict, ready for a ``Patch``): one circle per
    unit, colour and size by type, hover with name, type, desa and dusun."""
    jenis = points["jenis"].astype(str)
    colours = [UNIT_STYLE.get(j, ("#455a64", 7))[0] for j in jenis]
    sizes = [UNIT_STYLE.get(j, ("#455a64", 7))[1] for j in jenis]
    lang = lang or current_lang()
    labels = {j: unit_label(j, lang) for j in set(jenis)}
    desa_word = t("ui.desa", lang)
    hover = []
    for nama, kind, desa, dusun in zip(points["nama"].tolist(), jenis.tolist(), points["nama_desa"].tolist(),
                                       points["dusun"].tolist(), strict=True):  # fmt: skip
        line = f"<b>{_text(nama)}</b><br>{labels[kind]} · {desa_word} {_text(desa)}"
        if _text(dusun):
            line += "<br>" + t("jejaring_page.dusun", lang, dusun=_text(dusun))
        hover.append(line)
    # a plain dict, not go.Scattermap: plotly's validation of the per-point arrays costs ~0.1 s for 500 units
    return {
        "type": "scattermap",
        "lat": points["lintang"].astype(float).tolist(),
        "lon": points["bujur"].astype(float).tolist(),
        "mode": "markers",
        "marker": {"color": colours, "size": sizes, "opacity": 0.95},
        "text": hover,
        "customdata": points["kode_unit"].astype(str).tolist(),
        "hovertemplate": "%{text}<extra></extra>",
        "name": "jejaring",
        "showlegend": False,
    }


def no_pustu_trace(codes: Sequence[str], desa_geojson_url: str) -> dict[str, Any]:
    """The outline of the desa without an active pustu (a transparent choropleth with a thick blue border)."""
    fill = "rgba(21,101,192,0.10)"
    return {
        "type": "choroplethmap",
        "geojson": desa_geojson_url,
        "featureidkey": "properties.kode_desa",
        "locations": list(codes),
        "z": [0] * len(codes),
        "colorscale": [[0, fill], [1, fill]],
        "showscale": False,
        "hoverinfo": "skip",
        "marker": {"line": {"color": NO_PUSTU_COLOUR, "width": NO_PUSTU_WIDTH}, "opacity": 1},
        "name": "tanpa-pustu",
    }


def desa_count_text(by_desa: pd.DataFrame, locations: Sequence[str], lang: str | None = None) -> list[str]:
    """Per map location the hover line with its network ("Pustu 1 · Posyandu 3"; "Tanpa pustu" in bold when none),
    empty for a desa not in ``by_desa``."""
    rows = by_desa.drop_duplicates("kode_desa").set_index("kode_desa")
    out = []
    for kode in locations:
        if kode not in rows.index:
            out.append("")
            continue
        r = rows.loc[kode]
        pustu = int(r["pustu"])
        text = t("jejaring_page.hover_pustu", lang, n=pustu) if pustu else "<b>" + t("jejaring_page.hover_tanpa_pustu",
                                                                                    lang) + "</b>"  # fmt: skip
        text += " · " + t("jejaring_page.hover_posyandu", lang, n=int(r["posyandu"]))
        out.append(text)
    return out


def with_counts(static_hover: Sequence[str], counts: Sequence[str]) -> list[str]:
    """The map's static hover lines with the network line added (unchanged where there is none)."""
    return [f"{h}<br>{c}" if c else h for h, c in zip(static_hover, counts, strict=True)]


def legend_items(points: pd.DataFrame, lang: str | None = None) -> list[tuple[str, str, int, str]]:
    """(type, colour, size, "Posyandu (123)") of every type among ``points``, in :data:`UNIT_ORDER`."""
    counts = unit_counts(points)
    return [
        (jenis, UNIT_STYLE.get(jenis, ("#455a64", 7))[0], UNIT_STYLE.get(jenis, ("#455a64", 7))[1],
         f"{unit_label(jenis, lang)} ({format_number(n, 0)})")
        for jenis, n in counts.items()
        if n
    ]  # fmt: skip


def desa_units(units: pd.DataFrame, kode_desa: str) -> pd.DataFrame:
    """The active units of one desa, by type order and name."""
    mine = units[units["kode_desa"] == kode_desa]
    rank = {jenis: i for i, jenis in enumerate(UNIT_ORDER)}
    return mine.assign(_r=mine["jenis"].map(rank).fillna(len(rank))).sort_values(["_r", "nama"]).drop(columns="_r")


def rate_text(summary_: NetworkSummary) -> str:
    """ "87%", "99,7%" (one decimal unless whole: 297 of 298 is not 100%), or "–"."""
    rate = summary_.reporting_rate
    return format_pct(rate, 0 if rate is None or rate == int(rate) else 1)


def posyandu_column_defs(
    indikator: str, jenis: str = "kumulatif", show_puskesmas: bool = True, lang: str | None = None
) -> list[dict[str, Any]]:
    """Columns of the posyandu table of the PWS page: posyandu, desa, puskesmas, last and this month's count, the sum
    from January (``kumulatif`` indicators only) and, for the SKDN ratios, the denominator and the ratio."""
    from pws.figures.pwstable import js_number  # the grid's Indonesian number format

    def number(field: str, header: str, decimals: int = 0, width: int = 95) -> dict[str, Any]:
        return {"field": field, "headerName": header, "type": "rightAligned", "cellDataType": "number",
                "filter": "agNumberColumnFilter", "valueFormatter": js_number(decimals, fixed=decimals > 0),
                "minWidth": width}  # fmt: skip

    cols: list[dict[str, Any]] = [
        {"field": "posyandu", "headerName": t("jejaring_page.kol_nama", lang), "pinned": "left", "minWidth": 150,
         "cellDataType": "text", "filter": "agTextColumnFilter"},
        {"field": "nama_desa", "headerName": t("jejaring_page.kol_desa", lang), "minWidth": 130,
         "cellDataType": "text", "filter": "agTextColumnFilter"},
        {"field": "nama_puskesmas", "headerName": t("jejaring_page.kol_puskesmas", lang), "minWidth": 140,
         "hide": not show_puskesmas, "cellDataType": "text", "filter": "agTextColumnFilter"},
        number("bulan_lalu", t("jejaring_page.kol_bulan_lalu", lang)),
        number("bulan_ini", t("jejaring_page.kol_bulan_ini", lang)),
    ]  # fmt: skip
    if jenis == "kumulatif":
        cols.append(number("kumulatif", t("jejaring_page.kol_kumulatif", lang), width=110))
    ratio = SKDN_RATIOS.get(indikator)
    if ratio:
        cols.append(number("penyebut", t("jejaring_page.kol_penyebut", lang, kode=ratio[1].split("/")[1]), width=130))
        cols.append(number("persen", t("jejaring_page.kol_persen", lang, rasio=ratio[1]), decimals=1, width=90))
    return cols
