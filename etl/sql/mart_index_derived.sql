-- mart_index_derived: service-index results of quarters and years derived from their months.  Read by
-- metrics/sql/index_period.sql (every quarter or year view of the index: rankings, headline, commune
-- profile, rank history), so no request computes these ranks over every commune of the country.
-- Key and tests: mart_index_derived.yml.
-- A quarter or year without published results for a province (no row of mart_index_period of that
-- period type and period for the province) is derived from its complete months (mart_index_period,
-- period_type = 'month', every group published, a total): each group score and the total are the mean
-- over the months published (the total rounded to 2 decimals, half up, from exact integer sums); ranks are computed among the derived
-- communes, within the province (index_rank, of communes_ranked) and nationally (national_rank), highest
-- total first, ties sharing a rank (1, 2, 2, 4: metrics/ranking.py's rule).  Period keys as core.periods:
-- '2026-Q3', '2026'.
create or replace table mart_index_derived as
with months as (
    select commune_code, province_code, period_start as month, index_total,
           score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdsh, score_mdhl
    from mart_index_period
    where period_type = 'month' and is_complete and index_total is not null
),
in_periods as (
    select 'quarter' as period_type,
           cast(year(month) as varchar) || '-Q' || cast(quarter(month) as varchar) as period,
           cast(date_trunc('quarter', month) as date) as period_start, m.*
    from months m
    union all
    select 'year', cast(year(month) as varchar), cast(date_trunc('year', month) as date), m.*
    from months m
),
published as (
    select distinct period_type, period, province_code from mart_index_period where period_type <> 'month'
),
sums as (
    -- exact integer sums in millionths of a point: a float sum's last bits depend on the order threads add
    -- in (DuckDB's parallel aggregate, Spark's partitions), and DuckDB's avg of a decimal is a double, so a
    -- mean on a .xx5 boundary rounded down (75 totals of the demo lake, and their ranks)
    select i.period_type, i.period, i.period_start, i.commune_code, i.province_code,
           count(*) as months_published,
           sum(cast(cast(i.index_total as decimal(18, 6)) * 1000000 as bigint)) as total_micro,
           sum(cast(cast(i.score_ckmb as decimal(18, 6)) * 1000000 as bigint)) as ckmb_micro,
           sum(cast(cast(i.score_tdgq as decimal(18, 6)) * 1000000 as bigint)) as tdgq_micro,
           sum(cast(cast(i.score_clgq as decimal(18, 6)) * 1000000 as bigint)) as clgq_micro,
           sum(cast(cast(i.score_tttt as decimal(18, 6)) * 1000000 as bigint)) as tttt_micro,
           sum(cast(cast(i.score_mdsh as decimal(18, 6)) * 1000000 as bigint)) as mdsh_micro,
           sum(cast(cast(i.score_mdhl as decimal(18, 6)) * 1000000 as bigint)) as mdhl_micro
    from in_periods i
    left join published p
        on p.period_type = i.period_type and p.period = i.period and p.province_code = i.province_code
    where p.province_code is null
    group by i.period_type, i.period, i.period_start, i.commune_code, i.province_code
),
halves as (
    -- the total's mean rounded to 2 decimals, half up, in integers: floor((2 S + 10^4 n) / (2 * 10^4 n))
    -- hundredths (S the sum in millionths, n the months); (a - a % b) / b is that floor, exact in a double
    select *, 2 * total_micro + 10000 * months_published as half_up_num, 20000 * months_published as half_up_den
    from sums
),
averaged as (
    -- each division of two exact integers is one correctly rounded IEEE operation: the same double in
    -- every engine and every run
    select period_type, period, period_start, commune_code, province_code,
           cast((half_up_num - half_up_num % half_up_den) / half_up_den as double) / 100 as index_total,
           cast(ckmb_micro as double) / (1000000 * months_published) as score_ckmb,
           cast(tdgq_micro as double) / (1000000 * months_published) as score_tdgq,
           cast(clgq_micro as double) / (1000000 * months_published) as score_clgq,
           cast(tttt_micro as double) / (1000000 * months_published) as score_tttt,
           cast(mdsh_micro as double) / (1000000 * months_published) as score_mdsh,
           cast(mdhl_micro as double) / (1000000 * months_published) as score_mdhl,
           months_published
    from halves
),
final as (
    select period_type, period, period_start, commune_code, province_code, index_total,
           rank() over (partition by period_type, period, province_code order by index_total desc) as index_rank,
           rank() over (partition by period_type, period order by index_total desc) as national_rank,
           count(*) over (partition by period_type, period, province_code) as communes_ranked,
           score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdsh, score_mdhl, months_published
    from averaged
)
select * from final order by period_type, period_start, province_code, commune_code;
