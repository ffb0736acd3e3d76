-- Every cell of T2, T3 and T4 summed over the units of each group, never adding a 总计 into a sum of parts.
-- Units that belong to the same groups (in both hierarchies) are added up together first, so each cell
-- of each report is read once, not once per group it belongs to; the parts of a total are then added
-- from those sums (a sum of sums), not from the cells again.
CREATE OR REPLACE VIEW rollup_cells AS
WITH unit_sig AS (   -- each unit's groups, as one key
    SELECT unit_id, string_agg(hierarchy || chr(31) || group_id, chr(30) ORDER BY hierarchy, group_id) AS sig
    FROM rollup_members GROUP BY unit_id
),
sig_ids AS (         -- a number for each key
    SELECT sig, row_number() OVER (ORDER BY sig) AS sig_id FROM (SELECT DISTINCT sig FROM unit_sig)
),
unit_sig_id AS (
    SELECT s.unit_id, i.sig_id FROM unit_sig s JOIN sig_ids i USING (sig)
),
sig_groups AS (      -- the groups of each key
    SELECT DISTINCT u.sig_id, m.hierarchy, m.group_id
    FROM unit_sig_id u JOIN rollup_members m USING (unit_id)
),
by_sig AS (          -- each cell counted and added up over the active reports of the units sharing a key
    SELECT u.sig_id, r.year, c.cell_id,
        count(*)                                                            AS n,
        count(CASE WHEN c.semantic IN ('NUMERIC', 'ZERO') THEN c.value END) AS n_num,
        count(*) FILTER (WHERE c.semantic = 'EMPTY')                        AS n_empty,
        count(*) FILTER (WHERE c.semantic = 'NA')                           AS n_na,
        count(*) FILTER (WHERE c.semantic = 'TEXT')                         AS n_text,
        count(*) FILTER (WHERE c.semantic = 'MISSING')                      AS n_missing,
        -- added as DECIMAL: exact, so the sum does not depend on the order threads add in (a DOUBLE sum's
        -- last bits do), and two builds of the same inbox are identical
        sum(CASE WHEN c.semantic IN ('NUMERIC', 'ZERO') THEN c.value::DECIMAL(38, 6) END) AS s
    FROM reports r
    JOIN unit_sig_id u ON u.unit_id = r.unit_id
    JOIN cells c ON c.report_id = r.report_id
    WHERE r.active
    GROUP BY ALL
),
by_group AS (
    SELECT g.hierarchy, g.group_id, b.year, b.cell_id,
        sum(b.n)::BIGINT                  AS units_reporting,
        sum(b.n_num)::BIGINT              AS units_numeric,
        (sum(b.n) - sum(b.n_num))::BIGINT AS units_not_number,
        sum(b.n_empty)::BIGINT            AS units_empty,
        sum(b.n_na)::BIGINT               AS units_na,
        sum(b.n_text)::BIGINT             AS units_text,
        sum(b.n_missing)::BIGINT          AS units_missing,
        fsum(b.s)                         AS value_sum
    FROM by_sig b JOIN sig_groups g ON g.sig_id = b.sig_id
    GROUP BY ALL
),
cell_codes AS (      -- the table, row and column of each cell id
    SELECT DISTINCT cell_id, table_code, row_code, col_code FROM cells
),
own AS (
    SELECT b.hierarchy, b.group_id, g.group_name, g.group_level, b.year, b.cell_id, k.table_code, k.row_code,
        k.col_code, b.units_reporting, b.units_numeric, b.units_not_number, b.units_empty, b.units_na,
        b.units_text, b.units_missing, b.value_sum
    FROM by_group b
    JOIN rollup_groups g ON g.hierarchy = b.hierarchy AND g.group_id = b.group_id
    JOIN cell_codes k ON k.cell_id = b.cell_id
),
col_parts AS (   -- the parts of a column total: the six applicant columns (T3) or the four results (T4) of the row
    SELECT hierarchy, group_id, year, table_code, row_code,
        sum(value_sum) AS parts_sum, sum(units_numeric)::BIGINT AS parts_numeric,
        sum(units_not_number)::BIGINT AS parts_not_number
    FROM own WHERE table_code IN ('T3', 'T4') AND col_code <> 'total'
    GROUP BY ALL
),
row_parts AS (   -- the parts of （七）总计 in each column: the 21 outcome rows
    SELECT hierarchy, group_id, year, col_code,
        sum(value_sum) AS parts_sum, sum(units_numeric)::BIGINT AS parts_numeric,
        sum(units_not_number)::BIGINT AS parts_not_number
    FROM own
    WHERE table_code = 'T3' AND row_code IN (
        'granted', 'partly_granted', 'withheld_state_secret', 'withheld_prohibited', 'withheld_three_safety',
        'withheld_third_party', 'withheld_internal', 'withheld_process', 'withheld_enforcement_file',
        'withheld_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear',
        'declined_petition', 'declined_duplicate', 'declined_publication', 'declined_excessive',
        'declined_confirmation', 'other_no_correction', 'other_no_fee', 'other_other')
    GROUP BY ALL
)
SELECT o.* REPLACE (o.value_sum::DOUBLE AS value_sum),
    (o.table_code IN ('T3', 'T4') AND o.col_code = 'total') OR (o.table_code = 'T3' AND o.row_code = 'processed_total') AS is_total,
    CASE WHEN o.table_code IN ('T3', 'T4') AND o.col_code = 'total' THEN 'columns'
         WHEN o.table_code = 'T3' AND o.row_code = 'processed_total' THEN 'outcome_rows' END AS parts_kind,
    coalesce(cp.parts_sum, rp.parts_sum)::DOUBLE       AS parts_sum,
    coalesce(cp.parts_numeric, rp.parts_numeric)       AS parts_numeric,
    coalesce(cp.parts_not_number, rp.parts_not_number) AS parts_not_number,
    (o.value_sum - coalesce(cp.parts_sum, rp.parts_sum))::DOUBLE AS total_minus_parts
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
