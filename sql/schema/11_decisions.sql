-- The office's review decisions (<inbox>/_review/decisions.csv), every line, with what became of it.
CREATE TABLE decisions (
    decision_id   VARCHAR,
    line          INTEGER NOT NULL,
    decided_at    VARCHAR,
    decided_by    VARCHAR,
    kind          VARCHAR,
    finding       VARCHAR,
    unit_id       VARCHAR,
    year          INTEGER,
    rule_id       VARCHAR,
    instance      VARCHAR,
    report_sha256 VARCHAR,
    path          VARCHAR,
    cell_id       VARCHAR,
    status        VARCHAR,
    semantic      VARCHAR,
    value         DOUBLE,
    reason        VARCHAR,
    comment       VARCHAR,
    state         VARCHAR NOT NULL,
    state_reason  VARCHAR,
    superseded_by VARCHAR,
    report_id     VARCHAR
);
COMMENT ON TABLE decisions IS 'The whole review log (<inbox>/_review/decisions.csv, append-only), one row per line, with its state in this build: applied, stale (its target no longer exists: the file was replaced, the finding no longer fires), superseded (a later decision on the same target stands) or rejected (malformed, or naming what cannot be). Nothing is dropped.';
COMMENT ON COLUMN decisions.decision_id IS 'Id of the decision (D + 12 hex digits).';
COMMENT ON COLUMN decisions.line IS 'Line number in decisions.csv (1 is the header).';
COMMENT ON COLUMN decisions.decided_at IS 'When (UTC, ISO 8601).';
COMMENT ON COLUMN decisions.decided_by IS 'Who decided (the reviewer''s name).';
COMMENT ON COLUMN decisions.kind IS 'disposition (a finding''s review status) | correction (a cell misread) | assignment (a set-aside file given to a unit).';
COMMENT ON COLUMN decisions.finding IS 'disposition: the finding''s fingerprint (findings.fingerprint).';
COMMENT ON COLUMN decisions.unit_id IS 'The unit concerned (for an assignment: the unit the file is given to).';
COMMENT ON COLUMN decisions.year IS 'The report year concerned.';
COMMENT ON COLUMN decisions.rule_id IS 'disposition: the rule of the finding.';
COMMENT ON COLUMN decisions.instance IS 'disposition: the rule instance of the finding.';
COMMENT ON COLUMN decisions.report_sha256 IS 'correction: the report version (file SHA-256) it applies to; assignment: the file; disposition: the report decided on.';
COMMENT ON COLUMN decisions.path IS 'Inbox path of the file when decided (for reading only).';
COMMENT ON COLUMN decisions.cell_id IS 'correction: the codebook cell id.';
COMMENT ON COLUMN decisions.status IS 'disposition: confirmed | dismissed | explained.';
COMMENT ON COLUMN decisions.semantic IS 'correction: the corrected semantic.';
COMMENT ON COLUMN decisions.value IS 'correction: the corrected value (NUMERIC, ZERO).';
COMMENT ON COLUMN decisions.reason IS 'Why: the dismissal''s reason, the unit''s explanation, reading_error / publisher_confirmed for a correction.';
COMMENT ON COLUMN decisions.comment IS 'Free text.';
COMMENT ON COLUMN decisions.state IS 'applied | stale | superseded | rejected (see state_reason).';
COMMENT ON COLUMN decisions.state_reason IS 'Why stale, superseded or rejected, in words a person understands (with the line number for a malformed line).';
COMMENT ON COLUMN decisions.superseded_by IS 'For superseded: the later decision on the same target that stands.';
COMMENT ON COLUMN decisions.report_id IS 'The report the decision applies to in this build (reports.report_id).';

-- 整改情况: for each confirmed finding of an earlier year, whether the unit's republished report or its next year's report still has it.
CREATE TABLE remediation (
    decision_id        VARCHAR NOT NULL,
    fingerprint        VARCHAR NOT NULL,
    unit_id            VARCHAR,
    year               INTEGER,
    rule_id            VARCHAR,
    instance           VARCHAR,
    decided_report_id  VARCHAR,
    current_report_id  VARCHAR,
    republished        BOOLEAN,
    fires_now          BOOLEAN,
    next_report_id     VARCHAR,
    fires_next_year    BOOLEAN,
    outcome            VARCHAR NOT NULL,
    outcome_zh         VARCHAR NOT NULL
);
COMMENT ON TABLE remediation IS '整改情况: every confirmed finding (decisions applied or stale), and whether the same finding (unit, rule, instance) still fails in the unit''s active report of that year (republished or not) and in its report of the next year.';
COMMENT ON COLUMN remediation.decision_id IS 'The confirming decision.';
COMMENT ON COLUMN remediation.fingerprint IS 'The finding''s fingerprint.';
COMMENT ON COLUMN remediation.decided_report_id IS 'The report version the finding was confirmed on.';
COMMENT ON COLUMN remediation.current_report_id IS 'The active report of the unit and year now.';
COMMENT ON COLUMN remediation.republished IS 'Whether the active report is another version than the one confirmed on.';
COMMENT ON COLUMN remediation.fires_now IS 'Whether the finding still fails (FAIL or UNCERTAIN) in the active report of its year.';
COMMENT ON COLUMN remediation.next_report_id IS 'The unit''s active report of the next year, if any.';
COMMENT ON COLUMN remediation.fires_next_year IS 'Whether the same rule and instance fails in the next year''s report (NULL without one).';
COMMENT ON COLUMN remediation.outcome IS 'fixed (the republished report no longer has it) | not_fixed (still there, or nothing republished) plus, next year: next_clean | next_recurs | awaiting_next.';
COMMENT ON COLUMN remediation.outcome_zh IS 'The outcome in Chinese for the pages and notices.';
COMMENT ON COLUMN remediation.unit_id IS 'The unit whose finding was confirmed.';
COMMENT ON COLUMN remediation.year IS 'The report year of the confirmed finding.';
COMMENT ON COLUMN remediation.rule_id IS 'The rule of the finding.';
COMMENT ON COLUMN remediation.instance IS 'The rule instance of the finding.';
