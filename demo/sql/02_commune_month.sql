-- Demo step 2: one row per commune and month with the month's volume and rates.
-- trend runs 0 -> 1 from 07/2025 to 10/2026: online share and on-time ratio improve, laggards barely.
create or replace table demo_commune_month as
with base as (
    select c.commune_code, c.province_code, c.division_type, c.quality, c.laggard, c.base_volume,
        c.u_growth, m.m_idx, m.ym, m.month_start, m.days, m.workdays, m.trend, m.trend_months, m.season, m.tet,
        demo_u(c.commune_code, m.ym, 0, 10) as u_volume,
        demo_u(c.commune_code, m.ym, 0, 11) as u_on_time,
        demo_u(c.commune_code, m.ym, 0, 12) as u_online,
        demo_u(c.commune_code, m.ym, 0, 13) as u_post,
        demo_u(c.commune_code, m.ym, 0, 14) as u_full,
        demo_u(c.commune_code, m.ym, 0, 15) as u_pay,
        demo_u(c.commune_code, m.ym, 0, 16) as u_digitized,
        demo_u(c.commune_code, m.ym, 0, 17) as u_complaint
    from demo_commune c
    cross join demo_month m
),
rates as (
    select *,
        greatest(3, round(demo_volume_scale() * base_volume * season * (1 + 0.01 * trend_months) * (0.85 + 0.30 * u_volume)))::integer
            as drawn_volume,
        demo_clamp(0.665 + 0.22 * quality + (case when laggard then 0.01 else 0.05 end) * trend
                   - 0.04 * tet + 0.06 * (u_on_time - 0.5), 0.58, 0.955) as p_on_time,
        demo_clamp(0.22 + 0.22 * quality + (case when division_type = 'phường' then 0.04 else 0 end)
                   + (case when laggard then 0.08 else 0.20 + 0.08 * u_growth end) * trend
                   + 0.06 * (u_online - 0.5), 0.06, 0.85) as p_online,
        0.015 + 0.02 * u_post as p_post,
        demo_clamp(0.40 + 0.20 * quality + 0.25 * trend + 0.08 * (u_full - 0.5), 0.15, 0.95) as p_full,
        demo_clamp(0.45 + 0.25 * quality + 0.25 * trend + 0.08 * (u_pay - 0.5), 0.10, 0.97) as p_pay_online,
        demo_clamp(0.03 + 0.05 * quality + 0.12 * trend, 0.0, 0.30) as p_pay_counter,
        demo_clamp(0.50 + 0.28 * quality + 0.20 * trend + 0.08 * (u_digitized - 0.5)
                   - (case when laggard then 0.10 else 0 end), 0.15, 0.99) as p_digitized,
        0.02 * u_complaint as complaint_share
    from base
),
final as (
    select r.* exclude (drawn_volume),
        coalesce(o.dossiers, r.drawn_volume) as dossiers,
        o.on_time as on_time_quota
    from rates r
    left join demo_override o using (commune_code, ym)
)
select * from final;
