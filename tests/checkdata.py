"""Parsed reports built directly as data, for the rule tests: a clean report where every identity
holds and every rule passes, and mutations that break exactly one thing."""

from __future__ import annotations

import copy

from pipeline.codebook import T3_OUTCOME_ROWS, cell_ids, t3_row_codes

COLS = ["natural_person", "business", "research", "nonprofit", "legal_services", "other_org"]

FILLER = [
    "坚持以公开为常态、不公开为例外，推动政务公开工作提质增效。",
    "围绕群众关切的重点领域，及时发布惠民政策和办事指南。",
    "完善信息发布审核机制，严格执行先审查后公开制度。",
    "加强政务新媒体管理，定期开展内容巡查和整改。",
    "积极做好政策解读，采用图文、问答等形式提高可读性。",
    "畅通依申请公开渠道，规范受理、办理、答复各环节。",
    "组织工作人员参加业务培训，提升政务公开能力水平。",
    "加强政府信息管理，动态更新主动公开目录。",
    "推进基层政务公开标准化规范化建设，完善公开事项清单。",
    "落实保密审查要求，防止泄露国家秘密和个人隐私。",
    "及时回应社会关切，对热点问题第一时间发布权威信息。",
    "依托便民服务中心设立政务公开专区，方便群众查阅。",
    "强化考核评估，把政务公开纳入年度工作考核内容。",
    "推动决策公开，重大事项在决策前广泛征求群众意见。",
    "做好财政预决算信息公开，细化公开到项目。",
    "公开基层村务信息，接受群众监督。",
    "梳理完善办事流程，实现一次告知、一表申请。",
    "整合政务信息资源，提升网站栏目的可用性。",
    "建立健全政务公开工作联络员制度，明确责任分工。",
    "加大政策宣传力度，深入牧区开展面对面宣讲。",
    "规范政府网站信息发布，杜绝错链断链。",
    "推进乡村振兴领域信息公开，公示项目资金使用情况。",
    "加强档案管理，规范政府信息的收集、保存和利用。",
    "开展政务公开日活动，邀请群众代表参与座谈。",
    "建立依申请公开办理台账，确保按期答复。",
    "聚焦民生保障，公开低保、救助等信息。",
    "深化公共企事业单位信息公开，督促落实公开责任。",
    "完善意见征集反馈机制，及时公开采纳情况。",
    "公开应急管理信息，提高群众防灾避险意识。",
    "推进生态环境领域信息公开，主动发布监测数据。",
    "加强对下级单位的业务指导，提升整体公开水平。",
    "编制政务公开年度工作要点并抓好落实。",
]


def _narrative(key: int, k: int = 8) -> str:
    import random

    return "".join(random.Random(key).sample(FILLER, k))


def clean_report(
    unit: str = "阿拉善右旗雅布赖镇人民政府", year: int = 2024, key: int = 1, carried_over=None, in_force: int = 10
) -> dict:
    """A parsed report (the shape of `parse_file`) where every identity of the format holds."""
    vals: dict[str, float] = {}
    new = [3 + key % 3, 1, 0, 0, 1, 0]
    co = list(carried_over) if carried_over is not None else [1, 0, 0, 0, 0, 0]
    cf = [1, 0, 0, 0, 1, 0]
    for j, c in enumerate(COLS):
        processed = new[j] + co[j] - cf[j]
        vals[f"T3/new/{c}"] = new[j]
        vals[f"T3/carried_over/{c}"] = co[j]
        vals[f"T3/carried_forward/{c}"] = cf[j]
        vals[f"T3/processed_total/{c}"] = processed
        for r in T3_OUTCOME_ROWS:
            vals[f"T3/{r}/{c}"] = 0
        vals[f"T3/granted/{c}"] = max(processed - 1, 0)
        vals[f"T3/unavailable_not_held/{c}"] = processed - max(processed - 1, 0)
    for r in t3_row_codes():
        vals[f"T3/{r}/total"] = sum(vals[f"T3/{r}/{c}"] for c in COLS)
    for g, parts in (("review", [1, 1, 0, 1]), ("suit_direct", [1, 0, 0, 0]), ("suit_after_review", [0, 0, 0, 0])):
        for c, v in zip(("upheld", "corrected", "other", "pending"), parts):
            vals[f"T4/{g}.{c}"] = v
        vals[f"T4/{g}.total"] = sum(parts)
    vals.update(
        {
            "T2/rules/issued": 0,
            "T2/rules/repealed": 0,
            "T2/rules/in_force": 0,
            "T2/normative_docs/issued": 2,
            "T2/normative_docs/repealed": 1,
            "T2/normative_docs/in_force": in_force,
            "T2/licensing/decisions": 40 + key,
            "T2/penalties/decisions": 12,
            "T2/coercion/decisions": 0,
            "T2/fees/amount": 0,
        }
    )
    cells = {}
    for cid in cell_ids():
        v = vals[cid]
        cells[cid] = {"semantic": "ZERO" if v == 0 else "NUMERIC", "value": v, "raw": str(v), "at": "test"}
    received, answered = vals["T3/new/total"], vals["T3/processed_total/total"]
    overview = (
        f"{year}年，{unit}认真贯彻《条例》。"
        + _narrative(key)
        + f"全年共受理政府信息公开申请{int(received)}件，答复{int(answered)}件（含上年度结转申请"
        f"{int(vals['T3/carried_over/total'])}件，另有{int(vals['T3/carried_forward/total'])}件结转下年度办理）。"
        f"政府信息公开行政复议{int(vals['T4/review.total'])}件，"
        f"行政诉讼{int(vals['T4/suit_direct.total'] + vals['T4/suit_after_review.total'])}件。"
    )
    return {
        "path": f"{unit}{year}.txt",
        "sha256": f"{key:064d}",
        "kind": "text",
        "format_version": "2021",
        "agency": unit,
        "year": year,
        "title": f"{unit}{year}年政府信息公开工作年度报告",
        "published_on": f"{year + 1}-01-15",
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "cells": cells,
        "extra_cells": {},
        "sections": {
            "overview": overview,
            "proactive": "",
            "requests": "",
            "appeals": "",
            "problems": "一是" + _narrative(key + 11, 3) + "下一步将" + _narrative(key + 17, 3),
            "other": "本年度未收取信息处理费。" + _narrative(key + 23, 2),
        },
        "problems": [],
    }


def set_cell(report: dict, cid: str, raw: str) -> dict:
    from pipeline.textnorm import classify_value

    sem, val = classify_value(raw)
    report["cells"][cid] = {"semantic": sem, "value": val, "raw": raw, "at": "test"}
    return report


def mutated(base: dict, **changes) -> dict:
    r = copy.deepcopy(base)
    for k, v in changes.items():
        r[k] = v
    return r


TOWNSHIP = {
    "level": "township",
    "can_make_rules": False,
    "deadline_kind": "township",
    "match_method": "exact_full_name",
}
