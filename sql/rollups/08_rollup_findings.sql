-- Finding counts by rule, per group and year.
CREATE OR REPLACE VIEW rollup_findings AS
SELECT m.hierarchy, m.group_id, m.group_name, m.group_level, r.year, f.rule_id,
    count(*) FILTER (WHERE f.status = 'FAIL')            AS fail,
    count(*) FILTER (WHERE f.status = 'UNCERTAIN')       AS uncertain,
    count(*) FILTER (WHERE f.status = 'NOT_ASSESSABLE')  AS not_assessable,
    count(*) FILTER (WHERE f.status = 'PASS')            AS pass,
    count(DISTINCT f.unit_id) FILTER (WHERE f.status = 'FAIL') AS units_failing,
    any_value(f.severity)                                AS severity
FROM rollup_members m
JOIN reports r ON r.active AND r.unit_id = m.unit_id
JOIN findings f ON f.unit_id = r.unit_id AND f.year = r.year AND (f.report_id IS NULL OR f.report_id = r.report_id)
GROUP BY ALL;
COMMENT ON VIEW rollup_findings IS 'Per hierarchy, group, year and rule: findings of the units'' active reports by status, and how many units fail the rule.';
COMMENT ON COLUMN rollup_findings.units_failing IS 'Units with at least one FAIL of the rule.';
COMMENT ON COLUMN rollup_findings.rule_id IS 'Rule of the catalogue (expectations/rules.toml).';
COMMENT ON COLUMN rollup_findings.fail IS 'FAIL findings of the rule.';
COMMENT ON COLUMN rollup_findings.uncertain IS 'UNCERTAIN findings of the rule.';
COMMENT ON COLUMN rollup_findings.not_assessable IS 'NOT_ASSESSABLE findings of the rule.';
COMMENT ON COLUMN rollup_findings.pass IS 'PASS findings of the rule.';
COMMENT ON COLUMN rollup_findings.severity IS 'Severity of the rule (error | warning | info).';
