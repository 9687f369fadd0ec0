"""Render a lesson on a Dask cluster: the batch runner's Executor boundary, backed by
``distributed`` (an optional extra: ``pip install calcanim[dask]``).

Workers need no shared storage: each renders into a private temporary folder and sends the
finished files' bytes back with its record; this process writes them atomically into the lesson
folder, exactly as the local pool's workers do, so names, manifest, gallery and cache keys are
the same. Dask reschedules the clip of a worker that dies; this module says so, and stops the
batch with one line when no worker is left.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Executor, Future
from pathlib import Path
from typing import Any, TextIO

from calcanim import __version__
from calcanim.errors import CalcanimError, RenderError
from calcanim.files import atomic_target
from calcanim.rendering.outputs import read_stamp, remove_stale_files

#: Seconds without any worker before the batch gives up on the cluster.
NO_WORKER_GRACE = 20.0
LOCAL_CLUSTER = re.compile(r"local:(\d{1,3})")


class NoWorkerLeft(RenderError):
    """The cluster lost every worker while clips were waiting."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise CalcanimError(
            "rendering on a cluster needs Dask: pip install 'calcanim[dask]' (here and on every worker)"
        ) from None
    return distributed


def render_remotely(job_function: Callable[[Any], Mapping[str, Any]], job: Any) -> dict[str, Any]:
    """On a worker: run ``job_function`` for ``job`` in a private folder and return its result with
    the bytes of every file it wrote (the key stamp last, so a half-copied clip is never cached)."""
    with tempfile.TemporaryDirectory(prefix="calcanim-worker-") as private:
        result = dict(job_function(dataclasses.replace(job, folder=private)))
        written = sorted(Path(private).iterdir(), key=lambda p: p.name.endswith(".key"))
        result["files"] = [(path.name, path.read_bytes()) for path in written if path.is_file()]
    return result


def write_returned_files(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Write a worker's files into ``folder``, each whole or not at all (plain names only).

    A returned key stamp replaces the one there: the files the earlier render wrote for that output
    and this one did not (its captions, when the clip now renders without) are removed, as a local
    render removes them (:func:`~calcanim.rendering.outputs.remove_stale_files`). The worker could
    not: its folder was empty."""
    for name, _ in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise RenderError(f"a worker returned a file named {name!r}; refusing to write it")
    outputs = [folder / name[1:-len(".key")] for name, _ in files if name.startswith(".") and name.endswith(".key")]
    earlier = {output: read_stamp(output) for output in outputs}
    for name, data in files:
        with atomic_target(folder / name, ".partial") as temp:
            temp.write_bytes(data)
    written = [folder / name for name, _ in files]
    for output, stamp in earlier.items():
        remove_stale_files(output, stamp, written)


class ClusterExecutor(Executor):
    """A ``concurrent.futures.Executor`` over a Dask client, writing each finished clip's files
    into the job's folder before its future completes."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.remote: set[Any] = set()
        self.lock = threading.Lock()
        self.failure: BaseException | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        (job,) = args
        local: Future[Any] = Future()
        local.set_running_or_notify_cancel()
        if self.failure is not None:  # the cluster is gone: fail at once instead of waiting forever
            local.set_exception(self.failure)
            return local
        remote = self.client.submit(render_remotely, fn, job, pure=False, key=f"calcanim-{job.name}-{time.monotonic_ns()}")
        with self.lock:
            self.remote.add(remote)

        def finished(done: Any) -> None:
            with self.lock:
                self.remote.discard(done)
            try:
                result = done.result()
                write_returned_files(Path(job.folder), result.pop("files"))
                local.set_result(result)
            except BaseException as error:  # delivered to the runner as this clip's failure
                if isinstance(error, CancelledError) and self.failure is not None:
                    error = self.failure
                local.set_exception(error)

        remote.add_done_callback(finished)
        return local

    def fail_all(self, error: BaseException) -> None:
        """Cancel every clip still on the cluster, each failing with ``error``."""
        self.failure = error
        with self.lock:
            pending = list(self.remote)
        if pending:
            self.client.cancel(pending)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures or not wait:
            with self.lock:
                pending = list(self.remote)
            if pending:
                self.client.cancel(pending)


def parse_cluster(spec: str) -> int:
    """``local:N`` -> N worker processes on this machine.

    >>> parse_cluster("local:2")
    2
    """
    match = LOCAL_CLUSTER.fullmatch(spec.strip())
    if not match or not 1 <= int(match.group(1)) <= 256:
        raise CalcanimError(f"--cluster must be local:N with N from 1 to 256 worker processes, got {spec!r}")
    return int(match.group(1))


def check_scheduler_address(address: str) -> None:
    """Refuse an address Dask cannot parse before a Client is made: one made from ``garbage`` raises
    ValueError, then its ``__del__`` waits 20 s and prints a traceback."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as error:
        raise CalcanimError(f"--scheduler must be an address such as tcp://10.0.0.5:8786, got {address!r} ({error})") from None


@dataclasses.dataclass
class Cluster:
    """A connected cluster: the executor factory for the runner, and its worker count."""

    client: Any
    workers: int
    executor: ClusterExecutor

    def factory(self, _workers: int) -> Executor:
        return self.executor


@contextlib.contextmanager
def connect(scheduler: str | None = None, local_workers: int | None = None, stream: TextIO | None = None,
            grace: float = NO_WORKER_GRACE) -> Iterator[Cluster]:
    """Connect to ``scheduler`` (tcp://host:port) or start a LocalCluster of ``local_workers``
    processes; check every worker runs this calcanim version; watch for workers leaving."""
    distributed = _distributed()
    cluster = None
    if scheduler is not None:
        check_scheduler_address(scheduler)
    try:
        if scheduler is not None:
            client = distributed.Client(scheduler, timeout="10s", set_as_default=False)
        else:
            cluster = distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=50)
            client = distributed.Client(cluster, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise RenderError(f"cannot reach the Dask scheduler at {scheduler}: {error}; is it running?") from None
    try:
        answers = client.run(_worker_version, on_error="return")  # a worker that just died is not asked again
        versions = {address: v for address, v in answers.items() if isinstance(v, str)}
        wrong = {address: version for address, version in versions.items() if version != __version__}
        if not versions:
            raise RenderError(f"the Dask cluster at {scheduler or 'local'} has no workers; start some with dask worker")
        if wrong:
            address, version = next(iter(wrong.items()))
            raise RenderError(
                f"worker {address} runs calcanim {version}, this is {__version__}: install the same version on "
                f"every worker (pip install 'calcanim[dask]=={__version__}')"
            )
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        executor = ClusterExecutor(client)
        watcher = _WorkerWatch(client, executor, stream, grace, scheduler or "local")
        watcher.start()
        try:
            yield Cluster(client=client, workers=max(1, threads), executor=executor)
        finally:
            watcher.stop()
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=10)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)


def _worker_version() -> str:
    import calcanim

    return calcanim.__version__


class _WorkerWatch(threading.Thread):
    """Notes each worker that leaves (Dask reschedules its clip) and fails the batch after
    ``grace`` seconds with none."""

    def __init__(self, client: Any, executor: ClusterExecutor, stream: TextIO | None, grace: float, where: str) -> None:
        super().__init__(daemon=True)
        self.client, self.executor, self.stream, self.grace, self.where = client, executor, stream, grace, where
        self.stopped = threading.Event()
        self.lost: list[str] = []

    def run(self) -> None:
        known = set(self._workers())
        empty_since: float | None = None
        while not self.stopped.wait(0.5):
            now = set(self._workers())
            for address in sorted(known - now):
                self.lost.append(address)
                if self.stream is not None:
                    self.stream.write(f"worker {address} left the cluster; Dask reschedules its clip\n")
            known = now
            if now:
                empty_since = None
            elif empty_since is None:
                empty_since = time.monotonic()
            elif time.monotonic() - empty_since > self.grace:
                self.executor.fail_all(NoWorkerLeft(
                    f"no Dask worker left at {self.where} for {self.grace:.0f} s; start workers and run the batch again"
                ))
                return

    def _workers(self) -> list[str]:
        try:
            return list(self.client.scheduler_info()["workers"])
        except Exception:
            return []

    def stop(self) -> None:
        self.stopped.set()
