-- mart_commune_month: one row per commune and month (month = first day), every commune of
-- dim_commune for every month from the first to the last month with any data.
-- Dossier counts belong to the month the dossier was received (NgayTiepNhan).
-- On time: finished on or before the due date (or finished with no due date).  Overdue: finished
-- after the due date, or unfinished while the due date has passed by the data's as-of instant
-- (the latest received/finished timestamp in fact_dossier): unfinished dossiers are judged at the
-- period end.  Rates are fractions 0..1, NULL where the denominator is 0.
-- Dossier figures are summed from mart_dossier_month (built first); the unfinished dossiers past
-- their due date come from int_open_overdue.  Key and tests: mart_commune_month.yml.  Rates are the
-- catalogue's formulas (core/catalogue.py; tests/core/test_catalogue.py checks them).
-- Digital skills (Bình dân học vụ số): population, adults, villages from the latest year on or before
-- the month's year; digital teams and members as of the month's last day (a commune's register when it
-- has a team established by then, else its latest count); training sessions and participants in the
-- month; VNeID level-2 accounts and adults certified from the latest report on or before the month
-- (each figure on its own).  Training and VNeID months widen the months range; population years and
-- team dates do not (they are stocks carried into the months).
create or replace table mart_commune_month as
with bounds as (
    select min(m) as first_month, max(m) as last_month from (
        select min(month) as m from mart_dossier_month
        union all select max(month) from mart_dossier_month
        union all select min(month) from fact_signature_month
        union all select max(month) from fact_signature_month
        union all select min(period_start) from fact_index_score where period_type = 'month'
        union all select max(period_start) from fact_index_score where period_type = 'month'
        union all select min(period_start) from fact_index_total where period_type = 'month'
        union all select max(period_start) from fact_index_total where period_type = 'month'
        union all select cast(date_trunc('month', min(training_on)) as date) from fact_training_session
        union all select cast(date_trunc('month', max(training_on)) as date) from fact_training_session
        union all select min(month) from fact_vneid_month
        union all select max(month) from fact_vneid_month
    )
),
months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from bounds where first_month is not null
),
open_overdue as (
    -- unfinished dossiers whose due date has passed by the as-of instant (int_open_overdue)
    select commune_code, month, sum(dossiers) as dossiers from int_open_overdue group by all
),
dossier_sums as (
    select commune_code, month,
           sum(dossiers_received) as dossiers_received,
           sum(dossiers_online) as dossiers_online,
           sum(dossiers_online_full) as dossiers_online_full,
           sum(dossiers_online_partial) as dossiers_online_partial,
           sum(dossiers_in_person) as dossiers_in_person,
           sum(dossiers_post) as dossiers_post,
           sum(dossiers_completed) as dossiers_completed,
           sum(dossiers_on_time) as dossiers_on_time,
           sum(dossiers_finished_late) as dossiers_finished_late,
           sum(dossiers_paid_online) as dossiers_paid_online,
           sum(dossiers_digitized) as dossiers_digitized,
           sum(processing_seconds) as processing_seconds
    from mart_dossier_month
    group by commune_code, month
),
dossiers as (
    select s.commune_code, s.month,
           cast(s.dossiers_received as bigint) as dossiers_received,
           cast(s.dossiers_online as bigint) as dossiers_online,
           cast(s.dossiers_online_full as bigint) as dossiers_online_full,
           cast(s.dossiers_online_partial as bigint) as dossiers_online_partial,
           cast(s.dossiers_in_person as bigint) as dossiers_in_person,
           cast(s.dossiers_post as bigint) as dossiers_post,
           cast(s.dossiers_completed as bigint) as dossiers_completed,
           cast(s.dossiers_on_time as bigint) as dossiers_on_time,
           cast(s.dossiers_finished_late + coalesce(o.dossiers, 0) as bigint) as dossiers_overdue,
           cast(s.dossiers_paid_online as bigint) as dossiers_paid_online,
           cast(s.dossiers_digitized as bigint) as dossiers_digitized,
           s.processing_seconds / nullif(s.dossiers_completed, 0) / 86400.0 as avg_processing_days
    from dossier_sums s
    left join open_overdue o using (commune_code, month)
),
signatures as (
    select commune_code, month, docs_issued, docs_confidential, docs_signed from fact_signature_month
),
index_month as (
    select commune_code, period_start as month, index_total, index_rank
    from mart_index_period where period_type = 'month'
),
population as (
    select pc.commune_code, m.month, p.population, p.adults, p.villages
    from (select distinct commune_code from fact_population_year) pc
    cross join months m
    asof join fact_population_year p on p.commune_code = pc.commune_code and year(m.month) >= p.year
),
team_register as (
    select t.commune_code, m.month, count(*) as digital_teams, cast(sum(t.members) as bigint) as team_members
    from fact_digital_team t
    join months m on t.established_on < m.month + interval 1 month
    where t.record_type = 'team'
    group by all
),
team_count as (
    select tc.commune_code, m.month, t.teams as digital_teams, t.members as team_members
    from (select distinct commune_code from fact_digital_team where record_type = 'commune_count') tc
    cross join months m
    asof join (select commune_code, established_on, teams, members from fact_digital_team
               where record_type = 'commune_count') t
        on t.commune_code = tc.commune_code and cast(m.month + interval 1 month as date) > t.established_on
),
training as (
    select commune_code, cast(date_trunc('month', training_on) as date) as month,
           count(distinct struct_pack(training_on, topic)) as training_sessions,
           cast(sum(participants) as bigint) as training_participants,
           cast(coalesce(sum(participants) filter (where audience <> 'pupils'), 0) as bigint)
               as training_participants_adults
    from fact_training_session
    group by all
),
vneid_level2 as (
    select vc.commune_code, m.month, v.vneid_level2_active
    from (select distinct commune_code from fact_vneid_month where vneid_level2_active is not null) vc
    cross join months m
    asof join (select commune_code, month, vneid_level2_active from fact_vneid_month
               where vneid_level2_active is not null) v
        on v.commune_code = vc.commune_code and m.month >= v.month
),
certified as (
    select cc.commune_code, m.month, v.adults_certified
    from (select distinct commune_code from fact_vneid_month where adults_certified is not null) cc
    cross join months m
    asof join (select commune_code, month, adults_certified from fact_vneid_month
               where adults_certified is not null) v
        on v.commune_code = cc.commune_code and m.month >= v.month
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
           i.index_total, i.index_rank,
           p.population, p.adults, p.villages,
           coalesce(tr.digital_teams, tc.digital_teams) as digital_teams,
           coalesce(tr.team_members, tc.team_members) as team_members,
           coalesce(t.training_sessions, 0) as training_sessions,
           coalesce(t.training_participants, 0) as training_participants,
           coalesce(t.training_participants_adults, 0) as training_participants_adults,
           v2.vneid_level2_active, ac.adults_certified
    from dim_commune c
    cross join months m
    left join dossiers d on d.commune_code = c.commune_code and d.month = m.month
    left join signatures s on s.commune_code = c.commune_code and s.month = m.month
    left join index_month i on i.commune_code = c.commune_code and i.month = m.month
    left join population p on p.commune_code = c.commune_code and p.month = m.month
    left join team_register tr on tr.commune_code = c.commune_code and tr.month = m.month
    left join team_count tc on tc.commune_code = c.commune_code and tc.month = m.month
    left join training t on t.commune_code = c.commune_code and t.month = m.month
    left join vneid_level2 v2 on v2.commune_code = c.commune_code and v2.month = m.month
    left join certified ac on ac.commune_code = c.commune_code and ac.month = m.month
)
select * from final order by commune_code, month;
