"""A secret key kept in a file outside the store: read it, or create it (random, mode 0600) on first use.

Used for the audit chain's HMAC key (``analytics.audit``) and the party-key secret of imports
(``analytics.importer.parties``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_or_create(path: Path, n_bytes: int) -> bytes:
    """The key in ``path``; a new random one of ``n_bytes`` when the file is missing or too short."""
    try:
        data = path.read_bytes()
        if len(data) >= 16:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secrets.token_bytes(n_bytes))
    finally:
        os.close(fd)
    os.chmod(path, 0o600)
    return path.read_bytes()
