-- A banner's (or the league's) own report next to the sum of its units: information only.
CREATE OR REPLACE VIEW rollup_own_vs_units AS
SELECT rc.hierarchy, rc.group_id, rc.group_name, rc.group_level, rc.year,
    rc.cell_id, rc.table_code, rc.row_code, rc.col_code,
    r.report_id AS own_report_id, oc.semantic AS own_semantic,
    CASE WHEN oc.semantic IN ('NUMERIC', 'ZERO') THEN oc.value END AS own_value,
    rc.value_sum AS units_sum, rc.units_reporting, rc.units_numeric, rc.units_not_number,
    CASE WHEN oc.semantic IN ('NUMERIC', 'ZERO') THEN oc.value END - rc.value_sum AS difference
FROM rollup_cells rc
JOIN reports r ON r.active AND r.unit_id = rc.group_id AND r.year = rc.year
JOIN cells oc ON oc.report_id = r.report_id AND oc.cell_id = rc.cell_id;
COMMENT ON VIEW rollup_own_vs_units IS 'Where a banner (or the league) has its own report and some of its units have theirs: per cell, the banner government''s own figure, the sum of its units'' figures, and own - sum. A banner government''s report covers the government itself, not its townships, so a difference is information, not an error.';
COMMENT ON COLUMN rollup_own_vs_units.difference IS 'own_value - units_sum; NULL unless both are numbers.';
COMMENT ON COLUMN rollup_own_vs_units.own_report_id IS 'The group''s own active report (the banner government''s or the league''s).';
COMMENT ON COLUMN rollup_own_vs_units.own_semantic IS 'Semantic of the cell in the own report.';
COMMENT ON COLUMN rollup_own_vs_units.own_value IS 'The own report''s number (NULL unless NUMERIC or ZERO).';
COMMENT ON COLUMN rollup_own_vs_units.units_sum IS 'Sum of the units'' numbers (rollup_cells.value_sum).';
COMMENT ON COLUMN rollup_own_vs_units.units_reporting IS 'Units of the group with an active report.';
COMMENT ON COLUMN rollup_own_vs_units.units_numeric IS 'Of which the cell is a number.';
COMMENT ON COLUMN rollup_own_vs_units.units_not_number IS 'Of which the cell is blank, "/", text or missing.';
