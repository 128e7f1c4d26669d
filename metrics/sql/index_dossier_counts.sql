-- Dossier counts of every commune in scope for one period: the months [period_start, period_end) of
-- mart_commune_month summed (counts first; ratios are taken from the sums, never averaged).
-- Communes without dossiers in the period are kept with zero counts (months_with_dossiers = 0).
with scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code
    from dim_commune c
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province is null or c.province_code = $province)
      and ($commune is null or c.commune_code = $commune)
),
period_months as (
    select m.commune_code,
           sum(m.dossiers_received) as dossiers_received,
           sum(m.dossiers_online) as dossiers_online,
           sum(m.dossiers_online_full) as dossiers_online_full,
           sum(m.dossiers_on_time) as dossiers_on_time,
           sum(m.dossiers_overdue) as dossiers_overdue,
           sum(m.dossiers_paid_online) as dossiers_paid_online,
           sum(m.dossiers_digitized) as dossiers_digitized,
           count(*) filter (where m.dossiers_received > 0) as months_with_dossiers
    from mart_commune_month m
    join scoped_communes s using (commune_code)
    where m.month >= $period_start and m.month < $period_end
    group by m.commune_code
),
final as (
    select s.commune_code, s.commune_name, s.province_code,
           cast(coalesce(p.dossiers_received, 0) as bigint) as dossiers_received,
           cast(coalesce(p.dossiers_online, 0) as bigint) as dossiers_online,
           cast(coalesce(p.dossiers_online_full, 0) as bigint) as dossiers_online_full,
           cast(coalesce(p.dossiers_on_time, 0) as bigint) as dossiers_on_time,
           cast(coalesce(p.dossiers_overdue, 0) as bigint) as dossiers_overdue,
           cast(coalesce(p.dossiers_paid_online, 0) as bigint) as dossiers_paid_online,
           cast(coalesce(p.dossiers_digitized, 0) as bigint) as dossiers_digitized,
           cast(coalesce(p.months_with_dossiers, 0) as integer) as months_with_dossiers
    from scoped_communes s
    left join period_months p using (commune_code)
)
select * from final order by province_code, commune_code
