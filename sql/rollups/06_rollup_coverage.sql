-- Coverage of each group and year: units expected, received, read, clean, and the missing ones by name.
CREATE OR REPLACE VIEW rollup_coverage AS
WITH years AS (
    SELECT DISTINCT year FROM unit_years
), y AS (
    SELECT m.hierarchy, m.group_id, u.*
    FROM rollup_members m JOIN unit_years u ON u.unit_id = m.unit_id
)
SELECT g.hierarchy, g.group_id, g.group_name, g.group_level, yr.year,
    count(*) FILTER (WHERE y.expected)                          AS units_expected,
    count(*) FILTER (WHERE y.expected AND y.received)           AS units_received,
    coalesce(sum(y.files_received), 0)::BIGINT                  AS files_received,
    count(*) FILTER (WHERE y.read)                              AS reports_read,
    count(*) FILTER (WHERE y.expected AND y.read)               AS expected_read,
    count(*) FILTER (WHERE y.clean)                             AS reports_clean,
    count(*) FILTER (WHERE y.read AND NOT y.expected)           AS reports_unexpected,
    count(*) FILTER (WHERE y.expected AND NOT y.read)           AS units_missing,
    count(*) FILTER (WHERE y.expected AND NOT y.read AND y.received) AS units_missing_received,
    coalesce(list(y.unit_name ORDER BY y.unit_id) FILTER (WHERE y.expected AND NOT y.read), [])  AS missing_names,
    coalesce(list(y.unit_id ORDER BY y.unit_id) FILTER (WHERE y.expected AND NOT y.read), [])    AS missing_unit_ids,
    round(100.0 * count(*) FILTER (WHERE y.expected AND y.read) / nullif(count(*) FILTER (WHERE y.expected), 0), 1) AS pct_read
FROM rollup_groups g
CROSS JOIN years yr
LEFT JOIN y ON y.hierarchy = g.hierarchy AND y.group_id = g.group_id AND y.year = yr.year
GROUP BY ALL;
COMMENT ON VIEW rollup_coverage IS 'Per hierarchy, group and year (every group in every report year, even with no unit expected): units expected (existing that year and filing their own report), units of which a file was received (manifest rows resolved to the unit), reports read (active), clean (no FAIL finding), and the expected units without a report, by name.';
COMMENT ON COLUMN rollup_coverage.units_received IS 'Expected units at least one file of which was resolved to the unit for the year (read or not).';
COMMENT ON COLUMN rollup_coverage.reports_read IS 'Units of the group with an active report (expected or not).';
COMMENT ON COLUMN rollup_coverage.reports_unexpected IS 'Active reports of units not expected that year (e.g. a joint body that published one of its own).';
COMMENT ON COLUMN rollup_coverage.units_missing IS 'Expected units without an active report.';
COMMENT ON COLUMN rollup_coverage.units_missing_received IS 'Of the missing units, those whose file arrived but could not be used (set aside).';
COMMENT ON COLUMN rollup_coverage.pct_read IS 'Percentage of expected units with a report.';
COMMENT ON COLUMN rollup_coverage.units_expected IS 'Units of the group that exist in the year and file their own report.';
COMMENT ON COLUMN rollup_coverage.files_received IS 'Inbox files resolved to the group''s units for the year.';
COMMENT ON COLUMN rollup_coverage.expected_read IS 'Expected units with an active report.';
COMMENT ON COLUMN rollup_coverage.reports_clean IS 'Active reports with no FAIL finding.';
COMMENT ON COLUMN rollup_coverage.missing_names IS 'Names of the expected units without a report, by unit_id.';
COMMENT ON COLUMN rollup_coverage.missing_unit_ids IS 'unit_id of the expected units without a report.';
