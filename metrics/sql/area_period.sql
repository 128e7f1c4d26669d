-- The provinces' and the country's aggregates (mart_area_period) for a list of periods of one type:
-- sums, counts of communes, medians and the mean index, none of them a single commune's figure.  Public to
-- every role (the rule in metrics/areas.py), so this query reads no scoped relation: it reads no commune's
-- row at all.  Rates are computed from the sums afterwards (metrics/definitions.py add_rates).
select a.*, pr.name as province_name
from mart_area_period a
left join dim_province pr using (province_code)
where a.period_type = $period_type
  and a.period in (select unnest($period_keys::varchar[]))
order by a.period_start, a.area_level desc, a.province_code
