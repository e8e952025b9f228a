"""系统管理: accounts and the audit log (administrators only)."""

import streamlit as st

from analytics import audit, auth
from analytics.auth import Role
from ui.shell import setup_page
from ui.widgets import download_buttons

ctx = setup_page("系统管理", filters=False)
st.title("系统管理")
if ctx.user.role is not Role.ADMIN:
    st.error("仅管理员可访问本页。 / Administrators only.")
    st.stop()

users, log = st.tabs(["账号", "审计日志"])
with users:
    st.dataframe(auth.users_frame(ctx.con), hide_index=True, width="stretch")
    with st.form("adm_add"):
        st.subheader("新建账号")
        name = st.text_input("用户名", key="adm_name")
        role = st.selectbox("角色", [r.value for r in Role], key="adm_role")
        courts = st.multiselect("法院（法院角色）", ctx.options.courts, key="adm_courts")
        pw = st.text_input("初始密码", type="password", key="adm_pw")
        if st.form_submit_button("新建"):
            try:
                auth.add_user(ctx.con, name, pw, role, courts, auth.load_access_settings())
            except auth.AuthError as exc:
                st.error(str(exc))
            else:
                audit.record(ctx.con, ctx.user.name, "user_admin", detail=f"add {name} {role}")
                st.success(f"已新建 {name}")
    accounts = auth.list_users(ctx.con)
    locked = [u[0] for u in accounts if u[4] is not None]
    if locked:
        who = st.selectbox("解锁账号", locked, key="adm_unlock_who")
        if st.button("解锁", key="adm_unlock"):
            auth.unlock(ctx.con, who)
            audit.record(ctx.con, ctx.user.name, "user_admin", detail=f"unlock {who}")
            st.rerun()
    if accounts:  # a disabled account cannot sign in; its sessions end at their next page run
        st.subheader("停用 / 启用账号")
        state = {u[0]: bool(u[5]) for u in accounts}
        c1, c2 = st.columns([3, 1])
        who = c1.selectbox("账号", list(state), key="adm_dis_who",
                           format_func=lambda n: f"{n}（已停用）" if state[n] else n)
        action = "enable" if state[who] else "disable"
        if c2.button("启用" if state[who] else "停用", key="adm_dis", width="stretch",
                     disabled=who == ctx.user.name and action == "disable"):
            auth.set_disabled(ctx.con, who, action == "disable")
            audit.record(ctx.con, ctx.user.name, "user_admin", detail=f"{action} {who}")
            st.rerun()
        if who == ctx.user.name and action == "disable":
            st.caption("不能停用当前登录的账号。 / You cannot disable your own account.")

with log:
    c1, c2 = st.columns(2)
    who = c1.text_input("用户", key="adm_log_user")
    event = c2.selectbox("事件", ["", *audit.EVENTS], key="adm_log_event")
    table = audit.read(ctx.con, user=who or None, event=event or None)
    check = audit.verify(ctx.con)  # keyed chain and head (analytics.audit): edits, gaps, truncation
    (st.success if check.ok else st.error)(check.message)
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons(ctx, table, "审计日志", key="adm_dl")
