-- int_period_months: the reporting periods of the warehouse's months: each month of mart_commune_month in
-- its month, its quarter and its year (period keys as core.periods: '2026-08', '2026-Q3', '2026').  The one
-- definition the area marts (mart_area_period, mart_skills_area) join their months on.
-- One union part per period type, not three unnests side by side in one select: Spark has no zip of
-- several generators (an explode of each would pair every type with every period; docs/scaling.md).
create or replace table int_period_months as
with months as (
    select distinct month from mart_commune_month
)
select month, 'month' as period_type, strftime(month, '%Y-%m') as period, month as period_start
from months
union all
select month, 'quarter', strftime(month, '%Y') || '-Q' || cast(quarter(month) as varchar),
       make_date(year(month), 3 * (quarter(month) - 1) + 1, 1)
from months
union all
select month, 'year', strftime(month, '%Y'), make_date(year(month), 1, 1)
from months
order by period_type, period_start, month;
