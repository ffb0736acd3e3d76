-- One row per unit and year: the figures an office compares first.
CREATE OR REPLACE VIEW report_summary AS
WITH c AS (
    SELECT report_id,
        max(value) FILTER (WHERE cell_id = 'T3/new/total')              AS applications_new,
        max(value) FILTER (WHERE cell_id = 'T3/carried_over/total')     AS applications_carried_over,
        max(value) FILTER (WHERE cell_id = 'T3/processed_total/total')  AS applications_processed,
        max(value) FILTER (WHERE cell_id = 'T3/granted/total')          AS granted,
        max(value) FILTER (WHERE cell_id = 'T3/partly_granted/total')   AS partly_granted,
        max(value) FILTER (WHERE cell_id = 'T3/carried_forward/total')  AS applications_carried_forward,
        max(value) FILTER (WHERE cell_id = 'T4/review.total')           AS reviews,
        max(value) FILTER (WHERE cell_id = 'T4/suit_direct.total')      AS suits_direct,
        max(value) FILTER (WHERE cell_id = 'T4/suit_after_review.total') AS suits_after_review,
        max(value) FILTER (WHERE cell_id = 'T2/fees/amount')            AS fees_amount,
        count(*) FILTER (WHERE semantic = 'MISSING')                    AS cells_missing,
        count(*) FILTER (WHERE semantic IN ('EMPTY', 'NA', 'TEXT'))     AS cells_not_numeric,
        count(*) FILTER (WHERE read_by = 'ocr')                         AS cells_ocr
    FROM cells
    GROUP BY report_id
), o AS (
    SELECT report_id, count(DISTINCT cell) AS cells_ocr_uncertain
    FROM (SELECT report_id, unnest(cells) AS cell FROM problems WHERE code = 'ocr_uncertain')
    GROUP BY report_id
), f AS (
    SELECT report_id,
        count(*) FILTER (WHERE status = 'FAIL')                         AS findings_fail,
        count(*) FILTER (WHERE status = 'FAIL' AND severity = 'error')  AS findings_fail_error,
        count(*) FILTER (WHERE status = 'UNCERTAIN')                    AS findings_uncertain,
        count(*) FILTER (WHERE status = 'NOT_ASSESSABLE')               AS findings_not_assessable
    FROM findings
    GROUP BY report_id
)
SELECT
    a.unit_id, a.unit_name, a.unit_level, a.statutory_parent, a.managing_body, a.year,
    a.report_id, a.path, a.kind, a.format_version, a.agency, a.published_on, a.period_start, a.period_end,
    c.* EXCLUDE (report_id),
    coalesce(o.cells_ocr_uncertain, 0)     AS cells_ocr_uncertain,
    coalesce(f.findings_fail, 0)           AS findings_fail,
    coalesce(f.findings_fail_error, 0)     AS findings_fail_error,
    coalesce(f.findings_uncertain, 0)      AS findings_uncertain,
    coalesce(f.findings_not_assessable, 0) AS findings_not_assessable,
    a.n_problems, a.n_errors AS problems_error
FROM active_reports a
LEFT JOIN c USING (report_id)
LEFT JOIN o USING (report_id)
LEFT JOIN f USING (report_id);
COMMENT ON VIEW report_summary IS 'One row per unit and year with its active report: applications received and answered, reviews and suits, fees, missing cells, cells read by OCR and those flagged ocr_uncertain, and counts of findings.';
