-- A commune's digital-skills figures month by month (metrics/skills.py), from $first_month to
-- $last_month (first days), with adult training attendances summed from the warehouse's first month.
-- Scope: scoped_commune (a commune outside the scope gives no rows).
with scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code
    from dim_commune c
    where c.commune_code = $commune
      and c.commune_code in (select commune_code from scoped_commune)
),
months as (
    select m.commune_code, c.commune_name, c.province_code, m.month, m.population, m.adults, m.villages,
           m.digital_teams, m.team_members, m.training_sessions, m.training_participants,
           m.training_participants_adults, m.vneid_level2_active, m.adults_certified,
           1 as months_in_warehouse,
           sum(m.training_participants_adults) over (order by m.month) as training_participants_adults_to_date
    from mart_commune_month m
    join scoped_communes c using (commune_code)
    where m.month <= $last_month
),
final as (
    select * from months where month >= $first_month
)
select * from final order by month
