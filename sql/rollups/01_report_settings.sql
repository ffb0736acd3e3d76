-- The settings in force: the settings table, then build_info, then the defaults.
CREATE OR REPLACE VIEW report_settings AS
WITH defaults(key, value) AS (
    VALUES ('deadline', '01-31'), ('deadline.government', '03-31'), ('deadline.department', '01-31'),
           ('min_base', '30')
), kv AS (
    SELECT key, value, 'settings' AS source, 1 AS prio FROM settings
    UNION ALL
    SELECT key, value, 'build_info', 2 FROM build_info
    WHERE key = 'deadline' OR key LIKE 'deadline.%' OR key = 'min_base'
    UNION ALL
    SELECT key, value, 'default', 3 FROM defaults
)
SELECT key, arg_min(value, prio) AS value, arg_min(source, prio) AS source
FROM kv
WHERE value IS NOT NULL AND trim(value) <> ''
GROUP BY key;
COMMENT ON VIEW report_settings IS 'The settings the rollups use, one row per key: from the settings table, else build_info, else the default. deadline (MM-DD of the year after the report year) applies to townships and to any kind without its own key, default 01-31; deadline.government defaults to 03-31 and deadline.department to 01-31 (条例 Art. 49, as the timeliness rule of the checks); min_base, the smallest base of a rate, defaults to 30.';
COMMENT ON COLUMN report_settings.key IS 'deadline | deadline.government | deadline.department | deadline.township | min_base (other keys of the settings table are listed too).';
COMMENT ON COLUMN report_settings.value IS 'The value in force.';
COMMENT ON COLUMN report_settings.source IS 'settings | build_info | default: where the value comes from.';
