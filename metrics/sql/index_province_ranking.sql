-- Provinces ranked nationally for one period and the previous period of the same type.
-- Basis: the portal's national ranking (fact_index_province, group_code 'TOTAL') when it is loaded
-- for the period; otherwise the average index_total of the province's ranked communes (complete
-- group sets only).  One basis per request (the current period's), used for both periods, so a
-- change is never taken between two different bases.  Ties share a rank (1, 2, 2, 4).  Ranks are
-- taken over every province before the scope filter.
-- `fact_index_province` is swapped for an empty relation by metrics/service_index.py when the
-- warehouse predates the portal import.
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
),
ranked as (
    select *,
           case when index_total is not null then
               coalesce(published_rank, rank() over (partition by period order by index_total desc nulls last))
           end as national_rank,
           count(index_total) over (partition by period) as provinces_ranked
    from scored
),
final as (
    select c.province_code, c.province_name, $period_type as period_type, c.period, c.basis,
           c.index_total, c.national_rank, c.provinces_ranked,
           c.portal_total, c.commune_average, c.communes_ranked, c.communes_total,
           p.index_total as previous_index_total, p.national_rank as previous_national_rank,
           c.index_total - p.index_total as index_total_change,
           p.national_rank - c.national_rank as national_rank_change
    from ranked c
    left join ranked p on p.province_code = c.province_code and p.period = $previous_period
    where c.period = $period
      and (c.index_total is not null or c.commune_average is not null)
      and ($scope_province is null or c.province_code = $scope_province)
)
select * from final order by national_rank nulls last, province_name
