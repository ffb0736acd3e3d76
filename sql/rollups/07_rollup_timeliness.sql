-- Publication on time, per group and year.
CREATE OR REPLACE VIEW rollup_timeliness AS
SELECT m.hierarchy, m.group_id, m.group_name, m.group_level, y.year,
    count(*) FILTER (WHERE y.timeliness = 'on_time')  AS on_time,
    count(*) FILTER (WHERE y.timeliness = 'late')     AS late,
    count(*) FILTER (WHERE y.timeliness = 'unknown')  AS unknown,
    max(y.days_late)                                  AS max_days_late,
    coalesce(list(y.unit_name ORDER BY y.days_late DESC, y.unit_id) FILTER (WHERE y.timeliness = 'late'), []) AS late_names
FROM rollup_members m
JOIN unit_years y ON y.unit_id = m.unit_id
WHERE y.read
GROUP BY ALL;
COMMENT ON VIEW rollup_timeliness IS 'Per hierarchy, group and year, of the reports read: published on or before the deadline (unit_years.deadline: 31 January of the next year unless report_settings says otherwise), late, or with no publication date.';
COMMENT ON COLUMN rollup_timeliness.unknown IS 'Reports whose page states no publication date.';
COMMENT ON COLUMN rollup_timeliness.on_time IS 'Reports published on or before the deadline.';
COMMENT ON COLUMN rollup_timeliness.late IS 'Reports published after the deadline.';
COMMENT ON COLUMN rollup_timeliness.max_days_late IS 'The longest delay in days.';
COMMENT ON COLUMN rollup_timeliness.late_names IS 'Names of the units that published late, latest first.';
