"""Parse and store many files: what ``pws ingest``, ``pws demo`` and the upload page share.

Parsing may run in this process (default), in N worker processes (``proses=N``, :mod:`pws.etl.parallel`) or on a
Dask cluster (``dask="tcp://host:8786"`` or ``"local:N"``, :mod:`pws.etl.distributed`). Storing always happens
here, one file per transaction, in input order: whatever the engine, the store ends up the same.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

from pws.config import Workspace
from pws.etl import FileResult, Tidier
from pws.etl.parallel import Parsed, default_processes, parse_in_processes, parse_sequential
from pws.etl.store import Store
from pws.network import load_jejaring
from pws.workspace import load_workspace

Progress = Callable[[int, int, str], None]


def ingest_files(
    ws: Workspace,
    files: list[Path],
    progress: Progress | None = None,
    default_year: int | None = None,
    *,
    proses: int = 1,
    dask: Any = None,
    tidier_class: type[Tidier] = Tidier,
) -> tuple[list[FileResult], list[str]]:
    """Parse each file and store it in the workspace's store, one transaction per file, in the order given.

    ``proses``: worker processes that parse (1: in this process, as always; 0: one per CPU). ``dask``: a Dask
    scheduler address (``tcp://host:8786``), ``local:N`` for a local cluster of N worker processes, or a
    ``distributed.Client`` already connected; it takes precedence over ``proses``. ``tidier_class`` is what parses
    (a subclass only in tests).

    Returns the per-file results (the store's own problems, such as conflicts, added to each result's issues) and
    each file's store status (``baru``, ``ganti``, ``sama`` or ``gagal``). One bad file never stops the others.
    Raises ``pws.etl.distributed.DaskUnavailableError`` / ``DaskConnectionError`` when ``dask`` is asked for
    without the package or without a reachable scheduler, before anything is stored.
    """
    data = load_workspace(ws)
    jejaring, _ = load_jejaring(ws, data.wilayah, None)  # names the posyandu of posyandu-level reports
    spec = {"wilayah": data.wilayah, "catalogue": data.catalogue, "default_year": default_year, "jejaring": jejaring}
    results: list[FileResult] = []
    statuses: list[str] = []
    with ExitStack() as stack:
        parsed: Generator[Parsed, None, None]
        if dask is not None:
            from pws.etl import distributed

            client = stack.enter_context(distributed.connect(dask)) if isinstance(dask, str) else dask
            parsed = distributed.parse_on_dask(client, files, spec, tidier_class)
        elif (proses or default_processes()) > 1 and len(files) > 1:
            workers = min(proses or default_processes(), len(files))
            parsed = parse_in_processes(files, spec, workers, tidier_class)
        else:
            parsed = parse_sequential(tidier_class(**spec), files)
        store = stack.enter_context(Store.for_workspace(ws))
        with closing(parsed):  # stops the workers even when storing raises
            for i, (path, raw, result) in enumerate(parsed, start=1):
                if progress is not None:
                    progress(i, len(files), path.name)
                outcome = store.ingest(result, raw, keluarga_key=result.family)
                result.issues += outcome.conflicts
                results.append(result)
                statuses.append(outcome.status)
    return results, statuses
