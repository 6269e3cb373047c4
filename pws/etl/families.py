"""Report families and header vocabulary, as data (``pws/etl/families/*.toml``).

A family file names a kind of puskesmas report (``id``, ``title``), the phrases that recognise it in the title
block or the header, and reading hints (orientation, how duplicates are resolved). ``_kosakata.toml`` holds
the header words that say what a column means (BLN INI, KUMULATIF, L/P/JML, DESA, BULAN, ...). The reader is
generic; the families name what it recognised and settle what the layout alone cannot tell.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from pws.catalogue import normalize_label


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    title_phrases: tuple[str, ...]
    header_phrases: tuple[str, ...]
    orientation: str = "otomatis"
    duplicates: str = ""

    def score(self, title_text: str, header_labels: set[str]) -> int:
        """How strongly a sheet looks like this family: 2 per title phrase, 1 per header phrase found."""
        title_key = normalize_label(title_text)
        score = sum(2 for p in self.title_phrases if normalize_label(p) in title_key)
        score += sum(1 for p in self.header_phrases if normalize_label(p) in header_labels)
        return score


@dataclass(frozen=True)
class Vocabulary:
    """Normalised header word -> meaning."""

    roles: dict[str, str] = field(default_factory=dict)  # -> bulan_ini, bulan_lalu, kumulatif, persen, ...
    sex: dict[str, str] = field(default_factory=dict)  # -> L, P, T
    identity: dict[str, str] = field(default_factory=dict)  # -> desa, puskesmas, bulan, tahun, ...
    cumulative_markers: tuple[str, ...] = ()  # normalised phrases that make a long-table column cumulative

    def role(self, label: str) -> str | None:
        return self.roles.get(normalize_label(label))

    def sex_of(self, label: str) -> str | None:
        return self.sex.get(normalize_label(label))

    def identity_of(self, label: str) -> str | None:
        return self.identity.get(normalize_label(label))

    def is_cumulative_label(self, label: str) -> bool:
        key = normalize_label(label)
        return any(marker in key for marker in self.cumulative_markers)


def _folder() -> Traversable:
    return resources.files("pws").joinpath("etl", "families")


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(_folder().joinpath("_kosakata.toml").read_text(encoding="utf-8"))
    roles = {normalize_label(w): role for role, words in data["peran"].items() for w in words}
    sex = {normalize_label(w): code for code, words in data["jk"].items() for w in words}
    identity = {normalize_label(w): kind for kind, words in data["identitas"].items() for w in words}
    markers = tuple(
        normalize_label(w) for w in data["peran"]["kumulatif"] if normalize_label(w) not in ("KUM", "KUMULATIF")
    ) + ("KUMULATIF",)
    return Vocabulary(roles=roles, sex=sex, identity=identity, cumulative_markers=markers)


@cache
def families() -> tuple[Family, ...]:
    out = []
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml") or entry.name.startswith("_"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        unknown = set(data) - {"id", "title", "layout", "detect", "read"}
        if unknown:
            raise ValueError(f"{entry.name}: unknown keys {sorted(unknown)}")  # shipped data: a bug
        detect = data.get("detect", {})
        read = data.get("read", {})
        out.append(
            Family(
                id=data["id"],
                title=data["title"],
                title_phrases=tuple(detect.get("title", [])),
                header_phrases=tuple(normalize_label(p) for p in detect.get("header", [])),
                orientation=read.get("orientation", "otomatis"),
                duplicates=read.get("duplikat", ""),
            )
        )
    return tuple(out)


def recognise(title_text: str, header_labels: set[str]) -> Family | None:
    """The family that best fits a sheet's title block and header labels (normalised), or None."""
    best: tuple[int, Family] | None = None
    for fam in families():
        score = fam.score(title_text, header_labels)
        if score > 0 and (best is None or score > best[0]):
            best = (score, fam)
    return best[1] if best else None
