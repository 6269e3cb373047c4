"""Every text a user reads, one TOML file per language (``pws/locale/id.toml``, ``en.toml``).

Keys are dotted (``issue.kode_desa_tidak_valid``); values are ``str.format`` templates. Indonesian is the
default language; the UI may switch to English with ``PWS_LANG=en`` or per request.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANG = "id"


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in node.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def messages(lang: str) -> dict[str, str]:
    """All message templates of one language, keyed by dotted name."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    text = resources.files("pws").joinpath("locale", f"{lang}.toml").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    _flatten("", tomllib.loads(text), out)
    return out


_resolvers: list[Callable[[], str | None]] = []


def set_lang_resolver(resolver: Callable[[], str | None]) -> None:
    """Let the host decide the language per request (the dashboard reads the user's choice from a cookie).
    The resolver returns a language code, or None to fall back to ``PWS_LANG``."""
    _resolvers[:] = [resolver]


def current_lang() -> str:
    """The request's language when a resolver gives one, else ``$PWS_LANG``, else Indonesian."""
    for resolver in _resolvers:
        lang = resolver()
        if lang in LANGUAGES:
            return str(lang)
    lang = os.environ.get("PWS_LANG", DEFAULT_LANG)
    return lang if lang in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), filled with ``params``.

    A key missing from English falls back to Indonesian; a key missing everywhere is a bug and raises.
    """
    lang = lang or current_lang()
    template = messages(lang).get(key)
    if template is None:
        template = messages(DEFAULT_LANG)[key]
    return template.format(**params) if params else template
