"""Parse and store many files: what ``pws ingest``, ``pws demo`` and the upload page share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pws.config import Workspace
from pws.etl import FileResult, Tidier
from pws.etl.store import Store
from pws.network import load_jejaring
from pws.workspace import load_workspace

Progress = Callable[[int, int, str], None]


def ingest_files(
    ws: Workspace, files: list[Path], progress: Progress | None = None, default_year: int | None = None
) -> tuple[list[FileResult], list[str]]:
    """Parse each file and store it in the workspace's store, one transaction per file.

    Returns the per-file results (the store's own problems, such as conflicts, added to each result's issues) and
    each file's store status (``baru``, ``ganti``, ``sama`` or ``gagal``). One bad file never stops the others.
    """
    data = load_workspace(ws)
    jejaring, _ = load_jejaring(ws, data.wilayah, None)  # names the posyandu of posyandu-level reports
    tidier = Tidier(data.wilayah, data.catalogue, default_year, jejaring=jejaring)
    results: list[FileResult] = []
    statuses: list[str] = []
    with Store.for_workspace(ws) as store:
        for i, path in enumerate(files, start=1):
            if progress is not None:
                progress(i, len(files), path.name)
            raw = path.read_bytes()
            result = tidier.tidy(path, raw)
            outcome = store.ingest(result, raw, keluarga_key=result.family)
            result.issues += outcome.conflicts
            results.append(result)
            statuses.append(outcome.status)
    return results, statuses
