-- Derived figures (shares and correction rates) of every unit and every rollup group, with small-number sense.
CREATE OR REPLACE VIEW derived_figures AS
WITH mb AS (
    SELECT coalesce(try_cast(max(value) AS INTEGER), 30) AS min_base FROM report_settings WHERE key = 'min_base'
),
src AS (   -- one number per entity and cell: a unit's cell (NULL unless a number) or a group's sum
    SELECT 'unit' AS scope, NULL::VARCHAR AS hierarchy, u.level AS level, r.unit_id AS entity_id, u.name AS entity_name,
           r.year, r.report_id, 1::BIGINT AS units_reporting, c.cell_id, c.table_code, c.row_code, c.col_code,
           CASE WHEN c.semantic IN ('NUMERIC', 'ZERO') THEN c.value END AS num
    FROM reports r JOIN units u USING (unit_id) JOIN cells c ON c.report_id = r.report_id
    WHERE r.active AND c.table_code IN ('T3', 'T4')
    UNION ALL
    SELECT 'group', hierarchy, group_level, group_id, group_name, year, NULL, units_reporting,
           cell_id, table_code, row_code, col_code, value_sum
    FROM rollup_cells WHERE table_code IN ('T3', 'T4')
),
v AS (
    SELECT scope, hierarchy, level, entity_id, entity_name, year, any_value(report_id) AS report_id,
        max(units_reporting) AS units_reporting,
        max(num) FILTER (WHERE cell_id = 'T3/new/total')               AS applications_new,
        max(num) FILTER (WHERE cell_id = 'T3/carried_over/total')      AS applications_carried_over,
        max(num) FILTER (WHERE cell_id = 'T3/processed_total/total')   AS applications_processed,
        max(num) FILTER (WHERE cell_id = 'T3/carried_forward/total')   AS applications_carried_forward,
        max(num) FILTER (WHERE cell_id = 'T3/granted/total')           AS granted,
        max(num) FILTER (WHERE cell_id = 'T3/partly_granted/total')    AS partly_granted,
        max(num) FILTER (WHERE cell_id = 'T3/unavailable_not_held/total') AS not_held,
        CASE WHEN count(num) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'withheld_')) = 8
             THEN sum(num::DECIMAL(38, 6)) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'withheld_'))::DOUBLE END AS withheld,
        CASE WHEN count(num) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'unavailable_')) = 3
             THEN sum(num::DECIMAL(38, 6)) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'unavailable_'))::DOUBLE END AS unavailable,
        CASE WHEN count(num) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'declined_')) = 5
             THEN sum(num::DECIMAL(38, 6)) FILTER (WHERE col_code = 'total' AND starts_with(row_code, 'declined_'))::DOUBLE END AS declined,
        max(num) FILTER (WHERE cell_id = 'T4/review.total')            AS reviews,
        max(num) FILTER (WHERE cell_id = 'T4/review.upheld')           AS review_upheld,
        max(num) FILTER (WHERE cell_id = 'T4/review.corrected')        AS review_corrected,
        max(num) FILTER (WHERE cell_id = 'T4/review.other')            AS review_other,
        max(num) FILTER (WHERE cell_id = 'T4/suit_direct.total')       AS suits_direct,
        max(num) FILTER (WHERE cell_id = 'T4/suit_after_review.total') AS suits_after_review,
        max(num) FILTER (WHERE cell_id = 'T4/suit_direct.upheld') + max(num) FILTER (WHERE cell_id = 'T4/suit_after_review.upheld') AS suit_upheld,
        max(num) FILTER (WHERE cell_id = 'T4/suit_direct.corrected') + max(num) FILTER (WHERE cell_id = 'T4/suit_after_review.corrected') AS suit_corrected,
        max(num) FILTER (WHERE cell_id = 'T4/suit_direct.other') + max(num) FILTER (WHERE cell_id = 'T4/suit_after_review.other') AS suit_other
    FROM src GROUP BY scope, hierarchy, level, entity_id, entity_name, year
),
w AS (
    SELECT v.*, mb.min_base,
        granted + partly_granted                       AS disclosed,
        suits_direct + suits_after_review              AS suits,
        review_upheld + review_corrected + review_other AS review_concluded,
        suit_upheld + suit_corrected + suit_other      AS suit_concluded,
        reviews + suits_direct                         AS challenges
    FROM v CROSS JOIN mb
)
SELECT scope, hierarchy, level, entity_id, entity_name, year, report_id, units_reporting, min_base,
    applications_new, applications_carried_over, applications_processed, applications_carried_forward,
    granted, partly_granted, disclosed, withheld, unavailable, not_held, declined,
    CASE WHEN applications_processed >= min_base THEN round(disclosed / applications_processed, 4) END   AS share_disclosed,
    CASE WHEN applications_processed >= min_base THEN round(withheld / applications_processed, 4) END    AS share_withheld,
    CASE WHEN applications_processed >= min_base THEN round(unavailable / applications_processed, 4) END AS share_unavailable,
    CASE WHEN applications_processed >= min_base THEN round(not_held / applications_processed, 4) END    AS share_not_held,
    CASE WHEN applications_processed >= min_base THEN round(declined / applications_processed, 4) END    AS share_declined,
    reviews, review_upheld, review_corrected, review_other, review_concluded,
    CASE WHEN review_concluded >= min_base THEN round(review_corrected / review_concluded, 4) END       AS review_correction_rate,
    suits_direct, suits_after_review, suits, suit_upheld, suit_corrected, suit_other, suit_concluded,
    CASE WHEN suit_concluded >= min_base THEN round(suit_corrected / suit_concluded, 4) END             AS suit_correction_rate,
    challenges,
    CASE WHEN applications_processed >= min_base THEN round(challenges / applications_processed, 4) END AS challenge_rate
FROM w;
COMMENT ON VIEW derived_figures IS 'Shares and correction rates of each unit''s active report (scope unit) and of each rollup group (scope group, from rollup_cells sums), per year. A rate is shown only where its base is at least min_base (report_settings, default 30) and every operand is a number; otherwise it is NULL and the counts (numerator and base) stay visible.';
COMMENT ON COLUMN derived_figures.scope IS 'unit (entity_id is a unit, hierarchy NULL) | group (entity_id is a rollup group of the given hierarchy).';
COMMENT ON COLUMN derived_figures.disclosed IS '予以公开 + 部分公开 (T3 总计 column).';
COMMENT ON COLUMN derived_figures.share_disclosed IS '(granted + partly_granted) / processed_total, where processed_total >= min_base.';
COMMENT ON COLUMN derived_figures.share_withheld IS 'The eight 不予公开 rows / processed_total.';
COMMENT ON COLUMN derived_figures.share_unavailable IS 'The three 无法提供 rows / processed_total.';
COMMENT ON COLUMN derived_figures.share_not_held IS '本机关不掌握相关政府信息 / processed_total.';
COMMENT ON COLUMN derived_figures.share_declined IS 'The five 不予处理 rows / processed_total.';
COMMENT ON COLUMN derived_figures.review_concluded IS 'Reviews concluded: upheld + corrected + other (pending excluded): the base of the correction rate.';
COMMENT ON COLUMN derived_figures.review_correction_rate IS 'review.corrected / (upheld + corrected + other), where that base >= min_base.';
COMMENT ON COLUMN derived_figures.suit_correction_rate IS 'Suits (direct and after review) corrected / concluded, where concluded >= min_base.';
COMMENT ON COLUMN derived_figures.challenges IS 'Reviews plus suits filed directly (suits after review follow a review already counted).';
COMMENT ON COLUMN derived_figures.challenge_rate IS 'challenges / processed_total, where processed_total >= min_base.';
COMMENT ON COLUMN derived_figures.entity_id IS 'The unit (scope unit) or the group (scope group).';
COMMENT ON COLUMN derived_figures.entity_name IS 'Its name.';
COMMENT ON COLUMN derived_figures.units_reporting IS 'Active reports the figures come from (1 for a unit).';
COMMENT ON COLUMN derived_figures.min_base IS 'Smallest base of a rate (report_settings.min_base).';
COMMENT ON COLUMN derived_figures.withheld IS 'The eight 不予公开 rows (总计 column), when all are numbers.';
COMMENT ON COLUMN derived_figures.unavailable IS 'The three 无法提供 rows, when all are numbers.';
COMMENT ON COLUMN derived_figures.not_held IS '（四）1. 本机关不掌握相关政府信息 (总计 column).';
COMMENT ON COLUMN derived_figures.declined IS 'The five 不予处理 rows, when all are numbers.';
COMMENT ON COLUMN derived_figures.review_upheld IS 'T4 行政复议 结果维持.';
COMMENT ON COLUMN derived_figures.review_corrected IS 'T4 行政复议 结果纠正.';
COMMENT ON COLUMN derived_figures.review_other IS 'T4 行政复议 其他结果.';
COMMENT ON COLUMN derived_figures.suit_upheld IS '行政诉讼 结果维持 (direct + after review).';
COMMENT ON COLUMN derived_figures.suit_corrected IS '行政诉讼 结果纠正 (direct + after review).';
COMMENT ON COLUMN derived_figures.suit_other IS '行政诉讼 其他结果 (direct + after review).';
COMMENT ON COLUMN derived_figures.suit_concluded IS 'Suits concluded: upheld + corrected + other (pending excluded): the base of the suit correction rate.';
