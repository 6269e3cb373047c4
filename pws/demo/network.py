"""The demo district's service network (``jejaring.csv``): a puskesmas building in one desa of its area, a pustu
in most desa, 1-4 posyandu per desa with dusun and RW, some poskesdes and posbindu, coordinates inside the desa
polygon for most units, and three planted problems (an unknown desa code, a duplicate posyandu name, a point
outside its desa) recorded in the manifest under ``masalah_jejaring``.

Drawn from its own random stream (``[seed, 10]``), so adding the network changes nothing else in the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

STREAM = 10  # the random stream of the network: np.random.default_rng([seed, STREAM])

POSYANDU_NAMES = [
    "Melati", "Mawar", "Anggrek", "Dahlia", "Kenanga", "Cempaka", "Flamboyan", "Teratai", "Seruni", "Kamboja",
    "Bougenville", "Nusa Indah", "Asoka", "Sakura", "Lili", "Tulip", "Kemuning", "Soka", "Aster", "Bakung",
]  # fmt: skip
DUSUN_NAMES = ["Krajan", "Sumber", "Tegal", "Karang", "Ngasem", "Mulyo", "Kebon", "Sawah", "Gunung", "Pasar"]
#: desa without a pustu (index among the desa that have no puskesmas building, in code order)
NO_PUSTU = (3, 17, 41, 66, 90, 101)
COLUMNS = ["jenis", "nama", "kode_desa", "nama_desa", "dusun", "rw", "lintang", "bujur", "aktif_sejak"]


def _point_in(rng: np.random.Generator, shape: BaseGeometry) -> Point:
    inner = shape.buffer(-0.002)  # about 200 m inside the border
    area = inner if not inner.is_empty else shape
    minx, miny, maxx, maxy = area.bounds
    for _ in range(10_000):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(p):
            return p
    return area.representative_point()


def build_network(desa: gpd.GeoDataFrame, seed: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The rows of ``jejaring.csv`` (columns :data:`COLUMNS`, all text) and the planted problems."""
    rng = np.random.default_rng([seed, STREAM])
    rows: list[dict[str, Any]] = []

    def add(jenis: str, nama: str, rec: Any, dusun: str = "", rw: str = "", since: str = "") -> dict[str, Any]:
        row = {"jenis": jenis, "nama": nama, "kode_desa": rec.kode_desa, "nama_desa": rec.nama_desa,
               "dusun": dusun, "rw": rw, "lintang": "", "bujur": "", "aktif_sejak": since}  # fmt: skip
        if rng.random() >= 0.12:  # most units have a point
            p = _point_in(rng, rec.geometry)
            row["lintang"], row["bujur"] = f"{p.y:.6f}", f"{p.x:.6f}"
        rows.append(row)
        return row

    # the puskesmas building stands in the most populous desa of its area
    host = desa.loc[desa.groupby("kode_puskesmas")["penduduk"].idxmax(), "kode_desa"]
    hosts = set(host)
    others = [k for k in desa["kode_desa"] if k not in hosts]
    no_pustu = {others[i] for i in NO_PUSTU if i < len(others)}
    late_pustu = others[55] if len(others) > 55 else None
    posyandu_rows: list[dict[str, Any]] = []
    for rec in desa.itertuples():
        lingkungan = "Lingkungan" if rec.jenis == "kelurahan" else "Dusun"
        if rec.kode_desa in hosts:
            add("puskesmas", f"Puskesmas {rec.nama_puskesmas}", rec, since="")
        elif rec.kode_desa not in no_pustu:
            since = "2025-07-01" if rec.kode_desa == late_pustu else str(int(rng.integers(2005, 2024)))
            add("pustu", f"Pustu {rec.nama_desa}", rec, since=since)
        n = int(rng.choice([1, 2, 2, 3, 3, 4]))
        dusun = rng.choice(DUSUN_NAMES, size=n, replace=False)
        flowers = rng.choice(POSYANDU_NAMES, size=n, replace=False)
        for j in range(n):
            since = ""
            if rng.random() < 0.15:
                since = f"{int(rng.integers(2010, 2024))}-{int(rng.integers(1, 13)):02d}-01"
            row = add("posyandu", f"Posyandu {flowers[j]}", rec, f"{lingkungan} {dusun[j]}", f"{j + 1:02d}", since)
            posyandu_rows.append(row)
        if rng.random() < 0.2:
            add("poskesdes", f"Poskesdes {rec.nama_desa}", rec, since=str(int(rng.integers(2008, 2022))))
        if rng.random() < 0.5:
            add("posbindu", f"Posbindu PTM {rec.nama_desa}", rec, since=str(int(rng.integers(2015, 2024))))
    # two posyandu opened during 2025
    for row, since in zip(posyandu_rows[7::60][:2], ("2025-05-01", "2025-08-01"), strict=False):
        row["aktif_sejak"] = since

    mess: list[dict[str, Any]] = []
    # 1. a posyandu in a desa code that is not in wilayah.csv
    unknown = rows[len(rows) // 3]
    bad_code = "99.01.09.2999"
    assert bad_code not in set(desa["kode_desa"])
    wrong = {**unknown, "jenis": "posyandu", "nama": "Posyandu Harapan", "kode_desa": bad_code, "lintang": "",
             "bujur": ""}  # fmt: skip
    rows.insert(rows.index(unknown) + 1, wrong)
    mess.append({"jenis": "jejaring_desa_tidak_dikenal", "kode_desa": bad_code, "_row": wrong})
    # 2. the same posyandu written twice in one desa
    twin = posyandu_rows[len(posyandu_rows) // 2]
    copy = {**twin, "dusun": "", "rw": "", "lintang": "", "bujur": ""}
    rows.insert(rows.index(twin) + 2, copy)
    mess.append({"jenis": "jejaring_nama_ganda", "kode_desa": twin["kode_desa"], "nama": twin["nama"], "_row": copy})
    # 3. a pustu whose point lies in a desa far away
    pustu = [r for r in rows if r["jenis"] == "pustu" and r["lintang"]]
    moved = pustu[len(pustu) // 4]
    far = shapely.distance(np.asarray(desa.geometry), Point(float(moved["bujur"]), float(moved["lintang"])))
    target = desa.geometry.iloc[int(np.argmax(far))].representative_point()
    moved["lintang"], moved["bujur"] = f"{target.y:.6f}", f"{target.x:.6f}"
    mess.append({"jenis": "jejaring_koordinat_di_luar_desa", "kode_desa": moved["kode_desa"], "nama": moved["nama"],
                 "_row": moved})  # fmt: skip

    for item in mess:
        row = item.pop("_row")
        item["file"] = "jejaring.csv"
        item["row"] = next(i for i, r in enumerate(rows) if r is row) + 2
    return pd.DataFrame(rows, columns=COLUMNS), mess


def write_network(root: Path, desa: gpd.GeoDataFrame, seed: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Write ``<root>/jejaring.csv``; return its rows and the planted problems."""
    frame, mess = build_network(desa, seed)
    frame.to_csv(root / "jejaring.csv", index=False)
    return frame, mess
