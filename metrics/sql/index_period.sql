-- Service-index results per commune and period (mart_index_period), for a list of periods of one type.
-- A period with published results (month, and quarter/year when the portal's sheets were loaded) uses
-- them as published.  A quarter or year without published results for a province is derived from its complete
-- months: each group score and the total are the mean over the months published, and ranks are
-- computed within the province (ties share a rank); `is_derived` says so.
-- Ranks are computed over every commune before the scope and the filters apply.
with periods as (
    select unnest($period_keys::varchar[]) as period,
           unnest($period_starts::date[]) as period_start,
           unnest($period_ends::date[]) as period_end
),
published as (
    select i.period, i.commune_code, i.province_code, i.index_total, i.index_rank, i.national_rank,
           i.communes_ranked, i.is_complete, i.groups_published,
           i.score_ckmb, i.score_tdgq, i.score_clgq, i.score_tttt, i.score_mdsh, i.score_mdhl,
           1 as months_published, false as is_derived
    from mart_index_period i
    join periods p on i.period = p.period
    where i.period_type = $period_type
),
monthly as (
    select p.period, i.commune_code, any_value(i.province_code) as province_code,
           round(avg(i.index_total), 2) as index_total,
           avg(i.score_ckmb) as score_ckmb, avg(i.score_tdgq) as score_tdgq, avg(i.score_clgq) as score_clgq,
           avg(i.score_tttt) as score_tttt, avg(i.score_mdsh) as score_mdsh, avg(i.score_mdhl) as score_mdhl,
           count(*) as months_published
    from periods p
    join mart_index_period i
      on i.period_type = 'month' and i.period_start >= p.period_start and i.period_start < p.period_end
    where $period_type <> 'month' and i.is_complete and i.index_total is not null
      and not exists (select 1 from published pb where pb.period = p.period and pb.province_code = i.province_code)
    group by p.period, i.commune_code
),
derived as (
    select period, commune_code, province_code, index_total,
           rank() over (partition by period, province_code order by index_total desc) as index_rank,
           rank() over (partition by period order by index_total desc) as national_rank,
           count(*) over (partition by period, province_code) as communes_ranked,
           true as is_complete, 6 as groups_published,
           score_ckmb, score_tdgq, score_clgq, score_tttt, score_mdsh, score_mdhl,
           months_published, true as is_derived
    from monthly
),
final as (
    select r.*, c.name as commune_name
    from (select * from published union all by name select * from derived) r
    join dim_commune c using (commune_code)
    where ($scope_province is null or c.province_code = $scope_province)
      and ($scope_commune is null or c.commune_code = $scope_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
)
select * from final order by period, province_code, index_rank nulls last, commune_code
