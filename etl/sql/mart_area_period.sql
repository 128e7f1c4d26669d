-- mart_area_period: one row per area (each province, and the country), period type and period: the
-- figures labelled "Toàn tỉnh" / "Cả nước" / "province median" that every role is shown.  It carries no
-- single commune's figure: sums of the communes' counts (the rates are computed from these sums on the
-- read side, metrics/definitions.py add_rates, the formulas of core/catalogue.py), counts of communes, and
-- medians / means over the communes (of their period rates and of their service-index scores).
-- Periods: every month of mart_commune_month, and the quarters and years those months fall in (a quarter's
-- sums are over its months in the warehouse, as metrics/sql/commune_period.sql sums them).
-- Index: the published results of the period (mart_index_period) or, where the province has none, the
-- results derived from its months (mart_index_derived), as metrics/sql/index_period.sql reads them.
create or replace table mart_area_period as
with per_commune as (
    select p.period_type, p.period, p.period_start, m.commune_code, m.province_code,
           sum(m.dossiers_received) as dossiers_received,
           sum(m.dossiers_online) as dossiers_online,
           sum(m.dossiers_online_full) as dossiers_online_full,
           sum(m.dossiers_online_partial) as dossiers_online_partial,
           sum(m.dossiers_in_person) as dossiers_in_person,
           sum(m.dossiers_post) as dossiers_post,
           sum(m.dossiers_completed) as dossiers_completed,
           sum(m.dossiers_on_time) as dossiers_on_time,
           sum(m.dossiers_overdue) as dossiers_overdue,
           sum(m.dossiers_paid_online) as dossiers_paid_online,
           sum(m.dossiers_digitized) as dossiers_digitized,
           -- exact decimal sums: a double sum's last bits depend on the order parallel threads add in
           sum(cast(m.avg_processing_days * m.dossiers_completed as decimal(18, 6))) as processing_days_total,
           sum(m.docs_issued) as docs_issued,
           sum(m.docs_confidential) as docs_confidential,
           sum(m.docs_signed) as docs_signed,
           count(m.docs_issued) as signature_months
    from mart_commune_month m
    join int_period_months p using (month)
    group by all
),
commune_rates as (
    -- the catalogue's formulas (core/catalogue.py) over the commune's sums, for the medians only
    select *,
           dossiers_online / nullif(dossiers_received, 0) as online_rate,
           dossiers_online_full / nullif(dossiers_received, 0) as online_full_rate,
           dossiers_on_time / nullif(dossiers_on_time + dossiers_overdue, 0) as on_time_rate,
           dossiers_paid_online / nullif(dossiers_received, 0) as paid_online_rate,
           dossiers_digitized / nullif(dossiers_received, 0) as digitized_rate,
           docs_signed / nullif(docs_issued - docs_confidential, 0) as signature_rate,
           processing_days_total / nullif(dossiers_completed, 0) as avg_processing_days
    from per_commune
),
counts as (
    select case when grouping(province_code) = 1 then 'national' else 'province' end as area_level,
           province_code, period_type, period, period_start,
           count(*) as communes,
           count(*) filter (where coalesce(dossiers_received, 0) > 0) as communes_with_dossiers,
           count(*) filter (where signature_months > 0) as communes_with_signatures,
           cast(sum(dossiers_received) as bigint) as dossiers_received,
           cast(sum(dossiers_online) as bigint) as dossiers_online,
           cast(sum(dossiers_online_full) as bigint) as dossiers_online_full,
           cast(sum(dossiers_online_partial) as bigint) as dossiers_online_partial,
           cast(sum(dossiers_in_person) as bigint) as dossiers_in_person,
           cast(sum(dossiers_post) as bigint) as dossiers_post,
           cast(sum(dossiers_completed) as bigint) as dossiers_completed,
           cast(sum(dossiers_on_time) as bigint) as dossiers_on_time,
           cast(sum(dossiers_overdue) as bigint) as dossiers_overdue,
           cast(sum(dossiers_paid_online) as bigint) as dossiers_paid_online,
           cast(sum(dossiers_digitized) as bigint) as dossiers_digitized,
           cast(sum(processing_days_total) as double) as processing_days_total,
           cast(sum(docs_issued) as bigint) as docs_issued,
           cast(sum(docs_confidential) as bigint) as docs_confidential,
           cast(sum(docs_signed) as bigint) as docs_signed,
           median(online_rate) as median_online_rate,
           median(online_full_rate) as median_online_full_rate,
           median(on_time_rate) as median_on_time_rate,
           median(paid_online_rate) as median_paid_online_rate,
           median(digitized_rate) as median_digitized_rate,
           median(signature_rate) as median_signature_rate,
           median(avg_processing_days) as median_avg_processing_days
    from commune_rates
    group by grouping sets ((period_type, period, period_start, province_code), (period_type, period, period_start))
),
index_results as (
    select period_type, period, commune_code, province_code, index_total,
           score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdsh, score_mdhl
    from mart_index_period
    union all by name
    select period_type, period, commune_code, province_code, index_total,
           score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdsh, score_mdhl
    from mart_index_derived
),
index_area as (
    select case when grouping(province_code) = 1 then 'national' else 'province' end as area_level,
           province_code, period_type, period,
           count(index_total) as communes_indexed,
           avg(cast(index_total as decimal(18, 4))) as index_average,
           median(index_total) as median_index_total,
           median(score_ckmb) as median_score_ckmb,
           median(score_tdgq) as median_score_tdgq,
           median(score_clgq) as median_score_clgq,
           median(score_tttt) as median_score_tttt,
           median(score_mdsh) as median_score_mdsh,
           median(score_mdhl) as median_score_mdhl
    from index_results
    group by grouping sets ((period_type, period, province_code), (period_type, period))
)
select c.area_level, c.province_code, c.period_type, c.period, c.period_start,
       c.communes, c.communes_with_dossiers, c.communes_with_signatures,
       c.dossiers_received, c.dossiers_online, c.dossiers_online_full, c.dossiers_online_partial,
       c.dossiers_in_person, c.dossiers_post, c.dossiers_completed, c.dossiers_on_time, c.dossiers_overdue,
       c.dossiers_paid_online, c.dossiers_digitized, c.processing_days_total,
       c.docs_issued, c.docs_confidential, c.docs_signed,
       c.median_online_rate, c.median_online_full_rate, c.median_on_time_rate, c.median_paid_online_rate,
       c.median_digitized_rate, c.median_signature_rate, c.median_avg_processing_days,
       coalesce(i.communes_indexed, 0) as communes_indexed, i.index_average, i.median_index_total,
       i.median_score_ckmb, i.median_score_tdgq, i.median_score_clgq, i.median_score_tttt,
       i.median_score_mdsh, i.median_score_mdhl
from counts c
left join index_area i
  on i.area_level = c.area_level and i.period_type = c.period_type and i.period = c.period
 and i.province_code is not distinct from c.province_code
order by c.period_type, c.period_start, c.area_level desc, c.province_code;
