"""PWS Desa dashboard. ``python app.py`` serves the default workspace (``data/``, created with the demo
district on first run) on http://127.0.0.1:8050; ``pws serve`` does the same for any workspace.

Server mode for an office (login, roles; docs/server.md)::

    PWS_WORKSPACE=/srv/pws PWS_AUTH=1 gunicorn -w 2 --threads 8 -b 0.0.0.0:8050 'app:create_server()'
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import dash
from dash import html
from flask import abort, has_request_context, make_response, redirect, request, send_file

from pws import i18n
from pws.config import WORKSPACE_ENV, Workspace
from pws.i18n import t
from pws.upload import MAX_REQUEST_BYTES, too_large_message  # $PWS_MAX_UPLOAD_MB, read in one place

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "pws_lang"
log = logging.getLogger("pws.app")


def default_workspace() -> Workspace:
    """``$PWS_WORKSPACE`` if set, else the repository's ``data/`` (not the current directory)."""
    env = os.environ.get(WORKSPACE_ENV)
    return Workspace(Path(env) if env else HERE / "data")


def _request_lang() -> str | None:
    return request.cookies.get(LANG_COOKIE) if has_request_context() else None


def show_error(err: Exception) -> None:
    """Every callback failure ends here: logged with its traceback, shown to the user as a calm alert."""
    from layouts._ids import SHELL

    log.exception("callback failed", exc_info=err)
    detail = str(err) or type(err).__name__
    dash.set_props(
        SHELL.alert,
        {
            "children": html.Div(
                [
                    html.Strong(t("ui.error_title")),
                    html.Span(" " + t("ui.error_body", detail=detail)),
                    html.Button("×", id=SHELL.alert_close, className="alert-close", title=t("ui.tutup")),
                ],
                className="alert alert-error",
            )
        },
    )


class NoAdminError(RuntimeError):
    """Login is on but the store has no admin yet: the server does not start (the message says what to do)."""


def create_app(workspace: Workspace | None = None, warm: bool = True, login: bool | None = None) -> dash.Dash:
    """The Dash app serving ``workspace``. ``warm`` fills the caches of the newest month in a background thread.
    ``login`` (default: ``$PWS_AUTH``) asks for a user name and password and enforces the roles (server mode)."""
    from pws import auth

    ws = workspace or default_workspace()
    login = auth.auth_enabled() if login is None else login
    if ws.is_empty():
        from pws.demo import generate
        from pws.etl import input_files
        from pws.etl.ingest import ingest_files

        print(t("app.creating_demo", root=ws.root))
        generate(ws.root)
        ingest_files(ws, input_files([ws.laporan_dir]))
    from pws import service

    service.configure(ws)
    if login and not auth.has_admin(service.store(ws)):
        raise NoAdminError(t("akses.tanpa_admin", root=ws.root))
    i18n.set_lang_resolver(_request_lang)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "layouts"),
        assets_folder=str(HERE / "layouts" / "assets"),
        suppress_callback_exceptions=True,  # no validation layout with every page's figures in the index
        title=t("app.title"),
        update_title=None,  # type: ignore[arg-type]
        compress=True,
        on_error=show_error,
    )
    # largest request body the server accepts (uploads travel base64-encoded inside the callback request)
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.server.register_error_handler(  # 413: say why in the user's language (the page checks sizes first)
        413, lambda _err: (too_large_message(), 413, {"Content-Type": "text/plain; charset=utf-8"})
    )
    if login:
        _require_login(app, ws)
    from layouts import _shell

    app.layout = _shell.layout
    import callbacks  # noqa: F401  (registers every page's callbacks)

    @app.server.before_request
    def home():  # type: ignore[no-untyped-def,unused-ignore]
        if request.path == "/":
            query = request.query_string.decode()
            return redirect("/ringkasan" + (f"?{query}" if query else ""))
        return None

    @app.server.route("/bahasa")
    def switch_language():  # type: ignore[no-untyped-def,unused-ignore]
        """Toggle Indonesian/English for this browser (a cookie), then go back to the page."""
        new = "en" if i18n.current_lang() == "id" else "id"
        back = request.referrer or "/"
        if not back.startswith(request.host_url):  # never redirect off-site
            back = "/"
        response = make_response(redirect(back))
        response.set_cookie(LANG_COOKIE, new, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    @app.server.route("/geo/<name>")
    def geojson(name: str):  # type: ignore[no-untyped-def,unused-ignore]
        # any layer of any view (a province has one per kabupaten); file names carry a hash of the boundaries,
        # so the browser may keep them for a long time
        path = service.geo_file(service.current_workspace(), name)
        if path is None:
            abort(404)
        return send_file(path, mimetype="application/geo+json", max_age=7 * 24 * 3600)

    @app.server.route("/berkas/<int:berkas_id>")
    def archived_report(berkas_id: int):  # type: ignore[no-untyped-def,unused-ignore]
        """The archived original of a stored report (the Kualitas data page links each finding's file here), as a
        download under the name it was uploaded with. Only the integer id comes from the request; the path is the
        store's own record."""
        from pws.quality.marks import archived_file

        store = service.store(service.current_workspace())
        found = archived_file(store, berkas_id)
        if found is None:
            abort(404)
        if not auth.file_allowed(auth.current_user(), store, berkas_id):
            abort(403, t("akses.tolak_berkas"))
        path, name = found
        return send_file(path, as_attachment=True, download_name=name)

    # Dash copies the registered callbacks into the app on its first request; make that request here, before any
    # user's, so that no request can find the app half set up (seen under gunicorn with a busy first request)
    app.server.test_client().get("/_dash-dependencies")
    if warm:
        threading.Thread(target=service.warm, args=(ws,), name="pws-warm", daemon=True).start()
    return app


def _require_login(app: dash.Dash, ws: Workspace) -> None:
    """Login, CSRF and the central access check (:mod:`pws.webauth`); the Unggah page for admins only."""
    from pws import auth, service, webauth

    def desa_to_pkm() -> dict[str, str]:
        return auth.desa_puskesmas(service.workspace_data(service.current_workspace()).wilayah)

    webauth.install(app.server, ws, lambda: service.store(service.current_workspace()), desa_to_pkm, LANG_COOKIE)
    for page in dash.page_registry.values():
        if page["module"].rsplit(".", 1)[-1] in auth.ADMIN_PAGES:
            page["layout"] = _admin_only(page["layout"])


def _admin_only(layout: Any) -> Any:
    """A page layout that only an admin gets; others read why (its callbacks are refused by the server too)."""
    from pws import auth

    def guarded(**query: str) -> Any:
        user = auth.current_user()
        if user is not None and not user.is_admin:
            return html.Div(html.P(t("akses.halaman_admin"), className="lead"), className="admin-only")
        return layout(**query) if callable(layout) else layout

    return guarded


def create_server() -> Any:
    """The WSGI application for gunicorn (``'app:create_server()'``): the app of ``$PWS_WORKSPACE``, with login
    when ``$PWS_AUTH=1``."""
    return create_app().server


if __name__ == "__main__":
    try:
        dash_app = create_app()
    except NoAdminError as exc:
        raise SystemExit(str(exc)) from None
    dash_app.run(host="127.0.0.1", port=int(os.environ.get("PWS_PORT", "8050")), debug=False)
