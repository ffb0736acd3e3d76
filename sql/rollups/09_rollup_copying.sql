-- Copying: FAIL findings of the copy_* rules, per group and year.
CREATE OR REPLACE VIEW rollup_copying AS
SELECT m.hierarchy, m.group_id, m.group_name, m.group_level, y.year,
    coalesce(sum(y.copy_fail), 0)::BIGINT              AS copy_fail,
    count(*) FILTER (WHERE y.copy_fail > 0)            AS units_copying,
    coalesce(list(y.unit_name ORDER BY y.unit_id) FILTER (WHERE y.copy_fail > 0), []) AS copying_names
FROM rollup_members m
JOIN unit_years y ON y.unit_id = m.unit_id
WHERE y.read
GROUP BY ALL;
COMMENT ON VIEW rollup_copying IS 'Per hierarchy, group and year: FAIL findings of the copy_* rules (narrative or tables copied from another report) and the units concerned.';
COMMENT ON COLUMN rollup_copying.copy_fail IS 'FAIL findings of the copy_* rules.';
COMMENT ON COLUMN rollup_copying.units_copying IS 'Units with at least one copy_* FAIL.';
COMMENT ON COLUMN rollup_copying.copying_names IS 'Names of those units.';
