"""Sign-in for the pages: who the visitor is (by the configured mode), sign-out, audit rows.

``current_user`` is called by the page shell before anything is drawn. Modes (``[access]`` in
shuzhu.toml, see ``analytics.auth``): ``none`` returns the local single user; ``proxy`` trusts the
configured header only from configured proxy addresses; ``accounts`` shows a sign-in form and
keeps the session in a cookie (SameSite=Strict) holding a random token whose hash is in the store
(so a refresh keeps the session and a sign-out revokes it server-side, unlike
streamlit-authenticator's issues #276 and #91).
"""

from __future__ import annotations

import json

import duckdb
import streamlit as st

from analytics import audit, auth

COOKIE = "shuzhu_session"
_USER = "_auth_user"
_TOKEN = "_auth_token"


def _settings() -> auth.AccessSettings:
    # Read on every run (a small file): AppTests and a changed shuzhu.toml take effect at once.
    return auth.load_access_settings()


def _set_cookie(token: str | None) -> None:
    """Write (or clear) the session cookie in the browser: same-origin script, no network."""
    value = json.dumps(token or "")
    age = auth.SESSION_HOURS * 3600 if token else 0
    st.html(f"<script>document.cookie = '{COOKIE}=' + encodeURIComponent({value}) + "
            f"'; path=/; max-age={age}; SameSite=Strict';</script>", unsafe_allow_javascript=True)


def _login_form(con: duckdb.DuckDBPyConnection, settings: auth.AccessSettings) -> auth.User | None:
    """Draw the sign-in form; the user once the password is right (the form is then removed)."""
    box = st.empty()
    with box.container():
        st.title("数助 · 登录")
        st.caption("南通法院司法大数据 · 内部系统 / Sign in")
        with st.form("auth_form"):
            name = st.text_input("用户名 / User", key="auth_name")
            pw = st.text_input("密码 / Password", type="password", key="auth_pw")
            submitted = st.form_submit_button("登录 / Sign in", type="primary")
        if not submitted:
            return None
        result = auth.authenticate(con, name, pw, settings)
        if result.user is None:
            audit.record(con, name.strip() or "?", "locked" if result.locked else "sign_in_failed",
                         detail=result.reason)
            st.error(result.reason)
            return None
    box.empty()
    token = auth.open_session(con, result.user)
    audit.record(con, result.user.name, "sign_in", detail="accounts")
    st.session_state[_USER] = result.user
    st.session_state[_TOKEN] = token
    _set_cookie(token)
    return result.user


def peer_address() -> str | None:
    """The TCP peer of this session's WebSocket, or None when it is not known.

    ``st.context.ip_address`` reports loopback peers as None, which cannot be told apart from a
    missing address; the session's client context holds the peer as the server saw it (Streamlit
    itself reads it there to recognise loopback). A missing address stays None: never trusted.
    """
    from streamlit.runtime import exists, get_instance
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    reported = st.context.ip_address
    if isinstance(reported, str) and reported:
        return reported
    run = get_script_run_ctx()
    if run is None or not exists():
        return None
    client = get_instance().get_client(run.session_id)
    context = getattr(client, "client_context", None) if client is not None else None
    ip = getattr(context, "remote_ip", None)
    return ip if isinstance(ip, str) and ip else None  # (a test runtime has no real peer)


def current_user(con: duckdb.DuckDBPyConnection) -> auth.User:
    """The visitor; stops the page (after showing a sign-in form or a refusal) when unknown."""
    settings = _settings()
    if settings.mode == "none":
        return auth.LOCAL_USER
    if settings.mode == "proxy":
        ip = peer_address()  # None (unknown) is not trusted
        user = auth.user_from_proxy(con, dict(st.context.headers), ip, settings)
        if user is None:
            if not st.session_state.get("_auth_refused"):
                audit.record(con, "?", "sign_in_failed",
                             detail=f"proxy header missing or untrusted peer {ip or 'unknown'}")
                st.session_state["_auth_refused"] = True
            st.error("未通过统一身份认证：请从法院内网门户进入。 / "
                     "Not signed in: open the app through the court portal.")
            st.stop()
        if st.session_state.get(_USER) != user:
            audit.record(con, user.name, "sign_in", detail=f"proxy {ip}")
            st.session_state[_USER] = user
        return user
    if st.session_state.pop("_auth_signed_out", False):
        _set_cookie(None)
    user = st.session_state.get(_USER)
    if user is not None:
        # Checked on every run: a session revoked or expired, or of an account disabled since,
        # ends here (and a changed role or court applies at once), not only at the next sign-in.
        user = auth.session_user(con, st.session_state.get(_TOKEN))
        if user is None:
            st.session_state.pop(_USER, None)
            st.session_state.pop(_TOKEN, None)
        else:
            st.session_state[_USER] = user
    if user is None:
        raw = st.context.cookies.get(COOKIE)
        token = raw if isinstance(raw, str) else None  # (AppTest has no real cookies)
        user = auth.session_user(con, token)
        if user is not None:
            st.session_state[_USER] = user
            st.session_state[_TOKEN] = token
    if user is None:
        user = _login_form(con, settings)
        if user is None:
            st.stop()
    return user


def _sign_out(con: duckdb.DuckDBPyConnection) -> None:
    user = st.session_state.pop(_USER, None)
    auth.close_session(con, st.session_state.pop(_TOKEN, None))
    if user is not None:
        audit.record(con, user.name, "sign_out")
    st.session_state["_auth_signed_out"] = True


def user_footer(con: duckdb.DuckDBPyConnection, user: auth.User) -> None:
    """Who is signed in (and a sign-out button), or that the app runs in single-user mode."""
    settings = _settings()
    sb = st.sidebar
    if settings.mode == "none":
        sb.caption("单机模式：未启用登录与权限（本机单用户）。 / Single-user local mode: no sign-in configured.")
        return
    scope = f"（{'、'.join(user.courts)}）" if user.courts else ""
    sb.caption(f"当前用户：{user.name} · {user.role.value}{scope}")
    if settings.mode == "accounts":
        sb.button("退出登录 / Sign out", key="auth_out", on_click=_sign_out, args=(con,))
