"""Manage the built-in accounts of a standalone deployment (``[access] mode = "accounts"``).

    python shuzhu_users.py add NAME --role 法院 --court 苏0682 [--court 苏0602] [--db PATH]
    python shuzhu_users.py reset NAME [--db PATH]
    python shuzhu_users.py unlock NAME [--db PATH]
    python shuzhu_users.py disable NAME [--db PATH]
    python shuzhu_users.py enable NAME [--db PATH]
    python shuzhu_users.py list [--db PATH]

Passwords are read from the terminal (or, for scripts, from standard input, one line) and stored
only as bcrypt hashes; they are checked against the ``[access]`` settings of shuzhu.toml
(``min_password_length``), as on the admin page. Exit codes: 0 done, 2 bad arguments or the store cannot be opened.
Run it while the app is stopped, or against the store the app serves (DuckDB: one writer).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import duckdb

from analytics import audit, auth
from analytics.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="管理数助内置账号 / manage Shuzhu's built-in accounts")
    p.add_argument("--db", type=Path, help="case store (default: SHUZHU_DB / shuzhu.toml / data/shuzhu.duckdb)")
    sub = p.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", help="新建账号 / add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in auth.Role])
    add.add_argument("--court", action="append", default=[], help="court code (法院 role), repeatable")
    for name, text in (("reset", "重设密码并解锁 / new password, unlocks"), ("unlock", "解锁 / unlock"),
                       ("disable", "停用账号（不能登录） / disable: no sign-in"),
                       ("enable", "启用已停用的账号 / enable again")):
        sub.add_parser(name, help=text).add_argument("name")
    sub.add_parser("list", help="列出账号 / list accounts")
    return p


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("新密码 / new password: ")
        if getpass.getpass("再输一次 / again: ") != first:
            raise auth.AuthError("两次输入不一致 / the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = args.db or load_settings().db_path
    if not Path(db).is_file():
        print(f"错误: 找不到案件库 {db}\nerror: case store not found: {db}", file=sys.stderr)
        return 2
    try:
        settings = auth.load_access_settings()
    except ValueError as exc:  # AuthError (bad role) or a malformed [access] value
        print(f"错误: [access] 配置有误: {exc}\nerror: bad [access] settings: {exc}", file=sys.stderr)
        return 2
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as exc:
        print(f"错误: 无法打开案件库（应用是否在运行？）: {exc}\nerror: cannot open the store: {exc}", file=sys.stderr)
        return 2
    try:
        if args.cmd == "add":
            user = auth.add_user(con, args.name, _password(), args.role, args.court, settings)
            audit.record(con, "cli", "user_admin", detail=f"add {user.name} {user.role.value}")
            print(f"已新建 {user.name}（{user.role.value}） / added {user.name}")
        elif args.cmd == "reset":
            auth.reset_password(con, args.name, _password(), settings)
            audit.record(con, "cli", "user_admin", detail=f"reset {args.name}")
            print(f"已重设 {args.name} 的密码 / password reset")
        elif args.cmd == "unlock":
            auth.unlock(con, args.name)
            audit.record(con, "cli", "user_admin", detail=f"unlock {args.name}")
            print(f"已解锁 {args.name} / unlocked")
        elif args.cmd in ("disable", "enable"):
            auth.set_disabled(con, args.name, args.cmd == "disable")
            audit.record(con, "cli", "user_admin", detail=f"{args.cmd} {args.name}")
            print(f"已{'停用' if args.cmd == 'disable' else '启用'} {args.name} / {args.cmd}d")
        else:
            for name, role, courts, failed, locked, disabled in auth.list_users(con):
                print(f"{name}\t{role}\t{courts or '-'}\t失败{failed}次\t{locked or ''}"
                      + ("\t已停用" if disabled else ""))
    except auth.AuthError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
