"""Party names -> keyed pseudonyms (HMAC-SHA256 with a per-installation secret); names are never stored.

Court exports carry 原告/被告/被执行人 names and, for enterprises, the 统一社会信用代码 (GB 32100-2015).
Repeat-party analyses (群体性纠纷, 职业放贷人) need to know that two cases have the same party, not
who it is. The importer therefore keeps only ``HMAC-SHA256(secret, normalised name)`` cut to a
signed 64-bit integer (``plaintiff_key`` / ``defendant_key``). Without the secret the key cannot
be recomputed from a guessed name (a plain hash could: names are a small, guessable set).

The secret lives outside the store: the file named by ``SHUZHU_SECRET_FILE`` (or the setting
``party_secret_file``), default ``data/.party_secret``, created with 0600 permissions on first use.
Losing it means new imports get new keys (old and new cases of one party no longer match); it
must be backed up with the store but never shipped with it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path

from analytics import keyfile

SECRET_ENV = "SHUZHU_SECRET_FILE"
SECRET_BYTES = 32

# GB 32100-2015: 18 characters, digits and upper-case letters except I, O, Z, S, V.
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "﹝": "(", "﹞": ")"})
_SEPARATORS = re.compile(r"[、,;，；/]|\s{2,}")
_SPACE = re.compile(r"\s+")
# Legal-form variants written for the same company (公司法 uses 有限责任公司; registrations and
# exports often shorten it).
_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


def secret_path(env: dict[str, str] | None = None) -> Path:
    """Where the per-installation secret is kept (environment, then settings, then data/)."""
    env = dict(os.environ) if env is None else env
    if env.get(SECRET_ENV):
        return Path(env[SECRET_ENV]).expanduser()
    from analytics.settings import PROJECT_ROOT, load_settings

    configured = getattr(load_settings(env), "party_secret_file", None)
    return Path(configured) if configured else PROJECT_ROOT / "data" / ".party_secret"


def load_secret(path: Path | None = None) -> bytes:
    """The secret, created (random, 0600) on first use."""
    path = path or secret_path()
    return keyfile.read_or_create(path, SECRET_BYTES)


def first_party(text: str) -> str:
    """The first (main) party of a cell that may list several (张三、李四)."""
    return _SEPARATORS.split(text.strip(), maxsplit=1)[0].strip()


def normalise_name(text: str) -> str:
    """A party name as it identifies the party: NFKC (full/half width), brackets, legal form, no spaces."""
    s = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    s = _SPACE.sub("", s).upper()
    for long, short in _FORMS:
        s = s.replace(long, short)
    return s


def normalise_code(text: str) -> str | None:
    """A 统一社会信用代码 in canonical form, or None when it is not one."""
    s = _SPACE.sub("", unicodedata.normalize("NFKC", text)).upper()
    return s if _CREDIT_CODE.match(s) else None


def party_key(name: str | None, code: str | None, secret: bytes) -> int | None:
    """The pseudonymous key of a party: from its normalised name, else from its credit code.

    The name is preferred so that rows with and without the code (both are common in one export)
    get the same key; the code is used only when a row has no name.
    """
    if name:
        material = "name:" + normalise_name(first_party(name))
    elif code:
        material = "code:" + code
    else:
        return None
    digest = hmac.new(secret, material.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
