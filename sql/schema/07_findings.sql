CREATE TABLE findings (
    finding_id   VARCHAR NOT NULL,
    report_id    VARCHAR,
    unit_id      VARCHAR,
    year         INTEGER,
    rule_id      VARCHAR NOT NULL,
    instance     VARCHAR NOT NULL,
    scope        VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,
    lhs_cells    VARCHAR[],
    rhs_cells    VARCHAR[],
    lhs_value    DOUBLE,
    rhs_value    DOUBLE,
    difference   DOUBLE,
    likely_cause VARCHAR,
    message_zh   VARCHAR,
    message_en   VARCHAR,
    other_report_id VARCHAR,
    fingerprint  VARCHAR,
    review_status VARCHAR,
    decision_id  VARCHAR,
    review_note  VARCHAR,
    reviewed_by  VARCHAR,
    reviewed_at  VARCHAR
);
COMMENT ON TABLE findings IS 'Results of the rule catalogue (expectations/rules.toml) for every active report: one row per report, rule and instance (e.g. per column).';
COMMENT ON COLUMN findings.rule_id IS 'Rule id in the catalogue (e.g. t3_balance).';
COMMENT ON COLUMN findings.instance IS 'Which instance of the rule (a column, a row, a group), or "-".';
COMMENT ON COLUMN findings.scope IS 'report | unit_years | units: what the rule covers.';
COMMENT ON COLUMN findings.status IS 'PASS; FAIL (every operand a number and the identity breaks); UNCERTAIN (an operand EMPTY, NA or TEXT); NOT_ASSESSABLE (an operand MISSING, or a fact not stated).';
COMMENT ON COLUMN findings.severity IS 'error | warning | info (from the catalogue).';
COMMENT ON COLUMN findings.lhs_cells IS 'Cells on the left-hand side of the formula (for PASS: NULL, see rule_instances).';
COMMENT ON COLUMN findings.rhs_cells IS 'Cells on the right-hand side.';
COMMENT ON COLUMN findings.difference IS 'lhs - rhs where both are numbers.';
COMMENT ON COLUMN findings.likely_cause IS 'For FAIL: reading_artefact (e.g. two adjacent digits that balance the row when joined) or publisher_error; for an identity that would fail on a cell OCR read doubtfully (problem ocr_uncertain), UNCERTAIN with reading_doubtful.';
COMMENT ON COLUMN findings.message_zh IS 'The finding explained in Chinese (NULL for PASS).';
COMMENT ON COLUMN findings.other_report_id IS 'For rules across years or units: the other report compared.';
COMMENT ON COLUMN findings.fingerprint IS 'Stable id of the finding: first 16 hex digits of MD5 of "unit_id|year|rule_id|instance". The same in every rebuild and for a republished report; decisions name findings by it.';
COMMENT ON COLUMN findings.review_status IS 'For FAIL and UNCERTAIN: open (no decision), confirmed (the publisher must fix it), dismissed (not a problem), explained (the unit explained it). NULL for PASS and NOT_ASSESSABLE.';
COMMENT ON COLUMN findings.decision_id IS 'The disposition that set review_status (decisions.decision_id), NULL while open.';
COMMENT ON COLUMN findings.review_note IS 'The reason or explanation given with the decision.';
COMMENT ON COLUMN findings.reviewed_by IS 'Who decided.';
COMMENT ON COLUMN findings.reviewed_at IS 'When (UTC, ISO 8601).';
