-- Every file that entered the inbox, and what became of it.
CREATE TABLE manifest (
    path          VARCHAR PRIMARY KEY,
    sha256        VARCHAR,
    size_bytes    BIGINT,
    kind          VARCHAR,
    status        VARCHAR NOT NULL,
    reason        VARCHAR,
    report_id     VARCHAR,
    unit_id       VARCHAR,
    year          INTEGER,
    duplicate_of  VARCHAR,
    superseded_by VARCHAR,
    year_hint     INTEGER
);
COMMENT ON TABLE manifest IS 'One row per file in the inbox. Nothing is lost: every file is read, or set aside with its reason, or a duplicate of another file, or superseded by a newer version of the same unit-year.';
COMMENT ON COLUMN manifest.path IS 'Path relative to the inbox.';
COMMENT ON COLUMN manifest.sha256 IS 'SHA-256 of the file content.';
COMMENT ON COLUMN manifest.kind IS 'text | html | docx | doc | pdf, or NULL when the file is none of these (doc: old Word or WPS, read through LibreOffice).';
COMMENT ON COLUMN manifest.status IS 'read | set_aside | duplicate | superseded.';
COMMENT ON COLUMN manifest.reason IS 'Why the file was set aside, superseded or is a duplicate, in words a person understands.';
COMMENT ON COLUMN manifest.report_id IS 'The report this file holds (reports.report_id), when it could be read.';
COMMENT ON COLUMN manifest.unit_id IS 'The unit the report was resolved to, when it was.';
COMMENT ON COLUMN manifest.year IS 'The report year read from the file.';
COMMENT ON COLUMN manifest.duplicate_of IS 'For duplicates: the path of the file with the same content that is kept.';
COMMENT ON COLUMN manifest.superseded_by IS 'For superseded files: the report_id of the version that is active for the unit-year.';
COMMENT ON COLUMN manifest.year_hint IS 'The year guessed before reading (title or path): the partition that read the file.';
