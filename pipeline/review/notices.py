"""Notices from the published warehouse, as Word documents (python-docx).

* 整改通知: one per unit with confirmed findings of a year, in the usual official layout — title,
  addressee, body naming the report, each confirmed problem in plain Chinese with the cells and
  values concerned, the reply deadline, the issuing office and date.
* 通报: one summary for the league (or a banner): coverage, lateness, problems by rule, units by
  number of problems, and last year's 整改情况 — every figure read from the warehouse.

"Problems" in the 通报 are the FAIL findings of the active reports that were not dismissed;
confirmed ones are counted apart.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from ..reports.data import reading, rows

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"


def _fmt(v) -> str:
    if v is None:
        return "—"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _safe(name: str) -> str:
    return re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name)


def _doc():
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for s in doc.sections:
        s.top_margin, s.bottom_margin = Cm(3.7), Cm(3.5)
        s.left_margin, s.right_margin = Cm(2.8), Cm(2.6)
    return doc


def _run(par, text: str, font: str = BODY_FONT, size: int = 16, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    r = par.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    r.font.name = font
    r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return r


def _para(
    doc, text: str = "", font: str = BODY_FONT, size: int = 16, bold: bool = False, align=None, indent: bool = True
):
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    if text:
        _run(p, text, font, size, bold)
    return p


def _title(doc, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _para(doc, text, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, indent=False)


def _signature(doc, office: str, issued: date) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _para(doc, indent=False)
    _para(doc, office, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, _cn_date(issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def default_office(con) -> str:
    r = con.execute("SELECT full_name FROM units WHERE level = 'league' ORDER BY unit_id LIMIT 1").fetchone()
    return f"{r[0]}办公室" if r else "政务公开工作主管部门"


def _cell_label(cid: str) -> str:
    from ..reports.layout import short_label

    try:
        return short_label(cid)  # 表三 不予公开·法律行政法规禁止·总计
    except Exception:  # noqa: BLE001 - an unknown id is shown as it is
        return cid


def confirmed_problems(con, year: int, unit_ids: list[str] | None = None) -> dict[str, list[dict]]:
    """unit_id -> the confirmed findings of its active report of `year`, each with its cells and values."""
    fs = rows(
        con,
        """
        SELECT f.*, r.path, r.title, r.published_on, r.sha256
        FROM findings f JOIN reports r ON r.report_id = f.report_id AND r.active
        WHERE f.year = ? AND f.review_status = 'confirmed'
        ORDER BY f.unit_id, f.severity, f.rule_id, f.instance""",
        [year],
    )
    out: dict[str, list[dict]] = {}
    for f in fs:
        if unit_ids is not None and f["unit_id"] not in unit_ids:
            continue
        refs = [c for c in (f.get("lhs_cells") or []) + (f.get("rhs_cells") or [])]
        own = [c.lstrip("-") for c in refs if ":" not in c]
        cells = []
        if own:
            cur = con.execute(
                "SELECT cell_id, semantic, value, raw, value_source FROM cells WHERE report_id = ? "
                "AND cell_id IN (SELECT unnest(?::VARCHAR[]))",
                [f["report_id"], own],
            ).fetchall()
            by = {c[0]: c for c in cur}
            for cid in dict.fromkeys(own):
                c = by.get(cid)
                if c is None:
                    continue
                _cid, sem, val, raw, src = c
                shown = (
                    _fmt(val)
                    if sem in ("NUMERIC", "ZERO")
                    else {
                        "EMPTY": "空白",
                        "NA": f"“{(raw or '/').strip()}”",
                        "TEXT": f"“{(raw or '').strip()}”",
                        "MISSING": "缺失",
                    }.get(sem, sem)
                )
                cells.append({"cell_id": cid, "label": _cell_label(cid), "value": shown, "corrected": src == "review"})
        f["cells"] = cells
        out.setdefault(f["unit_id"], []).append(f)
    return out


def problem_text(f: dict) -> str:
    """A confirmed finding in plain Chinese, with the cells and values concerned."""
    msg = (f.get("message_zh") or f.get("message_en") or f["rule_id"]).strip()
    if f["cells"]:
        msg += (
            "涉及单元格："
            + "；".join(
                f"{c['label']}＝{c['value']}" + ("（经核对更正）" if c["corrected"] else "") for c in f["cells"]
            )
            + "。"
        )
    if f.get("review_note"):
        msg += f"（复核意见：{f['review_note']}）"
    return msg


def write_notice(
    path: Path, unit: dict, year: int, problems: list[dict], office: str, issued: date, reply_days: int = 30
) -> Path:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = _doc()
    name = unit["full_name"] or unit["name"]
    _para(doc, "整改通知", HEAD_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _title(doc, f"关于{name}{year}年度政府信息公开工作年度报告问题整改的通知")
    _para(doc, f"{name}：", indent=False)
    rep = problems[0]
    published = f"于{rep['published_on']}" if rep.get("published_on") else ""
    title = rep.get("title") or f"{year}年度政府信息公开工作年度报告"
    deadline = issued + timedelta(days=reply_days)
    _para(
        doc,
        f"根据《中华人民共和国政府信息公开条例》和政府信息公开工作年度报告格式的要求，我们对你单位{published}"
        f"发布的《{title}》（来源文件：{rep['path']}）进行了检查。经复核，报告存在以下{len(problems)}个问题，"
        "需要你单位核实更正：",
    )
    for n, f in enumerate(problems, start=1):
        _para(doc, f"{n}．{problem_text(f)}")
    _para(
        doc,
        f"请你单位对照上述问题逐项核实，更正后重新发布年度报告，并于{_cn_date(deadline)}前将整改情况书面报送"
        f"{office}。如对上述问题有不同意见，请一并说明理由。",
    )
    _para(doc, "特此通知。")
    _signature(doc, office, issued)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def summary_figures(con, year: int, group_id: str, hierarchy: str = "statutory") -> dict:
    """The figures of a 通报, all from the warehouse."""
    s = rows(
        con,
        "SELECT * FROM rollup_summary WHERE hierarchy = ? AND group_id = ? AND year = ?",
        [hierarchy, group_id, year],
    )
    s = s[0] if s else {}
    members = "SELECT unit_id FROM rollup_members WHERE hierarchy = ? AND group_id = ?"
    scope = f"""findings f JOIN reports r ON r.report_id = f.report_id AND r.active
                WHERE f.year = ? AND f.status = 'FAIL' AND coalesce(f.review_status, 'open') <> 'dismissed'
                  AND (f.unit_id IN ({members}) OR f.unit_id = ?)"""
    args = [year, hierarchy, group_id, group_id]
    by_rule = rows(
        con,
        f"""SELECT f.rule_id, any_value(ru.title_zh) AS title_zh, count(*) AS problems,
                                   count(*) FILTER (WHERE f.review_status = 'confirmed') AS confirmed,
                                   count(DISTINCT f.unit_id) AS units
                            FROM {scope.replace("WHERE", "LEFT JOIN rules ru ON ru.rule_id = f.rule_id WHERE", 1)}
                            GROUP BY f.rule_id ORDER BY problems DESC, f.rule_id""",
        args,
    )
    by_unit = rows(
        con,
        f"""SELECT f.unit_id, any_value(u.name) AS name, count(*) AS problems,
                                   count(*) FILTER (WHERE f.review_status = 'confirmed') AS confirmed
                            FROM {scope.replace("WHERE", "JOIN units u ON u.unit_id = f.unit_id WHERE", 1)}
                            GROUP BY f.unit_id ORDER BY problems DESC, f.unit_id""",
        args,
    )
    open_ = con.execute(
        f"""SELECT count(*) FILTER (WHERE f.review_status = 'open'),
                                   count(*) FILTER (WHERE f.review_status IN ('confirmed', 'dismissed', 'explained'))
                            FROM findings f JOIN reports r ON r.report_id = f.report_id AND r.active
                            WHERE f.year = ? AND f.review_status IS NOT NULL
                              AND (f.unit_id IN ({members}) OR f.unit_id = ?)""",
        args,
    ).fetchone()
    remed = rows(
        con,
        f"""SELECT m.*, u.name FROM remediation m JOIN units u USING (unit_id)
                          WHERE m.year = ? AND (m.unit_id IN ({members}) OR m.unit_id = ?)
                          ORDER BY m.unit_id, m.rule_id, m.instance""",
        [year - 1, hierarchy, group_id, group_id],
    )
    return {
        "summary": s,
        "by_rule": by_rule,
        "by_unit": by_unit,
        "problems": sum(r["problems"] for r in by_rule),
        "confirmed": sum(r["confirmed"] for r in by_rule),
        "open": open_[0],
        "reviewed": open_[1],
        "remediation": remed,
    }


def _table(doc, header: list[str], body: list[list]) -> None:
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for i, h in enumerate(header):
        t.rows[0].cells[i].text = h
    for row in body:
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = _fmt(v) if isinstance(v, (int, float)) else str(v if v is not None else "—")


def write_summary(path: Path, con, year: int, group_id: str, office: str, issued: date) -> dict:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    g = con.execute("SELECT name, full_name FROM units WHERE unit_id = ?", [group_id]).fetchone()
    gname = g[0] if g else group_id
    fig = summary_figures(con, year, group_id)
    s = fig["summary"]
    doc = _doc()
    _title(doc, f"关于{gname}{year}年度政府信息公开工作年度报告检查情况的通报")
    _para(doc, f"{gname}各有关单位：", indent=False)
    _para(
        doc,
        f"根据《中华人民共和国政府信息公开条例》，{office}对{gname}各单位{year}年度政府信息公开工作年度报告的"
        "报送、发布和内容进行了检查，现将有关情况通报如下。",
    )
    _para(doc, "一、报送情况", HEAD_FONT)
    _para(
        doc,
        f"应报送单位{_fmt(s.get('units_expected', 0))}个，已收到{_fmt(s.get('units_received', 0))}个，"
        f"已读取报告{_fmt(s.get('reports_read', 0))}份，未报送{_fmt(s.get('units_missing', 0))}个"
        + (f"（{'、'.join(s.get('missing_names') or [])}）" if s.get("missing_names") else "")
        + "。",
    )
    _para(doc, "二、按时发布情况", HEAD_FONT)
    _para(
        doc,
        f"按时发布{_fmt(s.get('on_time', 0))}份，逾期发布{_fmt(s.get('late', 0))}份，"
        f"未写明发布日期{_fmt(s.get('unknown_date', 0))}份。",
    )
    _para(doc, "三、检查发现的问题", HEAD_FONT)
    _para(
        doc,
        f"检查共发现问题{fig['problems']}个（不含经复核排除的），其中经复核确认需要整改的{fig['confirmed']}个；"
        f"尚待复核{fig['open']}条，已复核{fig['reviewed']}条。按规则分列如下：",
    )
    _table(
        doc,
        ["规则", "问题数", "已确认", "涉及单位数"],
        [[r["title_zh"] or r["rule_id"], r["problems"], r["confirmed"], r["units"]] for r in fig["by_rule"]]
        + [["合计", fig["problems"], fig["confirmed"], len(fig["by_unit"])]],
    )
    _para(doc, "四、各单位问题数量", HEAD_FONT)
    _table(doc, ["单位", "问题数", "已确认"], [[r["name"], r["problems"], r["confirmed"]] for r in fig["by_unit"]])
    if fig["remediation"]:
        _para(doc, f"五、{year - 1}年度问题整改情况", HEAD_FONT)
        _table(
            doc,
            ["单位", "规则", "整改情况"],
            [[r["name"], f"{r['rule_id']}·{r['instance']}", r["outcome_zh"]] for r in fig["remediation"]],
        )
    _para(doc, "请各单位对照问题认真整改，更正后重新发布年度报告。")
    _signature(doc, office, issued)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    _ = WD_ALIGN_PARAGRAPH
    return fig


def write_notices(
    db, out_dir, year: int, banner: str | None = None, office: str | None = None, issued: date | None = None
) -> dict:
    """The 整改通知 of every unit with confirmed findings in `year` (of `banner` only, if given) and the
    通报 of the league (or the banner). Returns {"notices": [paths], "summary": path, "figures": {...}}."""
    issued = issued or date.today()
    out_dir = Path(out_dir)
    with reading(db) as con:
        office = office or default_office(con)
        league = con.execute("SELECT unit_id FROM units WHERE level = 'league' ORDER BY unit_id LIMIT 1").fetchone()
        group = banner or (league[0] if league else None)
        if (
            banner is not None
            and not con.execute("SELECT count(*) FROM units WHERE unit_id = ?", [banner]).fetchone()[0]
        ):
            raise ValueError(f"no unit with code {banner}")
        scope = None
        if banner is not None:
            scope = [
                r[0]
                for r in con.execute(
                    "SELECT unit_id FROM rollup_members WHERE hierarchy = 'statutory' AND group_id = ?", [banner]
                ).fetchall()
            ] + [banner]
        probs = confirmed_problems(con, year, scope)
        units = {r["unit_id"]: r for r in rows(con, "SELECT unit_id, name, full_name FROM units")}
        paths = []
        for uid, fs in sorted(probs.items()):
            u = units.get(uid, {"unit_id": uid, "name": uid, "full_name": uid})
            p = out_dir / str(year) / f"整改通知_{uid}_{_safe(u['name'] or uid)}.docx"
            paths.append(str(write_notice(p, u, year, fs, office, issued)))
        summary, fig = None, None
        if group:
            gname = units.get(group, {}).get("name") or group
            summary = out_dir / str(year) / f"通报_{group}_{_safe(gname)}.docx"
            fig = write_summary(summary, con, year, group, office, issued)
    return {"notices": paths, "summary": str(summary) if summary else None, "figures": fig}


def write_all(db, out_dir) -> dict:
    """The notices of every year that has confirmed findings (the asset)."""
    if not Path(db).exists():
        return {"notices": 0, "summaries": 0}
    with reading(db) as con:
        years = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT year FROM findings WHERE review_status = 'confirmed' ORDER BY year"
            ).fetchall()
        ]
    n = 0
    for y in years:
        n += len(write_notices(db, out_dir, y)["notices"])
    return {"notices": n, "summaries": len(years)}
