-- Table 4 as the official form: one row per report and group.
CREATE OR REPLACE VIEW t4_wide AS
SELECT
    c.report_id, r.unit_id, r.year, c.row_code AS group_code,
    max(c.value) FILTER (WHERE c.col_code = 'upheld')    AS upheld,
    max(c.value) FILTER (WHERE c.col_code = 'corrected') AS corrected,
    max(c.value) FILTER (WHERE c.col_code = 'other')     AS other,
    max(c.value) FILTER (WHERE c.col_code = 'pending')   AS pending,
    max(c.value) FILTER (WHERE c.col_code = 'total')     AS total,
    count(*) FILTER (WHERE c.semantic IN ('NUMERIC', 'ZERO')) AS numeric_cells
FROM cells c JOIN reports r USING (report_id)
WHERE r.active AND c.table_code = 'T4'
GROUP BY ALL;
COMMENT ON VIEW t4_wide IS 'Table 4 (行政复议、行政诉讼) of every active report, one row per group (review, suit_direct, suit_after_review).';
