-- One row per hierarchy, group and year: coverage, timeliness, findings, copying and the main totals.
CREATE OR REPLACE VIEW rollup_summary AS
SELECT g.hierarchy, g.group_id, g.group_name, g.group_level, c.year,
    c.units_expected, c.units_received, c.files_received, c.reports_read, c.expected_read, c.reports_clean,
    c.reports_unexpected, c.units_missing, c.missing_names, c.pct_read,
    coalesce(t.on_time, 0) AS on_time, coalesce(t.late, 0) AS late, coalesce(t.unknown, 0) AS unknown_date,
    coalesce(fs.findings_fail, 0) AS findings_fail, coalesce(fs.findings_uncertain, 0) AS findings_uncertain,
    coalesce(fs.findings_open, 0) AS findings_open, coalesce(fs.findings_reviewed, 0) AS findings_reviewed,
    coalesce(fs.findings_confirmed, 0) AS findings_confirmed,
    coalesce(cp.copy_fail, 0) AS copy_fail, coalesce(cp.units_copying, 0) AS units_copying,
    own.read AS own_report_read, own.report_id AS own_report_id,
    d.applications_new, d.applications_processed, d.disclosed, d.share_disclosed,
    d.reviews, d.suits, d.review_correction_rate, d.suit_correction_rate
FROM rollup_groups g
JOIN rollup_coverage c ON c.hierarchy = g.hierarchy AND c.group_id = g.group_id
LEFT JOIN rollup_timeliness t ON t.hierarchy = c.hierarchy AND t.group_id = c.group_id AND t.year = c.year
LEFT JOIN (SELECT hierarchy, group_id, year, sum(fail) AS findings_fail, sum(uncertain) AS findings_uncertain,
                  sum(open) AS findings_open, sum(reviewed) AS findings_reviewed, sum(confirmed) AS findings_confirmed
           FROM rollup_findings GROUP BY ALL) fs
       ON fs.hierarchy = c.hierarchy AND fs.group_id = c.group_id AND fs.year = c.year
LEFT JOIN rollup_copying cp ON cp.hierarchy = c.hierarchy AND cp.group_id = c.group_id AND cp.year = c.year
LEFT JOIN unit_years own ON own.unit_id = g.group_id AND own.year = c.year
LEFT JOIN derived_figures d ON d.scope = 'group' AND d.hierarchy = c.hierarchy AND d.entity_id = c.group_id AND d.year = c.year;
COMMENT ON VIEW rollup_summary IS 'Per hierarchy, group and year: coverage (rollup_coverage), timeliness, FAIL and UNCERTAIN findings, copying, whether the group''s own body published a report, and the main totals and rates of its units (derived_figures).';
COMMENT ON COLUMN rollup_summary.own_report_read IS 'Whether the banner government (or league) itself has an active report: it is not part of the sums.';
COMMENT ON COLUMN rollup_summary.units_expected IS 'Units expected (rollup_coverage).';
COMMENT ON COLUMN rollup_summary.units_received IS 'Expected units with a file received.';
COMMENT ON COLUMN rollup_summary.files_received IS 'Files resolved to the group''s units.';
COMMENT ON COLUMN rollup_summary.reports_read IS 'Active reports of the group''s units.';
COMMENT ON COLUMN rollup_summary.expected_read IS 'Expected units with an active report.';
COMMENT ON COLUMN rollup_summary.reports_clean IS 'Active reports with no FAIL finding.';
COMMENT ON COLUMN rollup_summary.reports_unexpected IS 'Active reports of units not expected.';
COMMENT ON COLUMN rollup_summary.units_missing IS 'Expected units without a report.';
COMMENT ON COLUMN rollup_summary.missing_names IS 'Their names.';
COMMENT ON COLUMN rollup_summary.pct_read IS 'Percentage of expected units with a report.';
COMMENT ON COLUMN rollup_summary.on_time IS 'Reports published on time.';
COMMENT ON COLUMN rollup_summary.late IS 'Reports published late.';
COMMENT ON COLUMN rollup_summary.unknown_date IS 'Reports without a publication date.';
COMMENT ON COLUMN rollup_summary.copy_fail IS 'FAIL findings of the copy_* rules.';
COMMENT ON COLUMN rollup_summary.units_copying IS 'Units with a copy_* FAIL.';
COMMENT ON COLUMN rollup_summary.own_report_id IS 'The group''s own active report, if any.';
COMMENT ON COLUMN rollup_summary.disclosed IS '予以公开 + 部分公开 summed over the units.';
COMMENT ON COLUMN rollup_summary.share_disclosed IS 'disclosed / processed_total of the sums, where the base is at least min_base.';
COMMENT ON COLUMN rollup_summary.review_correction_rate IS 'Review correction rate of the sums.';
COMMENT ON COLUMN rollup_summary.suit_correction_rate IS 'Suit correction rate of the sums.';
COMMENT ON COLUMN rollup_summary.findings_open IS 'FAIL and UNCERTAIN findings not reviewed yet (review_status open).';
COMMENT ON COLUMN rollup_summary.findings_reviewed IS 'FAIL and UNCERTAIN findings reviewed (confirmed, dismissed or explained).';
COMMENT ON COLUMN rollup_summary.findings_confirmed IS 'Findings confirmed by review.';
