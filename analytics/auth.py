"""Who is looking: roles, built-in accounts (bcrypt, lock-out) and the trusted proxy header.

Three deployments, chosen by configuration (``[access]`` in shuzhu.toml, never by code):

* ``none`` (default): single user on one machine, as before; the footer says so.
* ``proxy``: behind the court's reverse proxy / unified login. The user name is read from a
  configured header (default ``X-Remote-User``) **only** when the request comes from a
  configured proxy address; from anywhere else the header is ignored.
* ``accounts``: built-in accounts stored in the case store (table ``users``), passwords hashed
  with bcrypt, the account locked for ``lock_minutes`` after ``max_failures`` wrong passwords in a
  row; ``shuzhu_users.py`` adds users and resets passwords.

Roles (``Role``): 管理员 sees everything and administers users and the audit log; 法院 sees full
detail for its own court(s) and city totals for the rest; 外部 (government departments) sees
aggregates only, small counts protected (``analytics.privacy``), no case lists.
Pure module: no Streamlit; the page shell calls it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

import bcrypt
import duckdb

from analytics.codes import COURT_BY_CODE
from analytics.filters import CaseFilter, FilterOptions

F = TypeVar("F", bound=Callable[..., object])


class Role(StrEnum):
    ADMIN = "管理员"
    COURT = "法院"
    EXTERNAL = "外部"


@dataclass(frozen=True)
class User:
    """A signed-in user. ``courts`` restricts a 法院 user's detail (empty for other roles)."""

    name: str
    role: Role
    courts: tuple[str, ...] = ()

    @property
    def sees_case_lists(self) -> bool:
        return self.role is not Role.EXTERNAL

    @property
    def protected(self) -> bool:
        """Figures pass through the small-count gate before being shown or exported."""
        return self.role is Role.EXTERNAL


LOCAL_USER = User("本机用户", Role.ADMIN)  # mode "none": one person on their own machine


@dataclass(frozen=True)
class AccessSettings:
    mode: str = "none"  # none | proxy | accounts
    proxy_header: str = "X-Remote-User"
    trusted_proxies: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    proxy_default_role: Role = Role.EXTERNAL  # a proxy user without an account row
    max_failures: int = 5
    lock_minutes: int = 15
    min_password_length: int = 10

    def __post_init__(self) -> None:
        if self.mode not in ("none", "proxy", "accounts"):
            raise ValueError(f"[access] mode must be none, proxy or accounts, not {self.mode!r}")
        for net in self.trusted_proxies:
            ipaddress.ip_network(net, strict=False)  # raises ValueError on a typo
        if self.proxy_default_role is Role.COURT:  # a 法院 user without courts would see every court
            raise ValueError("[access] proxy_default_role cannot be 法院 (no courts to restrict to); "
                             "give 法院 users an account row with their courts")


class AuthError(ValueError):
    """A bad request about accounts, with a bilingual message."""


def _stored_user(name: str, role: str, courts: object) -> User | None:
    """A user from an account row; None for a 法院 row without courts (it could not be
    restricted: ``restrict`` would leave every court open), which is therefore refused."""
    r = Role(role)
    own = tuple(c for c in str(courts or "").split(",") if c) if r is Role.COURT else ()
    if r is Role.COURT and not own:
        return None
    return User(name, r, own)


USERS_DDL = """CREATE TABLE IF NOT EXISTS users (
  username VARCHAR PRIMARY KEY,
  pw_hash VARCHAR,
  role VARCHAR NOT NULL,
  courts VARCHAR NOT NULL DEFAULT '',
  failed INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMP,
  created TIMESTAMP NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false)"""

# Cost factor of the stored password hashes (bcrypt's log2 rounds).
BCRYPT_ROUNDS = 12
# A valid hash to compare against when the user does not exist, so that the time a failed
# sign-in takes does not reveal whether the account exists: bcrypt.hashpw(b"not a password",
# gensalt(rounds=12)), written out. Computing it when this module was imported cost 0.25 s of
# every process that imports it (the app's start, every command-line import).
_DUMMY_HASH = b"$2b$12$e3CRpd/LjV6AiKU2/AmyeOTZh6ODuwr7oBHDy9rVt54wKh5OiBWTu"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(USERS_DDL)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise AuthError(f"未知角色：{value}（可选：管理员、法院、外部） / unknown role {value!r}") from exc


def _check_password(password: str, settings: AccessSettings) -> bytes:
    raw = password.encode("utf-8")
    if len(password) < settings.min_password_length:
        raise AuthError(f"密码至少 {settings.min_password_length} 个字符 / "
                        f"password must have at least {settings.min_password_length} characters")
    if len(raw) > 72:  # bcrypt uses the first 72 bytes only: refuse rather than truncate silently
        raise AuthError("密码过长（最多 72 字节） / password too long (72 bytes at most)")
    return raw


def add_user(con: duckdb.DuckDBPyConnection, name: str, password: str, role: str,
             courts: Sequence[str] = (), settings: AccessSettings | None = None,
             now: datetime | None = None) -> User:
    """Create an account (error if the name exists). 法院 users need at least one court code."""
    settings = settings or AccessSettings()
    ensure_tables(con)
    name = name.strip()
    if not name:
        raise AuthError("用户名不能为空 / user name must not be empty")
    r = _role(role)
    if r is Role.COURT and not courts:
        raise AuthError("法院用户须指定法院代码 / a 法院 user needs at least one court code")
    pw = bcrypt.hashpw(_check_password(password, settings), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()
    if con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
        raise AuthError(f"用户已存在：{name} / user {name!r} exists")
    con.execute("INSERT INTO users (username, pw_hash, role, courts, created) VALUES (?, ?, ?, ?, ?)",
                [name, pw, r.value, ",".join(courts), now or datetime.now()])
    return User(name, r, tuple(courts) if r is Role.COURT else ())


def reset_password(con: duckdb.DuckDBPyConnection, name: str, password: str,
                   settings: AccessSettings | None = None) -> None:
    """Set a new password and unlock the account."""
    settings = settings or AccessSettings()
    ensure_tables(con)
    pw = bcrypt.hashpw(_check_password(password, settings), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()
    if not con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
        raise AuthError(f"没有该用户：{name} / no user {name!r}")
    con.execute("UPDATE users SET pw_hash = ?, failed = 0, locked_until = NULL WHERE username = ?", [pw, name])


def unlock(con: duckdb.DuckDBPyConnection, name: str) -> None:
    ensure_tables(con)
    con.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE username = ?", [name])


def set_disabled(con: duckdb.DuckDBPyConnection, name: str, disabled: bool) -> None:
    """Disable (or enable again) an account. A disabled account cannot sign in, its open sessions
    stop working at the next page run, and the proxy refuses its name; nothing else changes."""
    ensure_tables(con)
    if not con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone():
        raise AuthError(f"没有该用户：{name} / no user {name!r}")
    con.execute("UPDATE users SET disabled = ? WHERE username = ?", [bool(disabled), name])


def list_users(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, datetime | None, bool]]:
    """(name, role, courts, failed attempts, locked until, disabled): never the hashes."""
    ensure_tables(con)
    return [tuple(r) for r in con.execute(  # type: ignore[misc]
        "SELECT username, role, courts, failed, locked_until, disabled FROM users ORDER BY username").fetchall()]


@dataclass(frozen=True)
class SignIn:
    """Outcome of a sign-in attempt: the user, or why not (bilingual)."""

    user: User | None
    reason: str = ""
    locked: bool = False


_BAD = "用户名或密码错误 / wrong user name or password"


def authenticate(con: duckdb.DuckDBPyConnection, name: str, password: str,
                 settings: AccessSettings | None = None, now: datetime | None = None) -> SignIn:
    """Check a password; count failures and lock the account after ``max_failures`` in a row."""
    settings = settings or AccessSettings()
    now = now or datetime.now()
    ensure_tables(con)
    row = con.execute(
        "SELECT pw_hash, role, courts, failed, locked_until, disabled FROM users WHERE username = ?",
        [name.strip()]).fetchone()
    if row is None:
        bcrypt.checkpw(password.encode("utf-8")[:72], _DUMMY_HASH)
        return SignIn(None, _BAD)
    pw_hash, role, courts, failed, locked_until, disabled = row
    if disabled:
        return SignIn(None, "账号已停用 / account disabled")
    if locked_until is not None and locked_until > now:
        return SignIn(None, f"账号已锁定至 {locked_until:%H:%M} / account locked until {locked_until:%H:%M}",
                      locked=True)
    ok = pw_hash is not None and bcrypt.checkpw(password.encode("utf-8")[:72], str(pw_hash).encode())
    if not ok:
        failed = int(failed) + 1
        lock = now + timedelta(minutes=settings.lock_minutes) if failed >= settings.max_failures else None
        con.execute("UPDATE users SET failed = ?, locked_until = ? WHERE username = ?",
                    [0 if lock else failed, lock, name.strip()])
        if lock:
            return SignIn(None, f"连续 {settings.max_failures} 次密码错误，账号锁定 {settings.lock_minutes} 分钟 / "
                                f"{settings.max_failures} wrong passwords: account locked for "
                                f"{settings.lock_minutes} minutes", locked=True)
        return SignIn(None, _BAD)
    con.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE username = ?", [name.strip()])
    user = _stored_user(name.strip(), role, courts)
    if user is None:
        return SignIn(None, "法院账号未指定法院，不能登录 / a 法院 account without courts cannot sign in")
    return SignIn(user)


def trusted(remote_addr: str | None, settings: AccessSettings) -> bool:
    """Is the request's peer one of the configured proxies? A missing or unparsable address is
    never trusted (the page shell passes the TCP peer, loopback included, or None)."""
    if not remote_addr:
        return False
    try:
        ip = ipaddress.ip_address(remote_addr.split("%")[0])
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies)


def user_from_proxy(con: duckdb.DuckDBPyConnection, headers: Mapping[str, str], remote_addr: str | None,
                    settings: AccessSettings) -> User | None:
    """The user the proxy vouches for, or None (header absent, or not from a trusted proxy).

    The account table, when it has a row for the name, gives the role and courts; otherwise the
    configured default role applies (外部 unless configured otherwise).
    """
    if not trusted(remote_addr, settings):
        return None
    wanted = settings.proxy_header.lower()
    name = next((v for k, v in headers.items() if k.lower() == wanted), "").strip()
    if not name:
        return None
    ensure_tables(con)
    row = con.execute("SELECT role, courts, disabled FROM users WHERE username = ?", [name]).fetchone()
    if row is None:
        return User(name, settings.proxy_default_role)
    role, courts, disabled = row
    if disabled:
        return None
    return _stored_user(name, role, courts)


# --- sessions: a signed-in browser survives a refresh, and a sign-out really ends it ---------

SESSIONS_DDL = """CREATE TABLE IF NOT EXISTS sessions (
  token_hash VARCHAR PRIMARY KEY,
  username VARCHAR NOT NULL,
  created TIMESTAMP NOT NULL,
  expires TIMESTAMP NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT false)"""
SESSION_HOURS = 10  # one working day


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(con: duckdb.DuckDBPyConnection, user: User, now: datetime | None = None) -> str:
    """A random session token for the browser's cookie; only its hash is stored."""
    import secrets

    now = now or datetime.now()
    con.execute(SESSIONS_DDL)
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, false)",
                [_token_hash(token), user.name, now, now + timedelta(hours=SESSION_HOURS)])
    return token


def session_user(con: duckdb.DuckDBPyConnection, token: str | None, now: datetime | None = None) -> User | None:
    """The user of a live session token (None when unknown, expired, revoked or the user disabled)."""
    if not token:
        return None
    now = now or datetime.now()
    con.execute(SESSIONS_DDL)
    ensure_tables(con)
    row = con.execute(
        """SELECT u.username, u.role, u.courts FROM sessions s JOIN users u USING (username)
           WHERE s.token_hash = ? AND NOT s.revoked AND s.expires > ? AND NOT u.disabled""",
        [_token_hash(token), now]).fetchone()
    if row is None:
        return None
    name, role, courts = row
    return _stored_user(str(name), role, courts)


def close_session(con: duckdb.DuckDBPyConnection, token: str | None) -> None:
    """Revoke a token at sign-out: a copy of the cookie kept elsewhere no longer works."""
    if token:
        con.execute(SESSIONS_DDL)
        con.execute("UPDATE sessions SET revoked = true WHERE token_hash = ?", [_token_hash(token)])


def load_access_settings(env: Mapping[str, str] | None = None) -> AccessSettings:
    """``[access]`` from shuzhu.toml (path in SHUZHU_CONFIG); environment ``SHUZHU_ACCESS_MODE`` wins."""
    import os
    import tomllib
    from pathlib import Path

    from analytics.settings import PROJECT_ROOT

    env = dict(os.environ) if env is None else env
    path = Path(env.get("SHUZHU_CONFIG", PROJECT_ROOT / "shuzhu.toml"))
    cfg: dict = {}
    if path.is_file():
        with path.open("rb") as fh:
            cfg = tomllib.load(fh).get("access", {})
    kw: dict = {}
    if "mode" in cfg or env.get("SHUZHU_ACCESS_MODE"):
        kw["mode"] = env.get("SHUZHU_ACCESS_MODE") or str(cfg["mode"])
    if "proxy_header" in cfg:
        kw["proxy_header"] = str(cfg["proxy_header"])
    if "trusted_proxies" in cfg or env.get("SHUZHU_TRUSTED_PROXIES"):
        raw = env.get("SHUZHU_TRUSTED_PROXIES")
        kw["trusted_proxies"] = tuple(raw.split(",")) if raw else tuple(str(x) for x in cfg["trusted_proxies"])
    if "proxy_default_role" in cfg:
        kw["proxy_default_role"] = _role(str(cfg["proxy_default_role"]))
    for key in ("max_failures", "lock_minutes", "min_password_length"):
        if key in cfg:
            kw[key] = int(cfg[key])
    return AccessSettings(**kw)


def users_frame(con: duckdb.DuckDBPyConnection):  # -> pd.DataFrame (pandas imported lazily)
    """The accounts for the admin page, labelled in Chinese; never the password hashes."""
    import pandas as pd

    df = pd.DataFrame(list_users(con), columns=["用户名", "角色", "法院", "连续失败次数", "锁定至", "已停用"])
    df["已停用"] = df["已停用"].map({True: "是", False: ""})
    return df


# --- what a user may see: applied where every page's filter is built (ui.shell.setup_page) ---


def may_import(user: User) -> bool:
    """Only administrators write data into the store (数据导入, judgment records)."""
    return user.role is Role.ADMIN


def court_scope(user: User) -> tuple[str, ...] | None:
    """The courts whose case rows a user may receive: None for all (管理员), the user's own for 法院,
    and none at all (an empty tuple) for 外部, who gets aggregates only."""
    if user.role is Role.ADMIN:
        return None
    return user.courts if user.role is Role.COURT else ()


def alert_districts(user: User) -> frozenset[int] | None:
    """Districts whose alerts a user may register a status for: None for every alert (管理员); for
    a 法院 user the districts of their basic courts (an alert is a district's series; the
    intermediate court sits in no district, so its users register none); none for 外部."""
    if user.role is Role.ADMIN:
        return None
    if user.role is not Role.COURT:
        return frozenset()
    return frozenset(a for c in user.courts if (court := COURT_BY_CODE.get(c)) and (a := court.adcode) is not None)


def restrict(flt: CaseFilter, user: User) -> CaseFilter:
    """The filter a user's queries run with: a 法院 user's courts are always limited to their own.

    Every page receives its filter from the shell, which calls this, so no page can forget it;
    the summary tables, the indicator SQL and the case lists all honour ``courts``.
    """
    if user.role is not Role.COURT:
        return flt
    courts = tuple(c for c in flt.courts if c in user.courts) or user.courts
    return flt.with_(courts=courts)


def visible_options(opts: FilterOptions, user: User) -> FilterOptions:
    """Filter choices offered to a user (a 法院 user chooses among their own courts only)."""
    if user.role is not Role.COURT:
        return opts
    return replace(opts, courts=tuple(c for c in opts.courts if c in user.courts) or user.courts)


def case_rows(fn: F) -> F:
    """Mark an analytics function that returns case-level rows (a case list).

    ``ui.shell.Ctx.run`` refuses such functions for users who may see aggregates only (外部).
    """
    fn.__case_rows__ = True  # type: ignore[attr-defined]
    return fn


def returns_case_rows(fn: Callable[..., object]) -> bool:
    return bool(getattr(fn, "__case_rows__", False))
