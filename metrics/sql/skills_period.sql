-- Digital-skills figures per commune and period (metrics/skills.py), from mart_commune_month.
-- Periods arrive as three parallel lists ($period_keys, $period_starts, $period_ends: end is the first
-- day after the period).  Stocks (population, adults, villages, teams, members, VNeID level-2 accounts,
-- adults certified) are the latest value within the period (the mart carries them forward, so this is
-- the value at the period's last month in the warehouse); flows (sessions, participants) are summed
-- over the period's months; training_participants_adults_to_date sums adult attendances over every
-- month in the warehouse up to the period's end.  Metrics are computed afterwards (metrics/skills.py).
-- Filters: $province / $commune (NULL = all); scope: the query layer's scoped_commune (metrics/db.py).
with periods as (
    select unnest($period_keys::varchar[]) as period,
           unnest($period_starts::date[]) as period_start,
           unnest($period_ends::date[]) as period_end
),
scoped_communes as (
    select c.commune_code, c.province_code, c.name as commune_name, c.division_type, pr.name as province_name
    from dim_commune c
    join dim_province pr using (province_code)
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
),
final as (
    select p.period, p.period_start, c.province_code, c.province_name, c.commune_code, c.commune_name,
           c.division_type,
           count(m.month) filter (where m.month >= p.period_start) as months_in_warehouse,
           arg_max(m.population, m.month) filter (where m.month >= p.period_start) as population,
           arg_max(m.adults, m.month) filter (where m.month >= p.period_start) as adults,
           arg_max(m.villages, m.month) filter (where m.month >= p.period_start) as villages,
           arg_max(m.digital_teams, m.month) filter (where m.month >= p.period_start) as digital_teams,
           arg_max(m.team_members, m.month) filter (where m.month >= p.period_start) as team_members,
           arg_max(m.vneid_level2_active, m.month) filter (where m.month >= p.period_start) as vneid_level2_active,
           arg_max(m.adults_certified, m.month) filter (where m.month >= p.period_start) as adults_certified,
           cast(sum(m.training_sessions) filter (where m.month >= p.period_start) as bigint) as training_sessions,
           cast(sum(m.training_participants) filter (where m.month >= p.period_start) as bigint)
               as training_participants,
           cast(sum(m.training_participants_adults) filter (where m.month >= p.period_start) as bigint)
               as training_participants_adults,
           cast(sum(m.training_participants_adults) as bigint) as training_participants_adults_to_date
    from periods p
    cross join scoped_communes c
    left join mart_commune_month m on m.commune_code = c.commune_code and m.month < p.period_end
    group by all
)
select * from final order by period_start, province_code, commune_code
