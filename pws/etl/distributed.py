"""Parse files on a Dask distributed cluster; the caller stores them in input order (``pws ingest --dask``).

Decisions (see docs/skala.md):

- **Bytes, not paths, travel to the workers.** The client reads each file once and sends its bytes with the task:
  workers need no shared file system and no path translation, and the bytes the client archives and hashes are the
  very bytes that were parsed. A workbook is ~10-100 KB, so even the national backlog (~120,000 workbooks a year)
  is a few GB over the network in a year.
- **The master list and the catalogue travel once per worker**, in a worker plugin (:class:`TidierPlugin`)
  registered for this ingest and removed at its end: each worker builds its Tidier once (one per worker thread),
  tasks carry only the plugin's name, the file's name and its bytes.
- **Writes happen in the client, in input order**, one file per transaction as in a local ingest: the store ends up
  identical to a sequential ingest ("the latest upload wins" needs the input order), the workers need no database
  credentials and the store may be SQLite or PostgreSQL. Writers are serialised by the store's lock anyway, so
  writing on the workers would only overlap the writes with the parsing, which the client's pipeline does already
  (it stores file *i* while the workers parse the next ones).
- **Failures**: a parser exception fails that file alone (``pembacaan_gagal``, caught on the worker). A worker that
  dies while parsing (killed, out of memory, a native crash) makes Dask retry the task on another worker; when
  Dask gives up (``KilledWorker``, after ``distributed.scheduler.allowed-failures`` deaths) the file gets one more
  try of its own (it may only have shared a worker with the file that kills workers), then it is reported
  ``gagal`` with ``pekerja_hilang``. Files already stored stay stored; the others go on.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from pws.etl import Tidier
from pws.etl.model import FileResult
from pws.etl.parallel import WINDOW_PER_WORKER, Parsed, describe, failed_result, parse_one

try:
    from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, get_worker
except ImportError:  # the optional extra ``dask`` is not installed
    Client = None  # type: ignore[assignment,misc]
    WorkerPlugin = object  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

LOCAL_PREFIX = "local:"
CONNECT_TIMEOUT_S = 15
#: tries of a file whose worker died, counting the retries Dask itself made as one
TRIES_AFTER_KILLED_WORKER = 2


class DaskUnavailableError(RuntimeError):
    """``--dask`` without the optional dependency installed (``pip install 'pws-desa[dask]'``)."""


class DaskConnectionError(RuntimeError):
    """The scheduler could not be reached (or a local cluster could not start)."""

    def __init__(self, address: str, detail: str) -> None:
        super().__init__(f"{address}: {detail}")
        self.address = address
        self.detail = detail


def available() -> bool:
    return Client is not None


def parse_address(address: str) -> tuple[str, int | None]:
    """``("local", N)`` for ``local:N`` (N >= 1), else ``(address, None)``; ValueError for a bad ``local:``."""
    if address.startswith(LOCAL_PREFIX):
        workers = int(address[len(LOCAL_PREFIX) :])
        if workers < 1:
            raise ValueError(address)
        return "local", workers
    if not address.strip():
        raise ValueError(address)
    return address, None


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A ``distributed.Client``: to the scheduler at ``address`` (``tcp://host:8786``), or to a ``LocalCluster`` of
    N single-threaded worker processes for ``local:N`` (shut down on exit)."""
    if Client is None:
        raise DaskUnavailableError("dask[distributed]")
    where, workers = parse_address(address)
    if workers is not None:
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: never collide with another cluster on 8787
                silence_logs=logging.ERROR,
            )
        except (OSError, TimeoutError) as exc:
            raise DaskConnectionError(address, describe(exc)) from exc
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(where, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DaskConnectionError(address, describe(exc)) from exc
    with client:
        yield client


class TidierPlugin(WorkerPlugin):
    """Carries the Tidier's arguments (master list, catalogue, service network, default year) to each worker once;
    builds one Tidier per
    worker thread on first use (a Tidier's memo is not meant to be shared between threads)."""

    def __init__(
        self,
        spec: dict[str, Any],
        tidier_class: type[Tidier] = Tidier,
    ) -> None:
        self.spec = spec
        self.tidier_class = tidier_class
        self._local: threading.local | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_local": None}

    def setup(self, worker: Any) -> None:
        self._local = threading.local()
        self.tidier()  # build it now: the first file should not pay for it

    def tidier(self) -> Tidier:
        if self._local is None:
            self._local = threading.local()
        found: Tidier | None = getattr(self._local, "tidier", None)
        if found is None:
            found = self._local.tidier = self.tidier_class(**self.spec)
        return found


def _parse_task(plugin_name: str, path: Path, raw: bytes) -> FileResult:
    """Runs on a worker: parse one file with the worker's Tidier."""
    plugin: TidierPlugin = get_worker().plugins[plugin_name]  # type: ignore[assignment]
    return parse_one(plugin.tidier(), path, raw)


def parse_on_dask(
    client: Any,
    files: Iterable[Path],
    spec: dict[str, Any],
    tidier_class: type[Tidier] = Tidier,
) -> Generator[Parsed, None, None]:
    """Parse on the cluster behind ``client``, yield ``(path, raw, result)`` in input order.

    At most ``WINDOW_PER_WORKER`` files per worker thread are on the cluster at once (bounded memory on the client,
    the scheduler and the workers, whatever the number of files)."""
    run = uuid.uuid4().hex[:12]
    plugin_name = f"pws-tidier-{run}"
    client.register_plugin(TidierPlugin(spec, tidier_class), name=plugin_name)
    threads = max(1, sum(client.nthreads().values()))
    window = WINDOW_PER_WORKER * threads
    counter = iter(range(1 << 62))

    def submit(path: Path, raw: bytes) -> Any:
        return client.submit(_parse_task, plugin_name, path, raw, key=f"pws-parse-{run}-{next(counter)}", pure=False)

    todo = iter(files)
    pending: deque[tuple[Path, bytes, Any, int]] = deque()  # (path, raw, future, tries so far)
    try:
        while True:
            while len(pending) < window and (path := next(todo, None)) is not None:
                raw = path.read_bytes()
                pending.append((path, raw, submit(path, raw), 1))
            if not pending:
                return
            path, raw, future, tries = pending.popleft()
            try:
                result = future.result()
            except KilledWorker as exc:
                if tries < TRIES_AFTER_KILLED_WORKER:
                    log.warning("workers died while parsing %s; trying it once more", path.name)
                    pending.appendleft((path, raw, submit(path, raw), tries + 1))
                    continue
                result = failed_result(path, raw, "pekerja_hilang", describe(exc))
            except (Exception, CancelledError) as exc:  # the cluster lost the task (scheduler gone, cancelled)
                log.warning("the cluster could not parse %s: %s", path.name, describe(exc))
                result = failed_result(path, raw, "pekerja_hilang", describe(exc))
            finally:
                future.release()
            result.path = path
            yield path, raw, result
    finally:
        for _, _, future, _ in pending:
            with suppress(Exception):
                future.cancel()
        with suppress(Exception):
            client.unregister_worker_plugin(plugin_name)
