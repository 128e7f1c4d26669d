-- mart_dossier_month: dossiers per month received, commune and procedure (MaTTHC) — the one
-- aggregate of fact_dossier; mart_commune_month and mart_procedure_month are built from it, and no
-- page scans fact_dossier.  Only counts that do not depend on the data's as-of instant are kept
-- here (unfinished dossiers become overdue as time passes: the marts built on this one count them
-- from fact_dossier's few unfinished rows), so a load only recomputes the months it touched
-- (etl.loader.build_marts(con, months=...)); a full build and an incremental one give the same rows.
-- On time: finished on or before the due date, or finished with no due date.  Finished late:
-- finished after the due date.  processing_seconds: sum over finished dossiers of finished - received.
-- The names (any of a group's, like any_value) are carried through the grouping as small numbers
-- from the load's few distinct names and looked up afterwards: copying long names into millions of
-- groups took a third of the grouping when each dossier is its own group.  Every read of fact_dossier
-- is written `from fact_dossier` (build_marts narrows each one to the touched months).
-- Its rows are not sorted: only the marts built on it read it, whole months at a time, and sorting
-- the groups (as many as the dossiers on a national export) took half of its build.
create or replace table mart_dossier_month as
with procedure_names as (
    select procedure_name, row_number() over () as name_id
    from (select distinct procedure_name from fact_dossier where procedure_name is not null)
),
sector_codes as (
    select sector_code, row_number() over () as code_id
    from (select distinct sector_code from fact_dossier where sector_code is not null)
),
sector_names as (
    select sector_name, row_number() over () as name_id
    from (select distinct sector_name from fact_dossier where sector_name is not null)
),
grouped as (
    select
        cast(date_trunc('month', fact_dossier.received_at) as date) as month,
        fact_dossier.province_code,
        fact_dossier.commune_code,
        fact_dossier.procedure_code,
        any_value(pn.name_id) as procedure_name_id,
        any_value(sc.code_id) as sector_code_id,
        any_value(sn.name_id) as sector_name_id,
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
    left join procedure_names pn on pn.procedure_name = fact_dossier.procedure_name
    left join sector_codes sc on sc.sector_code = fact_dossier.sector_code
    left join sector_names sn on sn.sector_name = fact_dossier.sector_name
    group by 1, 2, 3, 4
)
select
    g.month,
    g.province_code,
    g.commune_code,
    g.procedure_code,
    pn.procedure_name,
    sc.sector_code,
    sn.sector_name,
    g.dossiers_received,
    g.dossiers_online,
    g.dossiers_online_full,
    g.dossiers_online_partial,
    g.dossiers_in_person,
    g.dossiers_post,
    g.dossiers_completed,
    g.dossiers_on_time,
    g.dossiers_finished_late,
    g.dossiers_open,
    g.dossiers_paid_online,
    g.dossiers_digitized,
    g.processing_seconds,
    g.last_received_at,
    g.last_finished_at
from grouped g
left join procedure_names pn on pn.name_id = g.procedure_name_id
left join sector_codes sc on sc.code_id = g.sector_code_id
left join sector_names sn on sn.name_id = g.sector_name_id;
