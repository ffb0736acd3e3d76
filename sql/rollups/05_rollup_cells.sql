-- Every cell of T2, T3 and T4 summed over the units of each group, never adding a 总计 into a sum of parts.
CREATE OR REPLACE VIEW rollup_cells AS
WITH c AS (
    SELECT m.hierarchy, m.group_id, m.group_name, m.group_level, r.year, r.unit_id,
           c.cell_id, c.table_code, c.row_code, c.col_code, c.semantic,
           CASE WHEN c.semantic IN ('NUMERIC', 'ZERO') THEN c.value END AS num
    FROM rollup_members m
    JOIN reports r ON r.active AND r.unit_id = m.unit_id
    JOIN cells c ON c.report_id = r.report_id
),
own AS (
    SELECT hierarchy, group_id, group_name, group_level, year, cell_id, table_code, row_code, col_code,
        count(*)                                   AS units_reporting,
        count(num)                                 AS units_numeric,
        count(*) - count(num)                      AS units_not_number,
        count(*) FILTER (WHERE semantic = 'EMPTY')   AS units_empty,
        count(*) FILTER (WHERE semantic = 'NA')      AS units_na,
        count(*) FILTER (WHERE semantic = 'TEXT')    AS units_text,
        count(*) FILTER (WHERE semantic = 'MISSING') AS units_missing,
        sum(num)                                   AS value_sum
    FROM c GROUP BY ALL
),
col_parts AS (   -- the parts of a column total: the six applicant columns (T3) or the four results (T4) of the row
    SELECT hierarchy, group_id, year, table_code, row_code,
        sum(num) AS parts_sum, count(num) AS parts_numeric, count(*) - count(num) AS parts_not_number
    FROM c WHERE table_code IN ('T3', 'T4') AND col_code <> 'total'
    GROUP BY ALL
),
row_parts AS (   -- the parts of （七）总计 in each column: the 21 outcome rows
    SELECT hierarchy, group_id, year, col_code,
        sum(num) AS parts_sum, count(num) AS parts_numeric, count(*) - count(num) AS parts_not_number
    FROM c
    WHERE table_code = 'T3' AND row_code IN (
        'granted', 'partly_granted', 'withheld_state_secret', 'withheld_prohibited', 'withheld_three_safety',
        'withheld_third_party', 'withheld_internal', 'withheld_process', 'withheld_enforcement_file',
        'withheld_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear',
        'declined_petition', 'declined_duplicate', 'declined_publication', 'declined_excessive',
        'declined_confirmation', 'other_no_correction', 'other_no_fee', 'other_other')
    GROUP BY ALL
)
SELECT o.*,
    (o.table_code IN ('T3', 'T4') AND o.col_code = 'total') OR (o.table_code = 'T3' AND o.row_code = 'processed_total') AS is_total,
    CASE WHEN o.table_code IN ('T3', 'T4') AND o.col_code = 'total' THEN 'columns'
         WHEN o.table_code = 'T3' AND o.row_code = 'processed_total' THEN 'outcome_rows' END AS parts_kind,
    coalesce(cp.parts_sum, rp.parts_sum)               AS parts_sum,
    coalesce(cp.parts_numeric, rp.parts_numeric)       AS parts_numeric,
    coalesce(cp.parts_not_number, rp.parts_not_number) AS parts_not_number,
    o.value_sum - coalesce(cp.parts_sum, rp.parts_sum) AS total_minus_parts
FROM own o
LEFT JOIN col_parts cp ON o.col_code = 'total' AND cp.hierarchy = o.hierarchy AND cp.group_id = o.group_id
     AND cp.year = o.year AND cp.table_code = o.table_code AND cp.row_code = o.row_code
LEFT JOIN row_parts rp ON o.col_code <> 'total' AND o.table_code = 'T3' AND o.row_code = 'processed_total'
     AND rp.hierarchy = o.hierarchy AND rp.group_id = o.group_id AND rp.year = o.year AND rp.col_code = o.col_code;
COMMENT ON VIEW rollup_cells IS 'Each of the 200 cells summed over the active reports of a group''s units, per hierarchy and year. value_sum adds the cell itself (a total adds the units'' total cells, never their parts); parts_sum, for a total, adds the parts separately, so a 总计 is never counted twice. Only NUMERIC and ZERO cells are added: units_not_number says how many units'' cells were blank, "/", text or missing.';
COMMENT ON COLUMN rollup_cells.units_reporting IS 'Units of the group with an active report for the year.';
COMMENT ON COLUMN rollup_cells.units_numeric IS 'Of which the cell is a number (NUMERIC or ZERO): what value_sum covers.';
COMMENT ON COLUMN rollup_cells.units_not_number IS 'Of which the cell is EMPTY, NA, TEXT or MISSING (not in value_sum).';
COMMENT ON COLUMN rollup_cells.value_sum IS 'Sum of the units'' numbers in this cell; NULL when no unit wrote a number.';
COMMENT ON COLUMN rollup_cells.is_total IS 'The cell is a 总计: a T3 or T4 column total, or the T3 row （七）总计.';
COMMENT ON COLUMN rollup_cells.parts_kind IS 'columns (the row''s applicant columns or T4 results) | outcome_rows (the 21 outcome rows of T3) | NULL for a cell that is not a total.';
COMMENT ON COLUMN rollup_cells.parts_sum IS 'For a total: the sum of the units'' part cells (never including any total column).';
COMMENT ON COLUMN rollup_cells.parts_not_number IS 'For a total: part cells (unit × part) that were not numbers.';
COMMENT ON COLUMN rollup_cells.total_minus_parts IS 'value_sum - parts_sum: what the units'' totals say beyond their parts (information).';
COMMENT ON COLUMN rollup_cells.units_empty IS 'Units whose cell is EMPTY (blank).';
COMMENT ON COLUMN rollup_cells.units_na IS 'Units whose cell is NA ("/", "无", 不适用 ...).';
COMMENT ON COLUMN rollup_cells.units_text IS 'Units whose cell is TEXT.';
COMMENT ON COLUMN rollup_cells.units_missing IS 'Units whose cell is MISSING (not in the report).';
COMMENT ON COLUMN rollup_cells.parts_numeric IS 'For a total: part cells (unit × part) that are numbers.';
