-- Every cell of the three national tables, in long form: exactly 200 rows per report.
CREATE TABLE cells (
    report_id   VARCHAR NOT NULL,
    cell_id     VARCHAR NOT NULL,
    table_code  VARCHAR NOT NULL,
    row_code    VARCHAR NOT NULL,
    col_code    VARCHAR NOT NULL,
    semantic    VARCHAR NOT NULL,
    value       DOUBLE,
    raw         VARCHAR,
    location    VARCHAR,
    read_by     VARCHAR,
    confidence  DOUBLE,
    inferred    BOOLEAN NOT NULL DEFAULT false,
    semantic_read VARCHAR,
    value_read  DOUBLE,
    value_source VARCHAR,
    decision_id VARCHAR
);
COMMENT ON TABLE cells IS 'The 200 cells of the 2021 format for every report (FORMAT.md codebook), one row per report and cell id (the pipeline''s invariants check there are exactly 200). Blank, "/" and 0 are different things: see semantic.';
COMMENT ON COLUMN cells.cell_id IS 'Codebook id: T2/<row>/<column>, T3/<row>/<column>, T4/<group>.<column>.';
COMMENT ON COLUMN cells.table_code IS 'T2, T3 or T4.';
COMMENT ON COLUMN cells.row_code IS 'Row code (T3: new, carried_over, granted, …; T4: review, suit_direct, suit_after_review).';
COMMENT ON COLUMN cells.col_code IS 'Column code (T3: natural_person … other_org, total; T4: upheld, corrected, other, pending, total).';
COMMENT ON COLUMN cells.semantic IS 'The effective semantic (as read, or as corrected by review: see value_source; every view, check and rollup uses it): NUMERIC (a number other than 0), ZERO, EMPTY (blank cell), NA ("/", "-", "无", 不适用), TEXT (other text), MISSING (not in the report at all). Never converted into one another.';
COMMENT ON COLUMN cells.value IS 'The effective number (as read or as corrected by review): the number for NUMERIC and ZERO; NULL otherwise (a blank is not 0).';
COMMENT ON COLUMN cells.raw IS 'The cell text as written; NULL when MISSING. Never changed by a correction.';
COMMENT ON COLUMN cells.location IS 'Where it was read: line number, table row/column, PDF page.';
COMMENT ON COLUMN cells.read_by IS 'Which reader read the cell: text, html, docx, pdf (a text layer) or ocr (recognised from an image); NULL when MISSING.';
COMMENT ON COLUMN cells.confidence IS 'How sure the reading is, 0–1: 1 for text layers, the recognition confidence for OCR; NULL when MISSING.';
COMMENT ON COLUMN cells.inferred IS 'True when the row label was lost and the values were placed by position between labelled rows, confirmed by the format''s identities.';
COMMENT ON COLUMN cells.semantic_read IS 'The semantic as read from the file, before any review correction (semantic is the effective one).';
COMMENT ON COLUMN cells.value_read IS 'The value as read from the file, before any review correction (value is the effective one).';
COMMENT ON COLUMN cells.value_source IS 'read (semantic and value are as read) or review (a correction of the decisions file set them; raw stays the text as read).';
COMMENT ON COLUMN cells.decision_id IS 'For value_source = review: the correction that set the value (decisions.decision_id).';

CREATE TABLE cells_extra (
    report_id   VARCHAR NOT NULL,
    cell_id     VARCHAR NOT NULL,
    table_code  VARCHAR NOT NULL,
    row_code    VARCHAR NOT NULL,
    col_code    VARCHAR NOT NULL,
    semantic    VARCHAR NOT NULL,
    value       DOUBLE,
    raw         VARCHAR,
    location    VARCHAR,
    read_by     VARCHAR,
    confidence  DOUBLE,
    inferred    BOOLEAN NOT NULL DEFAULT false
);
COMMENT ON TABLE cells_extra IS 'Cells outside the 200 of the 2021 format: the optional 法人或其他组织小计 column of Table 3 (col_code org_subtotal) and the 2019 trial format''s Table 2 (table_code T2v2019).';
