-- Demo step 3: one row per dossier, in its final state (as planned; the exports show it as of
-- each month's end).  Inputs: demo_commune_month, demo_procedure(_bucket), the calendar tables.
-- Kept lean (codes, no names) because it is large; names are joined when the files are written.
create or replace table demo_dossier as
with numbered as (
    select cm.commune_code, cm.province_code, cm.m_idx, cm.ym, cm.month_start, cm.days, cm.workdays,
        cm.dossiers, cm.p_on_time, cm.p_online, cm.p_post, cm.p_full, cm.p_pay_online, cm.p_pay_counter,
        cm.p_digitized, cm.on_time_quota,
        unnest(range(cm.dossiers)) as i
    from demo_commune_month cm
),
draws as (
    -- the draws that decide the month's shares (procedure mix, channel, on time, paid, digitized) are stratified
    -- (demo_strat): the month's shares follow the commune's rates closely, as a real office's do
    select n.*,
        cast(floor(demo_strat(i, dossiers, demo_draw(k, 20), demo_u(commune_code, ym, 1, 20), 49979687) * 10000)
             as integer) as bucket,
        demo_strat(i, dossiers, demo_draw(k, 21), demo_u(commune_code, ym, 1, 21), 104729) as u_channel,
        demo_draw(k, 22) as u_full,
        demo_draw(k, 23) as u_day,
        demo_draw(k, 24) as u_time,
        demo_strat(i, dossiers, demo_draw(k, 25), demo_u(commune_code, ym, 1, 25), 1299709) as u_on_time,
        demo_draw(k, 26) as u_span,
        demo_draw(k, 27) as u_return,
        demo_draw(k, 28) as u_collect,
        demo_strat(i, dossiers, demo_draw(k, 29), demo_u(commune_code, ym, 1, 29), 15485863) as u_pay,
        demo_draw(k, 30) as u_via,
        demo_strat(i, dossiers, demo_draw(k, 31), demo_u(commune_code, ym, 1, 31), 32452843) as u_digitized,
        demo_draw(k, 32) as u_finish_time,
        demo_draw(k, 33) as u_return_time
    from (select *, demo_key(commune_code, ym, i) as k from numbered) n
),
with_procedure as (
    select d.*, p.procedure_idx, p.due_days, p.fee, p.online_factor, p.full_factor
    from draws d
    join demo_procedure_bucket b using (bucket)
    join demo_procedure p using (procedure_idx)
),
with_channel as (
    -- KenhThucHien: 1 in person, 2 online, 3 public postal service.  Dossier i of n is received at
    -- about (i + u) / n of the way through the month, so that the dossier numbers follow the dates.
    select *,
        case when u_channel < least(0.97, p_online * online_factor) then 2
             when u_channel >= 1 - p_post then 3
             else 1 end as channel,
        (i + u_day) / dossiers as month_position
    from with_procedure
),
received as (
    -- online filings arrive any day, 06:00-23:00; at the counter or by post on working days, 07:30-16:30
    select c.*,
        case when c.channel = 2
             then c.month_start + cast(floor(c.month_position * c.days) as integer)
                  + to_minutes(cast(360 + c.u_time * 1020 as bigint))
             else w.d + to_minutes(cast(450 + c.u_time * 540 as bigint))
        end as received_at
    from with_channel c
    join demo_month_workday w
      on w.m_idx = c.m_idx and w.k = cast(floor(c.month_position * c.workdays) as integer)
),
due as (
    -- NgayHenTra: the procedure's working days counted from the next working day when filed after
    -- 16:00 or on a day off; results due at 17:00
    select r.*, b.base_wd, b.base_wd + r.due_days as due_wd, wd.d + interval 17 hour as due_at
    from received r
    join demo_day dd on dd.d = cast(r.received_at as date)
    cross join lateral (
        select dd.wd_cum + (case when dd.is_workday and hour(r.received_at) < 16 then 0 else 1 end) as base_wd
    ) b
    join demo_workday wd on wd.wd_idx = b.base_wd + r.due_days
),
quota as (
    -- a pinned commune-month (demo_override) has exactly its quota of on-time dossiers
    select commune_code, m_idx, i,
        row_number() over (partition by commune_code, m_idx order by u_on_time, i) <= on_time_quota as on_time
    from draws
    where on_time_quota is not null
),
outcome as (
    -- on time: finished on one of the working days up to the due date; late: 1 to 2 + due/2 working
    -- days after it.  Work is done 07:30-17:00.
    select d.*, coalesce(q.on_time, d.u_on_time < d.p_on_time) as on_time
    from due d
    left join quota q using (commune_code, m_idx, i)
),
finished as (
    select o.*, fw.wd_idx as finish_wd,
        greatest(o.received_at + interval 20 minute,
                 fw.d + to_minutes(cast(450 + o.u_finish_time * 570 as bigint))) as finish_at
    from outcome o
    join demo_workday fw
      on fw.wd_idx = case when o.on_time then o.base_wd + cast(floor(o.u_span * (o.due_days + 1)) as integer)
                          else o.due_wd + 1 + cast(floor(o.u_span * (2 + 0.5 * o.due_days)) as integer) end
),
returned as (
    -- full-online results are sent electronically within two hours; others are collected within
    -- three working days, a few never
    select f.*,
        f.channel = 2 and f.u_full < f.p_full * f.full_factor as full_online,
        case when f.channel = 2 and f.u_full < f.p_full * f.full_factor
             then f.finish_at + to_seconds(cast(f.u_return * 7200 as bigint))
             when f.u_collect < 0.03 then null
             else greatest(f.finish_at + interval 10 minute,
                           rw.d + to_minutes(cast(450 + f.u_return_time * 570 as bigint)))
        end as returned_at
    from finished f
    join demo_workday rw on rw.wd_idx = f.finish_wd + cast(floor(f.u_return * 3) as integer)
),
final as (
    -- MaHoSo: the unit's code, the day received (yymmdd) and the dossier's number in the month
    select
        c.agency || '-' || strftime(r.received_at, '%y%m%d') || '-' || lpad(cast(r.i + 1 as varchar), 4, '0')
            as dossier_id,
        r.commune_code, r.province_code, r.m_idx, r.procedure_idx, r.fee,
        r.received_at, r.due_at, r.finish_at, r.returned_at,
        cast(r.channel as tinyint) as channel,
        cast(case when r.channel = 2 then r.full_online::integer end as tinyint) as full_online,
        cast(case when not r.fee then null
                  when (r.channel = 2 and r.u_pay < r.p_pay_online)
                       or (r.channel <> 2 and r.u_pay < r.p_pay_counter)
                  then case when r.u_via < 0.62 then 1 else 2 end
             end as tinyint) as paid_via,
        cast(r.u_digitized < r.p_digitized as tinyint) as digitized
    from returned r
    join demo_commune c using (commune_code)
)
select * from final;
