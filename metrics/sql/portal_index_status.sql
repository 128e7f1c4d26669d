-- Whether the index results shown for a period are provisional: per level ('communes': the commune
-- scores and totals of $province or of every province when NULL; 'province': the provinces' own
-- totals and the national ranking), the rows of the period itself (own = true) and, for a quarter
-- or year, those of its months (own = false, for results derived from the months).
with __LOAD_STATUS__,
units as (
    select 'communes' as level, period_type = $period_type as own, load_id
    from fact_index_score
    where ($province is null or province_code = $province)
      and ((period_type = $period_type and period = $period)
           or ($period_type <> 'month' and period_type = 'month' and period_start >= $start and period_start < $end))
    union all
    select 'communes', period_type = $period_type, load_id
    from fact_index_total
    where ($province is null or province_code = $province)
      and ((period_type = $period_type and period = $period)
           or ($period_type <> 'month' and period_type = 'month' and period_start >= $start and period_start < $end))
    union all
    select 'province', true, load_id
    from fact_index_province
    where ($province is null or province_code = $province) and period_type = $period_type and period = $period
)
select u.level, u.own, count(*) as rows, count(*) filter (where s.status = 'provisional') as provisional_rows
from units u
left join load_status s using (load_id)
group by u.level, u.own
