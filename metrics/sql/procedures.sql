-- Dossiers per procedure (MaTTHC) received in [$start, $end), with the late ones (overdue as the mart
-- counts them: finished after the due date, or unfinished past the due date at the data's as-of instant).
-- The on-time/overdue rule mirrors etl/sql/mart_commune_month.sql (the mart has no procedure
-- dimension); tests/metrics check that the procedures add up to the mart's totals.
with as_of as (
    select max(greatest(received_at, coalesce(finished_at, received_at))) as dossiers_as_of from fact_dossier
),
scoped as (
    select d.*
    from fact_dossier d
    where d.received_at >= $start::date and d.received_at < $end::date
      and ($scope_province is null or d.province_code = $scope_province)
      and ($scope_commune is null or d.commune_code = $scope_commune)
      and ($province::integer is null or d.province_code = $province)
      and ($commune::integer is null or d.commune_code = $commune)
),
per_procedure as (
    select procedure_code, any_value(procedure_name) as procedure_name, any_value(sector_name) as sector_name,
           count(*) as dossiers_received,
           count(*) filter (where channel = 'online') as dossiers_online,
           count(*) filter (where finished_at <= due_at or (finished_at is not null and due_at is null))
               as dossiers_on_time,
           count(*) filter (where finished_at > due_at or (finished_at is null and due_at < a.dossiers_as_of))
               as dossiers_overdue
    from scoped cross join as_of a
    group by procedure_code
),
final as (
    select coalesce(procedure_code, '?') as procedure_code,
           coalesce(procedure_name, procedure_code, '?') as procedure_name,
           sector_name, dossiers_received, dossiers_online, dossiers_on_time, dossiers_overdue
    from per_procedure
)
select * from final order by dossiers_received desc, procedure_code
