"""First-start creation of the default store, safe when several sessions start at once."""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from pathlib import Path

from seeds.generate import build_default_store


def ensure_default_store(path: Path, progress: Callable[[float, str], None]) -> Path:
    """Generate the default store at ``path`` unless it exists; one builder at a time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with lock_path.open("w") as lock:
        # A meeting room opening the link together must not build the store ten times.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not path.is_file():
                build_default_store(path, progress=progress)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path
