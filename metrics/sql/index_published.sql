-- Published group scores (fact_index_score) of the communes in scope for one period.
with scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code
    from dim_commune c
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province is null or c.province_code = $province)
      and ($commune is null or c.commune_code = $commune)
),
final as (
    select s.commune_code, s.commune_name, s.province_code, f.group_code,
           f.score as published_score, f.max_score as published_max_score
    from fact_index_score f
    join scoped_communes s using (commune_code)
    where f.period_type = $period_type and f.period = $period
)
select * from final order by province_code, commune_code, group_code
