"""The indicator catalogue: shipped data against the contract, label lookup, sasaran formulas, extensions."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pws.catalogue import (
    ARAH,
    ATURAN_STATUS,
    JENIS,
    Catalogue,
    _parse_csv,
    _parse_sasaran_types,
    default_catalogue,
    load_catalogue,
    normalize_label,
)
from pws.issues import ISSUE_TYPES, Issue
from pws.issues import issue as make_issue

# contracts.md §3 — the spec; every code must be in the shipped catalogue.
CONTRACT_CODES: dict[str, list[str]] = {
    "ibu_hamil": ["K1", "K1M", "K4", "K6", "RISTI_NAKES", "RISTI_MAS", "PK", "TTD"],
    "bersalin_nifas": ["PN", "PF", "KF1", "KF_L"],
    "bayi_baru_lahir": ["KN1", "KN_L", "NEO_KOMP", "SHK"],
    "bayi_imunisasi": [
        "HB0",
        "BCG",
        "POLIO1",
        "POLIO2",
        "POLIO3",
        "POLIO4",
        "DPTHBHIB1",
        "DPTHBHIB2",
        "DPTHBHIB3",
        "IPV",
        "MR1",
        "IDL",
    ],
    "balita": ["BALITA_D", "BALITA_S", "STUNTING", "WASTING", "VITA", "YANKES_BALITA"],
    "usia_sekolah_remaja": ["SKRINING_SEK", "RM_TTD"],
    "usia_produktif": ["SKR_PROD", "HT", "DM", "ODGJ"],
    "lansia": ["SKR_LANSIA"],
    "penyakit_menular": ["TB_TERDUGA", "HIV_TES"],
}
ALL_CONTRACT_CODES = [code for codes in CONTRACT_CODES.values() for code in codes]
TAHAP_ORDER = list(CONTRACT_CODES)
# contracts.md §1: sasaran types the catalogue must know
CONTRACT_SASARAN = [
    "BUMIL",
    "BULIN",
    "BAYI",
    "BAYI_SI",
    "BALITA",
    "USIA_DIKDAS",
    "USIA_PRODUKTIF",
    "LANSIA",
    "HT_EST",
    "DM_EST",
    "TB_EST",
    "PENDUDUK",
]
KLASTER_OF_TAHAP = {
    "ibu_hamil": "K2",
    "bersalin_nifas": "K2",
    "bayi_baru_lahir": "K2",
    "bayi_imunisasi": "K2",
    "balita": "K2",
    "usia_sekolah_remaja": "K2",
    "usia_produktif": "K3",
    "lansia": "K3",
    "penyakit_menular": "K4",
}
# SPM services with adult/elderly/school/disease labels that need several spellings too
INDICATOR_HEADER = "kode,nama_id,nama_en,tahap,klaster,pembilang,sasaran,target,arah,jenis,aturan_status\n"
SPM_OTHERS = ["SKRINING_SEK", "SKR_PROD", "HT", "DM", "ODGJ", "SKR_LANSIA", "TB_TERDUGA", "HIV_TES"]


def shipped_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("pws").joinpath("reference", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return default_catalogue()


# ---------------------------------------------------------------------------------------------- shipped data


def test_shipped_catalogue_loads_without_issues() -> None:
    _, issues = load_catalogue()
    assert issues == []


def test_shipped_files_have_exact_headers() -> None:
    expected = {
        "indicators.csv": INDICATOR_HEADER.strip(),
        "sasaran_types.csv": "kode,nama_id,nama_en,dasar,faktor,keterangan",
        "tahap.csv": "kode,nama_id,nama_en,urutan",
        "aliases.csv": "indikator,label",
    }
    for name, header in expected.items():
        text = resources.files("pws").joinpath("reference", name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == header, name


def test_every_contract_code_is_present_in_its_life_stage(cat: Catalogue) -> None:
    missing = [code for code in ALL_CONTRACT_CODES if code not in cat.indicators]
    assert missing == []
    for tahap, codes in CONTRACT_CODES.items():
        for code in codes:
            assert cat.indicators[code].tahap == tahap, code
            assert cat.indicators[code].klaster == KLASTER_OF_TAHAP[tahap], code


def test_codes_are_unique_in_the_shipped_file() -> None:
    codes = [row["kode"] for row in shipped_rows("indicators.csv")]
    assert len(codes) == len(set(codes))
    assert all(code == code.strip().upper() and code for code in codes)


def test_enums_and_targets_are_valid(cat: Catalogue) -> None:
    tahap_codes = {t[0] for t in cat.tahap}
    for ind in cat.indicators.values():
        assert ind.tahap in tahap_codes, ind.kode
        assert ind.klaster in {"K2", "K3", "K4"}, ind.kode
        assert ind.arah in ARAH, ind.kode
        assert ind.jenis in JENIS, ind.kode
        assert ind.aturan_status in ATURAN_STATUS, ind.kode
        assert 0 < ind.target <= 100, ind.kode
        # the classic four-category rule is for cumulative, higher-is-better coverage only (domain §1.4)
        if ind.aturan_status == "pws4":
            assert ind.jenis == "kumulatif" and ind.higher_is_better, ind.kode
        if not ind.higher_is_better:
            assert ind.aturan_status == "target3", ind.kode


def test_known_directions_types_and_targets(cat: Catalogue) -> None:
    ind = cat.indicators
    assert not ind["STUNTING"].higher_is_better and ind["STUNTING"].jenis == "prevalensi"
    assert ind["STUNTING"].target == 14
    assert not ind["WASTING"].higher_is_better
    assert ind["VITA"].jenis == "kampanye" and ind["SKRINING_SEK"].jenis == "kampanye"
    assert ind["BALITA_D"].jenis == "prevalensi"  # D/S is monthly, never cumulated
    assert ind["K4"].higher_is_better and ind["K4"].aturan_status == "pws4"
    for spm in ["PF", "KN_L", "YANKES_BALITA", "SKRINING_SEK", "SKR_PROD", "HT", "DM", "ODGJ", "SKR_LANSIA"]:
        assert ind[spm].target == 100, spm
    assert ind["TB_TERDUGA"].target == 100 and ind["HIV_TES"].target == 100
    assert ind["K1M"].target == 89 and ind["TTD"].target == 92  # 2026 guidance targets quoted in domain §2.4
    assert ind["PK"].sasaran == "BUMIL_KOMP" and ind["RISTI_NAKES"].sasaran == "BUMIL_KOMP"
    assert ind["NEO_KOMP"].sasaran == "NEO_KOMP"
    assert ind["MR1"].sasaran == "BAYI_SI" and ind["IDL"].sasaran == "BAYI_SI"


def test_names_in_both_languages(cat: Catalogue) -> None:
    for row in shipped_rows("indicators.csv"):
        assert row["nama_id"].strip() and row["nama_en"].strip(), row["kode"]
        assert row["pembilang"].strip(), row["kode"]
    for row in shipped_rows("sasaran_types.csv"):
        assert row["nama_id"].strip() and row["nama_en"].strip() and row["keterangan"].strip(), row["kode"]
    k4 = cat.indicators["K4"]
    assert k4.name("id") == "Cakupan K4"
    assert k4.name("en") != k4.name("id") and "K4" in k4.name("en")


def test_name_follows_current_language(cat: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PWS_LANG", "en")
    assert cat.indicators["K4"].name() == cat.indicators["K4"].nama_en
    monkeypatch.setenv("PWS_LANG", "id")
    assert cat.indicators["K4"].name() == cat.indicators["K4"].nama_id


def test_tahap_in_life_cycle_order(cat: Catalogue) -> None:
    assert [t[0] for t in cat.tahap] == TAHAP_ORDER
    assert all(t[1] and t[2] for t in cat.tahap)


def test_by_tahap_keeps_file_order(cat: Catalogue) -> None:
    codes = [ind.kode for ind in cat.by_tahap("bayi_imunisasi")]
    assert codes == CONTRACT_CODES["bayi_imunisasi"]
    assert [i.kode for i in cat.by_tahap("lansia")] == ["SKR_LANSIA"]
    assert cat.by_tahap("tidak_ada") == []


# ----------------------------------------------------------------------------------------- sasaran


def test_every_sasaran_reference_is_known(cat: Catalogue) -> None:
    for ind in cat.indicators.values():
        assert ind.sasaran in cat.sasaran_types, ind.kode
    for code in CONTRACT_SASARAN:
        assert code in cat.sasaran_types, code


def test_every_dasar_chain_ends_at_penduduk_without_cycles() -> None:
    rows = {row["kode"]: row for row in shipped_rows("sasaran_types.csv")}
    assert rows["PENDUDUK"]["dasar"] == "" and float(rows["PENDUDUK"]["faktor"]) == 1
    for code in rows:
        seen: list[str] = []
        current = code
        while current != "PENDUDUK":
            assert current not in seen, f"cycle {seen + [current]}"
            assert current in rows, f"{code}: unknown dasar {current}"
            seen.append(current)
            current = rows[current]["dasar"]
            assert current, f"{seen[-1]} has an empty dasar but is not PENDUDUK"
        assert float(rows[code]["faktor"]) > 0


def test_estimate_sasaran_worked_example(cat: Catalogue) -> None:
    # domain §3.1: 1.10 × 0.0201 × 2 815 ≈ 62 bumil; 1.05 × 0.0201 × 2 815 ≈ 59 bulin
    bumil = cat.estimate_sasaran("BUMIL", 2815, {"BAYI": 0.0201})
    assert bumil == pytest.approx(1.10 * 0.0201 * 2815)
    assert round(bumil, 1) == 62.2
    assert cat.estimate_sasaran("BULIN", 2815, {"BAYI": 0.0201}) == pytest.approx(59.41, abs=0.01)
    assert cat.estimate_sasaran("BAYI", 2815, {"BAYI": 0.0201}) == pytest.approx(56.58, abs=0.01)


def test_estimate_sasaran_defaults_and_overrides(cat: Catalogue) -> None:
    cbr = cat.sasaran_types["BAYI"].faktor
    assert 0.01 < cbr < 0.03
    assert cat.estimate_sasaran("PENDUDUK", 1000) == 1000
    assert cat.estimate_sasaran("BUMIL", 10000) == pytest.approx(1.10 * cbr * 10000)
    assert cat.estimate_sasaran("BUMIL_KOMP", 10000) == pytest.approx(0.20 * 1.10 * cbr * 10000)
    assert cat.estimate_sasaran("NEO_KOMP", 10000) == pytest.approx(0.15 * cbr * 10000)
    assert cat.estimate_sasaran("BUMIL", 10000, {"BUMIL": 1.2}) == pytest.approx(1.2 * cbr * 10000)
    # every type gives a plausible share of the population (no thousands-separator misreading of factors)
    for code in cat.sasaran_types:
        assert 0 < cat.estimate_sasaran(code, 1000) <= 1000, code
    with pytest.raises(KeyError):
        cat.estimate_sasaran("TIDAK_ADA", 1000)


def test_broken_sasaran_types_are_reported() -> None:
    text = (
        "kode,nama_id,nama_en,dasar,faktor,keterangan\n"
        "PENDUDUK,Penduduk,Population,,1,\n"
        "A,A,A,B,0.5,\n"
        "B,B,B,A,0.5,\n"
        "C,C,C,TIDAK_ADA,0.5,\n"
        "D,D,D,PENDUDUK,abc,\n"
        "E,E,E,,0.5,\n"
        "F,F,F,PENDUDUK,0.1,\n"
        "F,F,F,PENDUDUK,0.2,\n"
    )
    table, issues = _parse_csv(text, "sasaran_types.csv", ("kode", "dasar", "faktor"))
    assert table is not None and issues == []
    types, issues = _parse_sasaran_types(table)
    assert set(types) == {"PENDUDUK", "F"}
    assert types["F"].faktor == 0.1
    assert all(i.code == "katalog_sasaran_tidak_valid" and i.file == "sasaran_types.csv" for i in issues)
    assert sorted(i.row for i in issues if i.row) == [3, 4, 5, 6, 7, 9]


# ----------------------------------------------------------------------------------------- aliases


def test_aliases_are_unique_across_indicators_after_normalisation() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for row in shipped_rows("aliases.csv"):
        owners[normalize_label(row["label"])].add(row["indikator"])
    clashes = {label: kodes for label, kodes in owners.items() if len(kodes) > 1}
    assert clashes == {}
    assert "" not in owners


def test_aliases_only_point_to_known_indicators(cat: Catalogue) -> None:
    for row in shipped_rows("aliases.csv"):
        assert row["indikator"] in cat.indicators, row


@pytest.mark.parametrize(
    "code",
    [c for t in TAHAP_ORDER[:5] for c in CONTRACT_CODES[t]] + SPM_OTHERS,
)
def test_common_indicators_have_at_least_three_spellings(code: str) -> None:
    labels = {normalize_label(row["label"]) for row in shipped_rows("aliases.csv") if row["indikator"] == code}
    labels.discard(normalize_label(code))
    assert len(labels) >= 3, (code, labels)


def test_every_label_of_the_catalogue_resolves_to_its_indicator(cat: Catalogue) -> None:
    for row in shipped_rows("aliases.csv"):
        assert cat.indicator_for_label(row["label"]) == row["indikator"], row
    for code in cat.indicators:
        assert cat.indicator_for_label(code) == code
        assert cat.indicator_for_label(code.lower()) == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("K-4", "K4"),
        ("K 4", "K4"),
        ("kunjungan k4", "K4"),
        ("  Cakupan  K4 (%) ", "K4"),
        ("K1", "K1"),
        ("K1 Murni", "K1M"),
        ("K1 (akses)", "K1"),
        ("AKSES", "K1"),
        ("DPT/HB/Hib 1", "DPTHBHIB1"),
        ("DPT-HB-HIB 1", "DPTHBHIB1"),
        ("DPT-HB-Hib3", "DPTHBHIB3"),
        ("Penta 2", "DPTHBHIB2"),
        ("Campak", "MR1"),
        ("CAMPAK/MR", "MR1"),
        ("mr", "MR1"),
        ("HB 0 < 24 jam", "HB0"),
        ("hb0", "HB0"),
        ("KN 1", "KN1"),
        ("Kunjungan Neonatal 1", "KN1"),
        ("KN Lengkap", "KN_L"),
        ("Persalinan oleh Tenaga Kesehatan", "PN"),
        ("Linakes", "PN"),
        ("DETEKSI RESIKO TINGGI\nNAKES", "RISTI_NAKES"),
        ("Deteksi Risti oleh Masyarakat", "RISTI_MAS"),
        ("Jumlah balita ditimbang", "BALITA_D"),
        ("Jumlah balita stunting", "STUNTING"),
        ("Jumlah balita bulan ini", "BALITA_S"),
        ("Vit. A", "VITA"),
        ("Polio 4", "POLIO4"),
        ("Pelayanan kesehatan penderita hipertensi", "HT"),
        ("Pelayanan kesehatan orang terduga TBC", "TB_TERDUGA"),
        ("Cakupan K4", "K4"),
    ],
)
def test_indicator_for_label_tricky_spellings(cat: Catalogue, label: str, code: str) -> None:
    assert cat.indicator_for_label(label) == code


@pytest.mark.parametrize(
    "label",
    ["Jumlah sasaran balita", "SASARAN BUMIL", "DESA", "NO", "JUMLAH", "", "   ", "KUNJUNGAN LENGKAP"],
)
def test_non_indicator_labels_are_unknown(cat: Catalogue, label: str) -> None:
    assert cat.indicator_for_label(label) is None


def test_indicator_for_label_accepts_missing_values(cat: Catalogue) -> None:
    assert cat.indicator_for_label(None) is None
    assert cat.indicator_for_label(float("nan")) is None


# --------------------------------------------------------------------------------- normalize_label


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("K-4", "K4"),
        ("K 4", "K4"),
        ("k4", "K4"),
        ("DPT-HB-HIB 1", "DPT/HB/Hib1"),
        ("DPT/HB/Hib1", "DPTHBHIB1"),
        ("DPT_HB_HIB.1", "DPTHBHIB1"),
        ("(K4)", "K4"),
        ("K4 %", "K4"),
        ("Kunjungan\u00a0K4", "KUNJUNGAN K4"),
        ("Ｋ４", "K4"),
        ("K\u200b4", "K4"),
        ("K1 (akses)", "K1 AKSES"),
    ],
)
def test_normalize_label_equivalences(a: str, b: str) -> None:
    assert normalize_label(a) == normalize_label(b)


def test_normalize_label_keeps_distinctions() -> None:
    assert normalize_label("K1") != normalize_label("K1 MURNI")
    assert normalize_label("HB0") != normalize_label("HB0 <24 JAM")
    assert normalize_label("POLIO 1") != normalize_label("POLIO 2")
    assert normalize_label("K4") == "K4"
    assert normalize_label(None) == ""


@given(st.text())
def test_normalize_label_is_idempotent(text: str) -> None:
    once = normalize_label(text)
    assert normalize_label(once) == once


@given(st.text(alphabet=st.sampled_from("Kk4- /_.()%DPTHBib1 \t\n"), max_size=30))
def test_normalize_label_is_idempotent_on_label_like_text(text: str) -> None:
    once = normalize_label(text)
    assert normalize_label(once) == once
    assert once == once.strip() and " " not in once


# --------------------------------------------------------------------------------------- workspace


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def codes_of(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def test_workspace_without_extension_files_is_the_shipped_catalogue(tmp_path: Path) -> None:
    cat, issues = load_catalogue(tmp_path)
    assert issues == []
    assert list(cat.indicators) == list(default_catalogue().indicators)


def test_workspace_extension_adds_and_overrides(tmp_path: Path) -> None:
    write(
        tmp_path / "indikator.csv",
        INDICATOR_HEADER
        + "USG1,ANC TM1 dengan USG,First-trimester ultrasound,ibu_hamil,K2,Bumil USG TM1,BUMIL,85,"
        + "naik,kumulatif,pws4\n"
        + "K4,Cakupan K4,ANC 4 visits (K4),ibu_hamil,K2,Bumil K4,BUMIL,90,naik,kumulatif,pws4\n",
    )
    write(tmp_path / "alias_indikator.csv", "indikator,label\nUSG1,USG TM 1\nK4,K4 lokal\n")
    cat, issues = load_catalogue(tmp_path)
    assert issues == []
    assert cat.indicators["USG1"].target == 85
    assert cat.indicators["USG1"].name("en") == "First-trimester ultrasound"
    assert cat.indicators["K4"].target == 90  # overridden
    assert default_catalogue().indicators["K4"].target == 95  # shipped one untouched
    assert list(cat.indicators)[-1] == "USG1"  # new ones at the end, overrides keep their place
    assert list(cat.indicators).index("K4") == list(default_catalogue().indicators).index("K4")
    assert cat.indicator_for_label("usg-tm1") == "USG1"
    assert cat.indicator_for_label("USG1") == "USG1"
    assert cat.indicator_for_label("K4 Lokal") == "K4"
    assert cat.indicator_for_label("Kunjungan K4") == "K4"  # shipped aliases still there
    assert [i.kode for i in cat.by_tahap("ibu_hamil")][-1] == "USG1"


def test_workspace_override_may_give_only_some_columns(tmp_path: Path) -> None:
    write(tmp_path / "indikator.csv", "kode;target\nk4;92,5\nSTUNTING;\n")
    cat, issues = load_catalogue(tmp_path)
    assert issues == []
    assert cat.indicators["K4"].target == 92.5
    assert cat.indicators["K4"].sasaran == "BUMIL"
    assert cat.indicators["STUNTING"] == default_catalogue().indicators["STUNTING"]


def test_broken_workspace_indicator_file(tmp_path: Path) -> None:
    write(
        tmp_path / "indikator.csv",
        INDICATOR_HEADER
        + "NEW1,Baru,New,balita,K2,x,BALITA,80,naik,kumulatif,pws4\n"  # row 2: fine
        + "NEW1,Baru lagi,New again,balita,K2,x,BALITA,80,naik,kumulatif,pws4\n"  # row 3: duplicate
        + "NEW2,B,B,balita,K2,x,TIDAK_ADA,80,naik,kumulatif,pws4\n"  # row 4: unknown sasaran
        + "NEW3,C,C,balita,K2,x,BALITA,80,keatas,kumulatif,pws4\n"  # row 5: bad arah
        + "NEW4,D,D,balita,K2,x,BALITA,banyak,naik,kumulatif,pws4\n"  # row 6: non-numeric target
        + "NEW5,E,E,remaja,K2,x,BALITA,80,naik,kumulatif,pws4\n"  # row 7: bad tahap
        + "NEW6,F,F,balita,K9,x,BALITA,80,naik,kumulatif,pws4\n"  # row 8: bad klaster
        + "NEW7,G,G,balita,K2,x,BALITA,80,naik,harian,pws4\n"  # row 9: bad jenis
        + "NEW8,H,H,balita,K2,x,BALITA,80,naik,kumulatif,pws5\n"  # row 10: bad aturan_status
        + "NEW9,I,I,balita,K2,x,BALITA,10,turun,prevalensi,pws4\n"  # row 11: pws4 on lower-is-better
        + "K4,,,,,,,abc,,,\n",  # row 12: override with bad target -> shipped K4 kept
    )
    cat, issues = load_catalogue(tmp_path)
    found = {(i.code, i.row) for i in issues}
    assert ("katalog_kode_ganda", 3) in found
    assert ("katalog_sasaran_tidak_dikenal", 4) in found
    for row in (5, 6, 7, 8, 9, 10, 11, 12):
        assert ("katalog_nilai_tidak_valid", row) in found, row
    assert all(i.file == "indikator.csv" and i.row is not None for i in issues)
    assert all(i.severity == "error" for i in issues)
    assert cat.indicators["NEW1"].nama_id == "Baru"  # first row kept
    for dropped in ("NEW2", "NEW3", "NEW4", "NEW5", "NEW6", "NEW7", "NEW8", "NEW9"):
        assert dropped not in cat.indicators
    assert cat.indicators["K4"].target == 95
    bad_arah = next(i for i in issues if i.row == 5)
    assert bad_arah.params["kolom"] == "arah" and bad_arah.params["value"] == "keatas"
    assert "keatas" in bad_arah.message("id") and "keatas" in bad_arah.message("en")


def test_broken_workspace_alias_file(tmp_path: Path) -> None:
    write(
        tmp_path / "alias_indikator.csv",
        "indikator,label\n"
        "K1,K-4\n"  # row 2: K4 already means K4
        "TIDAK_ADA,Label aneh\n"  # row 3: unknown indicator
        "K4,Kunjungan K-4\n"  # row 4: same indicator again: fine
        "MR1,Kampanye MR lokal\n",  # row 5: fine
    )
    cat, issues = load_catalogue(tmp_path)
    assert [(i.code, i.file, i.row) for i in issues] == [
        ("katalog_alias_ganda", "alias_indikator.csv", 2),
        ("katalog_alias_indikator_tidak_dikenal", "alias_indikator.csv", 3),
    ]
    assert issues[0].params["kodes"] == "K4, K1"
    assert cat.indicator_for_label("K-4") == "K4"  # not re-pointed
    assert cat.indicator_for_label("Label aneh") is None
    assert cat.indicator_for_label("kampanye mr lokal") == "MR1"
    for i in issues:
        assert i.message("id") and i.message("en")


def test_new_indicator_code_clashing_with_a_label(tmp_path: Path) -> None:
    write(
        tmp_path / "indikator.csv",
        INDICATOR_HEADER + "CAMPAK,Campak lokal,Local measles,bayi_imunisasi,K2,x,BAYI_SI,95,naik,kumulatif,pws4\n",
    )
    cat, issues = load_catalogue(tmp_path)
    assert [(i.code, i.file, i.row) for i in issues] == [("katalog_alias_ganda", "indikator.csv", 2)]
    assert "CAMPAK" in cat.indicators
    assert cat.indicator_for_label("Campak") == "MR1"


def test_workspace_file_missing_kode_column(tmp_path: Path) -> None:
    write(tmp_path / "indikator.csv", "code,target\nK4,90\n")
    cat, issues = load_catalogue(tmp_path)
    assert [(i.code, i.file) for i in issues] == [("kolom_wajib_hilang", "indikator.csv")]
    assert cat.indicators["K4"].target == 95


def test_workspace_file_with_bom_and_windows_encoding(tmp_path: Path) -> None:
    (tmp_path / "alias_indikator.csv").write_bytes("\ufeffindikator,label\r\nK4,Kunjungan ibu hamil ke-4\r\n".encode())
    (tmp_path / "indikator.csv").write_bytes(
        (INDICATOR_HEADER + "NEWX,Pemeriksaan \xe9,Exam,balita,K2,x,BALITA,80,naik,kumulatif,pws4\n").encode("cp1252")
    )
    cat, issues = load_catalogue(tmp_path)
    assert issues == []
    assert cat.indicator_for_label("KUNJUNGAN IBU HAMIL KE 4") == "K4"
    assert cat.indicators["NEWX"].nama_id == "Pemeriksaan \xe9"


# ---------------------------------------------------------------------------------------------- issue codes


def test_catalogue_issue_codes_are_registered_with_messages() -> None:
    for code in (
        "katalog_kode_ganda",
        "katalog_sasaran_tidak_dikenal",
        "katalog_nilai_tidak_valid",
        "katalog_alias_ganda",
        "katalog_alias_indikator_tidak_dikenal",
        "katalog_sasaran_tidak_valid",
    ):
        assert ISSUE_TYPES[code] == "error"
        sample = make_issue(code, kode="X", sasaran="Y", kolom="arah", value="v", allowed="a", label="L", kodes="A, B")
        assert sample.message("id") and sample.message("en")


def test_default_catalogue_is_cached() -> None:
    assert default_catalogue() is default_catalogue()
