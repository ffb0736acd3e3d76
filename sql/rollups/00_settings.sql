-- Choices an office may record in the warehouse file itself (publication deadlines, smallest base of a rate).
CREATE TABLE IF NOT EXISTS settings (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);
COMMENT ON TABLE settings IS 'Optional choices read by the rollups: deadline (MM-DD in the year after the report year, default 01-31: townships and kinds without a key of their own), deadline.<deadline_kind> (government, default 03-31 | department, default 01-31 | township), min_base (smallest base of a rate, default 30). A key here wins over the same key in build_info.';
COMMENT ON COLUMN settings.key IS 'Setting name (deadline, deadline.government, deadline.department, deadline.township, min_base).';
COMMENT ON COLUMN settings.value IS 'Setting value (MM-DD for deadlines, an integer for min_base).';
