"""Number parsing as Indonesian spreadsheets write numbers, and Kemendagri code normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pws.codes import jenis_of, normalize_kode_desa, normalize_kode_wilayah
from pws.numbers import NotANumberError, parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        ("12", 12.0),
        (" 7 ", 7.0),
        ("1.234", 1234.0),
        ("12.345.678", 12345678.0),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("45,5%", 45.5),
        ("1,234.5", 1234.5),
        ("-", 0.0),
        ("–", 0.0),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("0.5", 0.5),
        ("-3", -3.0),
    ],
)
def test_parse_number_reads_indonesian_spreadsheet_numbers(raw: object, expected: float | None) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "83..9", "10.7 it", "12,5,3", True])
def test_parse_number_rejects_text(raw: object) -> None:
    with pytest.raises(NotANumberError):
        parse_number(raw)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_parse_number_round_trips_integers_with_thousand_dots(n: int) -> None:
    grouped = f"{n:,}".replace(",", ".")
    assert parse_number(grouped) == n
    assert parse_number(str(n)) == n


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_parse_number_reads_decimal_commas(whole: int, frac: int) -> None:
    assert parse_number(f"{whole},{frac:02d}") == pytest.approx(whole + frac / 100)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("73.12.01.2004", "73.12.01.2004"),
        ("7312012004", "73.12.01.2004"),
        (7312012004, "73.12.01.2004"),
        (7312012004.0, "73.12.01.2004"),
        (" 73.12.01.2004 ", "73.12.01.2004"),
        ("73.12.1.2004", None),
        ("731201200", None),
        ("12.AB", None),
        ("", None),
        (None, None),
        (7312012004.5, None),
    ],
)
def test_normalize_kode_desa(raw: object, expected: str | None) -> None:
    assert normalize_kode_desa(raw) == expected


@given(st.from_regex(r"\d{10}", fullmatch=True))
def test_dotted_and_undotted_codes_agree(digits: str) -> None:
    dotted = normalize_kode_desa(digits)
    assert dotted is not None and dotted.replace(".", "") == digits
    assert normalize_kode_desa(dotted) == dotted


def test_jenis_from_code_and_kecamatan_codes() -> None:
    assert jenis_of("71.01.13.1006") == "kelurahan"
    assert jenis_of("71.01.13.2014") == "desa"
    assert normalize_kode_wilayah("710113") == "71.01.13"
    assert normalize_kode_wilayah("71.01.13") == "71.01.13"
    assert normalize_kode_wilayah("71.1.13") is None


@pytest.mark.parametrize(("raw", "expected"), [("0.256", 0.256), ("0.057", 0.057), ("0,057", 0.057)])
def test_a_leading_zero_is_never_a_thousands_group(raw: str, expected: float) -> None:
    assert parse_number(raw) == pytest.approx(expected)
