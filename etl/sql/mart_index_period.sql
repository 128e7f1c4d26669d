-- mart_index_period: one row per commune, period type and period with a published index.
-- Total = the published 'Tổng điểm' when the sheet has one, else the sum of the groups once every
-- group of the layout is loaded (a partial set stays partial: index_total NULL, groups_published < 6).
-- Ranks: the published rank when given, else computed within the province; ties share a rank.
create or replace table mart_index_period as
with groups as (
    select commune_code, period_type, period,
           any_value(province_code) as province_code,
           any_value(period_start) as period_start,
           count(score) as groups_published,
           bool_or(group_code = 'DVCTT') as five_group_layout,
           sum(score) as groups_score_sum,
           max(score) filter (where group_code = 'CKMB') as score_ckmb,
           max(score) filter (where group_code = 'TDGQ') as score_tdgq,
           max(score) filter (where group_code = 'CLGQ') as score_clgq,
           max(score) filter (where group_code = 'TTTT') as score_tttt,
           max(score) filter (where group_code = 'MDSH') as score_mdsh,
           max(score) filter (where group_code = 'MDHL') as score_mdhl,
           max(score) filter (where group_code = 'DVCTT') as score_dvctt
    from fact_index_score
    group by commune_code, period_type, period
),
units as (
    select commune_code, period_type, period from groups
    union
    select commune_code, period_type, period from fact_index_total
),
joined as (
    select u.commune_code, coalesce(g.province_code, t.province_code) as province_code,
           u.period_type, u.period, coalesce(g.period_start, t.period_start) as period_start,
           coalesce(g.groups_published, 0) as groups_published,
           case when coalesce(g.five_group_layout, t.layout = 'five_groups') then 5 else 6 end as groups_expected,
           g.score_ckmb, g.score_tdgq, g.score_clgq, g.score_tttt, g.score_mdsh, g.score_mdhl, g.score_dvctt,
           g.groups_score_sum, t.total_score as published_total, t.published_rank
    from units u
    left join groups g using (commune_code, period_type, period)
    left join fact_index_total t using (commune_code, period_type, period)
),
totals as (
    select *,
           groups_published >= groups_expected as is_complete,
           coalesce(published_total,
                    case when groups_published >= groups_expected then round(groups_score_sum, 2) end) as index_total
    from joined
),
ranked as (
    select *,
           case when index_total is not null then
               rank() over (partition by province_code, period_type, period
                            order by index_total desc nulls last) end as computed_rank,
           case when index_total is not null then
               rank() over (partition by period_type, period order by index_total desc nulls last) end
               as national_rank,
           count(index_total) over (partition by province_code, period_type, period) as communes_ranked
    from totals
),
final as (
    select r.commune_code, r.province_code, r.period_type, r.period, r.period_start,
           r.groups_published, r.groups_expected, r.is_complete,
           r.score_ckmb, r.score_tdgq, r.score_clgq, r.score_tttt, r.score_mdsh, r.score_mdhl, r.score_dvctt,
           r.published_total, r.index_total,
           coalesce(r.published_rank, r.computed_rank) as index_rank,
           r.published_rank is not null as rank_is_published,
           r.communes_ranked, r.national_rank,
           p.index_total as previous_index_total,
           coalesce(p.published_rank, p.computed_rank) as previous_index_rank,
           r.index_total - p.index_total as index_total_change,
           coalesce(p.published_rank, p.computed_rank) - coalesce(r.published_rank, r.computed_rank)
               as index_rank_change
    from ranked r
    left join ranked p
      on p.commune_code = r.commune_code and p.period_type = r.period_type
     and p.period_start = r.period_start - case r.period_type when 'month' then interval 1 month
                                                             when 'quarter' then interval 3 month
                                                             else interval 12 month end
)
select * from final order by period_type, period, province_code, index_rank, commune_code;
