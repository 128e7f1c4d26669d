-- The provincial departments (sở, ngành) of $province on the service index for one period and the
-- previous one, as the portal publishes them beside the communes (fact_index_department, loaded from
-- the portal's JSON files and never matched to a commune): one row per department and period, its
-- published total (group 'TOTAL') when the file gave one, its six group scores, and how many groups
-- were published.  Ranks and changes are computed by metrics/departments.py.
-- Scope: the `scope` relation; a national account sees any province's departments, a province or
-- commune account its own province's (a department is a unit of the province, not of a commune).
select d.period, d.department_key,
    any_value(d.department_name order by d.load_id desc) as department_name,
    any_value(d.department_code order by d.load_id desc) as department_code,
    max(d.score) filter (where d.group_code = 'TOTAL') as published_total,
    max(d.score) filter (where d.group_code = 'CKMB') as score_ckmb,
    max(d.score) filter (where d.group_code = 'TDGQ') as score_tdgq,
    max(d.score) filter (where d.group_code = 'CLGQ') as score_clgq,
    max(d.score) filter (where d.group_code = 'TTTT') as score_tttt,
    max(d.score) filter (where d.group_code = 'MDSH') as score_mdsh,
    max(d.score) filter (where d.group_code = 'MDHL') as score_mdhl,
    count(d.score) filter (where d.group_code <> 'TOTAL') as groups_published
from fact_index_department d
join scope s on s.province_code is null or d.province_code = s.province_code
where d.province_code = $province and d.period_type = $period_type and d.period in ($period, $previous_period)
group by d.period, d.department_key
