-- The totals quartile tiers are cut from (metrics.definitions.quartile_tiers): every ranked commune
-- of the period, in every province.  Read inside metrics/service_index.py to give the rows a caller
-- may see their tier within the province and nationally; these values are never returned themselves.
select commune_code, province_code, index_total
from mart_index_period
where period_type = $period_type and period = $period and index_total is not null
