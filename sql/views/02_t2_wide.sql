-- Table 2 as the official form: one row per report and row of the table.
CREATE OR REPLACE VIEW t2_wide AS
SELECT
    c.report_id, r.unit_id, r.year, c.row_code,
    max(c.value) FILTER (WHERE c.col_code = 'issued')     AS issued,
    max(c.value) FILTER (WHERE c.col_code = 'repealed')   AS repealed,
    max(c.value) FILTER (WHERE c.col_code = 'in_force')   AS in_force,
    max(c.value) FILTER (WHERE c.col_code = 'decisions')  AS decisions,
    max(c.value) FILTER (WHERE c.col_code = 'amount')     AS amount,
    count(*) FILTER (WHERE c.semantic IN ('NUMERIC', 'ZERO')) AS numeric_cells,
    count(*) AS cells
FROM cells c JOIN reports r USING (report_id)
WHERE r.active AND c.table_code = 'T2'
GROUP BY ALL;
COMMENT ON VIEW t2_wide IS 'Table 2 (主动公开) of every active report, one row per table row; NULL where the cell is blank, "/", text or missing (see cells.semantic).';
