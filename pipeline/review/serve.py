"""`nianbao serve`: the review loop in a browser, on this machine.

A small Flask app. It serves the run folder's pages as they are, except that a unit's page is
rendered from the published warehouse with the same Jinja2 templates plus the review actions on each
finding (confirm / dismiss / explained) and a form to correct any of its cells. `/review` lists the
findings of a year, filterable by banner, rule and status, with bulk confirmation. Each decision is
appended to the decisions file at once and shown on the page at once (as decided, not yet applied);
the next `nianbao run` — or the button that starts one — applies it.

Safety: bound to 127.0.0.1 by default; another address needs NIANBAO_SERVE_PASSWORD (it refuses to
start otherwise). The reviewer's name is asked once per browser session (with the password when one
is set). Every POST carries the session's anti-forgery token or is refused. Only files inside the
run folder's pages can be read (no path traversal; the warehouse and the state are not served).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PASSWORD_ENV = "NIANBAO_SERVE_PASSWORD"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Runner:
    """One `nianbao run` at a time, started from the browser."""

    def __init__(self, settings):
        self.settings = settings
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.log = settings.out / "state" / "serve_run.log"

    def start(self) -> str:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                return "已有一次运行在进行中。"
            self.log.parent.mkdir(parents=True, exist_ok=True)
            s = self.settings
            cmd = [
                sys.executable,
                "-m",
                "pipeline.cli",
                "run",
                "--inbox",
                str(s.inbox),
                "--out",
                str(s.out),
                "--db",
                str(s.db),
                "--quiet",
            ]
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            return "已开始运行：完成后刷新页面即可看到生效的复核结果。"

    def status(self) -> str:
        if self.proc is None:
            return ""
        rc = self.proc.poll()
        if rc is None:
            return "运行中……"
        return "上次运行已完成。" if rc == 0 else f"上次运行未完成（退出码 {rc}），见 {self.log}。"


def create_app(settings, password: str | None = None, secret: str | None = None):
    from flask import Flask, abort, redirect, request, session, url_for
    from markupsafe import escape

    from ..reports.inputs import unit_path
    from ..reports.labels import REVIEW_ZH
    from ..reports.layout import all_cell_ids, short_label
    from ..reports.render import environment, page_context
    from ..reports.unit import unit_bulk, unit_inputs
    from . import actions
    from .decisions import Refused

    app = Flask("nianbao.serve")
    app.secret_key = secret or secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", MAX_CONTENT_LENGTH=2 << 20)
    env = environment()
    pages_dir = Path(settings.pages).resolve()
    runner = Runner(settings)

    def csrf() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    def local_next(default: str = "/review") -> str:
        nxt = request.form.get("next") or request.args.get("next") or default
        parts = urlsplit(nxt)
        if parts.scheme or parts.netloc or not nxt.startswith("/") or nxt.startswith("//"):
            return default
        return nxt

    @app.before_request
    def guard():
        if request.method == "POST":
            token = request.form.get("csrf", "")
            if not token or not hmac.compare_digest(token, session.get("csrf", "")):
                return (
                    "refused: the request does not carry this session's anti-forgery token "
                    "(reload the page and try again)",
                    403,
                )
        if request.endpoint == "login" or request.path.startswith("/pages/static/"):
            return None
        if not session.get("reviewer"):
            return redirect(url_for("login", next=request.full_path if request.method == "GET" else "/review"))
        return None

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'",
        )
        return resp

    def page(title: str, body: str, message: str = "") -> str:
        flash = f'<p class="flash">{escape(message)}</p>' if message else ""
        who = escape(session.get("reviewer", ""))
        return (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="icon" href="data:,"><link rel="stylesheet" href="/pages/static/nianbao.css"></head>'
            f'<body class="page-review"><header class="top"><a href="/pages/index.html">政府信息公开工作年度报告 · '
            f'检查与对比</a> <nav class="reviewbar"><a href="/review">复核</a>'
            + (f" · 复核人：{who}" if who else "")
            + f"</nav></header><main>{flash}{body}</main></body></html>"
        )

    @app.route("/login", methods=["GET", "POST"])
    def login():
        err = ""
        if request.method == "POST":
            name = (request.form.get("name") or "").strip()
            if password is not None and not hmac.compare_digest(request.form.get("password", ""), password):
                err = "密码不对。"
            elif not name:
                err = "请填写复核人姓名。"
            else:
                session["reviewer"] = name[:60]
                return redirect(local_next())
        pw = '<label>密码 <input type="password" name="password"></label> ' if password is not None else ""
        body = (
            f'<h1>复核人</h1><form method="post" action="/login" class="login">'
            f'<input type="hidden" name="csrf" value="{csrf()}">'
            f'<input type="hidden" name="next" value="{escape(local_next())}">'
            f'<label>姓名 <input name="name" autofocus></label> {pw}<button type="submit">开始复核</button></form>'
            + (f'<p class="flash err">{escape(err)}</p>' if err else "")
            + '<p class="muted small">每个浏览器会话只问一次；每条复核决定都记下复核人。</p>'
        )
        return page("复核人", body), (400 if err else 200)

    @app.route("/")
    def home():
        return redirect("/review")

    def review_ctx(
        here: str, cell: str | None, message: str, cells: dict | None = None, read: dict | None = None
    ) -> dict:
        ids = all_cell_ids()
        out = []
        for cid in ids:
            c = (cells or {}).get(cid) or {}
            r = (read or {}).get(cid)
            out.append(
                {
                    "id": cid,
                    "label": short_label(cid),
                    "text": c.get("text", "—"),
                    "corrected": r is not None and r[0] == "review",
                    "read": "" if r is None else r[1],
                }
            )
        return {
            "csrf": csrf(),
            "reviewer": session.get("reviewer", ""),
            "here": here,
            "cell": cell or "",
            "cells": out,
            "message": message,
        }

    @app.route("/pages/<int:year>/u/<name>.html")
    def unit_page(year: int, name: str):
        from ..reports.data import load_common, load_reports, load_year, reading

        uid = name
        db = Path(settings.db)
        if not db.exists():
            abort(404)
        with reading(db) as con:
            d = load_year(con, load_common(con), year)
            if (uid, year) not in d.report_by_unit_year:
                abort(404)
            rid = d.report_by_unit_year[(uid, year)]
            load_reports(con, d, [rid])
            read = {
                r[0]: (r[1], _show(r[2], r[3], r[4]))
                for r in con.execute(
                    "SELECT cell_id, value_source, semantic_read, value_read, raw FROM cells WHERE report_id = ?", [rid]
                ).fetchall()
            }
            pending = actions.unapplied(settings.inbox, con)
        # decisions made since the last run: shown at once, as decided
        for f in d.findings.get((uid, year), []):
            p = pending.get(("disposition", f.get("fingerprint")))
            if p is not None and f.get("status") in ("FAIL", "UNCERTAIN"):
                f.update(
                    review_status=p.status,
                    review_note=(p.reason or p.comment) + "（待下次运行生效）",
                    reviewed_by=p.decided_by,
                )
        inputs = unit_inputs(d, uid, year)
        ctx = page_context(inputs, unit_bulk(d, inputs))
        msgs = [request.args.get("msg", "")]
        corr = [p for k, p in pending.items() if k[0] == "correction" and p.unit_id == uid and str(p.year) == str(year)]
        for p in corr:
            c = ctx["cells"].get(p.cell_id)
            if c is not None:
                c["text"] = (p.value or p.semantic) + "*"
                c["title"] = f"已更正为 {p.value or p.semantic}（{p.decided_by}，待下次运行生效）"
                c["cls"] += " corrected"
        if corr:
            msgs.append(f"{len(corr)} 个单元格的更正待下次运行生效（标 *）。")
        ctx["review"] = review_ctx(
            "/pages/" + unit_path(uid, year),
            request.args.get("cell"),
            " ".join(m for m in msgs if m),
            ctx["cells"],
            read,
        )
        return env.get_template("unit.html").render(**ctx)

    @app.route("/pages/")
    def pages_index():
        return pages("index.html")

    @app.route("/pages/<path:rel>")
    def pages(rel: str):
        from flask import send_from_directory

        target = (pages_dir / rel).resolve()
        if not target.is_relative_to(pages_dir) or not target.is_file():
            abort(404)
        return send_from_directory(pages_dir, rel)

    @app.route("/review")
    def review_list():
        args = request.args
        try:
            year = int(args["year"]) if args.get("year") else None
        except ValueError:
            year = None
        status = args.get("status") or "open"
        status = None if status == "all" else status
        try:
            fs = actions.list_findings(
                settings.inbox,
                settings.db,
                year=year,
                status=status,
                banner=args.get("banner") or None,
                rule=args.get("rule") or None,
            )
        except Refused as e:
            return page("复核", f'<p class="flash err">{escape(str(e))}</p>'), 400
        rows_ = []
        for f in fs[:2000]:
            href = "/pages/" + unit_path(f["unit_id"], f["year"]) if f.get("verdict") else ""
            box = f'<input type="checkbox" name="finding" value="{escape(f["id"])}">' if f.get("verdict") else ""
            st = f["status"]
            who = f"{escape(f['unit_id'])} {escape(f.get('unit_name') or '')}"
            unit_td = f'<a href="{escape(href)}">{who}</a>' if href else who
            rows_.append(
                f'<tr data-finding="{escape(f["id"])}"><td>{box}</td><td>{escape(f["year"])}</td>'
                f"<td>{unit_td}</td>"
                f"<td><code>{escape(f['rule_id'])}·{escape(f['instance'])}</code></td><td>{escape(f.get('verdict') or '')}</td>"
                f'<td><span class="rv rv-{escape(st)}">{escape(REVIEW_ZH.get(st, st))}</span>'
                f"{'*' if f.get('pending') else ''}</td>"
                f"<td>{escape(f.get('review_note') or f.get('state_reason') or f.get('message_zh') or '')}</td></tr>"
            )
        opts = "".join(
            f'<option value="{v}"{" selected" if (args.get("status") or "open") == v else ""}>{z}</option>'
            for v, z in [
                ("open", "待复核"),
                ("confirmed", "已确认"),
                ("dismissed", "已排除"),
                ("explained", "已说明"),
                ("stale", "已失效"),
                ("all", "全部"),
            ]
        )
        body = (
            f"<h1>复核：检查发现</h1>"
            f'<form method="get" action="/review" class="filters">年度 <input name="year" size="5" '
            f'value="{escape(args.get("year", ""))}"> 旗（区）代码 <input name="banner" size="8" '
            f'value="{escape(args.get("banner", ""))}"> 规则 <input name="rule" size="16" '
            f'value="{escape(args.get("rule", ""))}"> 状态 <select name="status">{opts}</select> '
            f'<button type="submit">筛选</button></form>'
            f'<form method="post" action="/bulk" class="bulk"><input type="hidden" name="csrf" value="{csrf()}">'
            f'<input type="hidden" name="next" value="{escape(request.full_path)}">'
            f'<p>{len(fs)} 条。<button type="submit">确认所选（须整改）</button> 理由 <input name="reason" size="30"></p>'
            f'<table class="review"><tr><th></th><th>年度</th><th>单位</th><th>规则</th><th>结果</th><th>复核</th>'
            f"<th>说明</th></tr>{''.join(rows_)}</table></form>"
            f'<form method="post" action="/run" class="run"><input type="hidden" name="csrf" value="{csrf()}">'
            f'<button type="submit">运行 nianbao run（使复核决定生效）</button> <span>{escape(runner.status())}</span></form>'
            f'<p class="muted small">* 本次运行之后作出的决定，下次运行时生效。</p>'
        )
        return page("复核", body, args.get("msg", ""))

    def done(message: str):
        nxt = local_next()
        base, _, frag = nxt.partition("#")
        sep = "&" if "?" in base else "?"
        from urllib.parse import quote

        return redirect(f"{base}{sep}msg={quote(message)}" + (f"#{frag}" if frag else ""), code=303)

    def refused(reason: str):
        """A decision not recorded: the reason and the way back, status 400."""
        return page(
            "未记录",
            f'<p class="flash err">未记录：{escape(reason)}</p><p><a href="{escape(local_next())}">返回</a></p>',
        ), 400

    @app.route("/decide", methods=["POST"])
    def decide():
        f = request.form
        try:
            d = actions.decide(
                settings.inbox,
                settings.db,
                f.get("finding", ""),
                f.get("status", ""),
                f.get("reason", ""),
                session["reviewer"],
                f.get("comment", ""),
            )
        except Refused as e:
            return refused(str(e))
        return done(f"已记录：{REVIEW_ZH.get(d.status, d.status)}（{d.decision_id}）")

    @app.route("/bulk", methods=["POST"])
    def bulk():
        ids = request.form.getlist("finding")
        if not ids:
            return done("没有选择任何一条。")
        try:
            ds = actions.decide_many(
                settings.inbox, settings.db, ids, "confirmed", request.form.get("reason", ""), session["reviewer"]
            )
        except Refused as e:
            return refused(str(e))
        return done(f"已确认 {len(ds)} 条。")

    @app.route("/correct", methods=["POST"])
    def correct():
        f = request.form
        value = None
        try:
            if (f.get("value") or "").strip():
                value = float(f["value"])
            year = int(f.get("year", ""))
        except ValueError:
            return refused("数字或年度不对。")
        try:
            d = actions.correct(
                settings.inbox,
                settings.db,
                f.get("unit", ""),
                year,
                f.get("cell", ""),
                value,
                f.get("semantic") or None,
                f.get("reason", ""),
                session["reviewer"],
            )
        except Refused as e:
            return refused(str(e))
        return done(f"已记录更正：{d.cell_id} ＝ {d.value or d.semantic}（{d.decision_id}）")

    @app.route("/run", methods=["POST"])
    def run():
        return done(runner.start())

    app.config["runner"] = runner
    return app


def _show(sem, value, raw) -> str:
    if sem in ("NUMERIC", "ZERO") and value is not None:
        f = float(value)
        return str(int(f)) if f.is_integer() else str(f)
    return {"EMPTY": "空白", "MISSING": "缺"}.get(sem, (raw or sem or "").strip())


def serve(settings, host: str = "127.0.0.1", port: int = 8765) -> int:
    password = os.environ.get(PASSWORD_ENV) or None
    if not is_loopback(host) and not password:
        print(
            f"nianbao serve: refused to bind {host}: another address than this machine's loopback needs a "
            f"password in {PASSWORD_ENV}",
            file=sys.stderr,
        )
        return 2
    if not Path(settings.db).exists():
        print(f"nianbao serve: no warehouse at {settings.db}: run `nianbao run` first", file=sys.stderr)
        return 2
    app = create_app(settings, password=password)
    from werkzeug.serving import make_server

    try:
        srv = make_server(host, port, app, threaded=True)
    except OSError as e:
        print(f"nianbao serve: cannot listen on {host}:{port} ({e.strerror or e})", file=sys.stderr)
        return 2
    print(f"nianbao serve: open http://{host}:{port}/review (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0
