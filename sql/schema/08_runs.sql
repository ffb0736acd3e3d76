CREATE TABLE build_info (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);
COMMENT ON TABLE build_info IS 'How this file was built: nianbao and parser versions, the inbox, the report years covered, and build_id, a digest of everything the file is made from, which the pages (index.html) and the workbook (说明 sheet) of the same build carry too. Contains no timestamps, so two builds of the same inbox are identical.';
