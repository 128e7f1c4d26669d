-- int_open_overdue (intermediate model, etl/sql/int_open_overdue.yml): unfinished dossiers whose due
-- date has passed by the data's as-of instant, per commune, month received and procedure.  The as-of
-- instant is the latest received or finished timestamp of the dossiers (mart_dossier_month), so
-- unfinished dossiers are judged at the end of the data.  The one definition of "overdue while open":
-- mart_commune_month and mart_procedure_month add it to the dossiers finished late.  Few rows: only
-- the open dossiers are read from fact_dossier.
create or replace table int_open_overdue as
with as_of as (
    select greatest(max(last_received_at), max(last_finished_at)) as dossiers_as_of from mart_dossier_month
)
select d.commune_code, cast(date_trunc('month', d.received_at) as date) as month, d.procedure_code,
       count(*) as dossiers
from fact_dossier d cross join as_of a
where d.finished_at is null and d.due_at < a.dossiers_as_of
group by all
order by commune_code, month, procedure_code;
