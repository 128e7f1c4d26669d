-- mart_skills_area: one row per area (each province, and the country), period type and period: the digital-skills
-- figures (Bình dân học vụ số: training, VNeID and certificates, community digital teams, population) labelled
-- as a province's or the country's, which every role is shown.  It carries no single commune's figure: sums of
-- the communes' counts, the count of communes and the months of the period in the warehouse.
-- Per commune and period, as metrics/sql/skills_period.sql computes them: stocks (population, adults, villages,
-- teams, members, VNeID level-2 accounts, adults certified) are the latest value within the period (the latest
-- month with a value), flows (sessions, participants) are summed over the period's months, and
-- training_participants_adults_to_date sums adult attendances over every month up to the period's end.
-- Over the area (metrics/skills.py): each count is summed over the communes; a share's numerator and
-- denominator (<metric>_numerator / <metric>_denominator) are summed over the communes that have both, then
-- divided on the read side (never an average of commune shares).
-- Periods: every month of mart_commune_month, and the quarters and years those months fall in (int_period_months).
create or replace table mart_skills_area as
with commune_months as (
    -- adult attendances from the warehouse's first month to each month (the to-date sum)
    select commune_code, province_code, month, population, adults, villages, digital_teams, team_members,
           training_sessions, training_participants, training_participants_adults, vneid_level2_active,
           adults_certified,
           sum(training_participants_adults) over (partition by commune_code order by month
                                                    rows between unbounded preceding and current row)
               as adults_to_date
    from mart_commune_month
),
per_commune as (
    -- a stock's latest value within the period: the month ordering only the months where it is given
    select p.period_type, p.period, p.period_start, m.commune_code, m.province_code,
           count(*) as months_in_warehouse,
           arg_max(m.population, case when m.population is not null then m.month end) as population,
           arg_max(m.adults, case when m.adults is not null then m.month end) as adults,
           arg_max(m.villages, case when m.villages is not null then m.month end) as villages,
           arg_max(m.digital_teams, case when m.digital_teams is not null then m.month end) as digital_teams,
           arg_max(m.team_members, case when m.team_members is not null then m.month end) as team_members,
           arg_max(m.vneid_level2_active, case when m.vneid_level2_active is not null then m.month end)
               as vneid_level2_active,
           arg_max(m.adults_certified, case when m.adults_certified is not null then m.month end)
               as adults_certified,
           cast(sum(m.training_sessions) as bigint) as training_sessions,
           cast(sum(m.training_participants) as bigint) as training_participants,
           cast(sum(m.training_participants_adults) as bigint) as training_participants_adults,
           cast(arg_max(m.adults_to_date, m.month) as bigint) as training_participants_adults_to_date
    from commune_months m
    join int_period_months p on p.month = m.month
    group by p.period_type, p.period, p.period_start, m.commune_code, m.province_code
),
with_team as (
    -- teams capped at the villages (one team per village), as metrics/skills.py add_metrics
    select *,
           case when digital_teams is not null and villages is not null and digital_teams > villages
                then villages else digital_teams end as villages_with_team
    from per_commune
),
final as (
    select case when grouping(province_code) = 1 then 'national' else 'province' end as area_level,
           province_code, period_type, period, period_start,
           count(*) as communes,
           max(months_in_warehouse) as months_in_warehouse,
           cast(sum(population) as bigint) as population,
           cast(sum(adults) as bigint) as adults,
           cast(sum(villages) as bigint) as villages,
           cast(sum(digital_teams) as bigint) as digital_teams,
           cast(sum(team_members) as bigint) as team_members,
           cast(sum(villages_with_team) as bigint) as villages_with_team,
           cast(sum(training_sessions) as bigint) as training_sessions,
           cast(sum(training_participants) as bigint) as training_participants,
           cast(sum(training_participants_adults) as bigint) as training_participants_adults,
           cast(sum(training_participants_adults_to_date) as bigint) as training_participants_adults_to_date,
           cast(sum(vneid_level2_active) as bigint) as vneid_level2_active,
           cast(sum(adults_certified) as bigint) as adults_certified,
           cast(sum(case when villages is not null then villages_with_team end) as bigint)
               as villages_with_team_share_numerator,
           cast(sum(case when villages_with_team is not null then villages end) as bigint)
               as villages_with_team_share_denominator,
           cast(sum(case when population is not null then team_members end) as bigint)
               as team_members_per_1000_numerator,
           cast(sum(case when team_members is not null then population end) as bigint)
               as team_members_per_1000_denominator,
           cast(sum(case when adults is not null then training_participants_adults_to_date end) as bigint)
               as adults_trained_share_numerator,
           cast(sum(case when training_participants_adults_to_date is not null then adults end) as bigint)
               as adults_trained_share_denominator,
           cast(sum(case when adults is not null then adults_certified end) as bigint)
               as adults_certified_share_numerator,
           cast(sum(case when adults_certified is not null then adults end) as bigint)
               as adults_certified_share_denominator,
           cast(sum(case when adults is not null then vneid_level2_active end) as bigint)
               as vneid_activation_share_numerator,
           cast(sum(case when vneid_level2_active is not null then adults end) as bigint)
               as vneid_activation_share_denominator
    from with_team
    group by grouping sets ((period_type, period, period_start, province_code), (period_type, period, period_start))
)
select * from final
order by period_type, period_start, area_level desc, province_code;
