"""The office's review loop in the job: the decisions file read before the warehouse is built, the
notices (整改通知, 通报) written after it is published. Plain functions of `pipeline.review` do the work."""

import json
from dataclasses import asdict

import dagster as dg

from .resources import NianbaoResource


def decisions_state(res: NianbaoResource):
    return res.settings.state / "decisions.json"


def load_decisions(res: NianbaoResource) -> list:
    from ..review.decisions import Decision

    p = decisions_state(res)
    if not p.exists():
        return []
    try:
        return [Decision(**row) for row in json.loads(p.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):
        return []


@dg.asset(
    group_name="ingest",
    description="The office's review decisions (<inbox>/_review/decisions.csv, append-only): finding "
    "dispositions, cell corrections, file assignments. Malformed lines are reported with their "
    "line number; the rest apply in the warehouse.",
)
def review_decisions(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    from ..review.decisions import decisions_path, read

    s = nianbao.settings
    s.state.mkdir(parents=True, exist_ok=True)
    decisions = read(s.inbox)
    p = decisions_state(nianbao)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(d) for d in decisions], ensure_ascii=False), encoding="utf-8")
    tmp.replace(p)
    bad = [d for d in decisions if d.error]
    if decisions:
        context.log.info(
            f"{len(decisions)} review decisions in {decisions_path(s.inbox)}"
            + (f", {len(bad)} malformed" if bad else "")
        )
    for d in bad:
        context.log.info(f"  {decisions_path(s.inbox)} line {d.line}: {d.error} (ignored; the rest apply)")
    kinds: dict[str, int] = {}
    for d in decisions:
        if not d.error:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "file": str(decisions_path(s.inbox)),
            "decisions": len(decisions),
            "malformed": len(bad),
            **{f"kind_{k}": v for k, v in sorted(kinds.items())},
            "malformed_lines": ", ".join(f"line {d.line}: {d.error}" for d in bad[:20]),
        }
    )


@dg.asset(
    group_name="report",
    deps=["warehouse"],
    description="Notices from the published warehouse into <out>/notices/<year>/: a Word 整改通知 for every "
    "unit with confirmed findings and a 通报 summary for the league.",
)
def review_notices(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    from ..review.notices import write_all

    s = nianbao.settings
    res = write_all(s.db, s.out / "notices")
    if res["notices"]:
        context.log.info(f"notices: {res['notices']} 整改通知 and {res['summaries']} 通报 in {s.out / 'notices'}")
    return dg.MaterializeResult(
        metadata={
            "notices": res["notices"],
            "summaries": res["summaries"],
            "folder": dg.MetadataValue.path(str(s.out / "notices")),
        }
    )
