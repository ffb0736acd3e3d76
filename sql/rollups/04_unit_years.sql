-- One row per unit and report year: expected, received, read, clean, on time; the base of coverage and league tables.
CREATE OR REPLACE VIEW unit_years AS
WITH years AS (
    SELECT DISTINCT year FROM reports WHERE year IS NOT NULL
    UNION
    SELECT DISTINCT year FROM manifest WHERE year IS NOT NULL
),
recv AS (
    SELECT unit_id, year, count(*) AS files_received
    FROM manifest WHERE unit_id IS NOT NULL AND year IS NOT NULL
    GROUP BY ALL
),
act AS (
    SELECT unit_id, year, report_id, path, kind, format_version, published_on, signed_on
    FROM reports WHERE active
),
fr AS (   -- the findings counted once per unit, year and report, before they meet the active reports
    SELECT unit_id, year, report_id,
        count(*) FILTER (WHERE status = 'FAIL')                                   AS findings_fail,
        count(*) FILTER (WHERE status = 'FAIL' AND severity = 'error')            AS findings_fail_error,
        count(*) FILTER (WHERE status = 'UNCERTAIN')                              AS findings_uncertain,
        count(*) FILTER (WHERE status = 'NOT_ASSESSABLE')                         AS findings_not_assessable,
        count(*) FILTER (WHERE status = 'PASS')                                   AS findings_pass,
        count(*) FILTER (WHERE status = 'FAIL' AND starts_with(rule_id, 'copy_')) AS copy_fail
    FROM findings
    GROUP BY ALL
),
f AS (    -- of the active report (and the unit's findings tied to no report)
    SELECT a.unit_id, a.year,
        sum(fr.findings_fail)::BIGINT           AS findings_fail,
        sum(fr.findings_fail_error)::BIGINT     AS findings_fail_error,
        sum(fr.findings_uncertain)::BIGINT      AS findings_uncertain,
        sum(fr.findings_not_assessable)::BIGINT AS findings_not_assessable,
        sum(fr.findings_pass)::BIGINT           AS findings_pass,
        sum(fr.copy_fail)::BIGINT               AS copy_fail
    FROM fr
    JOIN act a ON a.unit_id = fr.unit_id AND a.year = fr.year
              AND (fr.report_id IS NULL OR fr.report_id = a.report_id)
    GROUP BY ALL
),
banner AS (
    SELECT hierarchy, unit_id, arg_min(group_id, depth) AS banner_id
    FROM rollup_members WHERE group_level = 'banner'
    GROUP BY ALL
),
base AS (
    SELECT u.unit_id, u.name AS unit_name, u.full_name, u.level, u.kind, u.statutory_parent, u.managing_body,
        CASE WHEN u.level = 'league' THEN 'league'
             WHEN u.unit_id IN (SELECT group_id FROM rollup_groups WHERE group_level = 'banner') THEN 'banner'
             ELSE u.level END AS peer_level,
        bs.banner_id AS statutory_banner_id, bm.banner_id AS managing_banner_id,
        u.files_own_report, coalesce(u.deadline_kind, 'township') AS deadline_kind, y.year,
        (u.valid_from IS NULL OR u.valid_from <= y.year) AND (u.valid_to IS NULL OR y.year <= u.valid_to) AS exists_in_year,
        coalesce(r.files_received, 0) AS files_received,
        a.report_id, a.path, a.kind AS file_kind, a.format_version, a.published_on, a.signed_on,
        coalesce(
            try_strptime(CAST(y.year + 1 AS VARCHAR) || '-' ||
                coalesce((SELECT value FROM report_settings WHERE key = 'deadline.' || coalesce(u.deadline_kind, 'township')),
                         (SELECT value FROM report_settings WHERE key = 'deadline')), '%Y-%m-%d'),
            make_date(y.year + 1, 1, 31))::DATE AS deadline,
        coalesce(f.findings_fail, 0) AS findings_fail,
        coalesce(f.findings_fail_error, 0) AS findings_fail_error,
        coalesce(f.findings_uncertain, 0) AS findings_uncertain,
        coalesce(f.findings_not_assessable, 0) AS findings_not_assessable,
        coalesce(f.findings_pass, 0) AS findings_pass,
        coalesce(f.copy_fail, 0) AS copy_fail
    FROM units u
    CROSS JOIN years y
    LEFT JOIN recv r ON r.unit_id = u.unit_id AND r.year = y.year
    LEFT JOIN act a ON a.unit_id = u.unit_id AND a.year = y.year
    LEFT JOIN f ON f.unit_id = u.unit_id AND f.year = y.year
    LEFT JOIN banner bs ON bs.hierarchy = 'statutory' AND bs.unit_id = u.unit_id
    LEFT JOIN banner bm ON bm.hierarchy = 'managing' AND bm.unit_id = u.unit_id
)
SELECT * EXCLUDE (files_received, report_id, path, file_kind, format_version, published_on, signed_on, deadline,
                  findings_fail, findings_fail_error, findings_uncertain, findings_not_assessable, findings_pass, copy_fail),
    exists_in_year AND files_own_report AS expected,
    files_received,
    files_received > 0 AS received,
    report_id IS NOT NULL AS read,
    report_id, path, file_kind, format_version, published_on, signed_on, deadline,
    CASE WHEN report_id IS NULL THEN NULL
         WHEN published_on IS NOT NULL AND published_on <= deadline THEN 'on_time'
         WHEN published_on IS NOT NULL THEN 'late'
         WHEN signed_on > deadline THEN 'late'
         ELSE 'unknown' END AS timeliness,
    CASE WHEN published_on > deadline THEN date_diff('day', deadline, published_on)
         WHEN published_on IS NULL AND signed_on > deadline THEN date_diff('day', deadline, signed_on) END AS days_late,
    findings_fail, findings_fail_error, findings_uncertain, findings_not_assessable, findings_pass, copy_fail,
    report_id IS NOT NULL AND findings_fail = 0 AS clean
FROM base
WHERE (exists_in_year AND files_own_report) OR files_received > 0 OR report_id IS NOT NULL;
COMMENT ON VIEW unit_years IS 'One row per unit and report year for every unit expected that year (it exists and files its own report) or that sent a file: received, read (has an active report), clean (no FAIL finding), publication date against the deadline, findings and copying counts, and its banner in both hierarchies.';
COMMENT ON COLUMN unit_years.peer_level IS 'The level a unit is compared within: league | banner (the 旗 and the 高新区) | township | zone | department.';
COMMENT ON COLUMN unit_years.statutory_banner_id IS 'The banner-level group above the unit by statute (NULL for the league, the banner-level units themselves and bodies directly under the league).';
COMMENT ON COLUMN unit_years.managing_banner_id IS 'The banner-level group above the unit following managing bodies.';
COMMENT ON COLUMN unit_years.expected IS 'The unit existed that year (valid_from/valid_to) and files its own report.';
COMMENT ON COLUMN unit_years.received IS 'At least one inbox file was resolved to the unit and year (read, set aside, duplicate or superseded).';
COMMENT ON COLUMN unit_years.read IS 'The unit has an active report for the year.';
COMMENT ON COLUMN unit_years.deadline IS 'Publication deadline: report_settings deadline.<deadline_kind>, else deadline (MM-DD in the year after the report year), else 31 January.';
COMMENT ON COLUMN unit_years.timeliness IS 'on_time (published on or before the deadline) | late (published after it, or no publication date but signed after it, as the timeliness rule) | unknown (no publication date) | NULL (no report).';
COMMENT ON COLUMN unit_years.copy_fail IS 'FAIL findings of rules copy_* (text or tables copied from another report).';
COMMENT ON COLUMN unit_years.clean IS 'Read, and no FAIL finding.';
COMMENT ON COLUMN unit_years.exists_in_year IS 'The unit exists in the year (valid_from <= year <= valid_to).';
COMMENT ON COLUMN unit_years.files_received IS 'Inbox files resolved to the unit and year (any status).';
COMMENT ON COLUMN unit_years.file_kind IS 'text | html | docx | doc | pdf: the file of the active report.';
COMMENT ON COLUMN unit_years.days_late IS 'Days between the deadline and a late publication; NULL when on time or unknown.';
COMMENT ON COLUMN unit_years.signed_on IS 'Date under the signature (落款日期), when read: a report with no publication date but signed after the deadline is late.';
