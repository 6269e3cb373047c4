"""PWS Desa dashboard. ``python app.py`` serves the default workspace (``data/``, created with the demo
district on first run) on http://127.0.0.1:8050; ``pws serve`` does the same for any workspace."""

from __future__ import annotations

import os
from pathlib import Path

import dash
from flask import abort, redirect, request, send_file

from pws.config import WORKSPACE_ENV, Workspace
from pws.i18n import t

HERE = Path(__file__).resolve().parent


def default_workspace() -> Workspace:
    """``$PWS_WORKSPACE`` if set, else the repository's ``data/`` (not the current directory)."""
    env = os.environ.get(WORKSPACE_ENV)
    return Workspace(Path(env) if env else HERE / "data")


def create_app(workspace: Workspace | None = None) -> dash.Dash:
    ws = workspace or default_workspace()
    if ws.is_empty():
        from pws.demo import generate
        from pws.etl import input_files
        from pws.etl.ingest import ingest_files

        print(t("app.creating_demo", root=ws.root))
        generate(ws.root)
        ingest_files(ws, input_files([ws.laporan_dir]))
    from pws import service

    service.configure(ws)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "layouts"),
        assets_folder=str(HERE / "layouts" / "assets"),
        suppress_callback_exceptions=True,
        title=t("app.title"),
        update_title=None,  # type: ignore[arg-type]
    )
    from layouts import _shell

    app.layout = _shell.layout
    import callbacks  # noqa: F401  (registers every page's callbacks)

    @app.server.before_request
    def home():  # type: ignore[no-untyped-def,unused-ignore]
        # the first working page is the home page until the overview page exists
        if request.path == "/":
            return redirect("/wilayah")
        return None

    @app.server.route("/geo/<name>")
    def geojson(name: str):  # type: ignore[no-untyped-def,unused-ignore]
        geometry = service.map_geometry(service.current_workspace())
        if geometry is None:
            abort(404)
        # file names carry a hash of the boundaries, so the browser may keep them for a long time
        files = {p.name: p for p in (geometry.desa_geojson, geometry.kecamatan_geojson)}
        if name not in files:
            abort(404)
        return send_file(files[name], mimetype="application/geo+json", max_age=7 * 24 * 3600)

    return app


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PWS_PORT", "8050")), debug=False)
