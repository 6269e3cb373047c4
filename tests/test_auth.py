"""pws.auth (users in the store, hashes, roles, throttle, callback rules), the ``pws user`` command, and
pws.webauth on a plain Flask app with a real SQLite store: login, logout, CSRF, cookie flags, throttling."""

from __future__ import annotations

import io
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g

from pws import auth, webauth
from pws.cli import main
from pws.config import Workspace
from pws.etl.store import Store
from pws.workspace import load_workspace

PASSWORD = "kata-sandi-uji"


@pytest.fixture
def ws(demo: Any, tmp_path: Path) -> Workspace:
    """A copy of the demo workspace (master list only matters here) with an empty store."""
    root = tmp_path / "ws"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns("laporan", ".pws"))
    return Workspace(root)


@pytest.fixture
def store(ws: Workspace) -> Any:
    s = Store.for_workspace(ws)
    yield s
    s.close()


def _puskesmas(ws: Workspace) -> tuple[list[str], dict[str, str]]:
    wilayah = load_workspace(ws).wilayah
    return sorted(set(wilayah["kode_puskesmas"])), dict(
        zip(wilayah["kode_desa"], wilayah["kode_puskesmas"], strict=True)
    )


# ---------------------------------------------------------------------------------------------- users


def test_password_is_stored_as_a_salted_hash(store: Store) -> None:
    auth.add_user(store, "ana", PASSWORD, "dinkes")
    auth.add_user(store, "budi", PASSWORD, "dinkes")
    with store.engine.connect() as conn:
        hashes = dict(conn.execute(sa.select(auth.pengguna.c.nama, auth.pengguna.c.sandi_hash)).all())
    assert PASSWORD not in "".join(hashes.values())
    assert all(h.startswith("scrypt:") for h in hashes.values())
    assert hashes["ana"] != hashes["budi"]  # salted: same password, different hash


def test_authenticate_accepts_only_the_right_password_of_an_active_user(store: Store) -> None:
    auth.add_user(store, "ana", PASSWORD, "admin")
    user = auth.authenticate(store, "ana", PASSWORD)
    assert user is not None and user.is_admin and user.scope is None
    assert user.login_terakhir is not None
    assert auth.get_user(store, "ana").login_terakhir is not None  # type: ignore[union-attr]
    assert auth.authenticate(store, "ana", PASSWORD + "x") is None
    assert auth.authenticate(store, "tidak-ada", PASSWORD) is None
    auth.set_active(store, "ana", False)
    assert auth.authenticate(store, "ana", PASSWORD) is None


def test_roles_and_puskesmas_are_validated(ws: Workspace, store: Store) -> None:
    codes, _ = _puskesmas(ws)
    user = auth.add_user(store, "pkm", PASSWORD, "puskesmas", codes[0], codes)
    assert user.scope == codes[0] and not user.is_admin
    with pytest.raises(auth.UserError, match="XX"):
        auth.add_user(store, "pkm2", PASSWORD, "puskesmas", "XX", codes)
    with pytest.raises(auth.UserError):
        auth.add_user(store, "pkm3", PASSWORD, "puskesmas", None, codes)
    with pytest.raises(auth.UserError):
        auth.add_user(store, "dk", PASSWORD, "dinkes", codes[0], codes)  # only puskesmas users carry a code
    with pytest.raises(auth.UserError):
        auth.add_user(store, "x", PASSWORD, "raja")
    with pytest.raises(auth.UserError):
        auth.add_user(store, "pendek", "1234567", "dinkes")
    with pytest.raises(auth.UserError):
        auth.add_user(store, "pkm", PASSWORD, "dinkes")  # taken
    with pytest.raises(auth.UserError):
        auth.add_user(store, "bad name", PASSWORD, "dinkes")
    assert [u.nama for u in auth.list_users(store)] == ["pkm"]


def test_password_reset_changes_the_session_stamp(store: Store) -> None:
    before = auth.add_user(store, "ana", PASSWORD, "admin").stamp
    assert auth.set_password(store, "ana", "sandi-baru-123")
    assert auth.get_user(store, "ana").stamp != before  # type: ignore[union-attr]
    assert auth.authenticate(store, "ana", PASSWORD) is None
    assert auth.authenticate(store, "ana", "sandi-baru-123") is not None
    assert not auth.set_password(store, "siapa", "sandi-baru-123")


def test_users_table_lives_in_the_store_database(ws: Workspace) -> None:
    """Created with the store's tables: another Store on the same file (another worker) sees the users."""
    first = Store.for_workspace(ws)
    auth.add_user(first, "ana", PASSWORD, "admin")
    second = Store.for_workspace(ws)
    try:
        assert "pengguna" in sa.inspect(second.engine).get_table_names()
        assert auth.has_admin(second)
        assert auth.remove_user(second, "ana") and not auth.has_admin(first)
        assert not auth.remove_user(second, "ana")
    finally:
        first.close()
        second.close()


def test_throttle_refuses_after_the_limit_and_forgets_after_the_window() -> None:
    now = [1000.0]
    throttle = auth.LoginThrottle(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("nama:ana", "ip:1") == 0
        throttle.failed("nama:ana", "ip:1")
    assert 0 < throttle.wait_seconds("nama:ana") <= 61
    assert throttle.wait_seconds("ip:1") > 0 and throttle.wait_seconds("ip:2") == 0
    now[0] += 61
    assert throttle.wait_seconds("nama:ana", "ip:1") == 0
    throttle.failed("nama:ana")
    throttle.succeeded("nama:ana")
    assert throttle.wait_seconds("nama:ana") == 0


def test_secret_key_is_generated_once_private_and_shared(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(auth.SECRET_ENV, raising=False)
    first = auth.secret_key(ws)
    path = ws.internal_dir / auth.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.secret_key(ws) == first and len(first) >= 32
    monkeypatch.setenv(auth.SECRET_ENV, "dari-lingkungan")
    assert auth.secret_key(ws) == b"dari-lingkungan"


# ---------------------------------------------------------------------------------------------- callback rules


def _filters(pkm: str | None, desa: str | None = None) -> dict[str, Any]:
    return {"tahun": 2025, "bulan": 6, "indikator": "K4", "puskesmas": pkm, "desa": desa}


def _payload(*items: dict[str, Any], output: str = "x.children") -> dict[str, Any]:
    return {"output": output, "outputs": {"id": output.split(".")[0], "property": "children"}, "inputs": list(items)}


def test_callback_rules_for_a_puskesmas_user(ws: Workspace) -> None:
    codes, desa_to_pkm = _puskesmas(ws)
    own, other = codes[0], codes[1]
    mine = next(d for d, p in desa_to_pkm.items() if p == own)
    theirs = next(d for d, p in desa_to_pkm.items() if p == other)
    user = auth.User("pkm", "puskesmas", own, True, None, None, "s")

    def refusal(*items: dict[str, Any], output: str = "x.children") -> str | None:
        return auth.callback_refusal(user, _payload(*items, output=output), desa_to_pkm)

    def item(cid: Any, prop: str, value: Any) -> dict[str, Any]:
        return {"id": cid, "property": prop, "value": value}

    assert refusal(item("shell-filters", "data", _filters(own, mine))) is None
    assert refusal(item("shell-filters", "data", _filters(other))) == "wilayah"
    assert refusal(item("shell-filters", "data", _filters(None))) == "wilayah"  # the whole kabupaten
    assert refusal(item("shell-filters", "data", _filters(own, theirs))) == "wilayah"
    assert refusal(item("any-store", "data", {"puskesmas": own, "desa": theirs})) == "wilayah"
    assert refusal(item("shell-puskesmas", "value", other)) == "wilayah"
    assert refusal(item("shell-puskesmas", "value", None)) is None  # the shell sets its own again
    assert refusal(item("shell-desa", "value", theirs)) == "wilayah"
    assert refusal(item("peta-choropleth", "clickData", {"points": [{"location": theirs}]})) == "wilayah"
    assert refusal(item("peta-choropleth", "clickData", {"points": [{"location": mine}]})) is None
    pattern = [item({"type": "peta-pilih", "level": "desa", "kode": k}, "n_clicks", 0) for k in ("", mine)]
    assert refusal(pattern) is None  # type: ignore[arg-type]
    pattern.append(item({"type": "peta-pilih", "level": "desa", "kode": theirs}, "n_clicks", 0))
    assert refusal(pattern) == "wilayah"  # type: ignore[arg-type]
    assert refusal(item("unggah-berkas", "contents", None), output="unggah-status.children") == "peran"
    dinkes = auth.User("dk", "dinkes", None, True, None, None, "s")
    assert auth.callback_refusal(dinkes, _payload(item("shell-filters", "data", _filters(None))), desa_to_pkm) is None
    upload = _payload(item("unggah-simpan", "n_clicks", 1), output="unggah-status.children")
    assert auth.callback_refusal(dinkes, upload, desa_to_pkm) == "peran"
    admin = auth.User("ad", "admin", None, True, None, None, "s")
    assert auth.callback_refusal(admin, upload, desa_to_pkm) is None
    assert auth.callback_refusal(None, upload, desa_to_pkm) == "login"


def test_clamp_moves_a_view_into_the_users_puskesmas(ws: Workspace) -> None:
    codes, desa_to_pkm = _puskesmas(ws)
    own = codes[0]
    mine = next(d for d, p in desa_to_pkm.items() if p == own)
    theirs = next(d for d, p in desa_to_pkm.items() if p != own)
    auth.set_user_resolver(lambda: auth.User("pkm", "puskesmas", own, True, None, None, "s"))
    try:
        assert auth.clamp(desa_to_pkm, None, None) == (own, None)
        assert auth.clamp(desa_to_pkm, codes[1], theirs) == (own, None)
        assert auth.clamp(desa_to_pkm, own, mine) == (own, mine)
    finally:
        auth.set_user_resolver(lambda: None)
    assert auth.clamp(desa_to_pkm, codes[1], theirs) == (codes[1], theirs)


# ---------------------------------------------------------------------------------------------- the CLI


def test_cli_user_add_list_sandi_remove(ws: Workspace, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    codes, _ = _puskesmas(ws)
    root = str(ws.root)

    def run(*argv: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(list(argv))

    assert run("user", "add", "kepala", "--peran", "admin", "--workspace", root, "--sandi-stdin", stdin=PASSWORD) == 0
    assert run("user", "add", "pkm", "--peran", "puskesmas", "--puskesmas", codes[0], "--workspace", root,
               "--sandi-stdin", stdin=PASSWORD + "\n") == 0  # fmt: skip
    assert run("user", "add", "pkm", "--peran", "dinkes", "--workspace", root, "--sandi-stdin", stdin=PASSWORD) == 2
    assert "sudah ada" in capsys.readouterr().err
    assert run("user", "add", "x1", "--peran", "puskesmas", "--puskesmas", "ZZ", "--workspace", root,
               "--sandi-stdin", stdin=PASSWORD) == 2  # fmt: skip
    assert "ZZ" in capsys.readouterr().err
    assert run("user", "add", "x2", "--peran", "raja", "--workspace", root, "--sandi-stdin", stdin=PASSWORD) == 2
    assert run("user", "list", "--workspace", root) == 0
    listing = capsys.readouterr().out
    assert re.search(rf"^pkm \| puskesmas \| {re.escape(codes[0])} \| ya", listing, re.M)
    assert re.search(r"^kepala \| admin \| - \| ya", listing, re.M)
    assert PASSWORD not in listing
    store = Store.for_workspace(ws)
    try:
        assert auth.authenticate(store, "pkm", PASSWORD) is not None  # the newline of stdin is not in it
        assert run("user", "sandi", "pkm", "--workspace", root, "--sandi-stdin", stdin="baru-sekali-99") == 0
        assert auth.authenticate(store, "pkm", "baru-sekali-99") is not None
        assert run("user", "sandi", "siapa", "--workspace", root, "--sandi-stdin", stdin="baru-sekali-99") == 2
        assert run("user", "remove", "pkm", "--workspace", root) == 0
        assert auth.get_user(store, "pkm") is None
        assert run("user", "remove", "pkm", "--workspace", root) == 2
    finally:
        store.close()


def test_cli_password_prompt_must_match(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([PASSWORD, PASSWORD + "beda"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "ana", "--peran", "dinkes", "--workspace", str(ws.root)]) == 2
    answers = iter([PASSWORD, PASSWORD])
    assert main(["user", "add", "ana", "--peran", "dinkes", "--workspace", str(ws.root)]) == 0


# ---------------------------------------------------------------------------------------------- pws.webauth on Flask


@pytest.fixture
def web(ws: Workspace, store: Store, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A plain Flask app with login installed, one protected page and one protected POST route."""
    monkeypatch.delenv(auth.SECRET_ENV, raising=False)
    codes, desa_to_pkm = _puskesmas(ws)
    auth.add_user(store, "ana", PASSWORD, "admin")
    auth.add_user(store, "pkm", PASSWORD, "puskesmas", codes[0], codes)
    app = Flask("uji")
    webauth.install(app, ws, lambda: store, lambda: desa_to_pkm)
    app.add_url_rule("/rahasia", "rahasia", lambda: f"halo {g.pws_user.nama}")
    app.add_url_rule("/ubah", "ubah", lambda: "diubah", methods=["POST"])
    app.add_url_rule("/_dash-update-component", "dash", lambda: "{}", methods=["POST"])
    yield app
    auth.set_user_resolver(lambda: None)


def _login(client: Any, nama: str = "ana", sandi: str = PASSWORD) -> Any:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"csrf": token, "nama": nama, "sandi": sandi, "next": "/rahasia"})


def test_pages_need_a_login_and_the_login_sets_safe_cookies(web: Flask) -> None:
    client = web.test_client()
    response = client.get("/rahasia")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/rahasia")
    assert client.post("/_dash-update-component", json={}).status_code in (401, 403)
    response = _login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/rahasia"
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    session_cookie = cookies[webauth.SESSION_COOKIE]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Expires=" in session_cookie
    assert "Secure" not in session_cookie
    csrf_cookie = cookies[webauth.CSRF_COOKIE]
    assert "HttpOnly" not in csrf_cookie  # dash-renderer must read it
    assert client.get("/rahasia").text == "halo ana"


def test_secure_cookie_setting(ws: Workspace, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(auth.SECURE_COOKIE_ENV, "1")
    auth.add_user(store, "ana", PASSWORD, "admin")
    app = Flask("uji-https")
    webauth.install(app, ws, lambda: store, dict)
    response = _login(app.test_client())
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_wrong_password_gets_a_generic_message_and_is_throttled(web: Flask) -> None:
    client = web.test_client()
    wrong_user = _login(client, "tidak-ada")
    wrong_password = _login(client, "ana", "salah-sekali")
    assert wrong_user.status_code == wrong_password.status_code == 401
    message = "Nama pengguna atau kata sandi salah."
    assert message in wrong_user.text and message in wrong_password.text
    for _ in range(3):
        _login(client, "ana", "salah-sekali")
    locked = _login(client, "ana", PASSWORD)  # the fifth failure locked the name (and this address) out
    assert locked.status_code == 429 and "Coba lagi" in locked.text
    assert client.get("/rahasia").status_code == 302


def test_login_form_needs_its_token_and_next_stays_on_site(web: Flask) -> None:
    client = web.test_client()
    client.get("/login")
    refused = client.post("/login", data={"csrf": "palsu", "nama": "ana", "sandi": PASSWORD})
    assert refused.status_code == 403
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"csrf": token, "nama": "ana", "sandi": PASSWORD,
                                           "next": "//jahat.example/x"})  # fmt: skip
    assert response.headers["Location"] == "/"


def test_state_changing_requests_need_the_csrf_token_and_same_origin(web: Flask) -> None:
    client = web.test_client()
    _login(client)
    token = client.get_cookie(webauth.CSRF_COOKIE).value  # type: ignore[union-attr]
    assert client.post("/ubah").status_code == 403  # no token
    assert client.post("/ubah", headers={webauth.CSRF_HEADER: "salah"}).status_code == 403
    assert client.post("/ubah", headers={webauth.CSRF_HEADER: token}).text == "diubah"
    foreign = {webauth.CSRF_HEADER: token, "Origin": "http://jahat.example"}
    assert client.post("/ubah", headers=foreign).status_code == 403
    foreign = {webauth.CSRF_HEADER: token, "Referer": "http://jahat.example/halaman"}
    assert client.post("/ubah", headers=foreign).status_code == 403
    same = {webauth.CSRF_HEADER: token, "Origin": "http://localhost"}
    assert client.post("/ubah", headers=same).status_code == 200


def test_dash_requests_of_a_puskesmas_user_are_checked(web: Flask, ws: Workspace) -> None:
    codes, _ = _puskesmas(ws)
    client = web.test_client()
    _login(client, "pkm")
    headers = {webauth.CSRF_HEADER: client.get_cookie(webauth.CSRF_COOKIE).value}  # type: ignore[union-attr]
    body = _payload({"id": "shell-filters", "property": "data", "value": _filters(codes[1])})
    refused = client.post("/_dash-update-component", json=body, headers=headers)
    assert refused.status_code == 403 and "puskesmas Anda sendiri" in refused.text
    body = _payload({"id": "shell-filters", "property": "data", "value": _filters(codes[0])})
    assert client.post("/_dash-update-component", json=body, headers=headers).status_code == 200
    assert client.post("/_dash-update-component", data="bukan json", headers=headers).status_code == 400


def test_logout_ends_the_session_and_reset_or_removed_users_are_out(
    web: Flask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webauth, "USER_CACHE_SECONDS", 0.0)  # ask the database on every request
    client = web.test_client()
    _login(client)
    token = client.get_cookie(webauth.CSRF_COOKIE).value  # type: ignore[union-attr]
    assert client.get("/logout").status_code == 302 and client.get("/rahasia").status_code == 200  # GET: nothing
    response = client.post("/logout", data={"csrf": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/rahasia").status_code == 302
    other = web.test_client()
    _login(other, "pkm")
    assert other.get("/rahasia").status_code == 200
    auth.set_password(store, "pkm", "sandi-baru-123")  # a reset ends the sessions opened before it
    assert other.get("/rahasia").status_code == 302
    _login(other, "pkm", "sandi-baru-123")
    assert other.get("/rahasia").status_code == 200
    auth.remove_user(store, "pkm")
    assert other.get("/rahasia").status_code == 302
