-- The portal's own ranking of the provinces for one period (fact_index_province, group 'TOTAL', as
-- loaded from the national service-results): total, the six group scores, rank by total (ties share
-- a rank: 1, 2, 2, 4), and whether the row is provisional (fetched while the period was open).
-- Every province for every role: a province's total and rank are aggregates, not a commune's figure, so
-- the caller's scope does not filter them (tests/metrics/test_scope_sql.py lists this query as public).
with __LOAD_STATUS__,
rows as (
    select p.province_code, p.group_code, p.score, p.score_delta, p.portal_code, p.source_row,
           coalesce(s.status, 'official') as status
    from fact_index_province p
    left join load_status s using (load_id)
    where p.period_type = $period_type and p.period = $period
),
provinces as (
    select province_code,
           max(score) filter (where group_code = 'TOTAL') as portal_total,
           max(score_delta) filter (where group_code = 'TOTAL') as portal_total_change,
           max(score) filter (where group_code = 'CKMB') as score_ckmb,
           max(score) filter (where group_code = 'TDGQ') as score_tdgq,
           max(score) filter (where group_code = 'CLGQ') as score_clgq,
           max(score) filter (where group_code = 'TTTT') as score_tttt,
           max(score) filter (where group_code = 'MDSH') as score_mdsh,
           max(score) filter (where group_code = 'MDHL') as score_mdhl,
           any_value(portal_code) as portal_code,
           case when bool_or(status = 'provisional') then 'provisional' else 'official' end as index_status
    from rows
    group by province_code
    having count(score) filter (where group_code = 'TOTAL') > 0
),
ranked as (
    select *, rank() over (order by portal_total desc) as portal_rank, count(*) over () as provinces_ranked
    from provinces
)
select r.portal_rank, r.provinces_ranked, r.province_code, d.name as province_name, r.portal_code,
       r.portal_total, r.portal_total_change, r.score_ckmb, r.score_tdgq, r.score_clgq, r.score_tttt,
       r.score_mdsh, r.score_mdhl, r.index_status
from ranked r
join dim_province d using (province_code)
order by r.portal_rank, d.name
