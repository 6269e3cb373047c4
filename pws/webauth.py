"""Login, sessions, CSRF and the per-request access check for the dashboard's Flask server (server mode).

:func:`install` adds to a Flask app (Dash's ``app.server``):

* ``/login`` (a plain form, Indonesian/English, no external assets) and ``/logout`` (POST);
* a ``before_request`` that lets nothing but ``/login`` through without a valid session, checks every
  state-changing request (any method but GET/HEAD/OPTIONS) for the CSRF token and a same-host Origin/Referer, and
  runs :func:`pws.auth.callback_refusal` on every Dash callback request (``/_dash-update-component``);
* an ``after_request`` that hands the session's CSRF token to the browser in the ``_csrf_token`` cookie, which
  dash-renderer sends back as the ``X-CSRFToken`` header of every callback request.

No Dash here (the callback request is parsed as the JSON it is). Rules and users: :mod:`pws.auth`.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from flask import Flask, Response, g, make_response, redirect, request, session

from pws import auth
from pws.config import Workspace
from pws.etl.store import Store
from pws.i18n import current_lang, t

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"  # the header dash-renderer sends
CSRF_FIELD = "csrf"  # the hidden field of the login and logout forms
SESSION_COOKIE = "pws_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
OPEN_PATHS = ("/login", "/_favicon.ico")
#: seconds a user record is reused before the database is asked again (a removed user is out within this time)
USER_CACHE_SECONDS = 5.0


class _UserCache:
    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store
        self._cache: dict[str, tuple[float, auth.User | None]] = {}
        self._lock = threading.Lock()

    def get(self, nama: str) -> auth.User | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(nama)
        if hit is not None and hit[0] > now:
            return hit[1]
        user = auth.get_user(self._store(), nama)
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[nama] = (now + USER_CACHE_SECONDS, user)
        return user

    def forget(self, nama: str) -> None:
        with self._lock:
            self._cache.pop(nama, None)


def csrf_token() -> str:
    """The session's CSRF token (made on first use); the shell puts it into the logout form."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = auth.new_token()
    return str(token)


def _same_host() -> bool:
    """The Origin (else Referer) header, when the browser sent one, names this server's host."""
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value:
            return urlparse(value).netloc == request.host
    return True  # no browser sent this (a script); the CSRF token still has to match


def _refuse(status: int, key: str, **params: Any) -> Response:
    return make_response(t(key, **params), status, {"Content-Type": "text/plain; charset=utf-8"})


def _safe_next(target: str | None) -> str:
    """Only a path on this server (never ``//host`` or ``http://…``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_page(error: str | None = None, next_url: str = "/", nama: str = "") -> str:
    """The login form (inline style matching the app's colours: no asset request before the login)."""
    esc = html.escape
    error_html = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="{current_lang()}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(t("akses.judul_masuk"))} · {esc(t("app.title"))}</title>
<style>
:root {{ --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --bg:#f5f7fa; --brand:#0b6e4f; --card:#fff; }}
body {{ margin:0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color:var(--ink); background:var(--bg); display:flex; min-height:100vh; align-items:center;
       justify-content:center; }}
main {{ background:var(--card); border:1px solid var(--line); border-radius:8px; padding:28px 32px; width:340px; }}
h1 {{ color:var(--brand); font-size:1.3rem; margin:0 0 4px; }}
p.lead {{ color:var(--muted); margin:0 0 18px; font-size:.95rem; }}
label {{ display:flex; flex-direction:column; gap:4px; font-size:.85rem; color:var(--muted); margin-bottom:12px; }}
input {{ font:inherit; padding:8px 10px; border:1px solid var(--line); border-radius:6px; color:var(--ink); }}
input:focus {{ outline:2px solid var(--brand); outline-offset:1px; }}
button {{ font:inherit; font-weight:600; width:100%; padding:9px; border:0; border-radius:6px; color:#fff;
         background:var(--brand); cursor:pointer; }}
.error {{ background:#fdecea; color:#b42318; border-radius:6px; padding:8px 10px; font-size:.9rem; }}
.lang {{ display:block; margin-top:14px; text-align:center; color:var(--muted); font-size:.85rem; }}
</style></head>
<body><main>
<h1>{esc(t("app.title"))}</h1>
<p class="lead">{esc(t("akses.petunjuk_masuk"))}</p>
{error_html}
<form method="post" action="/login">
<input type="hidden" name="{CSRF_FIELD}" value="{esc(csrf_token())}">
<input type="hidden" name="next" value="{esc(next_url)}">
<label>{esc(t("akses.nama_pengguna"))}
<input name="nama" autocomplete="username" required autofocus value="{esc(nama)}"></label>
<label>{esc(t("akses.sandi"))}
<input name="sandi" type="password" autocomplete="current-password" required></label>
<button type="submit">{esc(t("akses.masuk"))}</button>
</form>
<a class="lang" href="/login/bahasa">{esc(t("ui.bahasa_lain"))}</a>
</main></body></html>"""


def install(
    server: Flask,
    ws: Workspace,
    store: Callable[[], Store],
    desa_to_pkm: Callable[[], Mapping[str, str]],
    lang_cookie: str = "pws_lang",
) -> None:
    """Turn on login for ``server``. ``store`` gives the users' database, ``desa_to_pkm`` the master list's
    kode_desa → kode_puskesmas (both called per request; both are cached by their owners)."""
    server.secret_key = auth.secret_key(ws)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=auth.secure_cookies(),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.session_hours()),
    )
    users = _UserCache(store)
    throttle = auth.LoginThrottle()
    auth.set_user_resolver(lambda: g.get("pws_user") if _in_request() else None)

    def session_user() -> auth.User | None:
        nama = session.get("nama")
        if not nama:
            return None
        user = users.get(str(nama))
        if user is None or not user.aktif or user.stamp != session.get("stamp"):
            return None
        return user

    @server.before_request
    def guard():  # type: ignore[no-untyped-def,unused-ignore]
        path = request.path
        if request.method not in SAFE_METHODS and not _same_host():
            return _refuse(403, "akses.csrf_ditolak")
        if path in OPEN_PATHS or path == "/login/bahasa":
            return None
        user = session_user()
        if user is None:
            session.pop("nama", None)
            if request.method == "GET" and not path.startswith("/_dash-"):
                query = request.full_path if request.query_string else path
                return redirect("/login?next=" + _quote(query))
            return _refuse(401, "akses.perlu_masuk")
        g.pws_user = user
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
            if not auth.tokens_match(sent, session.get(CSRF_FIELD)):
                return _refuse(403, "akses.csrf_ditolak")
        if path == "/_dash-update-component":
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                return _refuse(400, "akses.permintaan_rusak")
            reason = auth.callback_refusal(user, payload, desa_to_pkm())
            if reason is not None:
                server.logger.warning("refused callback for %s (%s): %s", user.nama, reason, _describe(payload))
                return _refuse(403, f"akses.tolak_{reason}")
        return None

    @server.after_request
    def hand_out_csrf(response: Response) -> Response:
        token = session.get(CSRF_FIELD)
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE,
                str(token),
                httponly=False,  # dash-renderer reads it to send the header
                samesite="Strict",
                secure=auth.secure_cookies(),
            )
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login():  # type: ignore[no-untyped-def,unused-ignore]
        if request.method == "GET":
            return login_page(next_url=_safe_next(request.args.get("next")))
        next_url = _safe_next(request.form.get("next"))
        nama = (request.form.get("nama") or "").strip()[:64]
        if not auth.tokens_match(request.form.get(CSRF_FIELD), session.get(CSRF_FIELD)):
            return _refuse(403, "akses.csrf_ditolak")
        keys = (f"nama:{nama.lower()}", f"ip:{request.remote_addr}")
        wait = throttle.wait_seconds(*keys)
        if wait:
            minutes = max(1, -(-wait // 60))
            return login_page(t("akses.terlalu_sering", menit=minutes), next_url, nama), 429
        user = auth.authenticate(store(), nama, request.form.get("sandi") or "")
        if user is None:
            throttle.failed(*keys)
            server.logger.warning("failed login for %r from %s", nama, request.remote_addr)
            return login_page(t("akses.gagal_masuk"), next_url, nama), 401
        throttle.succeeded(*keys)
        users.forget(user.nama)
        session.clear()  # a new session (and CSRF token) for the new login: no fixation
        session.permanent = True
        session["nama"], session["stamp"] = user.nama, user.stamp
        session[CSRF_FIELD] = auth.new_token()
        return redirect(next_url)

    @server.route("/login/bahasa")
    def login_language():  # type: ignore[no-untyped-def,unused-ignore]
        response = make_response(redirect("/login"))
        response.set_cookie(lang_cookie, "en" if current_lang() == "id" else "id", max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True)  # fmt: skip
        return response

    @server.route("/logout", methods=["GET", "POST"])
    def logout():  # type: ignore[no-untyped-def,unused-ignore]
        if request.method == "POST":  # the CSRF token was checked by guard()
            session.clear()
            return redirect("/login")
        return redirect("/")


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path.rstrip("?"), safe="/")


def _describe(payload: Mapping[str, Any]) -> str:
    """A short trace of a refused callback for the server log (outputs and the input ids, no values)."""
    return json.dumps({"output": str(payload.get("output", ""))[:200]}, ensure_ascii=False)


__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "csrf_token", "install", "login_page"]
