-- How many of a province's communes have each target rate for a period, and how many are at its target
-- (metrics/report_data.py, the province briefing's targets table): counts of communes, no commune's figure,
-- so they are shown to every role (the rule in metrics/areas.py) and this query reads no scoped relation.
-- Each commune's rate is the catalogue's formula (core/catalogue.py) over its counts summed over the period's
-- months ($start .. $end, end exclusive), as metrics/sql/commune_period.sql and definitions.add_rates compute
-- it; a commune without a denominator has no rate and is not counted.  Targets: $targets (metric -> value).
with sums as (
    select m.commune_code,
           sum(m.dossiers_received) as received, sum(m.dossiers_online) as online,
           sum(m.dossiers_on_time) as on_time, sum(m.dossiers_overdue) as overdue,
           sum(m.dossiers_digitized) as digitized,
           sum(m.docs_issued) as issued, sum(m.docs_confidential) as confidential, sum(m.docs_signed) as signed
    from mart_commune_month m
    where m.province_code = $province and m.month >= $start and m.month < $end
    group by m.commune_code
),
rates as (
    select unnest(['signature_rate', 'online_rate', 'on_time_rate', 'digitized_rate']) as metric,
           unnest([signed / nullif(issued - confidential, 0), online / nullif(received, 0),
                   on_time / nullif(on_time + overdue, 0), digitized / nullif(received, 0)]) as rate
    from sums
),
targets as (
    select unnest(map_keys($targets::map(varchar, double))) as metric,
           unnest(map_values($targets::map(varchar, double))) as target
)
select t.metric, t.target, count(r.rate) as communes_with_data,
       count(r.rate) filter (where r.rate >= t.target - 1e-12) as communes_at_target
from targets t
left join rates r using (metric)
group by t.metric, t.target
