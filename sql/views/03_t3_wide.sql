-- Table 3 as the official form: one row per report and row, seven columns.
CREATE OR REPLACE VIEW t3_wide AS
SELECT
    c.report_id, r.unit_id, r.year, c.row_code,
    max(c.value) FILTER (WHERE c.col_code = 'natural_person') AS natural_person,
    max(c.value) FILTER (WHERE c.col_code = 'business')       AS business,
    max(c.value) FILTER (WHERE c.col_code = 'research')       AS research,
    max(c.value) FILTER (WHERE c.col_code = 'nonprofit')      AS nonprofit,
    max(c.value) FILTER (WHERE c.col_code = 'legal_services') AS legal_services,
    max(c.value) FILTER (WHERE c.col_code = 'other_org')      AS other_org,
    max(c.value) FILTER (WHERE c.col_code = 'total')          AS total,
    count(*) FILTER (WHERE c.semantic IN ('NUMERIC', 'ZERO')) AS numeric_cells
FROM cells c JOIN reports r USING (report_id)
WHERE r.active AND c.table_code = 'T3'
GROUP BY ALL;
COMMENT ON VIEW t3_wide IS 'Table 3 (收到和处理政府信息公开申请情况) of every active report, one row per table row (new, carried_over, granted, …, carried_forward); NULL where not a number.';
