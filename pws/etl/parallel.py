"""Parse many files at once, in input order: in this process, or in worker processes on this machine.

Every engine is an iterator of ``(path, raw bytes, FileResult)`` in the order of the input files, so the caller
(:func:`pws.etl.ingest.ingest_files`) stores them one file per transaction exactly as a sequential ingest would:
"the latest upload wins" holds and the store ends up identical. Parsing is a pure function of the bytes, the master
list, the catalogue, the service network and the default year (a Tidier's memo is only a cache), so where a file
is parsed changes nothing. Engines receive those as ``spec``: the keyword arguments of the Tidier each worker builds.

The parent reads each file once and sends its bytes to a worker: the bytes it archives and hashes are the bytes that
were parsed, even if the file is overwritten meanwhile. At most ``window`` files are in flight, so memory stays
bounded whatever the number of files.

A file whose parsing raises (a parser bug) becomes an unreadable result with a ``pembacaan_gagal`` problem; a worker
process that dies (killed, out of memory, a crash in a native library) breaks the pool: the files that were in
flight are then parsed again one at a time in a fresh pool, so only the file that kills its worker is reported
(``pekerja_hilang``) and the others are stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd

from pws.etl import Tidier
from pws.etl.model import TIDY_COLUMNS, FileResult
from pws.issues import issue

log = logging.getLogger(__name__)

#: what an engine yields for each input file, in input order
Parsed = tuple[Path, bytes, FileResult]

#: files in flight per worker: enough to keep the workers busy while the parent stores, few enough to bound memory
WINDOW_PER_WORKER = 3


def describe(exc: BaseException) -> str:
    """A short, single-line account of an exception for the user."""
    text = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    return detail[:300]


def failed_result(path: Path, raw: bytes, code: str, detail: str) -> FileResult:
    """The result of a file that could not be parsed at all: no rows, one problem ``code`` naming the file."""
    sha = hashlib.sha256(raw).hexdigest()
    problem = issue(code, file=path.name, detail=detail)
    return FileResult(path, sha, pd.DataFrame(columns=TIDY_COLUMNS), [problem], readable=False)


def parse_one(tidier: Tidier, path: Path, raw: bytes) -> FileResult:
    """``tidier.tidy(path, raw)``; a parser exception (a bug) fails this file alone, logged with its traceback."""
    try:
        return tidier.tidy(path, raw)
    except Exception as exc:
        log.exception("parsing %s failed", path.name)
        return failed_result(path, raw, "pembacaan_gagal", describe(exc))


def parse_sequential(tidier: Tidier, files: Iterable[Path]) -> Generator[Parsed, None, None]:
    """Today's behaviour: one file after the other in this process."""
    for path in files:
        raw = path.read_bytes()
        yield path, raw, parse_one(tidier, path, raw)


# ---------------------------------------------------------------------- worker processes

_worker_tidier: Tidier | None = None


def _init_worker(tidier_class: type[Tidier], spec: dict[str, Any]) -> None:
    """Build the worker's Tidier once (the master list and catalogue arrive once per worker, not per file)."""
    global _worker_tidier
    _worker_tidier = tidier_class(**spec)


def _parse_in_worker(path: Path, raw: bytes) -> FileResult:
    assert _worker_tidier is not None, "worker not initialised"
    return parse_one(_worker_tidier, path, raw)


def parse_in_processes(
    files: Iterable[Path],
    spec: dict[str, Any],
    processes: int = 2,
    tidier_class: type[Tidier] = Tidier,
) -> Generator[Parsed, None, None]:
    """Parse in ``processes`` worker processes (``concurrent.futures.ProcessPoolExecutor``), yield in input order.

    ``tidier_class`` is what each worker builds (a subclass only in tests, to make a worker fail on purpose)."""
    processes = max(1, processes)
    initargs = (tidier_class, spec)

    def pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=initargs)

    window = WINDOW_PER_WORKER * processes
    todo = iter(files)
    pending: deque[tuple[Path, bytes, Future[FileResult]]] = deque()
    executor = pool(processes)
    try:
        while True:
            while len(pending) < window and (path := next(todo, None)) is not None:
                raw = path.read_bytes()
                pending.append((path, raw, _submit(executor, path, raw)))
            if not pending:
                return
            path, raw, future = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                executor.shutdown(wait=True, cancel_futures=True)
                suspects = [(path, raw, future), *pending]
                pending.clear()
                log.warning("a worker process died; parsing the %d files in flight one at a time", len(suspects))
                yield from _isolate(suspects, pool)
                executor = pool(processes)
                continue
            yield path, raw, result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _submit(executor: ProcessPoolExecutor, path: Path, raw: bytes) -> Future[FileResult]:
    """The parse of one file as a future; a pool broken meanwhile gives a future failed with BrokenProcessPool."""
    try:
        return executor.submit(_parse_in_worker, path, raw)
    except BrokenProcessPool as exc:
        future: Future[FileResult] = Future()
        future.set_exception(exc)
        return future


def _isolate(
    suspects: list[tuple[Path, bytes, Future[FileResult]]], pool: Callable[[int], ProcessPoolExecutor]
) -> Generator[Parsed, None, None]:
    """Files that were in flight when a worker died: keep what finished, parse the rest alone in a one-worker pool
    (fresh after each death), so a file that kills its worker fails alone."""
    executor: ProcessPoolExecutor | None = None
    try:
        for path, raw, future in suspects:
            if future.done() and not future.cancelled() and future.exception() is None:
                yield path, raw, future.result()
                continue
            if executor is None:
                executor = pool(1)
            try:
                result = executor.submit(_parse_in_worker, path, raw).result()
            except BrokenProcessPool as exc:
                executor.shutdown(wait=True, cancel_futures=True)
                executor = None
                result = failed_result(path, raw, "pekerja_hilang", describe(exc))
            yield path, raw, result
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def default_processes() -> int:
    """The number of CPUs this process may use (``--proses 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
