-- The league table an office reads first: one row per unit and year, reports and missing units alike.
CREATE OR REPLACE VIEW league_table AS
SELECT y.year, y.unit_id, y.unit_name, y.level, y.peer_level, y.statutory_banner_id, y.managing_banner_id,
    y.expected, y.received, y.read, y.report_id, y.path, y.published_on, y.deadline, y.timeliness, y.days_late,
    d.applications_new, d.applications_processed, d.granted, d.partly_granted, d.disclosed, d.share_disclosed,
    d.reviews, d.suits, d.review_correction_rate, d.suit_correction_rate,
    y.findings_fail, y.findings_fail_error, y.findings_uncertain, y.findings_not_assessable, y.copy_fail, y.clean
FROM unit_years y
LEFT JOIN derived_figures d ON d.scope = 'unit' AND d.entity_id = y.unit_id AND d.year = y.year;
COMMENT ON VIEW league_table IS 'One row per unit and year (expected, received or read): applications, outcomes, reviews and suits, findings, publication against the deadline, and copying. Rows with read = false are the missing reports.';
COMMENT ON COLUMN league_table.peer_level IS 'The level compared within: league | banner | township | zone | department.';
COMMENT ON COLUMN league_table.statutory_banner_id IS 'Banner-level group by statute.';
COMMENT ON COLUMN league_table.managing_banner_id IS 'Banner-level group by management.';
COMMENT ON COLUMN league_table.expected IS 'The unit was expected to publish a report for the year.';
COMMENT ON COLUMN league_table.received IS 'A file was resolved to the unit and year.';
COMMENT ON COLUMN league_table.read IS 'The unit has an active report for the year.';
COMMENT ON COLUMN league_table.deadline IS 'Publication deadline (unit_years.deadline).';
COMMENT ON COLUMN league_table.timeliness IS 'on_time | late | unknown | NULL (no report).';
COMMENT ON COLUMN league_table.days_late IS 'Days late, when late.';
COMMENT ON COLUMN league_table.disclosed IS '予以公开 + 部分公开.';
COMMENT ON COLUMN league_table.share_disclosed IS 'disclosed / processed_total where the base is at least min_base.';
COMMENT ON COLUMN league_table.review_correction_rate IS 'Review correction rate (derived_figures).';
COMMENT ON COLUMN league_table.suit_correction_rate IS 'Suit correction rate (derived_figures).';
COMMENT ON COLUMN league_table.copy_fail IS 'FAIL findings of the copy_* rules.';
COMMENT ON COLUMN league_table.clean IS 'Read and no FAIL finding.';
