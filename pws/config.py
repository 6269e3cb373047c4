"""Where things are: the workspace (one folder per district) and the documented rule settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

WORKSPACE_ENV = "PWS_WORKSPACE"
DEFAULT_WORKSPACE = Path("data")


@dataclass(frozen=True)
class Workspace:
    """One district's folder: the user's own files plus ``.pws/`` for what the program writes."""

    root: Path

    @classmethod
    def resolve(cls, arg: str | os.PathLike[str] | None = None) -> Workspace:
        """``--workspace`` if given, else ``$PWS_WORKSPACE``, else ``data/``."""
        if arg:
            return cls(Path(arg))
        env = os.environ.get(WORKSPACE_ENV)
        return cls(Path(env) if env else DEFAULT_WORKSPACE)

    def _first(self, stem: str, suffixes: tuple[str, ...]) -> Path | None:
        for suffix in suffixes:
            path = self.root / f"{stem}{suffix}"
            if path.exists():
                return path
        return None

    @property
    def wilayah_path(self) -> Path | None:
        return self._first("wilayah", (".csv", ".xlsx"))

    @property
    def sasaran_path(self) -> Path | None:
        return self._first("sasaran", (".csv", ".xlsx"))

    @property
    def target_path(self) -> Path | None:
        return self._first("target", (".csv",))

    @property
    def batas_path(self) -> Path | None:
        return self._first("batas_desa", (".geojson", ".gpkg", ".shp"))

    @property
    def indikator_path(self) -> Path | None:
        """Optional user extension of the indicator catalogue (same columns as the shipped one)."""
        return self._first("indikator", (".csv",))

    @property
    def alias_path(self) -> Path | None:
        """Optional extra header labels for indicators (``indikator, label``)."""
        return self._first("alias_indikator", (".csv",))

    @property
    def laporan_dir(self) -> Path:
        return self.root / "laporan"

    @property
    def internal_dir(self) -> Path:
        """Everything the program writes (store, archive, caches); never the user's own files."""
        return self.root / ".pws"

    @property
    def cache_dir(self) -> Path:
        return self.internal_dir / "cache"

    def is_empty(self) -> bool:
        return self.wilayah_path is None
