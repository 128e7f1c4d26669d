-- Counts per commune and period, summed over the months of mart_commune_month in each period.
-- Periods arrive as three parallel lists ($period_keys, $period_starts, $period_ends: end is the first
-- day after the period).  Rates are computed afterwards from these sums (metrics/definitions.py).
-- Filters: $province / $commune (NULL = all); scope: the query layer's scoped_commune (metrics/db.py).
-- The months of each period are listed and joined on equality (no range join), and the sums are grouped
-- by integer keys before the names are joined: this runs for all 3,321 communes on the national view.
-- No ORDER BY: metrics/periodic.py sorts (and sums it per province in PROVINCE_PERIOD_SQL).
with periods as (
    select distinct unnest($period_keys::varchar[]) as period,
           unnest($period_starts::date[]) as period_start,
           unnest($period_ends::date[]) as period_end
),
scoped_communes as (
    select c.commune_code, c.province_code, c.name as commune_name, c.division_type, pr.name as province_name
    from dim_commune c
    join dim_province pr using (province_code)
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
),
period_months as (
    select distinct period_start,
           cast(unnest(generate_series(period_start, period_end - interval 1 day, interval 1 month)) as date) as month
    from periods
),
sums as (
    select pm.period_start, m.commune_code,
           count(*) as months_in_warehouse,
           cast(sum(m.dossiers_received) as bigint) as dossiers_received,
           cast(sum(m.dossiers_online) as bigint) as dossiers_online,
           cast(sum(m.dossiers_online_full) as bigint) as dossiers_online_full,
           cast(sum(m.dossiers_online_partial) as bigint) as dossiers_online_partial,
           cast(sum(m.dossiers_in_person) as bigint) as dossiers_in_person,
           cast(sum(m.dossiers_post) as bigint) as dossiers_post,
           cast(sum(m.dossiers_completed) as bigint) as dossiers_completed,
           cast(sum(m.dossiers_on_time) as bigint) as dossiers_on_time,
           cast(sum(m.dossiers_overdue) as bigint) as dossiers_overdue,
           cast(sum(m.dossiers_paid_online) as bigint) as dossiers_paid_online,
           cast(sum(m.dossiers_digitized) as bigint) as dossiers_digitized,
           sum(m.avg_processing_days * m.dossiers_completed) as processing_days_total,
           cast(sum(m.docs_issued) as bigint) as docs_issued,
           cast(sum(m.docs_confidential) as bigint) as docs_confidential,
           cast(sum(m.docs_signed) as bigint) as docs_signed,
           count(m.docs_issued) as signature_months
    from mart_commune_month m
    join period_months pm on m.month = pm.month
    where m.commune_code in (select commune_code from scoped_communes)
    group by pm.period_start, m.commune_code
),
final as (
    select p.period, p.period_start, c.province_code, c.province_name, c.commune_code, c.commune_name, c.division_type,
           coalesce(s.months_in_warehouse, 0) as months_in_warehouse,
           s.dossiers_received, s.dossiers_online, s.dossiers_online_full, s.dossiers_online_partial,
           s.dossiers_in_person, s.dossiers_post, s.dossiers_completed, s.dossiers_on_time, s.dossiers_overdue,
           s.dossiers_paid_online, s.dossiers_digitized, s.processing_days_total,
           s.docs_issued, s.docs_confidential, s.docs_signed,
           coalesce(s.dossiers_received, 0) > 0 as has_dossiers,
           coalesce(s.signature_months, 0) > 0 as has_signatures
    from periods p
    cross join scoped_communes c
    left join sums s on s.period_start = p.period_start and s.commune_code = c.commune_code
)
select * from final
