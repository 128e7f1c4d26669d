-- mart_dossier_month: dossiers per month received, commune and procedure (MaTTHC) — the one
-- aggregate of fact_dossier; mart_commune_month and mart_procedure_month are built from it, and no
-- page scans fact_dossier.  Only counts that do not depend on the data's as-of instant are kept
-- here (unfinished dossiers become overdue as time passes: the marts built on this one count them
-- from fact_dossier's few unfinished rows), so a load only recomputes the months it touched
-- (etl.loader.build_marts(con, months=...)); a full build and an incremental one give the same rows.
-- On time: finished on or before the due date, or finished with no due date.  Finished late:
-- finished after the due date.  processing_seconds: sum over finished dossiers of finished - received.
create or replace table mart_dossier_month as
select
    cast(date_trunc('month', received_at) as date) as month,
    province_code,
    commune_code,
    procedure_code,
    any_value(procedure_name) as procedure_name,
    any_value(sector_code) as sector_code,
    any_value(sector_name) as sector_name,
    count(*) as dossiers_received,
    count(*) filter (where channel = 'online') as dossiers_online,
    count(*) filter (where channel = 'online' and online_mode = 'full') as dossiers_online_full,
    count(*) filter (where channel = 'online' and online_mode is distinct from 'full') as dossiers_online_partial,
    count(*) filter (where channel = 'in_person') as dossiers_in_person,
    count(*) filter (where channel = 'post') as dossiers_post,
    count(finished_at) as dossiers_completed,
    count(*) filter (where finished_at <= due_at or (finished_at is not null and due_at is null)) as dossiers_on_time,
    count(*) filter (where finished_at > due_at) as dossiers_finished_late,
    count(*) filter (where finished_at is null) as dossiers_open,
    count(paid_online_via) as dossiers_paid_online,
    count(*) filter (where digitized) as dossiers_digitized,
    sum(date_diff('second', received_at, finished_at)) as processing_seconds,
    max(received_at) as last_received_at,
    max(finished_at) as last_finished_at
from fact_dossier
group by all
order by month, province_code, commune_code, procedure_code;
