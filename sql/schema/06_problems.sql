CREATE TABLE problems (
    report_id  VARCHAR NOT NULL,
    seq        INTEGER NOT NULL,
    code       VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,
    message    VARCHAR NOT NULL,
    cells      VARCHAR[]
);
COMMENT ON TABLE problems IS 'Structural problems the reader found in each report: a table absent, truncated or malformed, a section absent, the 2019 format used late, rows that could not be aligned.';
COMMENT ON COLUMN problems.code IS 'table_absent, table_truncated, table_malformed, rows_missing, row_ambiguous, row_short, section_absent, format_2019_late, format_hybrid, label_typo, row_inferred, orphan_values, stray_header, t4_spare_cells, pdf_tables_unruled, ocr_uncertain (a cell read by OCR to check against the page: low confidence, unread ink, not a number, or an identity of the format contradicted), read_from_images, spam_ignored, ...';
COMMENT ON COLUMN problems.severity IS 'error | warning | info.';
COMMENT ON COLUMN problems.cells IS 'Cell ids concerned.';
