"""The office workbook's sheets: their columns (header, key, kind, width), the notes of 说明 and how a
value of each kind is written; used by workbook.py."""

from __future__ import annotations

import datetime as _dt

from .labels import HIERARCHY_ZH as HIER_ZH
from .labels import LEVEL_ZH, REVIEW_ZH, SEVERITY_ZH, STATUS_ZH, TIMELINESS_ZH
from .layout import T3_SHORT, T4_GROUP_LABELS, T4_LAWSUITS

LEGEND = (
    ("数字", "报告中填写的数字（含 0），按数字写入，可直接计算。"),
    ("〔空白〕", "报告中有这一格，但没有填写。不是 0。"),
    ("〔不适用〕…", "报告中填写“/”“-”“无”“不适用”等；括号后是原文。不是 0。"),
    ("〔文字〕…", "报告中填写了其他文字；括号后是原文。"),
    ("〔缺〕", "报告中没有这一格（表格缺失、截断或无法对齐）。"),
    (
        "粉底斜体",
        "扫描件、图片经光学识别（OCR）读取、读数存疑（置信度低、无法识别或与表内勾稽关系矛盾），请对照原件核实。",
    ),
    ("口径：法定隶属", "按国家统计局区划的法定上级汇总（巴彦木仁苏木计入阿拉善左旗）。"),
    ("口径：管理关系", "按托管、区镇合一的管理主体汇总（巴彦木仁苏木经乌兰布和示范区计入高新区）。"),
    ("合计", "旗（区）、盟的合计是所属单位（不含本级）报告中数字之和；“总计”列是各单位总计之和，不把总计加进分项。"),
    ("比率", "基数小于 30（或 settings 中的 min_base）时不计算，留空。"),
    ("及时性", "发布日期不晚于截止日期（默认次年 1 月 31 日）为按时；报告页面未写发布日期为日期不明。"),
    (
        "检查发现",
        "逐条列出检查结果为“不成立”和“无法确定”的各项。“无法检查”（报告中缺少所需单元格或信息，"
        "只说明无法检查）数量很多，不逐条列出，和“成立”一样按年度、规则计数，见“规则汇总”表。",
    ),
    (
        "复核",
        "“检查发现”表的“复核状态”：待复核、已确认（须整改）、已排除、已说明。填写“复核结论”（确认／排除／已说明）、"
        "“说明”（排除时必填）和“复核人”后，用 nianbao review import 导入；“复核记录”表列出全部复核决定及其状态"
        "（applied 已生效、stale 已失效、superseded 被后来的决定取代、rejected 无效）。",
    ),
)
HEADER = {"bold": True, "bg_color": "#DDE5EF", "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1}
HEADER_IDS = {"font_color": "#666666", "font_size": 9, "bg_color": "#DDE5EF", "border": 1}

# (header, key, kind, width); kind: text | int | num | pct | date | bool | list
SUMMARY_COLS = (
    ("年度", "year", "int", 7),
    ("口径", "hierarchy", "hier", 9),
    ("层级", "group_level", "level", 8),
    ("单位代码", "group_id", "text", 10),
    ("单位", "group_name", "text", 26),
    ("应报单位", "units_expected", "int", 9),
    ("已收到", "units_received", "int", 8),
    ("已读取", "reports_read", "int", 8),
    ("检查全部通过", "reports_clean", "int", 12),
    ("缺报", "units_missing", "int", 7),
    ("到报率", "pct_read", "pct100", 8),
    ("按时", "on_time", "int", 7),
    ("逾期", "late", "int", 7),
    ("日期不明", "unknown_date", "int", 9),
    ("检查不成立", "findings_fail", "int", 10),
    ("无法确定", "findings_uncertain", "int", 9),
    ("疑似抄袭", "copy_fail", "int", 9),
    ("本级有报告", "own_report_read", "bool", 10),
    ("本年新收申请", "applications_new", "num", 12),
    (T3_SHORT["processed_total"], "applications_processed", "num", 12),
    ("予以公开＋部分公开", "disclosed", "num", 16),
    ("公开率", "share_disclosed", "pct", 9),
    (T4_GROUP_LABELS["review"], "reviews", "num", 9),
    (T4_LAWSUITS, "suits", "num", 9),
    ("复议纠错率", "review_correction_rate", "pct", 10),
    ("诉讼纠错率", "suit_correction_rate", "pct", 10),
    ("缺报单位", "missing_names", "list", 60),
)
LEAGUE_COLS = (
    ("年度", "year", "int", 7),
    ("单位代码", "unit_id", "text", 12),
    ("单位", "unit_name", "text", 22),
    ("层级", "peer_level", "level", 11),
    ("所属旗（区）·法定", "statutory_banner", "text", 16),
    ("所属旗（区）·管理", "managing_banner", "text", 16),
    ("应报", "expected", "bool", 6),
    ("已收到", "received", "bool", 7),
    ("已读取", "read", "bool", 7),
    ("发布日期", "published_on", "date", 11),
    ("截止日期", "deadline", "date", 11),
    ("及时性", "timeliness", "timeliness", 8),
    ("逾期天数", "days_late", "int", 9),
    ("本年新收申请", "applications_new", "num", 12),
    (T3_SHORT["processed_total"], "applications_processed", "num", 12),
    (T3_SHORT["granted"], "granted", "num", 9),
    (T3_SHORT["partly_granted"], "partly_granted", "num", 9),
    ("公开率", "share_disclosed", "pct", 8),
    (T4_GROUP_LABELS["review"], "reviews", "num", 9),
    (T4_LAWSUITS, "suits", "num", 9),
    ("复议纠错率", "review_correction_rate", "pct", 10),
    ("诉讼纠错率", "suit_correction_rate", "pct", 10),
    ("检查不成立", "findings_fail", "int", 10),
    ("其中错误级", "findings_fail_error", "int", 10),
    ("无法确定", "findings_uncertain", "int", 9),
    ("无法检查", "findings_not_assessable", "int", 9),
    ("疑似抄袭", "copy_fail", "int", 9),
    ("全部通过", "clean", "bool", 9),
    ("报告编号", "report_id", "text", 18),
    ("来源文件", "path", "text", 40),
)
FINDING_COLS = (
    ("年度", "year", "int", 7),
    ("单位代码", "unit_id", "text", 12),
    ("单位", "unit_name", "text", 20),
    ("报告编号", "report_id", "text", 18),
    ("规则", "rule_id", "text", 22),
    ("实例", "instance", "text", 16),
    ("范围", "scope", "text", 10),
    ("结果", "status", "status", 9),
    ("级别", "severity", "severity", 7),
    ("等式左边", "lhs_cells", "list", 40),
    ("等式右边", "rhs_cells", "list", 40),
    ("左边值", "lhs_value", "num", 9),
    ("右边值", "rhs_value", "num", 9),
    ("差", "difference", "num", 8),
    ("可能原因", "likely_cause", "text", 16),
    ("问题说明", "message_zh", "text", 60),
    ("对照报告", "other_report_id", "text", 18),
    # the review (pipeline/review): 编号 is the finding's stable id; an office fills 复核结论 (确认 / 排除 /
    # 已说明), 说明 and 复核人, and `nianbao review import` appends them to the decisions file
    ("编号", "fingerprint", "text", 18),
    ("复核状态", "review_status", "review", 10),
    ("复核结论", "_verdict", "text", 10),
    ("说明", "_note", "text", 30),
    ("复核人", "_by", "text", 10),
    ("已有复核意见", "review_note", "text", 30),
    ("已复核人", "reviewed_by", "text", 10),
)
DECISION_COLS = (
    ("行号", "line", "int", 6),
    ("决定编号", "decision_id", "text", 15),
    ("时间", "decided_at", "text", 20),
    ("复核人", "decided_by", "text", 10),
    ("类别", "kind", "text", 11),
    ("单位代码", "unit_id", "text", 12),
    ("年度", "year", "int", 7),
    ("规则", "rule_id", "text", 20),
    ("实例", "instance", "text", 12),
    ("单元格", "cell_id", "text", 22),
    ("结论", "status", "review", 9),
    ("更正为", "value_text", "text", 12),
    ("理由", "reason", "text", 30),
    ("状态", "state", "text", 10),
    ("状态原因", "state_reason", "text", 50),
    ("发现编号", "finding", "text", 18),
)
RULE_COLS = (
    ("年度", "year", "int", 7),
    ("规则", "rule_id", "text", 26),
    ("级别", "severity", "severity", 7),
    ("不成立", "fail", "int", 8),
    ("涉及单位", "units_failing", "int", 9),
    ("无法确定", "uncertain", "int", 9),
    ("无法检查", "not_assessable", "int", 9),
    ("成立", "pass", "int", 8),
)
MISSING_COLS = (
    ("年度", "year", "int", 7),
    ("单位代码", "unit_id", "text", 12),
    ("单位", "unit_name", "text", 22),
    ("层级", "peer_level", "level", 11),
    ("所属旗（区）·法定", "statutory_banner", "text", 16),
    ("所属旗（区）·管理", "managing_banner", "text", 16),
    ("文件已收到", "received", "bool", 10),
    ("收到的文件数", "files_received", "int", 11),
    ("未能使用的原因", "reasons", "text", 80),
)

REMEDIATION_COLS = (
    ("年度", "year", "int", 7),
    ("单位代码", "unit_id", "text", 12),
    ("单位", "unit_name", "text", 20),
    ("规则", "rule_id", "text", 22),
    ("实例", "instance", "text", 14),
    ("发现编号", "fingerprint", "text", 18),
    ("已重新发布", "republished", "bool", 10),
    ("本年报告仍有", "fires_now", "bool", 12),
    ("次年报告仍有", "fires_next_year", "bool", 12),
    ("整改情况", "outcome_zh", "text", 50),
)


def _value(v, kind):
    if v is None:
        return None
    if kind == "hier":
        return HIER_ZH.get(v, v)
    if kind == "level":
        return LEVEL_ZH.get(v, v)
    if kind == "timeliness":
        return TIMELINESS_ZH.get(v, v)
    if kind == "status":
        return STATUS_ZH.get(v, v)
    if kind == "severity":
        return SEVERITY_ZH.get(v, v)
    if kind == "review":
        return REVIEW_ZH.get(v, v)
    if kind == "bool":
        return "是" if v else "否"
    if kind == "list":
        return "、".join(str(x) for x in v) if v else None
    if kind == "date":
        return _dt.date.fromisoformat(str(v)[:10])
    if kind == "pct100":
        return float(v) / 100.0
    if kind in ("num", "pct"):
        f = float(v)
        return int(f) if kind == "num" and f.is_integer() else f
    return v


_FORMATS = {"pct": "0.0%", "pct100": "0.0%", "date": "yyyy-mm-dd"}


def _date(v):
    return _dt.datetime.combine(_value(v, "date"), _dt.time())


# `_value(v, kind)` of a value that is not None, as a sheet writes it (a date as a datetime), per kind;
# None: the value as it is
_keep = None
_CONVERT = {
    **{
        kind: (lambda table: lambda v: table.get(v, v))(table)
        for kind, table in (
            ("hier", HIER_ZH),
            ("level", LEVEL_ZH),
            ("timeliness", TIMELINESS_ZH),
            ("status", STATUS_ZH),
            ("severity", SEVERITY_ZH),
            ("review", REVIEW_ZH),
        )
    },
    **{kind: (lambda kind: lambda v: _value(v, kind))(kind) for kind in ("bool", "list", "pct100", "num", "pct")},
    "date": _date,
    "text": _keep,
    "int": _keep,
}
