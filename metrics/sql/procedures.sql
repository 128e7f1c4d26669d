-- Dossiers per procedure (MaTTHC) received in [$start, $end) ($start, $end: first days of months, a
-- period's bounds), with the late ones: the months of mart_procedure_month summed (its on-time and
-- overdue rules are mart_commune_month's; see etl/sql/mart_procedure_month.sql).
-- Filters: $province / $commune (NULL = all); scope: the query layer's scoped_commune (metrics/db.py).
with scoped as (
    select m.*
    from mart_procedure_month m
    where m.month >= $start::date and m.month < $end::date
      and m.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or m.province_code = $province)
      and ($commune::integer is null or m.commune_code = $commune)
),
per_procedure as (
    select procedure_code, any_value(procedure_name) as procedure_name, any_value(sector_name) as sector_name,
           cast(sum(dossiers_received) as bigint) as dossiers_received,
           cast(sum(dossiers_online) as bigint) as dossiers_online,
           cast(sum(dossiers_on_time) as bigint) as dossiers_on_time,
           cast(sum(dossiers_overdue) as bigint) as dossiers_overdue
    from scoped
    group by procedure_code
),
final as (
    select coalesce(procedure_code, '?') as procedure_code,
           coalesce(procedure_name, procedure_code, '?') as procedure_name,
           sector_name, dossiers_received, dossiers_online, dossiers_on_time, dossiers_overdue
    from per_procedure
)
select * from final order by dossiers_received desc, procedure_code
