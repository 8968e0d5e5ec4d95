"""The embedded store on disk, built beside the one in use and swapped in whole.

Layout of a store directory::

    STORE/current -> builds/<build-id>   (a symlink, replaced atomically)
    STORE/builds/<build-id>/             (pyoxigraph RocksDB directories)

A build writes a new directory; only when it is complete does ``current`` move
to it (``os.replace`` of a symlink is atomic on POSIX). A failed or killed
build leaves ``current`` untouched; its half-written directory is removed by
the next build. The previous build is kept so readers that still have it
open keep working; older ones are deleted.

One writer at a time: a full build (``build``) and a change to the graph in use
(``derive``, for SPARQL Update) both hold ``STORE/.writer.lock``. ``derive`` starts
from a RocksDB checkpoint of the current build (hard links, milliseconds), applies the
change there and swaps it in like a build, so readers see the graph before or after
the change, never during it, and a change that fails or is killed leaves no trace.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pyoxigraph import Quad, Store

from ingest.errors import StoreError

CURRENT = "current"
BUILDS = "builds"
LOCK = ".writer.lock"
KEEP = 2


class StoreBusy(StoreError):
    """Another build or update holds the store's writer lock."""


def current_path(store_dir: Path) -> Path | None:
    """The complete store in use, or None if no build has finished yet."""
    link = store_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def open_read_only(store_dir: Path) -> Store:
    path = current_path(store_dir)
    if path is None:
        raise StoreError(f"no graph in {store_dir}: run 'dwkg ingest --store {store_dir}' first")
    return Store.read_only(str(path))


def build(store_dir: Path, quads: Iterable[Quad]) -> Path:
    """Load ``quads`` into a new store beside the current one, then swap it in."""
    _check_writable(store_dir)
    with writer_lock(store_dir, wait_s=None):
        return _new_build(store_dir, lambda store: store.bulk_extend(quads))


def derive(store_dir: Path, change: Callable[[Store], None], wait_s: float = 10.0) -> Path:
    """A new build: the current graph with ``change`` applied, swapped in when done."""
    current = current_path(store_dir)
    if current is None:
        raise StoreError(f"no graph in {store_dir}: run 'dwkg ingest --store {store_dir}' first")
    _check_writable(store_dir)
    with writer_lock(store_dir, wait_s=wait_s):
        current = current_path(store_dir)
        assert current is not None
        return _new_build(store_dir, change, start=current)


@contextlib.contextmanager
def writer_lock(store_dir: Path, wait_s: float | None) -> Iterator[None]:
    """Hold the store's writer lock; ``wait_s=None`` waits as long as it takes."""
    with open(store_dir / LOCK, "a") as handle:
        deadline = None if wait_s is None else time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    raise StoreBusy(
                        f"another ingest or update is writing {store_dir}; try again when it "
                        "has finished"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_writable(store_dir: Path) -> None:
    builds = store_dir / BUILDS
    try:
        builds.mkdir(parents=True, exist_ok=True)
        probe = builds / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        if _no_space(e):
            raise StoreError(
                f"cannot write the store directory {store_dir}: no space left on device "
                f"({_free_mb(store_dir)}); free space on that disk or choose a --store on "
                "another one. The graph in use is unchanged."
            ) from e
        raise StoreError(
            f"cannot write the store directory {store_dir} ({e.strerror}); "
            "choose a writable --store or fix its permissions. The graph in use is unchanged."
        ) from e


def _no_space(e: OSError) -> bool:
    """ENOSPC, also as RocksDB reports it (an OSError with only a message)."""
    return e.errno in (errno.ENOSPC, errno.EDQUOT) or "no space left on device" in str(e).lower()


def _free_mb(store_dir: Path) -> str:
    try:
        return f"{shutil.disk_usage(store_dir).free / 1e6:.0f} MB free"
    except OSError:
        return "free space unknown"


def _size_mb(path: Path | None) -> float:
    try:
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1e6 if path else 0.0
    except OSError:
        return 0.0


def _new_build(store_dir: Path, fill: Callable[[Store], None], start: Path | None = None) -> Path:
    _remove_unfinished(store_dir)
    build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    target = store_dir / BUILDS / build_id
    try:
        if start is None:
            store = Store(str(target))
        else:
            Store.read_only(str(start)).backup(str(target))  # RocksDB files only
            store = Store(str(target))
        fill(store)
        store.flush()
        store.optimize()
        del store
        (target / ".complete").write_text(build_id)
    except BaseException as e:
        if target != current_path(store_dir):
            shutil.rmtree(target, ignore_errors=True)
        if isinstance(e, OSError) and _no_space(e):
            # a build needs about twice its final size while RocksDB writes it
            need = 2 * _size_mb(start or current_path(store_dir))
            about = f"; a build needs about {need:.0f} MB free while it is written" if need else ""
            raise StoreError(
                f"no space left on device for a new build in {store_dir} "
                f"({_free_mb(store_dir)} now that the unfinished build is removed{about}). "
                "The previous graph is still in use. Free space on that disk (or choose a "
                f"--store on a bigger one) and ingest again. (RocksDB: {e})"
            ) from e
        if isinstance(e, OSError):
            raise StoreError(
                f"building the store in {target} failed ({e}); the previous graph is still in use"
            ) from e
        raise
    _swap(store_dir, target)
    _prune(store_dir)
    return target


def _swap(store_dir: Path, target: Path) -> None:
    tmp = store_dir / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(BUILDS) / target.name)
    os.replace(tmp, store_dir / CURRENT)


def _remove_unfinished(store_dir: Path) -> None:
    cur = current_path(store_dir)
    for d in (store_dir / BUILDS).iterdir():
        if d.is_dir() and not (d / ".complete").exists() and d != cur:
            shutil.rmtree(d, ignore_errors=True)


def _prune(store_dir: Path) -> None:
    done = sorted(
        (d for d in (store_dir / BUILDS).iterdir() if (d / ".complete").exists()),
        key=lambda d: d.stat().st_mtime,
    )
    cur = current_path(store_dir)
    for d in done[:-KEEP]:
        if d != cur:
            shutil.rmtree(d, ignore_errors=True)
