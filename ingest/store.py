"""The embedded store on disk, built beside the one in use and swapped in whole.

Layout of a store directory::

    STORE/current -> builds/<build-id>   (a symlink, replaced atomically)
    STORE/builds/<build-id>/             (pyoxigraph RocksDB directories)

A build writes a new directory; only when it is complete does ``current`` move
to it (``os.replace`` of a symlink is atomic on POSIX). A failed or killed
build leaves ``current`` untouched; its half-written directory is removed by
the next build. The previous build is kept so readers that still have it
open keep working; older ones are deleted.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Quad, Store

from ingest.errors import StoreError

CURRENT = "current"
BUILDS = "builds"
KEEP = 2


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
    builds = store_dir / BUILDS
    try:
        builds.mkdir(parents=True, exist_ok=True)
        probe = builds / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise StoreError(
            f"cannot write the store directory {store_dir} ({e.strerror}); "
            "choose a writable --store or fix its permissions"
        ) from e
    _remove_unfinished(store_dir)
    build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    target = builds / build_id
    try:
        store = Store(str(target))
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        del store
        (target / ".complete").write_text(build_id)
    except OSError as e:
        if target != current_path(store_dir):
            shutil.rmtree(target, ignore_errors=True)
        raise StoreError(
            f"building the store in {target} failed ({e}); the previous graph is still in use"
        ) from e
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
