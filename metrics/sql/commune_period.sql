-- Counts per commune and period, summed over the months of mart_commune_month in each period.
-- Periods arrive as three parallel lists ($period_keys, $period_starts, $period_ends: end is the first
-- day after the period).  Rates are computed afterwards from these sums (metrics/definitions.py).
-- Filters: $province / $commune (NULL = all); scope: $scope_province / $scope_commune.
with periods as (
    select unnest($period_keys::varchar[]) as period,
           unnest($period_starts::date[]) as period_start,
           unnest($period_ends::date[]) as period_end
),
scoped_communes as (
    select c.commune_code, c.province_code, c.name as commune_name, c.division_type, pr.name as province_name
    from dim_commune c
    join dim_province pr using (province_code)
    where ($scope_province is null or c.province_code = $scope_province)
      and ($scope_commune is null or c.commune_code = $scope_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
),
final as (
    select p.period, p.period_start, c.province_code, c.province_name, c.commune_code, c.commune_name, c.division_type,
           count(m.month) as months_in_warehouse,
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
           coalesce(sum(m.dossiers_received), 0) > 0 as has_dossiers,
           count(m.docs_issued) > 0 as has_signatures
    from periods p
    cross join scoped_communes c
    left join mart_commune_month m
           on m.commune_code = c.commune_code and m.month >= p.period_start and m.month < p.period_end
    group by all
)
select * from final order by period_start, province_code, commune_code
