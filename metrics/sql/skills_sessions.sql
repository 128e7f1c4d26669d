-- Training sessions between $start and $end (dates, end exclusive) for a province and/or commune
-- ($province / $commune, NULL = all), within the caller's scope ($scope_province / $scope_commune).
-- One row per session (commune, date, topic): its audiences (codes, comma-separated, in a fixed
-- order), participants of all its audience rows, organisers and venues as written.
with scoped_communes as (
    select c.commune_code, c.name as commune_name, c.province_code, pr.name as province_name
    from dim_commune c
    join dim_province pr using (province_code)
    where ($scope_province is null or c.province_code = $scope_province)
      and ($scope_commune is null or c.commune_code = $scope_commune)
      and ($province::integer is null or c.province_code = $province)
      and ($commune::integer is null or c.commune_code = $commune)
),
sessions as (
    select s.training_on, c.province_code, c.province_name, s.commune_code, c.commune_name, s.topic,
           string_agg(s.audience, ',' order by case s.audience when 'officials' then 1 when 'residents' then 2
                                                                when 'pupils' then 3 else 4 end) as audiences,
           cast(sum(s.participants) as bigint) as participants,
           string_agg(distinct s.organiser, '; ' order by s.organiser) as organiser,
           string_agg(distinct s.location, '; ' order by s.location) as location
    from fact_training_session s
    join scoped_communes c using (commune_code)
    where s.training_on >= $start and s.training_on < $end
    group by all
),
final as (
    select * from sessions
)
select * from final order by training_on, province_code, commune_code, topic
