-- A province's or the country's digital-skills aggregates (mart_skills_area) for a list of periods of one type:
-- counts summed over the area's communes, and each share's numerator and denominator over the communes that
-- have both; none of them a single commune's figure.  Public to every role (the rule in metrics/areas.py), so
-- this query reads no scoped relation: it reads no commune's row at all.  $province NULL = the country.
-- One row per requested period ($period_keys, $period_starts), NULL figures where the mart has none.
with periods as (
    select unnest($period_keys::varchar[]) as period, unnest($period_starts::date[]) as period_start
)
select p.period, p.period_start, a.* exclude (period, period_start, area_level, period_type)
from periods p
left join mart_skills_area a
  on a.period = p.period and a.period_type = $period_type
 and a.area_level = case when $province::integer is null then 'national' else 'province' end
 and coalesce(a.province_code, -1) = coalesce($province::integer, -1)
order by p.period_start
