-- Demo step 5: digital signatures per commune and month.  Documents issued 20-200 a month,
-- classified 0-5; the signed share (of non-classified documents) rises to 100% for most communes,
-- laggards stall below.  demo_special.signed_full_from pins a commune's 100% (Xã Vân Bán: 10/2025).
create or replace table demo_signature as
with base as (
    select c.commune_code, c.province_code, c.division_type, c.laggard, c.u_sign_start, c.u_sign_speed,
        c.u_docs, s.signed_full_from, m.m_idx, m.ym, m.label, m.trend_months, m.tet,
        demo_u(c.commune_code, m.ym, 0, 40) as u_issued,
        demo_u(c.commune_code, m.ym, 0, 41) as u_confidential,
        demo_u(c.commune_code, m.ym, 0, 42) as u_rate
    from demo_commune c
    cross join demo_month m
    left join demo_special s using (commune_code)
),
counts as (
    select *,
        cast(demo_clamp(round((case when division_type = 'phường' then 60 + 110 * u_docs else 25 + 85 * u_docs end)
                              * (0.85 + 0.30 * u_issued) * (1 - 0.25 * tet)), 20, 200) as integer) as docs_issued,
        cast(floor(6 * u_confidential * u_confidential) as integer) as docs_confidential,
        case
            when signed_full_from is not null and label >= signed_full_from then 1.0
            when signed_full_from is not null then least(0.97, 0.80 + 0.03 * trend_months + 0.02 * u_rate)
            when laggard then least(0.90, 0.62 + 0.25 * u_sign_start + 0.01 * trend_months) - 0.03 * u_rate
            else least(1.0, 0.70 + 0.25 * u_sign_start + (0.02 + 0.05 * u_sign_speed) * trend_months
                            - 0.02 * u_rate)
        end as signed_rate
    from base
),
final as (
    select commune_code, province_code, m_idx, ym, label, docs_issued, docs_confidential,
        case when signed_rate >= 0.995 then docs_issued - docs_confidential
             else cast(floor(signed_rate * (docs_issued - docs_confidential)) as integer)
        end as docs_signed
    from counts
)
select * from final;
