-- Provinces ranked nationally for one period and the previous period of the same type.
-- Basis: the portal's national ranking (fact_index_province, group_code 'TOTAL') when it is loaded
-- for the period; otherwise the average index_total of the province's ranked communes (complete
-- group sets only).  One basis per request (the current period's), used for both periods, so a
-- change is never taken between two different bases.  Every province, both periods: the ranks
-- (metrics.ranking.competition_rank where the portal publishes none), the changes and the scope filter
-- are applied by metrics/service_index.py (national_province_ranking), over every province.
with portal as (
    select province_code, period, score as portal_total, national_rank as portal_rank
    from fact_index_province
    where group_code = 'TOTAL' and period_type = $period_type and period in ($period, $previous_period)
      and score is not null
),
averages as (
    select province_code, period, round(avg(index_total), 2) as commune_average,
           count(index_total) as communes_ranked
    from mart_index_period
    where period_type = $period_type and period in ($period, $previous_period) and index_total is not null
    group by province_code, period
),
commune_counts as (
    select province_code, count(*) as communes_total from dim_commune group by province_code
),
basis as (
    select case when exists (select 1 from portal where period = $period) then 'portal'
                else 'commune_average' end as basis
),
periods as (
    select $period as period union all select $previous_period
),
scored as (
    select v.province_code, v.name as province_name, per.period, b.basis,
           case b.basis when 'portal' then po.portal_total else a.commune_average end as index_total,
           case b.basis when 'portal' then po.portal_rank end as published_rank,
           po.portal_total, a.commune_average,
           coalesce(a.communes_ranked, 0) as communes_ranked, cc.communes_total
    from dim_province v
    cross join periods per
    cross join basis b
    left join portal po on po.province_code = v.province_code and po.period = per.period
    left join averages a on a.province_code = v.province_code and a.period = per.period
    left join commune_counts cc on cc.province_code = v.province_code
)
select province_code, province_name, period, basis, index_total, published_rank, portal_total, commune_average,
       communes_ranked, communes_total
from scored
order by period, province_code
