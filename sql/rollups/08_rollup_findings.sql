-- Finding counts by rule, per group and year.
-- The findings are counted per unit, year, report and rule once, before they are added up per group.
CREATE OR REPLACE VIEW rollup_findings AS
WITH per_report AS (
    SELECT unit_id, year, report_id, rule_id,
        count(*) FILTER (WHERE status = 'FAIL')            AS fail,
        count(*) FILTER (WHERE status = 'UNCERTAIN')       AS uncertain,
        count(*) FILTER (WHERE status = 'NOT_ASSESSABLE')  AS not_assessable,
        count(*) FILTER (WHERE status = 'PASS')            AS pass,
        count(*) FILTER (WHERE review_status = 'open')     AS open,
        count(*) FILTER (WHERE review_status IN ('confirmed', 'dismissed', 'explained')) AS reviewed,
        count(*) FILTER (WHERE review_status = 'confirmed') AS confirmed,
        any_value(severity)                                AS severity
    FROM findings
    GROUP BY ALL
),
per_unit AS (   -- the findings of each unit's active report (and the unit's findings tied to no report)
    SELECT r.unit_id, r.year, f.rule_id,
        sum(f.fail) AS fail, sum(f.uncertain) AS uncertain, sum(f.not_assessable) AS not_assessable,
        sum(f.pass) AS pass, sum(f.open) AS open, sum(f.reviewed) AS reviewed, sum(f.confirmed) AS confirmed,
        any_value(f.severity) AS severity
    FROM reports r
    JOIN per_report f ON f.unit_id = r.unit_id AND f.year = r.year AND (f.report_id IS NULL OR f.report_id = r.report_id)
    WHERE r.active
    GROUP BY ALL
)
SELECT m.hierarchy, m.group_id, m.group_name, m.group_level, u.year, u.rule_id,
    sum(u.fail)::BIGINT                        AS fail,
    sum(u.uncertain)::BIGINT                   AS uncertain,
    sum(u.not_assessable)::BIGINT              AS not_assessable,
    sum(u.pass)::BIGINT                        AS pass,
    count(*) FILTER (WHERE u.fail > 0)         AS units_failing,
    sum(u.open)::BIGINT                        AS open,
    sum(u.reviewed)::BIGINT                    AS reviewed,
    sum(u.confirmed)::BIGINT                   AS confirmed,
    any_value(u.severity)                      AS severity
FROM rollup_members m
JOIN per_unit u ON u.unit_id = m.unit_id
GROUP BY ALL;
COMMENT ON VIEW rollup_findings IS 'Per hierarchy, group, year and rule: findings of the units'' active reports by status, and how many units fail the rule.';
COMMENT ON COLUMN rollup_findings.units_failing IS 'Units with at least one FAIL of the rule.';
COMMENT ON COLUMN rollup_findings.rule_id IS 'Rule of the catalogue (expectations/rules.toml).';
COMMENT ON COLUMN rollup_findings.fail IS 'FAIL findings of the rule.';
COMMENT ON COLUMN rollup_findings.uncertain IS 'UNCERTAIN findings of the rule.';
COMMENT ON COLUMN rollup_findings.not_assessable IS 'NOT_ASSESSABLE findings of the rule.';
COMMENT ON COLUMN rollup_findings.pass IS 'PASS findings of the rule.';
COMMENT ON COLUMN rollup_findings.severity IS 'Severity of the rule (error | warning | info).';
COMMENT ON COLUMN rollup_findings.open IS 'FAIL and UNCERTAIN findings of the rule not reviewed yet (findings.review_status = open).';
COMMENT ON COLUMN rollup_findings.reviewed IS 'FAIL and UNCERTAIN findings of the rule reviewed: confirmed, dismissed or explained.';
COMMENT ON COLUMN rollup_findings.confirmed IS 'Findings of the rule confirmed by review (the publisher must fix them).';
