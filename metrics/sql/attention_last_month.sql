-- The latest month with data, up to the end of the period ($end, exclusive), per commune in scope and
-- source: dossiers (mart_commune_month, a month with a dossier received), signatures
-- (fact_signature_month) and the service index (mart_index_period, monthly results).
-- Read by metrics/attention.py for the `stale` alert rules.
with scoped_communes as (
    select c.commune_code, c.province_code
    from dim_commune c
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
),
dossiers as (
    select commune_code, max(month) as last_month from mart_commune_month
    where month < $end::date and dossiers_received > 0
      and commune_code in (select commune_code from scoped_commune)
    group by 1
),
signatures as (
    select commune_code, max(month) as last_month from fact_signature_month
    where month < $end::date and commune_code in (select commune_code from scoped_commune)
    group by 1
),
index_results as (
    select commune_code, max(period_start) as last_month from mart_index_period
    where period_type = 'month' and period_start < $end::date and index_total is not null
      and commune_code in (select commune_code from scoped_commune)
    group by 1
),
final as (
    select c.commune_code, d.last_month as dossiers, s.last_month as signatures, i.last_month as "index"
    from scoped_communes c
    left join dossiers d using (commune_code)
    left join signatures s using (commune_code)
    left join index_results i using (commune_code)
)
select * from final order by commune_code
