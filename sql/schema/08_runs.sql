CREATE TABLE build_info (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);
COMMENT ON TABLE build_info IS 'How this file was built: nianbao and parser versions, the inbox, the report years covered. Contains no timestamps, so two builds of the same inbox are identical.';
