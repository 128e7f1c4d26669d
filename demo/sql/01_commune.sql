-- Demo step 1: one row per commune with its lasting traits (size, quality, laggard, signature habits).
-- Every draw is a hash of (seed, commune, ...) so a commune's traits do not depend on which other
-- communes are generated.  Inputs: demo_commune_ref, demo_special (from demo/generate.py).
create or replace table demo_commune as
with draws as (
    select r.*,
        demo_u(commune_code, 0, 0, 1) as u_size,
        demo_u(commune_code, 0, 0, 2) as u_quality,
        demo_u(commune_code, 0, 0, 3) as u_laggard,
        demo_u(commune_code, 0, 0, 4) as u_growth,
        demo_u(commune_code, 0, 0, 5) as u_sign_start,
        demo_u(commune_code, 0, 0, 6) as u_sign_speed,
        demo_u(commune_code, 0, 0, 7) as u_docs,
        demo_u(province_code, 0, 0, 8) as u_province
    from demo_commune_ref r
),
traits as (
    select d.*,
        -- demo volumes are about a twentieth of the real ones (real: 340 to 3,000 a month)
        case d.division_type
            when 'phường' then 32 + 80 * u_size * u_size
            when 'đặc khu' then 14 + 24 * u_size
            else 12 + 32 * u_size * u_size
        end as drawn_volume,
        u_laggard < 0.08 as drawn_laggard,
        0.65 * u_quality + 0.35 * u_province as drawn_quality
    from draws d
),
final as (
    select t.* exclude (drawn_volume, drawn_laggard, drawn_quality),
        coalesce(s.base_volume, t.drawn_volume) as base_volume,
        coalesce(s.laggard, t.drawn_laggard) as laggard,
        coalesce(s.quality, case when t.drawn_laggard then 0.2 * t.drawn_quality else t.drawn_quality end)
            as quality
    from traits t
    left join demo_special s using (commune_code)
)
select * from final;
