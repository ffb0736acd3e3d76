-- The groups a rollup sums over: the league and the banner-level units (the 旗 and the 高新区).
CREATE OR REPLACE VIEW rollup_groups AS
WITH h(hierarchy) AS (VALUES ('statutory'), ('managing')),
league AS (SELECT unit_id FROM units WHERE level = 'league')
SELECT h.hierarchy, u.unit_id AS group_id, u.name AS group_name,
       CASE WHEN u.level = 'league' THEN 'league' ELSE 'banner' END AS group_level,
       u.kind AS group_kind
FROM units u CROSS JOIN h
WHERE u.level = 'league'
   OR (u.level IN ('banner', 'zone') AND coalesce(u.managing_body, u.statutory_parent) IN (SELECT unit_id FROM league));
COMMENT ON VIEW rollup_groups IS 'Rollup groups for each hierarchy: the league (盟) and the banner-level units, i.e. every 旗 and every zone the league runs directly (the 高新区; the 乌兰布和示范区 is run by the 高新区, so it is not a group of its own).';
COMMENT ON COLUMN rollup_groups.hierarchy IS 'statutory (follow units.statutory_parent) | managing (follow units.managing_body where there is one, else the statutory parent).';
COMMENT ON COLUMN rollup_groups.group_level IS 'league | banner.';
COMMENT ON COLUMN rollup_groups.group_kind IS 'Kind of the group''s unit: 盟, 旗, 开发区.';
