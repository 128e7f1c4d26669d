-- Demo data for the digital-skills sources (demo/skills.py).  Inputs: sk_commune (the communes of
-- the run), sk_month (the months), sk_year (the years of those months), sk_special (pinned facts of the
-- source article), sk_session_fact (its dated sessions), sk_topic; macros sk_u(a, b, c, salt) — a
-- uniform draw in [0, 1) from (seed, a, b, c, salt) — and sk_clamp.  Every draw depends only on its own
-- commune, so one commune's figures do not depend on which others are generated.

-- Lasting traits of each commune: size, villages, adult share, how far its skills work has come.
create or replace table sk_trait as
with draws as (
    select c.*,
        sk_u(commune_code, 0, 0, 1) as u_size, sk_u(commune_code, 0, 0, 2) as u_villages,
        sk_u(commune_code, 0, 0, 3) as u_adults, sk_u(commune_code, 0, 0, 4) as u_laggard,
        sk_u(commune_code, 0, 0, 5) as u_coverage, sk_u(commune_code, 0, 0, 6) as u_level2,
        sk_u(commune_code, 0, 0, 7) as u_level2_end, sk_u(commune_code, 0, 0, 8) as u_certified,
        sk_u(commune_code, 0, 0, 9) as u_training, sk_u(province_code, 0, 0, 10) as u_province
    from sk_commune c
),
drawn as (
    select d.*, u_laggard < 0.10 as laggard,
        cast(case division_type
            when 'phường' then 12000 + 43000 * u_size * u_size
            when 'đặc khu' then 3000 + 22000 * u_size
            else 7000 + 21000 * u_size end as integer) as drawn_population,
        case division_type when 'phường' then 1000 + 800 * u_villages
             when 'đặc khu' then 700 + 500 * u_villages else 520 + 420 * u_villages end as people_per_village
    from draws d
),
final as (
    select d.commune_code, d.name, d.division_type, d.province_code, d.province_name, d.province_slug,
        d.laggard, d.u_level2, d.u_level2_end, d.u_training, d.u_adults,
        coalesce(s.population, d.drawn_population) as base_population,
        coalesce(s.villages, cast(sk_clamp(round(d.drawn_population / d.people_per_village),
                                           case d.division_type when 'xã' then 6 else 4 end, 80) as integer))
            as villages,
        coalesce(s.team_coverage, case when d.laggard then 0.45 + 0.25 * d.u_coverage
                                       else 0.72 + 0.28 * d.u_coverage end) as team_coverage,
        coalesce(s.certified_end, case when d.laggard then 0.22 + 0.25 * d.u_certified
                                       else least(0.92, 0.38 + 0.35 * d.u_certified + 0.12 * d.u_province) end)
            as certified_end,
        -- villages are 'Thôn n' in a xã, 'Tổ dân phố n' in a phường, 'Khu n' in a đặc khu
        case d.division_type when 'phường' then 'Tổ dân phố ' when 'đặc khu' then 'Khu ' else 'Thôn ' end
            as village_word,
        s.teams_by as teams_by
    from drawn d
    left join sk_special s using (commune_code)
)
select * from final;

-- Population per commune and year: about +0.9% a year; adults 66-74% of the population.
create or replace table sk_population as
select t.commune_code, t.province_code, y.year,
    cast(round(t.base_population * pow(1.009, y.year - (select min(year) from sk_year))) as integer) as population,
    cast(round(round(t.base_population * pow(1.009, y.year - (select min(year) from sk_year)))
               * coalesce(s.adult_share, 0.66 + 0.08 * t.u_adults)) as integer) as adults,
    t.villages
from sk_trait t
cross join sk_year y
left join sk_special s using (commune_code);

-- Team register: one team per village for the villages the commune has covered, established from
-- April 2025 (the movement's start) on, most of them early; never after the last month.
create or replace table sk_team as
with villages as (
    select t.*, v.village_no,
        sk_u(t.commune_code, v.village_no, 0, 20) as u_has,
        sk_u(t.commune_code, v.village_no, 0, 21) as u_when,
        sk_u(t.commune_code, v.village_no, 0, 22) as u_members
    from sk_trait t
    cross join lateral (select unnest(generate_series(1, t.villages)) as village_no) v
),
final as (
    select v.commune_code, v.province_code, v.village_no,
        coalesce(n.village, v.village_word || v.village_no) as village,
        cast(3 + floor(5 * v.u_members) as integer) as members,
        cast(least(coalesce(v.teams_by, (select max(next_start) from sk_month) - interval 1 day),
                   date '2025-04-01' + cast(floor(v.u_when * v.u_when * 300) as integer)) as date) as established_on
    from villages v
    left join sk_village_name n on n.commune_code = v.commune_code and n.village_no = v.village_no
    where v.u_has < v.team_coverage
)
select * from final where established_on < (select max(next_start) from sk_month);

-- Per-commune counts (the provinces in sk_count_province report counts, not registers): the end of
-- the first month and every quarter's end within the months; teams grow towards the coverage.
create or replace table sk_team_count as
with dates as (
    select cast(next_start - interval 1 day as date) as as_of, m_idx, trend_months from sk_month
    where m_idx = 0 or month(next_start) in (1, 4, 7, 10)
),
final as (
    select t.commune_code, t.province_code, d.as_of, d.m_idx,
        cast(case when s.teams is not null and d.as_of >= s.teams_from then s.teams
                  when s.teams is not null then s.teams_before
                  else round(t.villages * t.team_coverage * least(1.0, 0.75 + 0.05 * d.trend_months)) end as integer) as teams
    from sk_trait t
    cross join dates d
    left join sk_special s using (commune_code)
    where t.province_code in (select province_code from sk_count_province)
)
select * exclude (m_idx), teams * 5 + cast(floor(3 * sk_u(commune_code, m_idx, 0, 23) * teams) as integer) as members
from final;

-- Training sessions: up to five a month per commune, more in the campaign's first autumn; some are
-- held for two audiences (one row each).  Plus the article's dated sessions (sk_session_fact).
create or replace table sk_session as
with slots as (
    select t.commune_code, t.province_code, t.division_type, t.name, t.villages, t.village_word, t.laggard,
        t.u_training, m.m_idx, m.month_start, m.days, k.slot,
        sk_u(t.commune_code, m.ym, k.slot, 30) as u_has,
        sk_u(t.commune_code, m.ym, k.slot, 31) as u_day,
        sk_u(t.commune_code, m.ym, k.slot, 32) as u_topic,
        sk_u(t.commune_code, m.ym, k.slot, 33) as u_people,
        sk_u(t.commune_code, m.ym, k.slot, 34) as u_second,
        sk_u(t.commune_code, m.ym, k.slot, 35) as u_village,
        sk_u(t.commune_code, m.ym, k.slot, 36) as u_organiser,
        case when m.month_start between date '2025-09-01' and date '2025-12-01' then 1.5
             when month(m.month_start) = 2 then 0.5 else 1.0 end as season
    from sk_trait t
    cross join sk_month m
    cross join (select unnest(range(5)) as slot) k
),
held as (
    select s.*, tp.topic_no, tp.topic, tp.audience, tp.organiser_kind
    from slots s
    join sk_topic tp on tp.topic_no = cast(floor(s.u_topic * (select count(*) from sk_topic)) as integer)
    where s.u_has < (case when s.laggard then 0.06 else 0.10 + 0.22 * s.u_training end) * s.season
),
rows as (
    select h.*, h.audience as row_audience from held h
    union all
    select h.*, 'officials' from held h where h.audience = 'residents' and h.u_second < 0.12
),
generic as (
    select commune_code, province_code, slot,
        cast(month_start + cast(floor(u_day * days) as integer) as date) as training_on,
        topic, row_audience as audience,
        cast(case row_audience
            when 'officials' then 12 + 40 * u_people
            when 'pupils' then 35 + 180 * u_people
            when 'businesses' then 8 + 35 * u_people
            else 20 + 110 * u_people end as integer) as participants,
        case organiser_kind
            when 'police' then 'Công an ' || lower(left(name, 1)) || substr(name, 2)
            when 'youth' then 'Đoàn Thanh niên ' || lower(left(name, 1)) || substr(name, 2)
            when 'women' then 'Hội Liên hiệp Phụ nữ ' || lower(left(name, 1)) || substr(name, 2)
            when 'school' then 'Trường THCS ' || substr(name, length(division_type) + 2)
            when 'telecom' then case when u_organiser < 0.5 then 'Viettel ' else 'VNPT ' end || province_name_short
            else 'UBND ' || lower(left(name, 1)) || substr(name, 2) end as organiser,
        case when row_audience = 'officials' then 'Hội trường UBND ' || lower(left(name, 1)) || substr(name, 2)
             when row_audience = 'pupils' then 'Trường THCS ' || substr(name, length(division_type) + 2)
             else 'Nhà văn hóa ' || lower(village_word) || (1 + cast(floor(u_village * villages) as integer)) end
            as location
    from rows r
    join (select commune_code, province_name as province_name_short from sk_trait) p using (commune_code)
),
facts as (
    select f.commune_code, t.province_code, f.training_on, f.topic, f.audience, f.participants, f.organiser,
        f.location
    from sk_session_fact f
    join sk_trait t using (commune_code)
    where f.training_on >= (select min(month_start) from sk_month)
      and f.training_on < (select max(next_start) from sk_month)
),
deduplicated as (   -- two slots on the same day with the same topic and audience are one session
    select * exclude (slot) from generic
    qualify row_number() over (partition by commune_code, training_on, topic, audience order by slot) = 1
)
select * from deduplicated
union all select * from facts;

-- VNeID level-2 accounts and certified adults, cumulative, per commune and month: shares of the
-- adults that rise over the months (certification starts near zero in 07/2025).  About 3% of the
-- commune-months are not reported (the mart carries the last report forward); never the first month.
create or replace table sk_vneid as
with base as (
    select t.commune_code, t.province_code, t.laggard, t.u_level2, t.u_level2_end, t.certified_end,
        m.m_idx, m.month_start, m.period, p.adults,
        least(1.0, (m.trend_months + 1) / 16.0) as progress,
        sk_u(t.commune_code, m.ym, 0, 40) as u_missing
    from sk_trait t
    cross join sk_month m
    join sk_population p on p.commune_code = t.commune_code and p.year = year(m.month_start)
),
final as (
    select commune_code, province_code, m_idx, period,
        cast(floor(adults * ((0.35 + 0.25 * u_level2)
                             + (least(0.97, 0.62 + 0.30 * u_level2_end) - (0.35 + 0.25 * u_level2))
                               * pow(progress, 0.8))) as integer) as vneid_level2_active,
        cast(floor(adults * (0.01 + (certified_end - 0.01) * pow(progress, 1.2))) as integer) as adults_certified
    from base
    where m_idx = 0 or u_missing >= 0.03
        or commune_code in (select commune_code from sk_special)
)
select * from final;
