-- mart_procedure_month: dossiers per month received, commune and procedure (MaTTHC), with the
-- overdue count judged at the data's as-of instant like mart_commune_month (finished after the due
-- date, or unfinished while the due date has passed by then).  Read by metrics/sql/procedures.sql
-- (the filings page's procedures with most dossiers and most late dossiers).  Built from
-- mart_dossier_month; only unfinished dossiers are read from fact_dossier.  Procedures add up to
-- mart_commune_month's received / on-time / overdue counts.
create or replace table mart_procedure_month as
with as_of as (
    select greatest(max(last_received_at), max(last_finished_at)) as dossiers_as_of from mart_dossier_month
),
open_overdue as (
    select d.commune_code, cast(date_trunc('month', d.received_at) as date) as month, d.procedure_code,
           count(*) as dossiers
    from fact_dossier d cross join as_of a
    where d.finished_at is null and d.due_at < a.dossiers_as_of
    group by all
)
select m.month, m.province_code, m.commune_code, m.procedure_code, m.procedure_name, m.sector_name,
       m.dossiers_received, m.dossiers_online, m.dossiers_on_time,
       m.dossiers_finished_late + coalesce(o.dossiers, 0) as dossiers_overdue
from mart_dossier_month m
left join open_overdue o
    on o.commune_code = m.commune_code and o.month = m.month and o.procedure_code is not distinct from m.procedure_code
order by m.month, m.province_code, m.commune_code, m.procedure_code;
