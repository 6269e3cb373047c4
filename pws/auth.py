"""Access control for server mode: users, roles, password hashes, login throttling, the secret key and the
rules a callback request must obey. No Flask or Dash here; :mod:`pws.webauth` wires this into the web server.

Users live in the store's database (table ``pengguna``, created beside the store's own tables), so every gunicorn
worker — and every machine on one PostgreSQL database — sees the same users.

Roles (the full table is in ``docs/server.md``):

* ``admin`` — everything: every puskesmas, the Unggah page and its callbacks, user management (CLI);
* ``dinkes`` — view and export everything, no upload;
* ``puskesmas`` — view and export only the desa of its own ``kode_puskesmas``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from pws.config import Workspace
from pws.etl.store import Store, berkas, metadata
from pws.i18n import t

ROLES = ("admin", "dinkes", "puskesmas")
AUTH_ENV = "PWS_AUTH"
SECRET_ENV = "PWS_SECRET_KEY"
SECURE_COOKIE_ENV = "PWS_COOKIE_SECURE"
SESSION_HOURS_ENV = "PWS_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 12
SECRET_FILE = "secret_key"
MIN_PASSWORD = 8
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
#: component ids (prefixes) only an admin may read or write: the Unggah page
ADMIN_ONLY_PREFIXES = ("unggah-",)
#: pages (module names under layouts/) only an admin sees in the menu and may open
ADMIN_PAGES = ("unggah",)

pengguna = sa.Table(
    "pengguna",
    metadata,  # the store's metadata: Store() creates it with the other tables, backups include it
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nama", sa.String(64), nullable=False, unique=True),
    sa.Column("sandi_hash", sa.Text, nullable=False),
    sa.Column("peran", sa.String(16), nullable=False),
    sa.Column("kode_puskesmas", sa.String(64)),
    sa.Column("aktif", sa.Boolean, nullable=False, default=True),
    sa.Column("dibuat", sa.DateTime(timezone=True), nullable=False),
    sa.Column("login_terakhir", sa.DateTime(timezone=True)),
    sa.CheckConstraint("peran IN ('admin', 'dinkes', 'puskesmas')", name="ck_pengguna_peran"),
)


def auth_enabled() -> bool:
    """``$PWS_AUTH`` set to 1/true/ya: the server asks for a login (``pws serve --auth`` sets it)."""
    return os.environ.get(AUTH_ENV, "").strip().lower() in ("1", "true", "yes", "ya", "on")


class UserError(ValueError):
    """A user-management request that cannot be done (unknown puskesmas, name taken, short password...); the
    message is translated and meant for the person typing the command."""


@dataclass(frozen=True)
class User:
    nama: str
    peran: str
    kode_puskesmas: str | None
    aktif: bool
    dibuat: datetime | None
    login_terakhir: datetime | None
    #: changes when the password changes: a session made before a reset is no longer accepted
    stamp: str

    @property
    def is_admin(self) -> bool:
        return self.peran == "admin"

    @property
    def scope(self) -> str | None:
        """The only puskesmas this user may see; None = every puskesmas."""
        return self.kode_puskesmas if self.peran == "puskesmas" else None


def _stamp(sandi_hash: str) -> str:
    return hashlib.sha256(sandi_hash.encode()).hexdigest()[:16]


def _user(row: Any) -> User:
    return User(
        nama=str(row["nama"]),
        peran=str(row["peran"]),
        kode_puskesmas=row["kode_puskesmas"],
        aktif=bool(row["aktif"]),
        dibuat=row["dibuat"],
        login_terakhir=row["login_terakhir"],
        stamp=_stamp(str(row["sandi_hash"])),
    )


_created: set[int] = set()


def _engine(store: Store) -> sa.Engine:
    """The store's engine, with the users table made sure of (a store opened before this module was imported)."""
    key = id(store.engine)
    if key not in _created:
        pengguna.create(store.engine, checkfirst=True)
        _created.add(key)
    return store.engine


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug's format, ``scrypt:32768:8:1$salt$hash``)."""
    return generate_password_hash(password, method="scrypt")


#: verified against when the user is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(t("akses.sandi_pendek", n=MIN_PASSWORD))


def add_user(
    store: Store,
    nama: str,
    password: str,
    peran: str,
    kode_puskesmas: str | None = None,
    known_puskesmas: Iterable[str] = (),
) -> User:
    """Create a user. ``kode_puskesmas`` is required for (and only for) the ``puskesmas`` role and must be one of
    ``known_puskesmas`` (the workspace's master list)."""
    if not NAME_PATTERN.match(nama):
        raise UserError(t("akses.nama_tidak_valid", nama=nama))
    if peran not in ROLES:
        raise UserError(t("akses.peran_tidak_dikenal", peran=peran, daftar=", ".join(ROLES)))
    if peran == "puskesmas":
        known = set(known_puskesmas)
        if not kode_puskesmas:
            raise UserError(t("akses.puskesmas_wajib"))
        if kode_puskesmas not in known:
            raise UserError(t("akses.puskesmas_tidak_dikenal", kode=kode_puskesmas))
    elif kode_puskesmas:
        raise UserError(t("akses.puskesmas_hanya_peran"))
    _check_password(password)
    engine = _engine(store)
    with engine.begin() as conn:
        if conn.execute(sa.select(pengguna.c.id).where(pengguna.c.nama == nama)).first() is not None:
            raise UserError(t("akses.nama_sudah_ada", nama=nama))
        conn.execute(
            sa.insert(pengguna).values(
                nama=nama,
                sandi_hash=hash_password(password),
                peran=peran,
                kode_puskesmas=kode_puskesmas if peran == "puskesmas" else None,
                aktif=True,
                dibuat=datetime.now(UTC),
            )
        )
    found = get_user(store, nama)
    assert found is not None
    return found


def get_user(store: Store, nama: str) -> User | None:
    with _engine(store).connect() as conn:
        row = conn.execute(sa.select(pengguna).where(pengguna.c.nama == nama)).mappings().first()
    return _user(row) if row is not None else None


def list_users(store: Store) -> list[User]:
    with _engine(store).connect() as conn:
        rows = conn.execute(sa.select(pengguna).order_by(pengguna.c.nama)).mappings().all()
    return [_user(r) for r in rows]


def has_admin(store: Store) -> bool:
    """True when at least one active admin exists (a server with login refuses to start without one)."""
    with _engine(store).connect() as conn:
        stmt = sa.select(sa.func.count()).where(pengguna.c.peran == "admin", pengguna.c.aktif.is_(True))
        return bool(conn.execute(stmt).scalar())


def remove_user(store: Store, nama: str) -> bool:
    """Delete a user; False when there is none of that name."""
    with _engine(store).begin() as conn:
        return bool(conn.execute(sa.delete(pengguna).where(pengguna.c.nama == nama)).rowcount)


def set_password(store: Store, nama: str, password: str) -> bool:
    """Replace a user's password (their open sessions end); False when there is no such user."""
    _check_password(password)
    with _engine(store).begin() as conn:
        stmt = sa.update(pengguna).where(pengguna.c.nama == nama).values(sandi_hash=hash_password(password))
        return bool(conn.execute(stmt).rowcount)


def set_active(store: Store, nama: str, aktif: bool) -> bool:
    with _engine(store).begin() as conn:
        return bool(conn.execute(sa.update(pengguna).where(pengguna.c.nama == nama).values(aktif=aktif)).rowcount)


def authenticate(store: Store, nama: str, password: str) -> User | None:
    """The user when the name exists, is active and the password matches (the login time is recorded); else None.
    An unknown name costs one hash verification too, so timing does not tell which names exist."""
    with _engine(store).connect() as conn:
        row = conn.execute(sa.select(pengguna).where(pengguna.c.nama == nama)).mappings().first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(str(row["sandi_hash"]), password) or not row["aktif"]:
        return None
    with _engine(store).begin() as conn:
        now = datetime.now(UTC)
        conn.execute(sa.update(pengguna).where(pengguna.c.id == row["id"]).values(login_terakhir=now))
    return _user({**dict(row), "login_terakhir": now})


# ---------------------------------------------------------------------------------------------- login throttle


class LoginThrottle:
    """Failed logins per key (a user name, an IP address): after ``limit`` failures within ``window`` seconds the
    key is refused until the oldest of them leaves the window. In-process: each gunicorn worker counts on its
    own, so with ``w`` workers an attacker gets at most ``w × limit`` tries per window (documented)."""

    def __init__(self, limit: int = 5, window: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        now = self._clock()
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait_seconds(self, *keys: str) -> int:
        """Seconds until a login for these keys is accepted again (0: now)."""
        with self._lock:
            waits = [
                self.window - (self._clock() - times[0])
                for times in (self._recent(k) for k in keys)
                if len(times) >= self.limit
            ]
        return int(max(waits) + 1) if waits else 0

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._clock())
            if len(self._failures) > 10_000:  # forget the quiet ones (a flood of names must not fill memory)
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


# ---------------------------------------------------------------------------------------------- secrets


def secret_key(ws: Workspace) -> bytes:
    """``$PWS_SECRET_KEY``, else ``<workspace>/.pws/secret_key``, created once (mode 0600) so that every worker
    of the server signs sessions with the same key."""
    env = os.environ.get(SECRET_ENV, "").strip()
    if env:
        return env.encode()
    path = ws.internal_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    for _ in range(50):  # another worker may be writing it this instant
        value = path.read_text().strip()
        if value:
            return value.encode()
        time.sleep(0.02)
    raise RuntimeError(f"empty secret key file {path}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def session_hours() -> float:
    try:
        return max(0.1, float(os.environ.get(SESSION_HOURS_ENV, DEFAULT_SESSION_HOURS)))
    except ValueError:
        return DEFAULT_SESSION_HOURS


def secure_cookies() -> bool:
    """``$PWS_COOKIE_SECURE=1``: cookies only over HTTPS (set it when the server sits behind HTTPS)."""
    return os.environ.get(SECURE_COOKIE_ENV, "").strip().lower() in ("1", "true", "yes", "ya", "on")


# ---------------------------------------------------------------------------------------------- the current user

_resolvers: list[Callable[[], User | None]] = []


def set_user_resolver(resolver: Callable[[], User | None]) -> None:
    """Let the web server tell who makes the current request (None: no login, everything visible)."""
    _resolvers[:] = [resolver]


def current_user() -> User | None:
    return _resolvers[0]() if _resolvers else None


def current_scope() -> str | None:
    """The one puskesmas the current request may see, or None for every puskesmas."""
    user = current_user()
    return user.scope if user is not None else None


def clamp(desa_to_pkm: Mapping[str, str], puskesmas: str | None, desa: str | None) -> tuple[str | None, str | None]:
    """(puskesmas, desa) moved into the current user's scope: a puskesmas user always gets its own puskesmas and
    only one of its own desa (another desa is dropped). Unchanged without a scope."""
    scope = current_scope()
    if scope is None:
        return puskesmas, desa
    return scope, desa if desa is not None and desa_to_pkm.get(desa) == scope else None


def visible_desa(wilayah: Any) -> Any:
    """The rows of a wilayah-like frame (with ``kode_puskesmas``) the current user may see."""
    scope = current_scope()
    return wilayah if scope is None else wilayah[wilayah["kode_puskesmas"] == scope]


def file_allowed(user: User | None, store: Store, berkas_id: int) -> bool:
    """May ``user`` download the archived original of ingest ``berkas_id``? Everyone but a puskesmas user may;
    a puskesmas user only a file whose every puskesmas is its own (a file of several puskesmas is refused)."""
    if user is None or user.scope is None:
        return True
    with store.engine.connect() as conn:
        field = conn.execute(sa.select(berkas.c.kode_puskesmas).where(berkas.c.id == int(berkas_id))).scalar()
    codes = {c.strip() for c in str(field or "").split(",") if c.strip()}
    return codes == {user.scope}


def desa_puskesmas(wilayah: Any) -> dict[str, str]:
    """kode_desa → kode_puskesmas of a master list (cached per frame: the service caches the frame itself)."""
    key = id(wilayah)
    cached = _desa_maps.get(key)
    if cached is None or cached[0] is not wilayah:
        cached = (wilayah, dict(zip(wilayah["kode_desa"], wilayah["kode_puskesmas"], strict=True)))
        _desa_maps.clear()
        _desa_maps[key] = cached
    return cached[1]


_desa_maps: dict[int, tuple[Any, dict[str, str]]] = {}


# ---------------------------------------------------------------------------------------------- callback requests


def _items(payload: Mapping[str, Any]) -> list[tuple[Any, str, Any]]:
    """Every (component id, property, value) a Dash callback request carries, in its inputs and states (pattern
    inputs arrive as lists of such items)."""
    found: list[tuple[Any, str, Any]] = []
    for part in ("inputs", "state"):
        for entry in payload.get(part) or []:
            for item in entry if isinstance(entry, list) else [entry]:
                if isinstance(item, dict) and "id" in item:
                    found.append((item["id"], str(item.get("property", "")), item.get("value")))
    return found


def _output_ids(payload: Mapping[str, Any]) -> list[Any]:
    outputs = payload.get("outputs")
    ids: list[Any] = []
    for entry in outputs if isinstance(outputs, list) else [outputs]:
        for item in entry if isinstance(entry, list) else [entry]:
            if isinstance(item, dict) and "id" in item:
                ids.append(item["id"])
    text = str(payload.get("output") or "")
    ids += [part.split(".")[0] for part in text.strip(".").split("...") if part]
    return ids


def _id_text(component_id: Any) -> str:
    return component_id.get("type", "") if isinstance(component_id, dict) else str(component_id)


def callback_refusal(user: User | None, payload: Mapping[str, Any], desa_to_pkm: Mapping[str, str]) -> str | None:
    """Why ``user`` may not make this Dash callback request (``/_dash-update-component`` body), or None when it
    may. One central rule set, so a new callback is covered without changes here:

    * components whose id starts with :data:`ADMIN_ONLY_PREFIXES` (the Unggah page): admin only;
    * for a puskesmas user, every value that names an area must lie inside its puskesmas: a dict with a
      ``puskesmas`` key (the shell's filters and every page store that copies them) must name its own puskesmas
      (None would be the whole kabupaten) and its ``desa`` key one of its desa; the shell's puskesmas dropdown its
      own puskesmas or nothing (the shell then sets its own); the shell's desa dropdown one of its desa; pattern
      ids carrying a ``kode`` (map breadcrumb and desa list, Kualitas score cards) its own puskesmas or desa;
      map click data its own desa.
    """
    if user is None:
        return "login"
    ids = [item[0] for item in _items(payload)] + _output_ids(payload)
    if not user.is_admin and any(_id_text(i).startswith(ADMIN_ONLY_PREFIXES) for i in ids):
        return "peran"
    scope = user.scope
    if scope is None:
        return None

    def desa_ok(kode: Any) -> bool:
        return kode in (None, "") or desa_to_pkm.get(str(kode)) == scope

    def area_ok(kode: Any) -> bool:  # a puskesmas code or a desa code
        return kode in (None, "") or kode == scope or desa_to_pkm.get(str(kode)) == scope

    for component_id, prop, value in _items(payload):
        name = _id_text(component_id)
        if isinstance(component_id, dict) and not area_ok(component_id.get("kode")):
            return "wilayah"
        if name == "shell-puskesmas" and prop == "value" and value not in (None, "", scope):
            return "wilayah"
        if name == "shell-desa" and prop == "value" and not desa_ok(value):
            return "wilayah"
        if isinstance(value, dict):
            if "puskesmas" in value and value.get("puskesmas") != scope:
                return "wilayah"
            if "desa" in value and not desa_ok(value.get("desa")):
                return "wilayah"
            points = value.get("points")
            if isinstance(points, list) and prop == "clickData":
                for point in points:
                    if isinstance(point, dict) and not area_ok(point.get("location")):
                        return "wilayah"
    return None


__all__ = [
    "ROLES",
    "LoginThrottle",
    "User",
    "UserError",
    "add_user",
    "authenticate",
    "callback_refusal",
    "clamp",
    "current_scope",
    "current_user",
    "get_user",
    "has_admin",
    "list_users",
    "remove_user",
    "secret_key",
    "set_password",
    "set_user_resolver",
    "visible_desa",
]
