"""The app shell: navbar, the global filters (tahun, bulan, indikator, puskesmas, desa) and the page container.

The filters live here and nowhere else. :mod:`callbacks.shell` keeps them in step with the URL's query string
(``?tahun=2025&bulan=6&indikator=K4&puskesmas=…&desa=…``) so that a copied link reproduces the view, and
publishes them as one dict in the ``shell-filters`` store that every page reads. A page that wants to change a
filter (a click on a desa) writes to the filter's dropdown with ``allow_duplicate=True``.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts._ids import SHELL
from pws import auth, service
from pws.i18n import current_lang, t


def nav_pages() -> list[dict]:
    """The registered pages in menu order, each with its translated label (``page.<module name>``); in server mode
    the admin pages only for an admin."""
    pages = sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
    user = auth.current_user()
    if user is not None and not user.is_admin:
        pages = [p for p in pages if p["module"].rsplit(".", 1)[-1] not in auth.ADMIN_PAGES]
    return [{**p, "label": t(f"page.{p['module'].rsplit('.', 1)[-1]}")} for p in pages]


def user_badge() -> list:
    """Who is signed in and the sign-out button (a POST form carrying the CSRF token); nothing without login."""
    user = auth.current_user()
    if user is None:
        return []
    from pws.webauth import CSRF_FIELD, csrf_token

    role = t(f"akses.peran_{user.peran}", kode=user.kode_puskesmas or "")
    return [
        html.Form(
            [
                html.Span(user.nama, className="user-name", title=t("akses.masuk_sebagai", nama=user.nama)),
                html.Span(role, className="user-role"),
                dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token(), id=SHELL.logout_token),
                html.Button(t("akses.keluar"), type="submit", className="logout", title=t("akses.keluar_judul")),
            ],
            action="/logout",
            method="post",
            className="user-badge",
            id=SHELL.user,
        )
    ]


def indicator_options() -> list[dict[str, str]]:
    catalogue = service.workspace_data(service.current_workspace()).catalogue
    lang = current_lang()
    options = []
    for tahap, nama_id, nama_en in catalogue.tahap:
        for ind in catalogue.by_tahap(tahap):
            stage = nama_en if lang == "en" else nama_id
            options.append({"label": f"{stage} · {ind.name(lang)}", "value": ind.kode})
    return options


def year_options() -> list[int]:
    ws = service.current_workspace()
    years = set(service.years(ws))
    latest = service.latest_period(ws)
    if latest:
        years.add(latest[0])
    return sorted(years, reverse=True)


def _filter(label: str, component: dcc.Dropdown) -> html.Label:
    return html.Label([label, component])


def kabupaten_filter(ws: service.Workspace) -> html.Label:
    """The kabupaten dropdown: shown only when the workspace holds several kabupaten (a province)."""
    options = [{"label": r.nama_kabupaten, "value": r.kode_kabupaten} for r in service.kabupaten_list(ws).itertuples()]
    dropdown = dcc.Dropdown(
        id=SHELL.kabupaten,
        options=options if len(options) > 1 else [],
        placeholder=t("provinsi.semua_kabupaten"),
        clearable=True,
        className="filter-kabupaten",
    )
    hidden = {"display": "none"} if len(options) < 2 else None
    return html.Label([t("provinsi.filter_kabupaten"), dropdown], style=hidden)


def layout() -> html.Div:
    ws = service.current_workspace()
    months = [{"label": t(f"month.{m}"), "value": m} for m in range(1, 13)]
    scope = auth.current_scope()  # a puskesmas user: its own puskesmas, fixed
    puskesmas = [
        {"label": r.nama_puskesmas, "value": r.kode_puskesmas}
        for r in service.puskesmas_list(ws).itertuples()
        if scope is None or r.kode_puskesmas == scope
    ]
    nav_links = [
        dcc.Link(
            p["label"], href=p["relative_path"], id={"type": SHELL.nav_link, "page": p["path"]}, className="nav-link"
        )
        for p in nav_pages()
    ]
    return html.Div(
        [
            dcc.Location(id=SHELL.url, refresh=False),
            html.Header(
                [
                    html.Div(
                        [
                            html.Span(t("app.title"), className="brand"),
                            html.Nav(nav_links, className="nav"),
                            html.A(
                                t("ui.bahasa_lain"),
                                href="/bahasa",
                                title=t("ui.bahasa_lain_judul"),
                                className="lang-switch",
                            ),
                            *user_badge(),
                        ],
                        className="nav-left",
                    ),  # fmt: skip
                    html.Div(
                        [
                            _filter(
                                t("ui.tahun"),
                                dcc.Dropdown(
                                    id=SHELL.year, options=year_options(), className="filter-year", clearable=False
                                ),
                            ),
                            _filter(
                                t("ui.bulan"),
                                dcc.Dropdown(id=SHELL.month, options=months, className="filter-month", clearable=False),
                            ),
                            _filter(
                                t("ui.indikator"),
                                dcc.Dropdown(
                                    id=SHELL.indicator,
                                    options=indicator_options(),
                                    className="filter-indicator",
                                    clearable=False,
                                ),
                            ),
                            kabupaten_filter(ws),
                            _filter(
                                t("ui.puskesmas"),
                                dcc.Dropdown(
                                    id=SHELL.puskesmas,
                                    options=puskesmas,
                                    placeholder=t("ui.semua_puskesmas"),
                                    clearable=scope is None,
                                    value=scope,
                                    disabled=scope is not None,
                                    className="filter-puskesmas",
                                ),
                            ),
                            _filter(
                                t("ui.desa"),
                                dcc.Dropdown(
                                    id=SHELL.desa,
                                    options=[],
                                    placeholder=t("ui.semua_desa"),
                                    clearable=True,
                                    className="filter-desa",
                                ),
                            ),
                        ],
                        className="filters",
                    ),  # fmt: skip
                ],
                className="topbar",
            ),
            dcc.Store(id=SHELL.filters),
            html.Div(id=SHELL.alert, className="alert-area", role="alert"),
            html.Main(dash.page_container, className="page"),
        ]
    )
