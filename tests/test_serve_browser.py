"""`nianbao serve` in headless Chromium (Playwright driving Debian's /usr/bin/chromium), on a copy of
the bundled sample: the reviewer gives a name once, dismisses a finding with a reason, corrects a
cell and confirms another finding from the listing; the server is restarted and the pipeline re-run,
and all three are in the warehouse. A POST without the session's anti-forgery token is refused, and
`serve --host 0.0.0.0` without a password refuses to start. Screenshots go to the test's tmp dir.

Skips when Chromium or Playwright is absent, unless NIANBAO_REQUIRE_BROWSER=1 (CI), then it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from test_browser import ARGS, _need
from warehouse_query import query as _q

from pipeline.reports.inputs import unit_path
from pipeline.run import run_pipeline
from pipeline.settings import SAMPLE_INBOX, from_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(s, port: int, host: str = "127.0.0.1", env=None) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "serve",
            "--inbox",
            str(s.inbox),
            "--out",
            str(s.out),
            "--host",
            host,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env or dict(os.environ),
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("serve ended: " + proc.stderr.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("serve did not start listening")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_refuses_another_address_without_a_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_SERVE_PASSWORD"}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "serve",
            "--out",
            str(tmp_path),
            "--host",
            "0.0.0.0",
            "--port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2
    assert "NIANBAO_SERVE_PASSWORD" in r.stderr and "refused" in r.stderr


def test_review_in_the_browser_survives_restart_and_rerun(tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    _need(exe is not None, "chromium is not on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package is not installed")
    shutil.copytree(SAMPLE_INBOX, tmp_path / "inbox")
    s = from_env(inbox=tmp_path / "inbox", out=tmp_path / "run")
    ok, _ = run_pipeline(s)
    assert ok
    db = s.db
    # a row total to correct, and in another unit two failing findings: one to dismiss, one to confirm
    fix_fp, unit, year, cell, rhs = _q(
        db,
        """
        SELECT fingerprint, unit_id, year, lhs_cells[1], rhs_value FROM findings
        WHERE rule_id = 't3_row_total' AND status = 'FAIL' AND likely_cause = 'publisher_error' AND len(lhs_cells) = 1
        ORDER BY year DESC, unit_id LIMIT 1""",
    )[0]
    other = "NOT (unit_id = ? AND year = ?)"  # findings of other reports than the corrected one
    dismiss_fp, d_unit, d_year = _q(
        db,
        f"""SELECT fingerprint, unit_id, year FROM findings WHERE status = 'FAIL'
                                           AND {other} ORDER BY year DESC, unit_id LIMIT 1""",
        [unit, year],
    )[0]
    confirm_fp, c_year = _q(
        db,
        f"""SELECT fingerprint, year FROM findings WHERE status = 'FAIL' AND fingerprint <> ?
                                    AND {other} ORDER BY year DESC, unit_id DESC LIMIT 1""",
        [dismiss_fp, unit, year],
    )[0]
    count_open = f"SELECT count(*) FROM findings WHERE review_status = 'open' AND {other}"
    open_before = _q(db, count_open, [unit, year])[0][0]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(s, port)
    console: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=ARGS)
            ctx = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.goto(base + "/review")
            assert "/login" in page.url  # the reviewer's name, asked once
            page.fill("input[name=name]", "张审核")
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            assert "/review" in page.url and "张审核" in page.content()

            # dismiss a finding on its unit page, with a reason
            page.goto(base + "/pages/" + unit_path(d_unit, d_year))
            form = page.locator(f'form.decide[data-finding="{dismiss_fp}"]')
            form.locator("select[name=status]").select_option("dismissed")
            form.locator("input[name=reason]").fill("该表为可选格式，不是问题")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("load")
            assert "已记录" in page.content()
            li = page.locator(f'li.finding:has(form[data-finding="{dismiss_fp}"])')
            assert "已排除" in li.inner_text() and "该表为可选格式" in li.inner_text()
            li.screenshot(path=str(tmp_path / "1_dismissed.png"))

            # correct a cell of another report
            page.goto(base + "/pages/" + unit_path(unit, year) + f"?cell={cell}#correct")
            form = page.locator("form.correct")
            assert form.locator("select[name=cell]").input_value() == cell
            form.locator("input[name=value]").fill(str(int(rhs)))
            form.locator("select[name=reason]").select_option("reading_error")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("load")
            assert "已记录更正" in page.content()
            marked = page.locator("td.corrected")  # shown at once, as decided, until the next run applies it
            assert marked.count() == 1 and marked.inner_text().startswith(f"{int(rhs)}*")
            page.locator("table:has(td.corrected)").first.screenshot(path=str(tmp_path / "2_corrected.png"))

            # confirm a third finding from the listing (bulk confirm)
            page.goto(base + f"/review?year={c_year}&status=open")
            page.locator(f'tr[data-finding="{confirm_fp}"] input[type=checkbox]').check()
            page.locator("form.bulk button[type=submit]").click()
            page.wait_for_load_state("load")
            assert "已确认 1 条" in page.content()
            page.goto(base + f"/review?year={c_year}&status=confirmed")
            assert page.locator(f'tr[data-finding="{confirm_fp}"]').count() == 1
            page.screenshot(path=str(tmp_path / "3_confirmed.png"), full_page=False)

            # a POST without the session's anti-forgery token is refused (the session cookie is sent)
            r = ctx.request.post(base + "/decide", form={"finding": confirm_fp, "status": "dismissed", "reason": "x"})
            assert r.status == 403 and "anti-forgery" in r.text()
            r = ctx.request.post(
                base + "/decide", form={"finding": confirm_fp, "status": "dismissed", "reason": "x", "csrf": "forged"}
            )
            assert r.status == 403
            # nothing outside the run folder's pages
            for bad in (
                "/pages/../nianbao.duckdb",
                "/pages/%2e%2e/%2e%2e/inbox/_review/decisions.csv",
                "/pages/..%2fnianbao.duckdb",
            ):
                assert ctx.request.get(base + bad).status == 404

            _stop(proc)
            proc = _start(s, port)  # restarted: the decisions are in the file, not in the server
            page.goto(base + "/review?status=all")
            if "/login" in page.url:
                page.fill("input[name=name]", "张审核")
                page.click("button[type=submit]")
                page.wait_for_load_state("load")
                page.goto(base + "/review?status=all")
            for fp, word in ((dismiss_fp, "已排除"), (confirm_fp, "已确认")):
                assert word in page.locator(f'tr[data-finding="{fp}"]').inner_text()
            browser.close()
    finally:
        _stop(proc)
    assert not console, console

    ok, _ = run_pipeline(s)  # the next run applies them
    assert ok
    assert _q(
        db, "SELECT review_status, review_note, reviewed_by FROM findings WHERE fingerprint = ?", [dismiss_fp]
    ) == [("dismissed", "该表为可选格式，不是问题", "张审核")]
    assert _q(db, "SELECT review_status FROM findings WHERE fingerprint = ?", [confirm_fp]) == [("confirmed",)]
    assert _q(
        db,
        """SELECT c.value, c.value_source FROM cells c JOIN reports r USING (report_id)
                     WHERE r.active AND r.unit_id = ? AND r.year = ? AND c.cell_id = ?""",
        [unit, year, cell],
    ) == [(rhs, "review")]
    assert _q(db, "SELECT status FROM findings WHERE fingerprint = ?", [fix_fp]) == [("PASS",)]
    assert _q(db, count_open, [unit, year])[0][0] == open_before - 2  # dismissed and confirmed: no longer open
    assert _q(db, "SELECT count(*) FROM decisions WHERE state = 'applied'")[0][0] == 3

    # the pages of the new run show the states (static pages, no server)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        page.goto((s.pages / unit_path(d_unit, d_year)).as_uri())
        assert "已排除" in page.content()
        page.locator("ol.findings").first.screenshot(path=str(tmp_path / "4_static_after_run.png"))
        browser.close()
