"""What the Peta page shows, computed from a desa PWS table (:func:`pws.service.table`): one colour class per
desa, the hover text, the legend with its counts, the desa list of a puskesmas and the facts of one desa.

Pure functions (no dash, no plotly): the map figure (:mod:`pws.figures.maps`) and the page's callbacks only
place these values. The map draws the desa in a fixed order (:func:`map_locations`, the master list), so that a
change of indicator or month replaces the values and nothing else.

Two ways to colour a desa:

* ``status`` — the PWS status: Baik / Kurang / Cukup / Jelek / no data for indicators judged by the classic rule
  (``aturan_status == "pws4"``), target met / not met / no data (``status_target``) for ``target3`` indicators;
* ``cakupan`` — cumulative coverage (a prevalence indicator: this month's value) in the fixed classes of
  :data:`pws.figures.theme.COVERAGE_BREAKS`, grey when there is no value.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pws.analysis.coverage import NO_DATA
from pws.figures import theme
from pws.figures.theme import (
    COVERAGE_BREAKS,
    COVERAGE_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
    TARGET_STATUS_COLOURS,
    coverage_class_label,
    format_number,
    format_pct,
    format_pp,
)
from pws.i18n import current_lang, t

NO_DATA_COLOUR = theme.NO_DATA

STATUS_MODE = "status"
COVERAGE_MODE = "cakupan"
MODES = (STATUS_MODE, COVERAGE_MODE)
TARGET3_ORDER = ("Tercapai", "Tidak tercapai", NO_DATA)
#: locale key stem (``peta.status_<stem>``) of every status word
_STATUS_KEYS = {
    "Baik": "baik",
    "Kurang": "kurang",
    "Cukup": "cukup",
    "Jelek": "jelek",
    NO_DATA: "no_data",
    "Tercapai": "tercapai",
    "Tidak tercapai": "tidak_tercapai",
}


@dataclass(frozen=True)
class MapClass:
    """One colour class of the map and of its legend."""

    key: str
    label: str
    colour: str
    description: str = ""


@dataclass(frozen=True)
class MapValues:
    """The values of the map for one indicator, month and mode, aligned with the map's locations."""

    mode: str
    title: str
    classes: tuple[MapClass, ...]
    locations: tuple[str, ...]
    #: class index (into ``classes``) per location
    z: list[int]
    #: the values of the hover text per location (:data:`HOVER_FIELDS`; the map's ``customdata``)
    hover: list[list[str]]
    #: the hover lines that change with indicator and month, values as ``%{customdata[i]}``
    hovertemplate: str
    #: number of desa per class, in the order of ``classes``
    counts: list[int]
    #: the target line of this month in words ("Target s.d. Juni: 47,5%"), empty when unknown
    target_note: str

    @property
    def colorscale(self) -> list[list[float | str]]:
        return stepped_colorscale([c.colour for c in self.classes])

    @property
    def zmax(self) -> float:
        return len(self.classes) - 0.5

    def colour_of(self, index: int) -> str:
        return self.classes[index].colour

    def hover_text(self, index: int) -> str:
        """The changing hover lines of location ``index`` as the browser shows them."""
        return fill_hover(self.hovertemplate, self.hover[index])


def stepped_colorscale(colours: Sequence[str]) -> list[list[float | str]]:
    """A plotly colorscale of equal steps, one flat colour per class: class ``i`` (z = i) gets ``colours[i]``
    when the trace spans ``zmin = -0.5`` … ``zmax = len(colours) - 0.5``."""
    n = len(colours)
    scale: list[list[float | str]] = []
    for i, colour in enumerate(colours):
        scale.append([i / n, colour])
        scale.append([(i + 1) / n, colour])
    return scale


def map_locations(table_or_wilayah: pd.DataFrame) -> tuple[str, ...]:
    """The fixed order of the map's desa: every desa code once, in master-list order."""
    codes = table_or_wilayah["kode_desa"].astype(str)
    return tuple(dict.fromkeys(codes))


def status_label(status: str, lang: str | None = None) -> str:
    """The word shown for a status (``Baik`` … ``Tercapai``, ``NO_DATA`` as "Tidak ada data")."""
    key = _STATUS_KEYS.get(status)
    return t(f"peta.status_{key}", lang) if key else status


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status) or TARGET_STATUS_COLOURS.get(status) or NO_DATA_COLOUR


def ink_on(colour: str) -> str:
    """A readable text colour (white or the theme's ink) on a ``#rrggbb`` background."""
    value = colour.lstrip("#")
    if len(value) != 6:
        return theme.INK
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if luminance < 0.3 else theme.INK


def uses_target_status(table: pd.DataFrame) -> bool:
    """True when the indicator is judged target met / not met (``aturan_status == "target3"``)."""
    return bool(len(table)) and str(table["aturan_status"].iloc[0]) == "target3"


def is_prevalence(table: pd.DataFrame) -> bool:
    return bool(len(table)) and str(table["jenis"].iloc[0]) == "prevalensi"


def map_classes(mode: str, target3: bool, lang: str | None = None) -> tuple[MapClass, ...]:
    """The colour classes of a mode, the grey "no data" class last."""
    if mode == COVERAGE_MODE:
        classes = [MapClass(f"c{i}", coverage_class_label(i), c) for i, c in enumerate(COVERAGE_COLOURS)]
        return (*classes, MapClass(NO_DATA, status_label(NO_DATA, lang), NO_DATA_COLOUR))
    if mode != STATUS_MODE:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    order, colours = (TARGET3_ORDER, TARGET_STATUS_COLOURS) if target3 else (STATUS_ORDER, STATUS_COLOURS)
    return tuple(
        MapClass(key, status_label(key, lang), colours[key], t(f"peta.status_{_STATUS_KEYS[key]}_ket", lang))
        for key in order
    )


def coverage_classes(values: np.ndarray) -> np.ndarray:
    """Index of :data:`COVERAGE_BREAKS` class per coverage (same as :func:`pws.figures.theme.coverage_class`),
    ``len(COVERAGE_BREAKS)`` (the no-data class) for NaN."""
    values = np.asarray(values, dtype=float)
    index = np.searchsorted(np.asarray(COVERAGE_BREAKS), values, side="right") - 1
    index = np.clip(index, 0, len(COVERAGE_BREAKS) - 1)
    return np.where(np.isnan(values), len(COVERAGE_BREAKS), index)


def class_index(table: pd.DataFrame, mode: str) -> np.ndarray:
    """The map class of every row of ``table`` (see :func:`map_classes` for the order)."""
    if mode == COVERAGE_MODE:
        return coverage_classes(table["cakupan_kumulatif"].to_numpy(dtype=float, na_value=np.nan))
    target3 = uses_target_status(table)
    column, order = ("status_target", TARGET3_ORDER) if target3 else ("status", STATUS_ORDER)
    lookup = {key: i for i, key in enumerate(order)}
    no_data = lookup[NO_DATA]
    return np.array([lookup.get(s, no_data) for s in table[column].astype(str)], dtype=int)


def row_status(row: pd.Series | dict, target3: bool) -> str:
    """The status word of one table row as the map shows it (status_target for target3 indicators)."""
    value = row["status_target"] if target3 else row["status"]
    return str(value) if isinstance(value, str) and value else NO_DATA


def _count(value: object) -> str:
    return format_number(value, 0)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _flag(value: object) -> bool | None:
    """A nullable boolean cell as True / False / None."""
    return None if _missing(value) else bool(value)


def coverage_text(row: pd.Series | dict, lang: str | None = None) -> str:
    """``50,0% (IK 95%: 37,9–62,1%)``; the interval is left out when it is unknown."""
    text = format_pct(row["cakupan_kumulatif"])
    low, high = row.get("ci_bawah"), row.get("ci_atas")
    if not _missing(row["cakupan_kumulatif"]) and not _missing(low) and not _missing(high):
        text += " " + t("peta.interval", lang, bawah=format_number(low), atas=format_number(high))
    return text


HOVER_FIELDS = ("sasaran", "jumlah", "cakupan", "target", "status", "catatan", "kualitas")
#: index of the data-quality note in a hover row (empty, or the findings about the value: :func:`quality_note`)
QUALITY_FIELD = HOVER_FIELDS.index("kualitas")
#: at most this many findings in a hover (the desa panel and the Kualitas data page list them all)
HOVER_FINDINGS = 2


def hover_template(prevalence: bool, bulan: int, lang: str | None = None) -> str:
    """The changing half of the map's hover text, with ``%{customdata[i]}`` where the values of
    :data:`HOVER_FIELDS` go: the labels travel once per change, only the values once per desa."""
    month = t(f"month.{bulan}", lang)
    f = {name: f"%{{customdata[{i}]}}" for i, name in enumerate(HOVER_FIELDS)}
    lines = [
        t("peta.hover_penyebut" if prevalence else "peta.hover_sasaran", lang, nilai=f["sasaran"]),
        f"{month}: {f['jumlah']}",
        t("peta.hover_nilai" if prevalence else "peta.hover_cakupan", lang, bulan=month, nilai=f["cakupan"]),
        t("peta.target_datar" if prevalence else "peta.target_sd", lang, bulan=month, nilai=f["target"]),
        t("peta.hover_status", lang, status=f"<b>{f['status']}</b>") + f["catatan"] + f["kualitas"],
    ]
    return "<br>".join(lines)


def _hover_row(row: dict, target3: bool, prevalence: bool, words: dict[str, str], lang: str) -> list[str]:
    sasaran = _count(row["sasaran"])
    flags = [words[name] for name in ("perkiraan", "kecil") if row.get(f"sasaran_{name}") is True]
    if flags:
        sasaran += f" ({', '.join(flags)})"
    count = _count(row["bulan_ini"])
    if not prevalence:
        count = words["jumlah"].format(nilai=count, kumulatif=_count(row["kumulatif"]))
    status = words[row_status(row, target3)]
    if row.get("status_tanpa_tren") is True and not target3:
        status += " " + words["tanpa_tren"]
    note = f"<br><i>{words['belum_lapor']}</i>" if row.get("dilaporkan") is False else ""
    return [sasaran, count, coverage_text(row, lang), format_pct(row["target_sd_bulan"]), status, note, ""]


def quality_note(messages: Sequence[str], lang: str | None = None, width: int = 64) -> str:
    """The hover lines of a flagged value: "⚠ Periksa data" and the first findings' messages (escaped, wrapped to
    ``width`` characters), "+ n lagi" for the rest; empty without messages."""
    if not messages:
        return ""

    def escape(text: str) -> str:
        return html.escape(text, quote=False)

    lines = [f"<br><b>⚠ {escape(t('kualitas.tanda_hover', lang))}</b>"]
    for message in messages[:HOVER_FINDINGS]:
        wrapped = textwrap.wrap(message, width) or [""]
        lines.append("<br>• " + "<br>&nbsp;&nbsp;&nbsp;".join(escape(part) for part in wrapped))
    if len(messages) > HOVER_FINDINGS:
        lines.append(f"<br><i>{escape(t('kualitas.tanda_lagi', lang, n=len(messages) - HOVER_FINDINGS))}</i>")
    return "".join(lines)


_HOVER_VALUES = ("sasaran", "bulan_ini", "kumulatif", "cakupan_kumulatif", "ci_bawah", "ci_atas", "target_sd_bulan",
                 "status", "status_target")  # fmt: skip
_HOVER_FLAGS = ("status_tanpa_tren", "dilaporkan", "sasaran_perkiraan", "sasaran_kecil")


def hover_rows(table: pd.DataFrame, lang: str | None = None) -> list[list[str]]:
    """The values of the hover text of every row (:data:`HOVER_FIELDS`, Indonesian number format): sasaran,
    this month's count and the cumulative one, coverage with its 95% interval, target to date, status, and an
    empty data-quality note (:func:`map_values` fills it for flagged desa)."""
    if table.empty:
        return []
    lang = lang or current_lang()
    target3 = uses_target_status(table)
    prevalence = is_prevalence(table)
    words = {key: status_label(key, lang) for key in _STATUS_KEYS}
    words |= {name: t(f"peta.{name}", lang) for name in ("perkiraan", "kecil", "tanpa_tren", "belum_lapor")}
    words["jumlah"] = t("peta.hover_jumlah_nilai", lang)
    records = table[[c for c in (*_HOVER_VALUES, *_HOVER_FLAGS) if c in table.columns]].to_dict("records")
    for record in records:  # nullable booleans arrive as numpy/pandas scalars
        for flag in _HOVER_FLAGS:
            if flag in record:
                record[flag] = _flag(record[flag])
    return [_hover_row(r, target3, prevalence, words, lang) for r in records]


def fill_hover(template: str, row: Sequence[str]) -> str:
    """The hover text plotly shows for ``row`` (what the browser does with ``%{customdata[i]}``)."""
    text = template
    for i, value in enumerate(row):
        text = text.replace(f"%{{customdata[{i}]}}", value)
    return text


def hover_texts(table: pd.DataFrame, lang: str | None = None) -> list[str]:
    """The changing half of the hover text of every row, as plotly shows it."""
    if table.empty:
        return []
    template = hover_template(is_prevalence(table), int(table["bulan"].iloc[0]), lang)
    return [fill_hover(template, row) for row in hover_rows(table, lang)]


def static_hover_texts(desa: pd.DataFrame, lang: str | None = None) -> list[str]:
    """The hover lines that never change (desa, kecamatan, puskesmas), one per row of ``desa`` (wilayah or the
    PWS table)."""
    label = t("map.puskesmas", lang)
    return [
        f"<b>{nama}</b> ({kec})<br>{label}: {pkm}"
        for nama, kec, pkm in zip(desa["nama_desa"], desa["nama_kecamatan"], desa["nama_puskesmas"], strict=True)
    ]


def target_note(table: pd.DataFrame, lang: str | None = None) -> str:
    """ "Target s.d. Juni: 47,5%" (a range when the desa have different targets); empty without a target."""
    targets = table["target_sd_bulan"].dropna()
    if targets.empty:
        return ""
    low, high = float(targets.min()), float(targets.max())
    value = format_pct(low) if abs(high - low) < 0.05 else f"{format_number(low)}–{format_pct(high)}"
    month = t(f"month.{int(table['bulan'].iloc[0])}", lang)
    return t("peta.target_datar" if is_prevalence(table) else "peta.target_sd", lang, bulan=month, nilai=value)


def map_values(
    table: pd.DataFrame,
    locations: Sequence[str],
    mode: str,
    lang: str | None = None,
    marks: Mapping[str, Sequence[str]] | None = None,
) -> MapValues:
    """Classes, hover text and legend counts of the desa PWS table ``table`` for the map's ``locations``; the desa
    in ``marks`` (code → data-quality messages) get the quality note in their hover.

    A location without a row in ``table`` is "no data"; rows of desa that are not locations are ignored.
    """
    lang = lang or current_lang()
    target3 = uses_target_status(table)
    prevalence = is_prevalence(table)
    classes = map_classes(mode, target3, lang)
    rows = table.drop_duplicates("kode_desa").set_index("kode_desa")
    aligned = rows.reindex(pd.Index(list(locations), dtype=object))
    known = aligned["nama_desa"].notna().to_numpy() if len(aligned) else np.zeros(0, dtype=bool)
    no_data = len(classes) - 1
    z = np.full(len(aligned), no_data, dtype=int)
    unknown = ["–", "–", "–", "–", status_label(NO_DATA, lang), "", ""]
    hover = [unknown] * len(aligned)
    if known.any():
        present = aligned[known]
        z[known] = class_index(present, mode)
        for i, row in zip(np.flatnonzero(known), hover_rows(present, lang), strict=True):
            hover[i] = row
    for position, kode in enumerate(locations if marks else ()):
        if marks and kode in marks:
            hover[position] = [*hover[position][:QUALITY_FIELD], quality_note(marks[kode], lang)]
    bulan = int(table["bulan"].iloc[0]) if len(table) else 1
    counts = np.bincount(z, minlength=len(classes)).tolist() if len(z) else [0] * len(classes)
    if mode == STATUS_MODE:
        title = t("peta.legend_status_target" if target3 else "peta.legend_status", lang)
    else:
        title = t("peta.legend_nilai" if prevalence else "peta.legend_cakupan", lang)
    return MapValues(
        mode=mode,
        title=title,
        classes=classes,
        locations=tuple(locations),
        z=z.tolist(),
        hover=hover,
        hovertemplate=hover_template(prevalence, bulan, lang),
        counts=[int(c) for c in counts],
        target_note=target_note(table, lang) if len(table) else "",
    )


@dataclass(frozen=True)
class DesaItem:
    """One line of the desa list of a drilled puskesmas."""

    kode: str
    nama: str
    colour: str
    value: str
    status: str


def desa_items(table: pd.DataFrame, values: MapValues, kode_puskesmas: str, lang: str | None = None) -> list[DesaItem]:
    """The desa of one puskesmas with their map colour, coverage and status; highest coverage first (no value
    last), then by name."""
    mine = table[table["kode_puskesmas"] == kode_puskesmas]
    position = {kode: i for i, kode in enumerate(values.locations)}
    target3 = uses_target_status(table)
    order = mine.assign(_v=mine["cakupan_kumulatif"].astype(float)).sort_values(
        ["_v", "nama_desa"], ascending=[False, True], na_position="last"
    )
    items = []
    for row in order.to_dict("records"):
        kode = str(row["kode_desa"])
        index = values.z[position[kode]] if kode in position else len(values.classes) - 1
        items.append(
            DesaItem(
                kode,
                str(row["nama_desa"]),
                values.colour_of(index),
                format_pct(row["cakupan_kumulatif"]),
                status_label(row_status(row, target3), lang),
            )  # fmt: skip
        )
    return items


@dataclass(frozen=True)
class AreaFacts:
    """The key numbers of the area the side panel shows (a desa, a puskesmas or the kabupaten), formatted."""

    level: str
    kode: str
    title: str
    subtitle: str
    status: str
    status_label: str
    status_colour: str
    #: (label, value) pairs in display order
    facts: list[tuple[str, str]]


def _facts(row: dict, target3: bool, prevalence: bool, lang: str | None) -> tuple[str, str, list[tuple[str, str]]]:
    """Status, its label and the (label, value) pairs of one row of a desa or aggregate PWS table."""
    month = t(f"month.{int(row['bulan'])}", lang)
    status = row_status(row, target3)
    label = status_label(status, lang)
    if _flag(row.get("status_tanpa_tren")) and not target3:
        label += " " + t("peta.tanpa_tren", lang)
    sasaran = _count(row["sasaran"])
    if _flag(row.get("sasaran_perkiraan")):
        sasaran += f" ({t('peta.perkiraan', lang)})"
    gap_people = row.get("kesenjangan_orang")
    if _missing(gap_people) or _missing(row["kesenjangan"]):
        gap = "–"
    elif int(gap_people or 0) == 0:
        gap = t("peta.kesenjangan_nol", lang, poin=format_pp(row["kesenjangan"]))
    else:
        gap = t("peta.kesenjangan_nilai", lang, poin=format_pp(row["kesenjangan"]), orang=_count(gap_people))
    facts = [
        (t("peta.fakta_penyebut" if prevalence else "peta.fakta_sasaran", lang), sasaran),
        (t("peta.fakta_bulan_ini", lang, bulan=month), _count(row["bulan_ini"])),
    ]
    if not prevalence:
        facts.append((t("peta.fakta_kumulatif", lang), _count(row["kumulatif"])))
    facts += [
        (t("peta.fakta_nilai" if prevalence else "peta.fakta_cakupan", lang), coverage_text(row, lang)),
        (t("peta.fakta_target", lang, bulan=month), format_pct(row["target_sd_bulan"])),
        (t("peta.fakta_kesenjangan", lang), gap),
    ]
    return status, label, facts


def desa_facts(table: pd.DataFrame, kode_desa: str, lang: str | None = None) -> AreaFacts | None:
    """Name, puskesmas, kecamatan, status and key numbers (sasaran, cumulative count, coverage with interval,
    target to date, gap in points and persons) of one desa; None when the desa is not in the table."""
    match = table[table["kode_desa"] == kode_desa]
    if match.empty:
        return None
    row = match.iloc[0].to_dict()
    status, label, facts = _facts(row, uses_target_status(table), is_prevalence(table), lang)
    if _flag(row.get("dilaporkan")) is False:
        facts.append((t("peta.fakta_laporan", lang), t("peta.belum_lapor", lang)))
    subtitle = t("peta.panel_wilayah", lang, puskesmas=row["nama_puskesmas"], kecamatan=row["nama_kecamatan"])
    return AreaFacts("desa", kode_desa, str(row["nama_desa"]), subtitle, status, label, status_colour(status), facts)


def area_facts(aggregate: pd.DataFrame, kode: str | None = None, lang: str | None = None) -> AreaFacts | None:
    """The same for one row of :func:`pws.service.aggregate_table` (the puskesmas ``kode``, or the kabupaten row
    when ``kode`` is None), with how many of its desa reported; None when the row is missing."""
    match = aggregate if kode is None else aggregate[aggregate["kode"] == kode]
    if match.empty:
        return None
    row = match.iloc[0].to_dict()
    level = str(row["tingkat"])
    status, label, facts = _facts(row, uses_target_status(aggregate), is_prevalence(aggregate), lang)
    reported = t("peta.desa_melapor", lang, n=_count(row["desa_dilaporkan"]), total=_count(row["jumlah_desa"]))
    facts.append((t("peta.fakta_laporan", lang), reported))
    prefix = {"kabupaten": "ui.kabupaten", "puskesmas": "ui.puskesmas", "kecamatan": "map.kecamatan"}
    title = t(prefix.get(level, "ui.kabupaten"), lang)
    if level == "per_kabupaten":  # a kabupaten of a province: its name says "Kabupaten …" or "Kota …"
        title = str(row["nama"])
    elif level != "kabupaten":
        title += f" {row['nama']}"
    subtitle = t("peta.panel_area", lang, n=_count(row["jumlah_desa"]))
    return AreaFacts(level, str(row["kode"]), title, subtitle, status, label, status_colour(status), facts)


@dataclass(frozen=True)
class LineageRow:
    bulan: str
    jk: str
    nilai: str
    sheet: str
    sel: str


def lineage_groups(lineage: pd.DataFrame, lang: str | None = None) -> list[tuple[str, list[LineageRow]]]:
    """The rows of :func:`pws.service.lineage` grouped by source file (consecutive rows of one file share a
    heading), each with month, sex, value (Indonesian format), sheet and cell."""
    groups: list[tuple[str, list[LineageRow]]] = []
    for r in lineage.to_dict("records"):
        value = float(r["nilai"])
        row = LineageRow(
            bulan=t(f"month.{int(r['bulan'])}", lang)[:3],
            jk=str(r["jk"]),
            nilai=format_number(value, 0 if value == int(value) else 1),
            sheet=str(r["sumber_sheet"]),
            sel=str(r["sumber_sel"]),
        )
        file = str(r["sumber_file"])
        if groups and groups[-1][0] == file:
            groups[-1][1].append(row)
        else:
            groups.append((file, [row]))
    return groups


# ------------------------------------------------------------------------------------------ province scale


def kabupaten_map_frame(kabupaten_rows: pd.DataFrame) -> pd.DataFrame:
    """The per-kabupaten rows of a province (:func:`pws.service.kabupaten_table`) shaped like a desa table for
    :func:`map_values`: the kabupaten code and name in ``kode_desa`` / ``nama_desa``, the map's join key."""
    return kabupaten_rows.rename(columns={"kode": "kode_desa", "nama": "nama_desa"})


def kabupaten_hover_texts(kabupaten: pd.DataFrame, lang: str | None = None) -> list[str]:
    """The hover lines that never change for each kabupaten of :func:`pws.service.kabupaten_list`."""
    return [
        f"<b>{html.escape(str(nama), quote=False)}</b><br>{t('provinsi.hover_desa', lang, n=format_number(n, 0))}"
        for nama, n in zip(kabupaten["nama_kabupaten"], kabupaten["jumlah_desa"], strict=True)
    ]
