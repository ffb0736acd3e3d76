-- The rule catalogue (expectations/rules.toml) as tables, so findings can be read with their rules.
CREATE TABLE rules (
    rule_id     VARCHAR PRIMARY KEY,
    family      VARCHAR NOT NULL,
    scope       VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL,
    title_zh    VARCHAR,
    explain_zh  VARCHAR,
    explain_en  VARCHAR,
    basis       VARCHAR,
    min_value   DOUBLE,
    max_value   DOUBLE
);
COMMENT ON TABLE rules IS 'Every rule of the catalogue expectations/rules.toml; the Great Expectations suite is generated from it (metric between min_value and max_value).';
COMMENT ON COLUMN rules.rule_id IS 'Rule id, as in findings.rule_id.';
COMMENT ON COLUMN rules.family IS 'How the rule''s metric is computed (identity, bounds, structure, timeliness, copy, ...).';
COMMENT ON COLUMN rules.scope IS 'report | unit_years | units: what the rule covers.';
COMMENT ON COLUMN rules.severity IS 'error | warning | info.';
COMMENT ON COLUMN rules.title_zh IS 'Short title in Chinese.';
COMMENT ON COLUMN rules.explain_zh IS 'What the rule checks, in Chinese.';
COMMENT ON COLUMN rules.explain_en IS 'What the rule checks, in English.';
COMMENT ON COLUMN rules.basis IS 'Where the rule comes from: the format, an article of the 条例, practice.';
COMMENT ON COLUMN rules.min_value IS 'Lowest accepted value of the metric (NULL: unbounded).';
COMMENT ON COLUMN rules.max_value IS 'Highest accepted value of the metric (NULL: unbounded).';

CREATE TABLE rule_instances (
    rule_id    VARCHAR NOT NULL,
    instance   VARCHAR NOT NULL,
    label_zh   VARCHAR,
    lhs_cells  VARCHAR[],
    rhs_cells  VARCHAR[],
    PRIMARY KEY (rule_id, instance)
);
COMMENT ON TABLE rule_instances IS 'The instances of each rule (a column, a row, a group, a section) with the cells on each side of its formula; "prev:" marks a cell of the previous year''s report.';
COMMENT ON COLUMN rule_instances.rule_id IS 'Rule id.';
COMMENT ON COLUMN rule_instances.instance IS 'Instance, as in findings.instance.';
COMMENT ON COLUMN rule_instances.label_zh IS 'The instance in Chinese (e.g. “自然人”列).';
COMMENT ON COLUMN rule_instances.lhs_cells IS 'Cells on the left-hand side of the formula.';
COMMENT ON COLUMN rule_instances.rhs_cells IS 'Cells on the right-hand side of the formula.';
