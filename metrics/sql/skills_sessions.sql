-- Training sessions between $start and $end (dates, end exclusive) for a province and/or commune
-- ($province / $commune, NULL = all), within the caller's scope (scoped_commune, metrics/db.py).
-- One row per session (commune, date, topic): its audiences (codes, comma-separated, in a fixed
-- order), participants of all its audience rows, organisers and venues as written (distinct, sorted,
-- '; '-separated; NULL when none).  One grouping with list aggregates (no DISTINCT / ordered
-- aggregates, which cost a grouping each).
with scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code, pr.name as province_name
    from dim_commune c
    join dim_province pr using (province_code)
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
),
sessions as (
    select s.commune_code, s.training_on, s.topic,
           list(struct_pack(o := case s.audience when 'officials' then 1 when 'residents' then 2
                                                 when 'pupils' then 3 else 4 end, a := s.audience)) as audience_list,
           cast(sum(s.participants) as bigint) as participants,
           list_sort(list_distinct(list(s.organiser))) as organisers,
           list_sort(list_distinct(list(s.location))) as locations
    from fact_training_session s
    where s.training_on >= $start and s.training_on < $end
      and s.commune_code in (select commune_code from scoped_communes)
    group by s.commune_code, s.training_on, s.topic
),
final as (
    select s.training_on, c.province_code, c.province_name, s.commune_code, c.commune_name, s.topic,
           array_to_string(list_transform(list_sort(s.audience_list), lambda x: x.a), ',') as audiences,
           s.participants,
           case when len(s.organisers) > 0 then array_to_string(s.organisers, '; ') end as organiser,
           case when len(s.locations) > 0 then array_to_string(s.locations, '; ') end as location
    from sessions s
    join scoped_communes c using (commune_code)
)
select * from final order by training_on, province_code, commune_code, topic
