"""What a build must never do: write over its own inputs, race another build, or outlive its caller.

* :func:`check_output_folder` refuses an output folder that is, holds or lies inside an input
  (the raw folder, the cache, the corrections file), and an existing folder that is not a
  previous govreports output: a build replaces its output folder whole, so a wrong ``--out``
  would otherwise delete a researcher's files.
* :func:`build_lock` lets one build at a time write to an output folder (two builds into one
  folder would delete each other's staging folder).
* :func:`die_with_parent` makes a worker process exit when the build process is killed (each
  holds up to a gigabyte).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from govreports.build.resources import DATAPACKAGE_NAME
from govreports.errors import GovReportsError

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_SECONDS = 1.0


class OutputFolderError(GovReportsError):
    """The output folder cannot be (re)written safely; the message says why and what to do."""


def _overlap(out: Path, other: Path) -> str | None:
    """Return how ``out`` overlaps ``other`` ("is", "holds", "lies inside"), or None."""
    if out == other:
        return "is"
    if out in other.parents:
        return "holds"
    if other in out.parents:
        return "lies inside"
    return None


def check_output_folder(out_dir: Path, inputs: dict) -> None:
    """Raise :class:`OutputFolderError` unless ``out_dir`` can be replaced without losing anything.

    Args:
        out_dir: the build's output folder.
        inputs: what the build reads, by role (``{"raw folder": path, "cache": path, ...}``);
            None values are ignored.
    """
    if not str(out_dir).strip():
        raise OutputFolderError("the output folder is empty: give a folder with --out")
    out = out_dir.resolve()
    for role, path in inputs.items():
        if path is None or not str(path).strip():
            continue
        how = _overlap(out, Path(path).resolve())
        if how:
            raise OutputFolderError(f"refusing to write to {out_dir}: it {how} the {role} ({path}); "
                                    "a build replaces its output folder whole. Choose another --out")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputFolderError(f"refusing to write to {out_dir}: it exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not is_previous_output(out):
        raise OutputFolderError(f"refusing to replace {out_dir}: it holds files and is not a previous govreports "
                                f"output (no datapackage.json named {DATAPACKAGE_NAME!r}). Choose another --out, "
                                "or empty the folder yourself")


def is_previous_output(folder: Path) -> bool:
    """Return True when ``folder`` holds a datapackage.json written by a govreports build."""
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(descriptor, dict) and descriptor.get("name") == DATAPACKAGE_NAME


def lock_path(out_dir: Path) -> Path:
    """Return the lock file of an output folder: beside it, so that it survives the folder's replacement."""
    return out_dir.parent / f".{out_dir.name}-build.lock"


@contextmanager
def build_lock(out_dir: Path):
    """Hold the output folder's lock for the block; raise :class:`OutputFolderError` if another build has it.

    The lock is an ``flock`` on a file beside the folder: the kernel releases it when the holder
    dies, however it dies, so a killed build never leaves a stale lock.
    """
    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+b")  # noqa: SIM115 - held open for the whole block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise OutputFolderError(f"another build is writing to {out_dir} (it holds {path}); "
                                    "wait for it to finish") from exc
        yield path
    finally:
        handle.close()  # closing the file releases the lock


def die_with_parent(parent: int) -> None:
    """Make this (worker) process exit when its parent, the build, dies.

    Linux sends the signal asked for with ``prctl(PR_SET_PDEATHSIG)``; elsewhere, and as a
    second line (the signal is tied to the thread that forked the worker), a daemon thread
    polls the parent's id and ends the process once the parent is gone.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watchdog").start()


def _watch_parent(parent: int) -> None:
    """Poll until the parent is gone, then end this process at once (no cleanup: it holds nothing to save)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)
