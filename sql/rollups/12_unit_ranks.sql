-- Where each unit stands: rank and percentile among the units of its level, and within its banner.
CREATE OR REPLACE VIEW unit_ranks AS
WITH h(hierarchy) AS (VALUES ('statutory'), ('managing')),
base AS (
    SELECT h.hierarchy, y.unit_id, y.unit_name, y.year, y.peer_level,
        CASE h.hierarchy WHEN 'statutory' THEN y.statutory_banner_id ELSE y.managing_banner_id END AS banner_id,
        d.applications_new::DOUBLE        AS applications_new,
        d.applications_processed::DOUBLE  AS applications_processed,
        d.disclosed::DOUBLE               AS disclosed,
        d.share_disclosed::DOUBLE         AS share_disclosed,
        d.reviews::DOUBLE                 AS reviews,
        d.suits::DOUBLE                   AS suits,
        d.review_correction_rate::DOUBLE  AS review_correction_rate,
        d.suit_correction_rate::DOUBLE    AS suit_correction_rate,
        y.findings_fail::DOUBLE           AS findings_fail
    FROM unit_years y
    JOIN derived_figures d ON d.scope = 'unit' AND d.entity_id = y.unit_id AND d.year = y.year
    CROSS JOIN h
    WHERE y.read
),
long AS (
    SELECT * FROM base
    UNPIVOT INCLUDE NULLS (value FOR metric IN (applications_new, applications_processed, disclosed, share_disclosed,
        reviews, suits, review_correction_rate, suit_correction_rate, findings_fail))
)
SELECT hierarchy, unit_id, unit_name, year, peer_level, banner_id, metric, value,
    CASE WHEN value IS NOT NULL THEN rank() OVER lvl END                                  AS rank_in_level,
    count(value) OVER (PARTITION BY hierarchy, year, peer_level, metric)                  AS n_in_level,
    CASE WHEN value IS NOT NULL THEN round(100.0 * count(value) OVER lvl_le
        / count(value) OVER (PARTITION BY hierarchy, year, peer_level, metric), 1) END    AS percentile_in_level,
    CASE WHEN value IS NOT NULL AND banner_id IS NOT NULL THEN rank() OVER ban END        AS rank_in_banner,
    CASE WHEN banner_id IS NOT NULL THEN count(value) OVER (PARTITION BY hierarchy, year, banner_id, peer_level, metric) END AS n_in_banner,
    CASE WHEN value IS NOT NULL AND banner_id IS NOT NULL THEN round(100.0 * count(value) OVER ban_le
        / count(value) OVER (PARTITION BY hierarchy, year, banner_id, peer_level, metric), 1) END AS percentile_in_banner
FROM long
WINDOW lvl AS (PARTITION BY hierarchy, year, peer_level, metric ORDER BY value DESC NULLS LAST),
       lvl_le AS (PARTITION BY hierarchy, year, peer_level, metric ORDER BY value ASC NULLS LAST
                  RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
       ban AS (PARTITION BY hierarchy, year, banner_id, peer_level, metric ORDER BY value DESC NULLS LAST),
       ban_le AS (PARTITION BY hierarchy, year, banner_id, peer_level, metric ORDER BY value ASC NULLS LAST
                  RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
COMMENT ON VIEW unit_ranks IS 'Per hierarchy, unit, year and metric: the unit''s figure, its rank (1 = largest) and percentile among the units of the same peer level (township with township, banner with banner) in the league, and among the units of the same level in its banner (following the hierarchy). Units whose figure is not a number (or a rate below its base) are not ranked and not counted in n.';
COMMENT ON COLUMN unit_ranks.metric IS 'applications_new, applications_processed, disclosed, share_disclosed, reviews, suits, review_correction_rate, suit_correction_rate, findings_fail.';
COMMENT ON COLUMN unit_ranks.percentile_in_level IS 'Percentage of ranked peers whose figure is at most this one (100 = the largest).';
COMMENT ON COLUMN unit_ranks.rank_in_banner IS 'Rank among the units of the same peer level under the same banner (NULL for units under no banner).';
COMMENT ON COLUMN unit_ranks.peer_level IS 'The level compared within (unit_years.peer_level).';
COMMENT ON COLUMN unit_ranks.banner_id IS 'The unit''s banner-level group in this hierarchy.';
COMMENT ON COLUMN unit_ranks.rank_in_level IS 'Rank among the units of the same peer level in the year (1 = largest).';
COMMENT ON COLUMN unit_ranks.n_in_level IS 'Units of the same peer level with a figure.';
COMMENT ON COLUMN unit_ranks.n_in_banner IS 'Units of the same peer level under the same banner with a figure.';
COMMENT ON COLUMN unit_ranks.percentile_in_banner IS 'Percentage of ranked banner peers whose figure is at most this one.';
