-- Which units each group sums over, in either hierarchy (recursive over the parent chain).
CREATE OR REPLACE VIEW rollup_members AS
WITH RECURSIVE
h(hierarchy) AS (VALUES ('statutory'), ('managing')),
edges AS (
    SELECT h.hierarchy, u.unit_id,
           CASE h.hierarchy WHEN 'statutory' THEN u.statutory_parent
                ELSE coalesce(u.managing_body, u.statutory_parent) END AS parent_id
    FROM units u CROSS JOIN h
),
chain(hierarchy, unit_id, ancestor_id, depth) AS (
    SELECT hierarchy, unit_id, parent_id, 1 FROM edges WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT c.hierarchy, c.unit_id, e.parent_id, c.depth + 1
    FROM chain c JOIN edges e ON e.hierarchy = c.hierarchy AND e.unit_id = c.ancestor_id
    WHERE e.parent_id IS NOT NULL AND c.depth < 12
)
SELECT g.hierarchy, g.group_id, g.group_name, g.group_level, c.unit_id, u.name AS unit_name, u.level AS unit_level,
       min(c.depth) AS depth
FROM chain c
JOIN rollup_groups g ON g.hierarchy = c.hierarchy AND g.group_id = c.ancestor_id
JOIN units u ON u.unit_id = c.unit_id
GROUP BY ALL;
COMMENT ON VIEW rollup_members IS 'The units below each rollup group (strictly below: a banner government''s own report is a unit of its own, not part of its banner''s sum; it is part of the league''s). 乌斯太镇 is under the 高新区 in both hierarchies; 巴彦木仁苏木 is under 阿拉善左旗 by statute and under the 高新区 (through the 乌兰布和示范区) by management.';
COMMENT ON COLUMN rollup_members.depth IS '1 for a direct child of the group, 2 for a grandchild, ...';
