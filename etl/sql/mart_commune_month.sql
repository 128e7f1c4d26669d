-- mart_commune_month: one row per commune and month (month = first day), every commune of
-- dim_commune for every month from the first to the last month with any data.
-- Dossier counts belong to the month the dossier was received (NgayTiepNhan).
-- On time: finished on or before the due date (or finished with no due date).  Overdue: finished
-- after the due date, or unfinished while the due date has passed by the data's as-of instant
-- (the latest received/finished timestamp in fact_dossier), as PRODUCT.md §5 judges unfinished
-- dossiers at the period end.  Rates are fractions 0..1, NULL where the denominator is 0.
create or replace table mart_commune_month as
with bounds as (
    select min(m) as first_month, max(m) as last_month from (
        select cast(date_trunc('month', min(received_at)) as date) as m from fact_dossier
        union all select cast(date_trunc('month', max(received_at)) as date) from fact_dossier
        union all select min(month) from fact_signature_month
        union all select max(month) from fact_signature_month
        union all select min(period_start) from fact_index_score where period_type = 'month'
        union all select max(period_start) from fact_index_score where period_type = 'month'
        union all select min(period_start) from fact_index_total where period_type = 'month'
        union all select max(period_start) from fact_index_total where period_type = 'month'
    )
),
months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from bounds where first_month is not null
),
as_of as (
    select max(greatest(received_at, coalesce(finished_at, received_at))) as dossiers_as_of from fact_dossier
),
dossiers as (
    select d.commune_code, cast(date_trunc('month', d.received_at) as date) as month,
           count(*) as dossiers_received,
           count(*) filter (where d.channel = 'online') as dossiers_online,
           count(*) filter (where d.channel = 'online' and d.online_mode = 'full') as dossiers_online_full,
           count(*) filter (where d.channel = 'online' and d.online_mode is distinct from 'full')
               as dossiers_online_partial,
           count(*) filter (where d.channel = 'in_person') as dossiers_in_person,
           count(*) filter (where d.channel = 'post') as dossiers_post,
           count(d.finished_at) as dossiers_completed,
           count(*) filter (where d.finished_at <= d.due_at or (d.finished_at is not null and d.due_at is null))
               as dossiers_on_time,
           count(*) filter (where d.finished_at > d.due_at
                             or (d.finished_at is null and d.due_at < a.dossiers_as_of)) as dossiers_overdue,
           count(d.paid_online_via) as dossiers_paid_online,
           count(*) filter (where d.digitized) as dossiers_digitized,
           avg(date_diff('second', d.received_at, d.finished_at)) / 86400.0 as avg_processing_days
    from fact_dossier d cross join as_of a
    group by all
),
signatures as (
    select commune_code, month, docs_issued, docs_confidential, docs_signed from fact_signature_month
),
index_month as (
    select commune_code, period_start as month, index_total, index_rank
    from mart_index_period where period_type = 'month'
),
final as (
    select c.commune_code, c.province_code, m.month,
           coalesce(d.dossiers_received, 0) as dossiers_received,
           coalesce(d.dossiers_online, 0) as dossiers_online,
           coalesce(d.dossiers_online_full, 0) as dossiers_online_full,
           coalesce(d.dossiers_online_partial, 0) as dossiers_online_partial,
           coalesce(d.dossiers_in_person, 0) as dossiers_in_person,
           coalesce(d.dossiers_post, 0) as dossiers_post,
           coalesce(d.dossiers_completed, 0) as dossiers_completed,
           coalesce(d.dossiers_on_time, 0) as dossiers_on_time,
           coalesce(d.dossiers_overdue, 0) as dossiers_overdue,
           coalesce(d.dossiers_paid_online, 0) as dossiers_paid_online,
           coalesce(d.dossiers_digitized, 0) as dossiers_digitized,
           d.avg_processing_days,
           d.dossiers_online / nullif(d.dossiers_received, 0) as online_rate,
           d.dossiers_online_full / nullif(d.dossiers_received, 0) as online_full_rate,
           d.dossiers_on_time / nullif(d.dossiers_on_time + d.dossiers_overdue, 0) as on_time_rate,
           d.dossiers_paid_online / nullif(d.dossiers_received, 0) as paid_online_rate,
           d.dossiers_digitized / nullif(d.dossiers_received, 0) as digitized_rate,
           s.docs_issued, s.docs_confidential, s.docs_signed,
           s.docs_signed / nullif(s.docs_issued - s.docs_confidential, 0) as signature_rate,
           i.index_total, i.index_rank
    from dim_commune c
    cross join months m
    left join dossiers d on d.commune_code = c.commune_code and d.month = m.month
    left join signatures s on s.commune_code = c.commune_code and s.month = m.month
    left join index_month i on i.commune_code = c.commune_code and i.month = m.month
)
select * from final order by commune_code, month;
