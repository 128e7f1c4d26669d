-- Service-index results per commune and period, for a list of periods of one type.
-- A period with published results (mart_index_period: month, and quarter/year when the portal's sheets
-- were loaded) uses them as published.  A quarter or year without published results for a province is
-- derived from its complete months (mart_index_derived, etl/sql/mart_index_derived.sql: each group
-- score and the total are the mean over the months published, ranks computed within the province and
-- nationally, ties sharing a rank); `is_derived` says so.
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
derived as (
    select d.period, d.commune_code, d.province_code, d.index_total, d.index_rank, d.national_rank,
           d.communes_ranked, true as is_complete, 6 as groups_published,
           d.score_ckmb, d.score_tdgq, d.score_clgq, d.score_tttt, d.score_mdsh, d.score_mdhl,
           d.months_published, true as is_derived
    from mart_index_derived d
    join periods p on d.period = p.period
    where d.period_type = $period_type
),
final as (
    select r.*, c.name as commune_name
    from (select * from published union all by name select * from derived) r
    join dim_commune c using (commune_code)
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
)
select * from final order by period, province_code, index_rank nulls last, commune_code
