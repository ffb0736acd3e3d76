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
