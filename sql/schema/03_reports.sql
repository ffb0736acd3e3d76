-- One row per version of a report ever read; exactly one active version per unit and year.
CREATE TABLE reports (
    report_id          VARCHAR PRIMARY KEY,
    sha256             VARCHAR NOT NULL,
    path               VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    in_inbox           BOOLEAN NOT NULL,
    active             BOOLEAN NOT NULL,
    status             VARCHAR NOT NULL,
    unit_id            VARCHAR,
    year               INTEGER,
    agency             VARCHAR,
    kind               VARCHAR,
    format_version     VARCHAR,
    title              VARCHAR,
    published_on       DATE,
    signed_on          DATE,
    period_start       DATE,
    period_end         DATE,
    match_method       VARCHAR,
    match_confidence   DOUBLE,
    match_reason       VARCHAR,
    parser_version     VARCHAR,
    n_problems         INTEGER,
    n_errors           INTEGER
);
COMMENT ON TABLE reports IS 'Every version of every report that was read. Older versions of a file, and reports superseded by a newer one for the same unit and year, are kept with active = false.';
COMMENT ON COLUMN reports.report_id IS 'First 16 hex digits of the file''s SHA-256: the same content is the same report.';
COMMENT ON COLUMN reports.path IS 'Inbox path of the file (the first, alphabetically, when several files hold the same content).';
COMMENT ON COLUMN reports.version IS '1 for the first content seen at this path, 2 for the next, ...';
COMMENT ON COLUMN reports.in_inbox IS 'Whether this content is in the inbox now.';
COMMENT ON COLUMN reports.active IS 'The one version used for the unit and year in views, checks and rollups.';
COMMENT ON COLUMN reports.status IS 'active | superseded | older_version | set_aside.';
COMMENT ON COLUMN reports.unit_id IS 'Registry unit the report belongs to (units.unit_id).';
COMMENT ON COLUMN reports.year IS 'Report year (the year the statistics cover).';
COMMENT ON COLUMN reports.agency IS 'Publishing body as the report names it (title, opening sentence or contact line).';
COMMENT ON COLUMN reports.kind IS 'text | html | docx | doc | pdf | image (a .png/.jpg/.tif read by OCR; a scanned PDF stays pdf, a page of images html: see cells.read_by).';
COMMENT ON COLUMN reports.format_version IS '2021 (国办公开办函〔2021〕30号) or 2019 (trial format).';
COMMENT ON COLUMN reports.published_on IS 'Publication date where the page states one (发布日期 / 发布时间).';
COMMENT ON COLUMN reports.signed_on IS 'Date under the signature at the end of the report, when there is one: publication was no earlier.';
COMMENT ON COLUMN reports.period_start IS 'Statistical period as stated (所列数据统计期限).';
COMMENT ON COLUMN reports.match_method IS 'How the unit was found: exact_full_name, alias, alias_historical, stripped_suffix, path, ...';
COMMENT ON COLUMN reports.match_confidence IS '0..1 confidence of the unit match.';
COMMENT ON COLUMN reports.match_reason IS 'Why no unit or several units matched, when so.';
COMMENT ON COLUMN reports.n_problems IS 'Number of structural problems the reader reported (table problems).';
COMMENT ON COLUMN reports.n_errors IS 'Of which with severity error.';
