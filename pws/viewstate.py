"""What the user is looking at — tahun, bulan, indikator, puskesmas, desa, and in a workspace holding several
kabupaten (a province) the kabupaten — and its round trip through the URL's query string
(``?tahun=2025&bulan=6&indikator=K4&puskesmas=P01&desa=99.01.01.2001``), so that a copied link reproduces the
view. Values that the workspace does not know are replaced by defaults, never trusted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from urllib.parse import parse_qs, urlencode

from pws import auth, service
from pws.config import Workspace

DEFAULT_INDICATOR = "K4"
KEYS = ("tahun", "bulan", "indikator", "puskesmas", "desa", "kabupaten")


@dataclass(frozen=True)
class ViewState:
    tahun: int
    bulan: int
    indikator: str
    puskesmas: str | None = None
    desa: str | None = None
    #: ``PP.KK`` of the chosen kabupaten; only ever set in a workspace with several kabupaten
    kabupaten: str | None = None

    def to_query(self) -> str:
        """``?tahun=…&bulan=…`` with the empty filters left out."""
        pairs = [(k, str(v)) for k, v in asdict(self).items() if v not in (None, "")]
        return "?" + urlencode(pairs)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def default_state(ws: Workspace) -> ViewState:
    """The newest month with data (else December of the newest sasaran year), K4, the whole kabupaten."""
    latest = service.latest_period(ws)
    tahun, bulan = latest if latest else (service.years(ws)[0], 12)
    codes = service.workspace_data(ws).catalogue.indicators
    indikator = DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else next(iter(codes))
    return ViewState(tahun, bulan, indikator)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def validated(ws: Workspace, raw: dict[str, object]) -> ViewState:
    """A state from loose values (query parameters, dropdown values): unknown or malformed ones fall back to the
    default; a desa outside the chosen puskesmas moves the puskesmas to the desa's own, and a puskesmas brings its
    kabupaten (in a workspace with one kabupaten the kabupaten stays None). For a puskesmas user (server mode) the
    puskesmas is always its own and a desa outside it is dropped (:func:`pws.auth.clamp`)."""
    base = default_state(ws)
    data = service.workspace_data(ws)
    tahun = _int(raw.get("tahun"))
    bulan = _int(raw.get("bulan"))
    indikator = str(raw.get("indikator") or "").strip().upper()
    wilayah = data.wilayah
    desa_to_pkm = dict(zip(wilayah["kode_desa"], wilayah["kode_puskesmas"], strict=True))
    puskesmas = str(raw.get("puskesmas") or "") or None
    desa = str(raw.get("desa") or "") or None
    if puskesmas not in set(desa_to_pkm.values()):
        puskesmas = None
    if desa not in desa_to_pkm:
        desa = None
    if desa is not None:
        puskesmas = desa_to_pkm[desa]
    puskesmas, desa = auth.clamp(desa_to_pkm, puskesmas, desa)  # a puskesmas user stays in its own puskesmas
    kabupaten = str(raw.get("kabupaten") or "") or None
    known = service.kabupaten_list(ws)
    if len(known) < 2 or kabupaten not in set(known["kode_kabupaten"]):
        kabupaten = None
    if puskesmas is not None and len(known) > 1:
        kab_of = dict(zip(wilayah["kode_puskesmas"], wilayah["kode_kabupaten"], strict=True))
        kabupaten = kab_of.get(puskesmas, kabupaten)
    return replace(
        base,
        tahun=tahun if tahun is not None and 1900 < tahun < 2200 else base.tahun,
        bulan=bulan if bulan is not None and 1 <= bulan <= 12 else base.bulan,
        indikator=indikator if indikator in data.catalogue.indicators else base.indikator,
        puskesmas=puskesmas,
        desa=desa,
        kabupaten=kabupaten,
    )


def from_query(ws: Workspace, search: str | None) -> ViewState:
    """The state a URL's query string asks for (validated; an empty query gives the default state)."""
    params = parse_qs((search or "").lstrip("?"))
    return validated(ws, {k: params[k][-1] for k in KEYS if k in params})


__all__ = ["KEYS", "ViewState", "default_state", "from_query", "validated"]
