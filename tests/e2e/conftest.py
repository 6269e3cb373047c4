"""End-to-end fixtures: the real app (``python app.py`` in a subprocess, on a copy of the ingested demo) driven by
a real headless Chromium (Debian ``chromium``) through Playwright.

Every test fails on a browser console error, an uncaught page error, or any request leaving the machine (such
requests are also blocked). Without Chromium or Playwright the tests skip with the reason; with
``PWS_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead. ``PWS_SCREENSHOTS=DIR`` saves the screenshots
the tests take (used for the docs).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-unsafe-swiftshader",  # software WebGL for the MapLibre maps
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _unavailable(reason: str) -> None:
    if os.environ.get("PWS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (PWS_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def chromium_path() -> str | None:
    return os.environ.get("PWS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)


@contextmanager
def running_app(root: Path, ready_path: str = "/_dash-layout", **env: str) -> Iterator[Server]:
    """``python app.py`` serving the workspace ``root`` on a free loopback port (extra environment ``env``),
    once ``ready_path`` answers 200; stopped afterwards. Fails the test with the server's log if it does not start."""
    port = _free_port()
    log = root.parent / "server.log"
    environ = {**os.environ, "PWS_WORKSPACE": str(root), "PWS_PORT": str(port), "PWS_LANG": "id", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")], cwd=REPO, env=environ, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}{ready_path}", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the app did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)
    try:
        yield Server(url, root, log, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python app.py`` serving its own copy of the ingested demo workspace on a free loopback port."""
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("e2e") / "ws"
    shutil.copytree(demo_store, root)
    with running_app(root) as running:
        yield running


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session (Playwright's sync API allows one driver per thread, so every
    tab of every server comes from this browser)."""
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(chromium: Any, server: Server) -> Any:
    """The session's Chromium, with the open demo server running."""
    return chromium


@dataclass
class Watch:
    """What a page did that a test must not allow."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


@contextmanager
def watched_tab(browser: Any, base_url: str, geo: list[str] | None = None) -> Iterator[Any]:
    """A fresh tab (1366×900, Indonesian locale) in its own context that fails the test on console errors and on
    requests that leave the machine (blocked too); the names of the ``/geo/`` files it fetches go to ``geo``."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", base_url=base_url)
    watch = Watch()

    def route(r: Any) -> None:
        if urlparse(r.request.url).hostname in LOCAL_HOSTS or r.request.url.startswith(("data:", "blob:")):
            if geo is not None and "/geo/" in r.request.url:
                geo.append(r.request.url.rsplit("/", 1)[-1])
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.errors.append(str(e)))
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    assert not watch.external, f"requests left the machine: {watch.external}"
    assert not watch.errors, f"browser console errors: {watch.errors}"


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh tab on the open demo server (see :func:`watched_tab`)."""
    with watched_tab(browser, server.url) as tab:
        yield tab


def settle(tab: Any, timeout_ms: int = 30_000) -> None:
    """Wait until Dash has no callback in flight (network idle and no component marked as loading)."""
    tab.wait_for_load_state("networkidle", timeout=timeout_ms)
    tab.wait_for_function("!document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout_ms)


def open_page(tab: Any, path: str) -> None:
    """Go to ``path`` (may include a query string) and wait for the shell and the page's callbacks."""
    tab.goto(path)
    tab.wait_for_selector(".topbar")
    settle(tab)


def choose(tab: Any, dropdown_id: str, text: str) -> None:
    """Pick the option whose label contains ``text`` in the dcc.Dropdown ``dropdown_id`` (Dash 4's popover:
    type into its search box, click the option), then wait for the callbacks."""
    tab.click(f"#{dropdown_id}")
    popover = tab.locator(".dash-dropdown-content")
    search = popover.locator(".dash-dropdown-search")
    if search.count():
        search.fill(text)
    popover.locator(".dash-dropdown-option", has_text=text).first.click()
    if popover.count():
        tab.keyboard.press("Escape")
    settle(tab)


def current_url(tab: Any) -> str:
    """The address bar as the page sees it (the shell writes filters with ``history.pushState``, which
    Playwright's ``page.url`` may report late)."""
    return str(tab.evaluate("window.location.href"))


def shot(tab: Any, name: str) -> None:
    """Save a full-page screenshot as ``$PWS_SCREENSHOTS/<name>.png`` when that variable is set."""
    target = os.environ.get("PWS_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


# ---------------------------------------------------------------------------------------------- server mode (login)

AUTH_PASSWORD = "sandi-e2e-akses"


@dataclass
class AuthServer(Server):
    puskesmas: str = ""  # the puskesmas of the user "pkm"
    desa: list[str] = field(default_factory=list)  # its desa


@pytest.fixture(scope="session")
def auth_server(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    """``PWS_AUTH=1 python app.py`` on its own copy of the ingested demo, with users ``admin`` and ``pkm`` (a
    puskesmas user), both with password :data:`AUTH_PASSWORD`."""
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    from pws import auth
    from pws.config import Workspace
    from pws.etl.store import Store
    from pws.workspace import load_workspace

    root = tmp_path_factory.mktemp("e2e-auth") / "ws"
    shutil.copytree(demo_store, root)
    wilayah = load_workspace(Workspace(root)).wilayah
    kode = str(wilayah["kode_puskesmas"].iloc[0])
    store = Store.for_workspace(Workspace(root))
    auth.add_user(store, "admin", AUTH_PASSWORD, "admin")
    auth.add_user(store, "pkm", AUTH_PASSWORD, "puskesmas", kode, set(wilayah["kode_puskesmas"]))
    store.close()
    desa = sorted(wilayah.loc[wilayah["kode_puskesmas"] == kode, "kode_desa"])
    with running_app(root, "/login", PWS_AUTH="1") as running:
        yield AuthServer(running.url, root, running.log, running.process, puskesmas=kode, desa=desa)


@pytest.fixture
def auth_page(chromium: Any, auth_server: AuthServer) -> Iterator[Any]:
    """Like :func:`page`, on the server with login (the open server is not started)."""
    with watched_tab(chromium, auth_server.url) as tab:
        yield tab
