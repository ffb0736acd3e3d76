-- The registry of reporting units (assets/registry/units.csv plus extra_units.csv).
CREATE TABLE units (
    unit_id           VARCHAR PRIMARY KEY,
    name              VARCHAR NOT NULL,
    full_name         VARCHAR,
    level             VARCHAR NOT NULL,
    kind              VARCHAR,
    statutory_parent  VARCHAR,
    managing_body     VARCHAR,
    files_own_report  BOOLEAN,
    can_make_rules    BOOLEAN,
    deadline_kind     VARCHAR,
    valid_from        INTEGER,
    valid_to          INTEGER,
    note              VARCHAR
);
COMMENT ON TABLE units IS 'Every reporting unit the office expects reports from: league, banners, 高新区, townships, and bodies added in extra_units.csv. A unit that files no report of its own is still listed so its absence can be reported.';
COMMENT ON COLUMN units.unit_id IS 'NBS statistical division code (e.g. 152921203), or a made-up id for bodies without one (e.g. 1529-wlbh).';
COMMENT ON COLUMN units.name IS 'Current official short name (巴彦木仁苏木).';
COMMENT ON COLUMN units.full_name IS 'Name of the publishing body as reports write it (阿拉善左旗巴彦木仁苏木人民政府).';
COMMENT ON COLUMN units.level IS 'league | banner | township | zone | department.';
COMMENT ON COLUMN units.kind IS '苏木 | 镇 | 街道 | 旗 | 盟 | 开发区 | 示范区 | 部门.';
COMMENT ON COLUMN units.statutory_parent IS 'unit_id of the parent by law (NBS).';
COMMENT ON COLUMN units.managing_body IS 'unit_id of the body that runs this unit where it differs from the statutory parent (托管, 区镇合一).';
COMMENT ON COLUMN units.files_own_report IS 'False for units whose report is joint with another body (乌斯太镇 with the 高新区).';
COMMENT ON COLUMN units.can_make_rules IS 'Whether the body may make 规章 (立法法 Art. 82): false for every body of Alxa League.';
COMMENT ON COLUMN units.deadline_kind IS 'government | department | township: which publication deadline applies.';
COMMENT ON COLUMN units.valid_from IS 'First year the unit exists (NBS vintage); NULL when always.';
COMMENT ON COLUMN units.valid_to IS 'Last year the unit exists; NULL when it still does.';

CREATE TABLE unit_aliases (
    unit_id     VARCHAR NOT NULL,
    alias       VARCHAR NOT NULL,
    valid_from  INTEGER,
    valid_to    INTEGER,
    source      VARCHAR
);
COMMENT ON TABLE unit_aliases IS 'Earlier names and written forms of each unit (苏木乡 → 苏木, renamed 街道, 腾格里经济技术开发区 → 孪井滩生态移民示范区, with or without banner prefix and 人民政府/办事处 suffix).';
COMMENT ON COLUMN unit_aliases.alias IS 'A name as it may appear in a report title or file path.';
COMMENT ON COLUMN unit_aliases.valid_from IS 'First year the alias was the official or usual name; NULL when always.';
COMMENT ON COLUMN unit_aliases.source IS 'Where the alias comes from (NBS name history, generated written form, aliases.csv).';
