"""Unggah: drop puskesmas reports, check the dry-run preview, confirm, watch the progress, read the summary.

The files' bytes go to the server once (inside the upload callback) and stay there, staged under a random token
(:mod:`pws.upload`); the browser keeps only the token. Size limits are enforced three times: by ``dcc.Upload``'s
``max_size`` per file (``assets/unggah.js`` says which files it refused), by a clientside check of the whole
upload before it is sent, and by the server (HTTP 413 above ``$PWS_MAX_UPLOAD_MB``, and per file when decoding).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from layouts._ids import UNGGAH
from pws.i18n import t
from pws.upload import MAX_FILE_BYTES, MAX_REQUEST_BYTES, REQUEST_OVERHEAD_BYTES, base64_length, format_mb

dash.register_page(__name__, path="/unggah", name=t("page.unggah"), order=7)

#: what the file picker offers (the real format is read from the bytes, whatever the extension says)
ACCEPT = ".xlsx,.xlsm,.xls,.ods,.csv"
POLL_MS = 500


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """``data-*`` and ``aria-*`` attributes, which Dash's html components accept as keyword arguments."""
    return values


def layout(**_query: str) -> html.Div:
    per_file = format_mb(MAX_FILE_BYTES)
    limits = {
        # the clientside check compares the base64 text of all files with what one request may carry
        "max_base64": MAX_REQUEST_BYTES - REQUEST_OVERHEAD_BYTES,
        "max_file_base64": base64_length(MAX_FILE_BYTES),
        "too_big_total": t("unggah.total_terlalu_besar", ukuran="{ukuran}", batas=format_mb(MAX_REQUEST_BYTES)),
    }
    return html.Div(
        [
            html.H1(t("unggah.judul")),
            html.P(t("unggah.pengantar"), className="lead"),
            html.Div(
                dcc.Upload(
                    id=UNGGAH.upload,
                    multiple=True,
                    accept=ACCEPT,
                    max_size=MAX_FILE_BYTES,
                    className="unggah-zone",
                    className_active="unggah-zone unggah-zone--active",
                    className_reject="unggah-zone unggah-zone--reject",
                    className_disabled="unggah-zone unggah-zone--disabled",
                    children=html.Div(
                        [
                            html.Span("↑", className="unggah-zone-icon", **_attrs({"aria-hidden": "true"})),
                            html.Strong(t("unggah.kotak")),
                            html.Span(
                                t("unggah.kotak_format", per_berkas=per_file, total=format_mb(MAX_REQUEST_BYTES)),
                                className="unggah-zone-hint",
                            ),
                        ],
                        className="unggah-zone-inner",
                    ),
                ),
                id=UNGGAH.zone,
                # read by assets/unggah.js when the browser refuses a file for its size
                **_attrs(
                    {
                        "data-max-bytes": str(MAX_FILE_BYTES),
                        "data-too-big": t("unggah.terlalu_besar_browser", batas=per_file, nama="{nama}"),
                        "data-notice": UNGGAH.notice,
                    }
                ),
            ),
            html.Div(id=UNGGAH.notice, className="unggah-notice", role="alert"),
            # progress and summary above the preview: in sight however long the preview is
            html.Div(id=UNGGAH.status, className="unggah-status", **_attrs({"aria-live": "polite"})),
            dcc.Loading(html.Div(id=UNGGAH.preview), delay_show=300, type="dot", color="#0b6e4f"),
            dcc.Store(id=UNGGAH.limits, data=limits),
            dcc.Store(id=UNGGAH.gate),
            dcc.Store(id=UNGGAH.token),
            dcc.Interval(id=UNGGAH.poll, interval=POLL_MS, disabled=True),
        ],
        className="unggah",
    )
