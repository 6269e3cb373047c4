"""The demo district (``pws demo``): master list, boundaries, sasaran, targets and two years of messy
puskesmas workbooks, plus what the generator drew (``.pws/demo/kebenaran.csv``) and the mess it put in on
purpose (``.pws/demo/manifest.json``), so the ETL and the data-quality checks can be tested against it.

Seeded and deterministic: the same seed writes the same numbers, names, shapes and cells.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.demo import reports
from pws.demo.district import KODE_KABUPATEN, NAMA_KABUPATEN, build_district
from pws.demo.network import write_network
from pws.demo.posyandu import write_posyandu_reports
from pws.demo.reports import MONTHS, MONTHS_SHORT, Lineage, Style
from pws.demo.truth import LAST_MONTH, YEARS, build_truth
from pws.etl.model import TIDY_COLUMNS

DEFAULT_SEED = 2024


@dataclass(frozen=True)
class DemoSummary:
    root: Path
    n_desa: int
    n_puskesmas: int
    n_kecamatan: int
    n_files: int
    files_by_family: dict[str, int]
    n_values: int
    mess: list[dict[str, Any]]
    n_units: int = 0  # rows of jejaring.csv
    mess_jejaring: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _styles(pkm_codes: list[str], desa: pd.DataFrame) -> dict[str, Style]:
    """The mess each puskesmas brings (index in sorted order)."""
    styles = [
        Style(name_case="upper", zero="-"),
        Style(text_numbers=0.05, total_formula=True, month_in="title", labels=1),
        Style(month_in="filename", labels=2),
        Style(),  # reports more than its sasaran (see truth.py)
        Style(old_spelling=True, prefix=True),
        Style(luar_wilayah=True),
        Style(missing=frozenset({(2024, 7), (2025, 2), (2025, 9)}), zero=None),
        Style(prefix=True, zero=None, labels=1),
        Style(text_numbers=0.04, name_case="upper"),
        Style(bln_lalu_is_last_month=True, labels=2),
    ]
    out = {code: styles[i % len(styles)] for i, code in enumerate(pkm_codes)}
    # a typo in one desa name of puskesmas #5, in all its reports
    typo_desa = desa[desa["kode_puskesmas"] == pkm_codes[5]].iloc[2]
    name = str(typo_desa["nama_desa"])
    out[pkm_codes[5]] = dataclasses.replace(out[pkm_codes[5]], typo={typo_desa["kode_desa"]: name[:3] + name[4:]})
    # the renamed desa is still reported under its old name (recorded as alias in wilayah.csv)
    renamed = desa[desa["alias"] != ""].iloc[0]
    pkm = renamed["kode_puskesmas"]
    out[pkm] = dataclasses.replace(out[pkm], typo={**out[pkm].typo, renamed["kode_desa"]: renamed["alias"]})
    return out


def _slug(text: str) -> str:
    return text.upper().replace(" ", "_")


def generate(root: Path, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the complete demo workspace into ``root`` (created if needed) and return what it holds."""
    ws = Workspace(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    catalogue = default_catalogue()
    district = build_district(seed)
    desa = district.desa
    pkm_codes = sorted(desa["kode_puskesmas"].unique())
    truth = build_truth(pd.DataFrame(desa.drop(columns="geometry")), catalogue, rng)
    lineage = Lineage()

    # --- the user's own files -------------------------------------------------------------------
    district.wilayah.to_csv(root / "wilayah.csv", index=False)
    desa[["kode_desa", "nama_desa", "kode_kecamatan", "geometry"]].to_file(root / "batas_desa.geojson")
    units, mess_jejaring = write_network(root, desa, seed)  # its own random stream: the rest is unchanged
    sasaran = truth.sasaran
    # one desa lacks its HT_EST sasaran for 2025 (a denominator gap the data-quality page must show)
    gap_desa = desa["kode_desa"].iloc[40]
    drop = (sasaran["tahun"] == 2025) & (sasaran["kode_desa"] == gap_desa) & (sasaran["jenis_sasaran"] == "HT_EST")
    sasaran[~drop].to_csv(root / "sasaran.csv", index=False)
    lineage.mess.append({"jenis": "desa_tanpa_sasaran", "file": "sasaran.csv", "kode_desa": gap_desa,
                         "jenis_sasaran": "HT_EST", "tahun": 2025})  # fmt: skip
    pd.DataFrame(
        [
            (2024, "K4", 90, "", ""),
            (2025, "K4", 95, "", ""),
            (2025, "K6", 82, "", ""),
            (2025, "IDL", 95, "", ""),
            (2025, "K1", 100, pkm_codes[0], ""),
        ],
        columns=["tahun", "indikator", "target", "kode_puskesmas", "kode_desa"],
    ).to_csv(root / "target.csv", index=False)

    # --- the counts, with the deliberate data-quality problems put into the truth itself ---------
    counts = truth.counts
    key_cols = ["tahun", "bulan", "kode_desa", "indikator", "jk"]
    values: dict[tuple[Any, ...], int] = dict(
        zip(map(tuple, counts[key_cols].to_numpy().tolist()), counts["nilai"].tolist(), strict=True)
    )
    first_of = {p: desa[desa["kode_puskesmas"] == p]["kode_desa"].tolist() for p in pkm_codes}
    spike = (2025, 7, first_of[pkm_codes[2]][0], "KN1", "T")
    values[spike] = max(values[spike], 3) * 10
    lineage.mess.append({"jenis": "pencilan", "kode_desa": spike[2], "indikator": "KN1", "tahun": 2025, "bulan": 7})
    k4_desa = first_of[pkm_codes[4]][2]
    cum_k1 = sum(values[(2025, m, k4_desa, "K1", "T")] for m in (1, 2, 3))
    cum_k4 = sum(values[(2025, m, k4_desa, "K4", "T")] for m in (1, 2))
    values[(2025, 3, k4_desa, "K4", "T")] = cum_k1 - cum_k4 + 3
    lineage.mess.append({"jenis": "k4_melebihi_k1", "kode_desa": k4_desa, "tahun": 2025, "bulan": 3})

    cumulative: dict[tuple[Any, ...], int] = {}
    running: dict[tuple[Any, ...], int] = defaultdict(int)
    for year in YEARS:
        for (y, m, kode, ind, jk), v in sorted(values.items()):
            if y == year:
                running[(y, kode, ind, jk)] += v
                cumulative[(y, m, kode, ind, jk)] = running[(y, kode, ind, jk)]

    def count(y: int, m: int, kode: str, ind: str, jk: str) -> int:
        return values.get((y, m, kode, ind, jk), 0)

    def cum(y: int, m: int, kode: str, ind: str, jk: str) -> int:
        return cumulative.get((y, m, kode, ind, jk), 0) if m >= 1 else 0

    s_index = truth.sasaran.set_index(["tahun", "kode_desa", "jenis_sasaran"])["jumlah"].to_dict()

    def sas(y: int, kode: str, jenis: str) -> int:
        return int(s_index.get((y, kode, jenis), 0))

    # --- the workbooks --------------------------------------------------------------------------
    styles = _styles(pkm_codes, desa)
    files_by_family: dict[str, int] = defaultdict(int)
    seq: dict[str, int] = defaultdict(int)
    denominators = {code: ind.sasaran for code, ind in catalogue.indicators.items()}
    for year in YEARS:
        folder = ws.laporan_dir / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for p in pkm_codes:
            rows = desa[desa["kode_puskesmas"] == p]
            pkm = {
                "kode": p,
                "nama": rows["nama_puskesmas"].iloc[0],
                "kecamatan": rows["nama_kecamatan"].iloc[0],
            }
            items = [{"kode": r.kode_desa, "nama": r.nama_desa, "jenis": r.jenis} for r in rows.itertuples()]
            style = styles[p]
            for month in range(1, LAST_MONTH[year] + 1):
                if (year, month) in style.missing:
                    lineage.mess.append({"jenis": "laporan_tidak_ada", "kode_puskesmas": p, "tahun": year,
                                         "bulan": month})  # fmt: skip
                    continue
                seq[p] += 1
                mname = reports.month_name(month, style)
                if style.month_in == "both":
                    kia = f"PWS KIA {pkm['nama'].upper()} {mname} {year}.xlsx"
                    imun = f"Imunisasi {pkm['nama']} {MONTHS_SHORT[month - 1]} {year}.xlsx"
                elif style.month_in == "title":
                    kia = f"lap kia {pkm['nama'].lower()} ({seq[p]}).xlsx"
                    imun = f"imunisasi {pkm['nama'].lower()} ({seq[p]}).xlsx"
                else:
                    kia = f"KIA_{_slug(pkm['nama'])}_{MONTHS_SHORT[month - 1]}{year}.xlsx"
                    imun = f"IMUNISASI_{_slug(pkm['nama'])}_{year}{month:02d}.xlsx"
                mess_kum = ("K1", items[0]["kode"], 3) if (p, year, month) == (pkm_codes[1], 2024, 9) else None
                mess_jum = ("K4", 7) if (p, year, month) == (pkm_codes[0], 2025, 5) else None
                reports.write_pws_kia(folder / kia, pkm, items, year, month, count, cum, sas, style, rng, lineage,
                                      wrong_kumulatif=mess_kum, wrong_jumlah=mess_jum)  # fmt: skip
                mess_jml = ("DPTHBHIB1", items[0]["kode"], 2) if (p, year, month) == (pkm_codes[8], 2025, 6) else None
                imun_style = dataclasses.replace(style, prefix=True)
                reports.write_imunisasi(folder / imun, pkm, items, year, month, count, cum, sas, imun_style, rng,
                                        lineage, wrong_jml=mess_jml)  # fmt: skip
                files_by_family["pws_kia"] += 1
                files_by_family["imunisasi"] += 1
            name = f"Rekap KIA Tahunan {pkm['nama']} {year}.xlsx"
            reports.write_rekap_tahunan(folder / name, pkm, items, year, LAST_MONTH[year], count, sas, denominators,
                                        style, rng, lineage)  # fmt: skip
            name = f"SPM {pkm['nama']} {year}.xlsx"
            reports.write_spm(folder / name, pkm, items, year, LAST_MONTH[year], count, style, rng, lineage)
            files_by_family["rekap_tahunan"] += 1
            files_by_family["spm"] += 1
        sig = desa.drop(columns="geometry").copy()
        sig["bumil"] = [sas(year, k, "BUMIL") for k in sig["kode_desa"]]
        sig["balita"] = [sas(year, k, "BALITA") for k in sig["kode_desa"]]
        names = {k: v for s in styles.values() for k, v in s.typo.items() if v in set(desa["alias"])}
        decrease = (desa["kode_desa"].iloc[10], "TTD", 6) if year == 2025 else None
        reports.write_sigizi(folder / f"sigizi_entry_{year}.csv", year, LAST_MONTH[year], sig, count, cum,
                             with_year=year == 2024, sep="," if year == 2024 else ";", names=names, rng=rng,
                             lineage=lineage, decrease=decrease)  # fmt: skip
        files_by_family["sigizi"] += 1

    # --- posyandu SKDN reports of 2025 (own random stream; S and D agree with the desa-level counts) ----
    n_skdn, silent = write_posyandu_reports(root, desa, units, count, {p: s.missing for p, s in styles.items()},
                                            LAST_MONTH[2025], seed)  # fmt: skip
    files_by_family["posyandu_skdn"] += n_skdn

    # --- what was drawn and where it was written -------------------------------------------------
    internal = ws.internal_dir / "demo"
    internal.mkdir(parents=True, exist_ok=True)
    truth_frame = pd.DataFrame(
        lineage.records,
        columns=[c for c in TIDY_COLUMNS if c not in ("nama_desa", "kode_puskesmas")],
    )
    truth_frame.to_csv(internal / "kebenaran.csv", index=False)
    summary = DemoSummary(
        root=root,
        n_desa=len(desa),
        n_puskesmas=len(pkm_codes),
        n_kecamatan=desa["kode_kecamatan"].nunique(),
        n_files=sum(files_by_family.values()),
        files_by_family=dict(files_by_family),
        n_values=len(truth_frame),
        mess=lineage.mess,
        n_units=len(units),
        mess_jejaring=mess_jejaring,
    )
    manifest = {
        "kabupaten": {"kode": KODE_KABUPATEN, "nama": NAMA_KABUPATEN},
        "seed": seed,
        "tahun": {str(y): LAST_MONTH[y] for y in YEARS},
        "berkas_per_jenis": summary.files_by_family,
        "gaya_puskesmas": {p: _style_json(s) for p, s in styles.items()},
        "masalah_sengaja": lineage.mess,
        "masalah_jejaring": mess_jejaring,
        "posyandu_tidak_melapor": silent,
    }
    (internal / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def _style_json(style: Style) -> dict[str, Any]:
    out = dataclasses.asdict(style)
    out["missing"] = sorted(f"{y}-{m:02d}" for y, m in style.missing)
    return out


__all__ = ["DEFAULT_SEED", "DemoSummary", "MONTHS", "generate"]
