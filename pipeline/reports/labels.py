"""The words and number formats of the pages and the workbook, in one place: the Chinese labels of
the codes the warehouse stores (status, level, severity, review, cause, timeliness, metric, …) and
how a number, a rate and a cell are written. `workbook.py` and the page modules import them from here.
"""

from __future__ import annotations

from .layout import T4_GROUP_LABELS, T4_LAWSUITS

HIERARCHY_ZH = {"statutory": "法定隶属", "managing": "管理关系"}
HIERARCHY_NOTE = {
    "statutory": "按法定隶属（国家统计局区划）汇总：巴彦木仁苏木计入阿拉善左旗，乌斯太镇计入高新区。",
    "managing": "按管理关系（托管、区镇合一）汇总：巴彦木仁苏木经乌兰布和示范区计入高新区，乌斯太镇计入高新区。",
}
LEVEL_ZH = {"league": "盟", "banner": "旗（区）", "township": "苏木镇街道", "zone": "园区", "department": "部门"}
LEVEL_ORDER = {"league": 0, "banner": 1, "zone": 2, "township": 3, "department": 4}
STATUS_ZH = {"FAIL": "不成立", "UNCERTAIN": "无法确定", "NOT_ASSESSABLE": "无法检查", "PASS": "成立"}
STATUS_NOTE = {
    "FAIL": "参与计算的单元格都是数字，但等式不成立",
    "UNCERTAIN": "有单元格为空白、“/”或文字，无法确定是否成立",
    "NOT_ASSESSABLE": "报告中缺少所需单元格或信息，无法检查",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_ZH = {"disposition": "复核结论", "correction": "单元格更正", "assignment": "文件归属"}
REVIEW_ZH = {"open": "待复核", "confirmed": "已确认", "dismissed": "已排除", "explained": "已说明", "stale": "已失效"}
CAUSE_ZH = {
    "reading_artefact": "可能是读取造成的（例如相邻两个数字被连在一起读），请对照原文核实",
    "publisher_error": "可能是报告本身填报有误",
}
TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "日期不明", None: "—"}
METRIC_ZH = {
    "applications_new": "本年新收申请",
    "applications_processed": "本年办理结果总计",
    "disclosed": "予以公开＋部分公开",
    "share_disclosed": "公开率",
    "reviews": T4_GROUP_LABELS["review"],
    "suits": T4_LAWSUITS,
    "review_correction_rate": "复议纠错率",
    "suit_correction_rate": "诉讼纠错率",
    "findings_fail": "检查不成立条数",
}
RATE_METRICS = {"share_disclosed", "review_correction_rate", "suit_correction_rate"}
# a cell of another report named in a finding ("prev:T3/…")
PREFIX_ZH = {"prev": "上年", "other": "对照报告"}
# a page's cell that holds no number: (text, CSS class, title)
SEM_ZH = {
    "EMPTY": ("空白", "sem-empty", "空白：报告里这一格没有填写（不是 0）"),
    "MISSING": ("缺", "sem-missing", "缺失：报告中没有这一格（表格缺失、截断或无法对齐）"),
}
OCR_DOUBT_ZH = "光学识别（OCR）读数存疑，请对照原件核实"
# the workbook's text for a cell that holds no number (followed by the raw text for NA and TEXT)
CELL_MARKERS = {"EMPTY": "〔空白〕", "NA": "〔不适用〕", "MISSING": "〔缺〕", "TEXT": "〔文字〕"}


def fmt_num(v) -> str:
    if v is None:
        return "—"
    v = float(v)
    if v.is_integer():
        return f"{int(v)}"
    return f"{v:.4f}".rstrip("0").rstrip(".")


def fmt_pct(r) -> str:
    return "—" if r is None else f"{100 * r:.1f}%"


def rate_text(rate, num, base, min_base) -> str:
    if rate is not None:
        return fmt_pct(rate)
    if base is None:
        return "—（基数不是数字）"
    if base < min_base:
        return f"—（基数 {fmt_num(base)} 小于 {min_base}）"
    if num is None:
        return "—（分项不是数字）"
    return "—"


def cell_number(t) -> float | None:
    """The number of a (semantic, value, raw) cell, None when it holds none."""
    if not t:
        return None
    sem, val, _raw = t
    return val if sem in ("NUMERIC", "ZERO") else None


def cell_show(t) -> str:
    """A (semantic, value, raw) cell in a few characters."""
    if not t:
        return "缺"
    sem, val, raw = t
    if sem in ("NUMERIC", "ZERO"):
        return fmt_num(val)
    return {"EMPTY": "空白", "MISSING": "缺", "NA": (raw or "/").strip() or "/"}.get(sem, (raw or "")[:8])


def timeliness(uy: dict) -> dict:
    t = uy.get("timeliness")
    text = TIMELINESS_ZH.get(t, t or "—")
    if t == "late" and uy.get("days_late"):
        text += f" {uy['days_late']} 天"
    return {"code": t or "none", "text": text}


def deadline_text(settings: dict) -> str:
    """截止日期：苏木镇街道 次年01-31，旗（盟）政府 03-31，部门 01-31 (from report_settings)."""
    base = settings.get("deadline", "01-31")
    gov = settings.get("deadline.government", base)
    dep = settings.get("deadline.department", base)
    town = settings.get("deadline.township", base)
    if gov == dep == town:
        return f"截止日期：次年 {town}"
    return f"截止日期：次年 {town}；旗、盟政府 {gov}；部门、园区 {dep}"
