-- Periods of one type whose commune index results for $province hold provisional rows (fetched while
-- the period was open): rank histories and comparisons over time leave them out.
with __LOAD_STATUS__,
units as (
    select period_type, period, load_id from fact_index_score where province_code = $province
    union all
    select period_type, period, load_id from fact_index_total where province_code = $province
)
select distinct u.period_type, u.period
from units u
join load_status s using (load_id)
where s.status = 'provisional'
order by 1, 2
