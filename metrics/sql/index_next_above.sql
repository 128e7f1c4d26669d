-- One commune's standing in its province for one period, and the next commune above it: the
-- lowest total strictly greater than its own (ties: need strictly more).  The requested commune
-- must be in scope; the commune above is named because the province ranking is public.
with target as (
    select m.commune_code, m.province_code, m.index_total, m.index_rank, m.communes_ranked,
           m.groups_published, m.groups_expected
    from mart_index_period m
    join dim_commune c using (commune_code)
    where m.commune_code = $commune and m.period_type = $period_type and m.period = $period
      and c.commune_code in (select commune_code from scoped_commune)
),
above as (
    select m.commune_code as next_commune_code, c.name as next_commune_name,
           m.index_total as next_total, m.index_rank as next_rank
    from mart_index_period m
    join target t on m.province_code = t.province_code
    join dim_commune c on c.commune_code = m.commune_code
    where m.period_type = $period_type and m.period = $period and m.index_total > t.index_total
    order by m.index_total, m.index_rank, c.name
    limit 1
)
select t.*, a.* from target t left join above a on true
