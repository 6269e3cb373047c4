"""Texts in one place per language, every issue code explained, and the library kept free of dash."""

from __future__ import annotations

import string
import subprocess
import sys

from pws.i18n import messages, t
from pws.issues import ISSUE_TYPES, issue


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    ind, eng = messages("id"), messages("en")
    assert set(ind) == set(eng)
    for key in ind:
        assert _fields(ind[key]) == _fields(eng[key]), key


def test_every_issue_code_has_a_message_and_a_known_severity() -> None:
    for code, severity in ISSUE_TYPES.items():
        assert f"issue.{code}" in messages("id"), code
        assert severity in ("error", "warning", "info")


def test_issue_renders_place_and_message_in_both_languages() -> None:
    found = issue("kode_desa_tidak_valid", file="wilayah.csv", row=7, value="12.AB")
    assert str(found).startswith("[error] berkas wilayah.csv, baris 7: Kode desa '12.AB' tidak sah")
    assert "is not valid" in found.message("en")
    assert t("where.row", "en", row=3) == "row 3"


def test_the_library_never_imports_dash() -> None:
    code = (
        "import sys, pws, pws.cli, pws.workspace, pws.catalogue, pws.geo, pws.demo, pws.service, pws.figures.maps;"
        "print(any(m == 'dash' or m.startswith('dash.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
