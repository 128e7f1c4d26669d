-- Communes' published index for one period, with ranks from mart_index_period (within the province:
-- index_rank; nationally: national_rank; ties share a rank) and the change against the previous
-- period of the same type.  Ranks and counts are taken over every commune before the scope filter,
-- so a province sees its communes' true national ranks.  Partial group sets have no total and no rank.
with both_periods as (
    select commune_code, period, national_rank,
           count(index_total) over (partition by period) as communes_ranked_nationally
    from mart_index_period
    where period_type = $period_type and period in ($period, $previous_period)
),
current_period as (
    select m.*, b.communes_ranked_nationally
    from mart_index_period m
    join both_periods b on b.commune_code = m.commune_code and b.period = m.period
    where m.period_type = $period_type and m.period = $period
),
previous_period as (
    select commune_code, national_rank as previous_national_rank
    from both_periods where period = $previous_period
),
scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code, p.name as province_name
    from dim_commune c
    join dim_province p using (province_code)
    where ($scope_province is null or c.province_code = $scope_province)
      and ($scope_commune is null or c.commune_code = $scope_commune)
      and ($province_code is null or c.province_code = $province_code)
),
final as (
    select s.commune_code, s.commune_name, s.province_code, s.province_name,
           m.period_type, m.period, m.period_start,
           m.groups_published, m.groups_expected, m.is_complete,
           m.score_ckmb, m.score_tdgq, m.score_clgq, m.score_tttt, m.score_mdsh, m.score_mdhl, m.score_dvctt,
           m.published_total, m.index_total,
           m.index_rank, m.rank_is_published, m.communes_ranked,
           m.national_rank, m.communes_ranked_nationally,
           m.previous_index_total, m.previous_index_rank, m.index_total_change, m.index_rank_change,
           p.previous_national_rank,
           case when m.national_rank is not null then p.previous_national_rank - m.national_rank end
               as national_rank_change
    from current_period m
    join scoped_communes s using (commune_code)
    left join previous_period p using (commune_code)
)
select * from final order by province_code, index_rank nulls last, commune_name, commune_code
