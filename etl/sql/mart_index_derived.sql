-- mart_index_derived: service-index results of quarters and years derived from their months.  Read by
-- metrics/sql/index_period.sql (every quarter or year view of the index: rankings, headline, commune
-- profile, rank history), so no request computes these ranks over every commune of the country.
-- Key and tests: mart_index_derived.yml.
-- A quarter or year without published results for a province (no row of mart_index_period of that
-- period type and period for the province) is derived from its complete months (mart_index_period,
-- period_type = 'month', every group published, a total): each group score and the total are the mean
-- over the months published (the total rounded to 2 decimals); ranks are computed among the derived
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
averaged as (
    select i.period_type, i.period, i.period_start, i.commune_code, i.province_code,
           -- means in exact decimal arithmetic: a float sum's order varies between runs (threads), and a
           -- mean on a .xx5 boundary would round (and the total rank) differently from one build to the next
           round(avg(cast(i.index_total as decimal(18, 6))), 2) as index_total,
           cast(avg(cast(i.score_ckmb as decimal(18, 6))) as double) as score_ckmb,
           cast(avg(cast(i.score_tdgq as decimal(18, 6))) as double) as score_tdgq,
           cast(avg(cast(i.score_clgq as decimal(18, 6))) as double) as score_clgq,
           cast(avg(cast(i.score_tttt as decimal(18, 6))) as double) as score_tttt,
           cast(avg(cast(i.score_mdsh as decimal(18, 6))) as double) as score_mdsh,
           cast(avg(cast(i.score_mdhl as decimal(18, 6))) as double) as score_mdhl,
           count(*) as months_published
    from in_periods i
    left join published p
        on p.period_type = i.period_type and p.period = i.period and p.province_code = i.province_code
    where p.province_code is null
    group by i.period_type, i.period, i.period_start, i.commune_code, i.province_code
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
