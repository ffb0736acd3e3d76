CREATE TABLE sections (
    report_id  VARCHAR NOT NULL,
    section    VARCHAR NOT NULL,
    text       VARCHAR,
    chars      INTEGER,
    PRIMARY KEY (report_id, section)
);
COMMENT ON TABLE sections IS 'The narrative of the six sections of each report, matched by ordinal and keyword.';
COMMENT ON COLUMN sections.section IS 'overview (一), proactive (二), requests (三), appeals (四), problems (五), other (六).';
COMMENT ON COLUMN sections.text IS 'Narrative text of the section; NULL when the heading is absent, empty when present without text.';
COMMENT ON COLUMN sections.chars IS 'Length of text in characters.';
