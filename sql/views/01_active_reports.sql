-- The one active report per unit and year, with its unit's place in the registry.
CREATE OR REPLACE VIEW active_reports AS
SELECT r.*, u.name AS unit_name, u.level AS unit_level, u.statutory_parent, u.managing_body
FROM reports r
JOIN units u USING (unit_id)
WHERE r.active;
COMMENT ON VIEW active_reports IS 'One row per unit and year: the active version of its report, with the unit''s name, level and parents.';
