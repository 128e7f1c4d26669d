-- Demo step 6: published index scores (Decision 766, six groups) per commune and month, consistent
-- with the dossiers: TDGQ = on-time rate x its maximum, the catalogue's on_time_rate (core/catalogue.py:
-- on time / (on time + overdue); unfinished dossiers are judged at the end of the data, those still
-- within their deadline are not judged); CLGQ full at
-- >= 50% online, TTTT at >= 80% paid online and MDSH at >= 80% digitized; MDHL from 100% - overdue share -
-- complaints, full at >= 90% (those four over three months); CKMB from the commune's quality.  Small noise
-- on every group but TDGQ; scores rounded to 2 decimals and the total is the sum of the groups.
create or replace table demo_index as
with dossier_month as (
    select commune_code, m_idx,
        count(*) as received,
        count(*) filter (where finish_at < demo_data_end() and finish_at <= due_at) as on_time,
        count(*) filter (where (finish_at < demo_data_end() and finish_at > due_at)
                            or (finish_at >= demo_data_end() and due_at < demo_data_end())) as overdue,
        count(*) filter (where channel = 2) as online,
        count(*) filter (where fee) as with_fee,
        count(*) filter (where paid_via is not null) as paid_online,
        count(*) filter (where digitized = 1) as digitized
    from demo_dossier
    group by all
),
dossier_window as (
    -- CLGQ, TTTT, MDSH and MDHL over the month and the two before it (a demo assumption): a month's few
    -- dossiers (few fee-paying ones) alone would make those groups, and the ranks, jump from month to month
    select *,
        sum(online) over w as online_3m, sum(received) over w as received_3m,
        sum(paid_online) over w as paid_online_3m, sum(with_fee) over w as with_fee_3m,
        sum(digitized) over w as digitized_3m, sum(on_time) over w as on_time_3m, sum(overdue) over w as overdue_3m
    from dossier_month
    window w as (partition by commune_code order by m_idx rows between 2 preceding and current row)
),
shares as (
    select cm.commune_code, cm.province_code, cm.m_idx, cm.ym, cm.quality, cm.trend, cm.complaint_share,
        d.on_time / nullif(d.on_time + d.overdue, 0) as on_time_ratio,
        d.overdue_3m / nullif(d.on_time_3m + d.overdue_3m, 0) as overdue_share,
        d.online_3m / nullif(d.received_3m, 0) as online_share,
        d.paid_online_3m / nullif(d.with_fee_3m, 0) as paid_share,
        d.digitized_3m / nullif(d.received_3m, 0) as digitized_share,
        demo_drift(cm.commune_code, cm.ym, 50) as u_ckmb,
        demo_drift(cm.commune_code, cm.ym, 51) as u_clgq,
        demo_drift(cm.commune_code, cm.ym, 52) as u_tttt,
        demo_drift(cm.commune_code, cm.ym, 53) as u_mdsh,
        demo_drift(cm.commune_code, cm.ym, 54) as u_mdhl
    from demo_commune_month cm
    join dossier_window d using (commune_code, m_idx)
),
scores as (
    select commune_code, province_code, m_idx, ym,
        cast(round(demo_group_max('CKMB') * demo_clamp(0.60 + 0.34 * quality + 0.06 * trend + 0.08 * (u_ckmb - 0.5), 0, 1), 2)
             as decimal(5, 2)) as ckmb,
        cast(round(demo_group_max('TDGQ') * coalesce(on_time_ratio, 1), 2) as decimal(5, 2)) as tdgq,
        cast(round(demo_clamp(demo_group_max('CLGQ') * least(1, coalesce(online_share, 0) / 0.5) + 0.5 * (u_clgq - 0.5), 0,
                              demo_group_max('CLGQ')), 2)
             as decimal(5, 2)) as clgq,
        cast(round(demo_clamp(demo_group_max('TTTT') * least(1, coalesce(paid_share, 0) / 0.8) + 0.5 * (u_tttt - 0.5), 0,
                              demo_group_max('TTTT')), 2)
             as decimal(5, 2)) as tttt,
        cast(round(demo_clamp(demo_group_max('MDSH') * least(1, coalesce(digitized_share, 0) / 0.8) + 0.6 * (u_mdsh - 0.5),
                              0, demo_group_max('MDSH')), 2)
             as decimal(5, 2)) as mdsh,
        cast(round(demo_clamp(demo_group_max('MDHL') * least(1, (1 - coalesce(overdue_share, 0) - complaint_share) / 0.9)
                              + 0.4 * (u_mdhl - 0.5), 0, demo_group_max('MDHL')), 2) as decimal(5, 2)) as mdhl
    from shares
)
select *, ckmb + tdgq + clgq + tttt + mdsh + mdhl as total from scores;
