"""pws.etl.period: months and years as Indonesian reports, sheet names and file names write them."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pws.etl.period import MONTH_TOKENS, find_month, find_period, find_year, parse_month

SPELLINGS = sorted(MONTH_TOKENS.items())


def test_month_tokens_cover_the_domain_list() -> None:
    """domain.md §5.1: every month name, old spelling and short form of real reports and dashboards."""
    expected = {
        1: {"JANUARI", "JAN"},
        2: {"FEBRUARI", "PEBRUARI", "FEB", "PEB"},
        3: {"MARET", "MAR"},
        4: {"APRIL", "APR"},
        5: {"MEI"},
        6: {"JUNI", "JUN"},
        7: {"JULI", "JUL"},
        8: {"AGUSTUS", "AGU", "AGS", "AGT", "AGUST"},
        9: {"SEPTEMBER", "SEP", "SEPT"},
        10: {"OKTOBER", "OKT", "OCT"},
        11: {"NOVEMBER", "NOPEMBER", "NOV", "NOP"},
        12: {"DESEMBER", "DES", "DEC"},
    }
    for month, tokens in expected.items():
        for token in tokens:
            assert MONTH_TOKENS[token] == month, token
    assert {"MAY", "AUG", "JUNE", "JULY", "MARCH", "AUGUST", "OCTOBER", "DECEMBER"} <= set(MONTH_TOKENS)
    assert set(MONTH_TOKENS.values()) == set(range(1, 13))
    assert all(token == token.upper() and token.isalpha() for token in MONTH_TOKENS)


# ----------------------------------------------------------------------------------------------------------------
# parse_month: one token
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "month"),
    [
        ("Januari", 1),
        ("PEBRUARI", 2),
        ("Nop", 11),
        ("nopember", 11),
        ("Nop.", 11),
        (" (Agust) ", 8),
        ("Sept", 9),
        ("okt", 10),
        ("Des", 12),
        ("MEI", 5),
        ("May", 5),
        (7, 7),
        (12, 12),
        (7.0, 7),  # Excel numbers are floats
        ("07", 7),
        ("7", 7),
        ("12", 12),
        ("3.0", 3),
        (datetime.date(2024, 4, 1), 4),
        (datetime.datetime(2024, 10, 31, 8, 0), 10),
        # not a month
        (0, None),
        (13, None),
        (7.5, None),
        ("13", None),
        ("00", None),
        ("007", None),
        ("", None),
        ("DESA", None),
        ("MEIJA", None),
        ("JUNIOR", None),
        ("Januari 2024", None),  # one token only
        ("BULAN", None),
        (True, None),
        (None, None),
        ([1], None),
    ],
)
def test_parse_month(token: object, month: int | None) -> None:
    assert parse_month(token) == month


@given(st.sampled_from(SPELLINGS), st.data())
def test_parse_month_any_case(spelling: tuple[str, int], data: st.DataObject) -> None:
    token, month = spelling
    mixed = "".join(c.lower() if data.draw(st.booleans()) else c for c in token)
    assert parse_month(mixed) == month
    assert parse_month(f"{mixed}.") == month


# ----------------------------------------------------------------------------------------------------------------
# find_month / find_year / find_period in free text
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("BULAN : NOPEMBER", 11),
        ("BULAN: MARET 2026", 3),
        ("Periode : April 2025", 4),
        ("Apr-2022", 4),
        ("KIA_MEKAR_JAYA_Nop2024.xlsx", 11),
        ("LAPORAN IMUNISASI JANUARI2024", 1),
        ("lap kia (3).xlsx", None),
        ("DES", 12),
        ("Des 2024", 12),
        ("s.d. Des", 12),
        ("DESA", None),
        ("DESA MEKAR JAYA", None),
        ("Nama Desa/Kel", None),
        ("MEIJA", None),
        ("JUNIOR", None),
        ("MARETNO", None),
        ("Kecamatan Sukamaju", None),
        ("PUSKESMAS JANTI", None),
        ("AGUSTINA", None),
        ("DESEMBERAN", None),
        ("BLN LALU", None),
        ("BLN INI", None),
        ("3273141201", None),
        ("", None),
        # several names: the labelled one, the end of a range, else the first
        ("Laporan Januari, BULAN : MARET 2024", 3),
        ("JANUARI S/D MARET 2024", 3),
        ("Januari sd Maret", 3),
        ("Jan - Des 2024", 12),
        ("1 Januari 2024 s.d. 31 Maret 2024", 3),
        ("Periode: Januari sampai dengan Juni 2024", 6),
        ("Januari dan Februari", 1),
    ],
)
def test_find_month(text: str, month: int | None) -> None:
    assert find_month(text) == month


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("BULAN : JANUARI 2024", 2024),
        ("TAHUN : 2025", 2025),
        ("Nop2024", 2024),
        ("Apr-2022", 2022),
        ("2024-01", 2024),
        ("01/2024", 2024),
        ("31.12.2023", 2023),
        ("Laporan 2023, TAHUN 2024", 2024),  # the labelled year wins
        ("Laporan 2023 dan 2024", 2023),
        ("3273141201", None),  # a village code
        ("IMUNISASI_BUKIT_SARI_202401.xlsx", None),  # glued yyyymm: find_period's business
        ("120245", None),
        ("1999", None),
        ("2100", None),
        ("2024,5", None),  # a decimal
        ("2.024.000", None),
        ("2024.000", None),
        ("", None),
        ("lap kia (3).xlsx", None),
    ],
)
def test_find_year(text: str, year: int | None) -> None:
    assert find_year(text) == year


@pytest.mark.parametrize(
    ("value", "period"),
    [
        ("BULAN : JANUARI 2024", (2024, 1)),
        ("BULAN : NOPEMBER", (None, 11)),
        ("Periode : April 2025", (2025, 4)),
        ("Apr-2022", (2022, 4)),
        ("2024-01", (2024, 1)),
        ("2024/1", (2024, 1)),
        ("2024-01-15", (2024, 1)),
        ("01/2024", (2024, 1)),
        ("1-2024", (2024, 1)),
        ("15/01/2024", (2024, 1)),  # day/month/year
        ("5-2-2024", (2024, 2)),
        ("IMUNISASI_BUKIT_SARI_202401.xlsx", (2024, 1)),
        ("export_20240315.xlsx", (2024, 3)),
        ("KIA_MEKAR_JAYA_Nop2024.xlsx", (2024, 11)),
        ("Nop_202411.xlsx", (2024, 11)),
        ("LAPORAN PWS KIA DESEMBER 2023.xls", (2023, 12)),
        ("TAHUN : 2024", (2024, None)),
        ("JANUARI S/D MARET 2024", (2024, 3)),
        ("lap kia (3).xlsx", (None, None)),
        ("3273141201", (None, None)),
        ("202413", (None, None)),  # no month 13
        ("13/2024", (2024, None)),
        ("DESA SUKAMAJU", (None, None)),
        ("", (None, None)),
        (datetime.date(2024, 2, 5), (2024, 2)),
        (datetime.datetime(2023, 12, 31, 23, 59), (2023, 12)),
        (2024.0, (2024, None)),  # TAHUN in its own cell
        (2024, (2024, None)),
        (202401.0, (2024, 1)),
        (45292.0, (None, None)),  # an Excel serial without a date format: not guessed
        (3.5, (None, None)),
        (None, (None, None)),
        (True, (None, None)),
    ],
)
def test_find_period(value: object, period: tuple[int | None, int | None]) -> None:
    assert find_period(value) == period


def test_dates_through_every_function() -> None:
    day = datetime.date(2025, 8, 17)
    assert (find_year(day), find_month(day), parse_month(day), find_period(day)) == (2025, 8, 8, (2025, 8))


# ----------------------------------------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------------------------------------

years = st.integers(2000, 2099)


@st.composite
def any_case(draw: st.DrawFn, word: str) -> str:
    return "".join(c.lower() if draw(st.booleans()) else c for c in word)


@given(st.sampled_from(SPELLINGS), years, st.data())
def test_every_spelling_in_a_title(spelling: tuple[str, int], year: int, data: st.DataObject) -> None:
    token, month = spelling
    variant = data.draw(any_case(token))
    text = f"BULAN : {variant} {year}"
    assert find_month(text) == month
    assert find_year(text) == year
    assert find_period(text) == (year, month)


@given(st.sampled_from(SPELLINGS), years, st.sampled_from(["-", "_", " ", "", "'", "/"]), st.data())
def test_every_spelling_glued_to_a_year(spelling: tuple[str, int], year: int, sep: str, data: st.DataObject) -> None:
    token, month = spelling
    name = f"KIA_MEKAR_JAYA_{data.draw(any_case(token))}{sep}{year}.xlsx"
    assert find_period(name) == (year, month)


@given(st.sampled_from(SPELLINGS), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4))
def test_no_month_inside_a_longer_word(spelling: tuple[str, int], suffix: str) -> None:
    """A spelling followed by more letters is another word (DESA, MEIJA, JUNIOR), unless that word is a month."""
    word = spelling[0] + suffix
    assert find_month(f"DESA {word} KECAMATAN") == MONTH_TOKENS.get(word)
    assert find_month(f"X{spelling[0]}") is None


@given(years, st.integers(1, 12))
def test_numeric_forms(year: int, month: int) -> None:
    for text in (f"{year}-{month:02d}", f"{month:02d}/{year}", f"LAP_{year}{month:02d}.xlsx", f"1/{month}/{year}"):
        assert find_period(text) == (year, month), text


@given(st.integers(0, 10**12))
def test_long_numbers_hold_no_year(number: int) -> None:
    text = str(number)
    if len(text) != 4:
        assert find_year(text) is None
