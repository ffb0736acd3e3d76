-- Choices an office may record in the warehouse file itself (publication deadlines, smallest base of a rate).
CREATE TABLE IF NOT EXISTS settings (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);
COMMENT ON TABLE settings IS 'Optional choices read by the rollups: deadline (MM-DD in the year after the report year, default 01-31), deadline.<deadline_kind> (government | department | township) to set one kind apart, min_base (smallest base of a rate, default 30). A key here wins over the same key in build_info.';
