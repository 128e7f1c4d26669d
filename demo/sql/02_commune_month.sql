-- Demo step 2: one row per commune and month with the month's volume and rates.
-- trend runs 0 -> 1 from 07/2025 to 10/2026: online share and on-time ratio improve, laggards barely.
create or replace table demo_commune_month as
with base as (
    select c.commune_code, c.province_code, c.division_type, c.quality, c.laggard, c.base_volume,
        c.u_growth, m.m_idx, m.ym, m.month_start, m.days, m.workdays, m.trend, m.trend_months, m.season, m.tet,
        demo_u(c.commune_code, m.ym, 0, 10) as u_volume,
        demo_drift(c.commune_code, m.ym, 11) as u_on_time,
        demo_drift(c.commune_code, m.ym, 12) as u_online,
        demo_u(c.commune_code, m.ym, 0, 13) as u_post,
        demo_drift(c.commune_code, m.ym, 14) as u_full,
        demo_drift(c.commune_code, m.ym, 15) as u_pay,
        demo_drift(c.commune_code, m.ym, 16) as u_digitized,
        demo_drift(c.commune_code, m.ym, 17) as u_complaint,
        -- a handful of big movers: one commune in twenty changes course for good in one month between
        -- 08/2025 and 09/2026 (a new team, a campaign; or staff leaving): its rates step up or down
        case when demo_u(c.commune_code, 0, 0, 60) >= 0.05 then 0
             when demo_month_no(m.ym) < demo_month_no(202508) + floor(14 * demo_u(c.commune_code, 0, 0, 61)) then 0
             when demo_u(c.commune_code, 0, 0, 62) < 0.5 then -1
             else 1 end as step
    from demo_commune c
    cross join demo_month m
),
rates as (
    select *,
        greatest(3, round(demo_volume_scale() * base_volume * season * (1 + 0.01 * trend_months) * (0.85 + 0.30 * u_volume)))::integer
            as drawn_volume,
        demo_clamp(0.665 + 0.22 * quality + (case when laggard then 0.01 else 0.05 end) * trend
                   - 0.04 * tet + 0.06 * (u_on_time - 0.5) + 0.08 * step, 0.58, 0.955) as p_on_time,
        demo_clamp(0.22 + 0.22 * quality + (case when division_type = 'phường' then 0.04 else 0 end)
                   + (case when laggard then 0.08 else 0.20 + 0.08 * u_growth end) * trend
                   + 0.06 * (u_online - 0.5) + 0.15 * step, 0.06, 0.85) as p_online,
        0.015 + 0.02 * u_post as p_post,
        demo_clamp(0.40 + 0.20 * quality + 0.25 * trend + 0.08 * (u_full - 0.5), 0.15, 0.95) as p_full,
        demo_clamp(0.45 + 0.25 * quality + 0.25 * trend + 0.08 * (u_pay - 0.5), 0.10, 0.97) as p_pay_online,
        demo_clamp(0.03 + 0.05 * quality + 0.12 * trend, 0.0, 0.30) as p_pay_counter,
        demo_clamp(0.50 + 0.28 * quality + 0.20 * trend + 0.08 * (u_digitized - 0.5) + 0.10 * step
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
