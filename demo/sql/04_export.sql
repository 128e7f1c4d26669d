-- Demo step 4: the monthly exports.  Month M's export holds the dossiers received in M plus the
-- earlier ones finished or returned in M, each as it stood at the end of M (the same MaHoSo then
-- appears in two exports; the later version replaces the earlier one when loaded in month order).
create or replace table demo_export as
with appearances as (
    select d.*, d.m_idx as export_m from demo_dossier d
    union all
    select d.*, demo_month_of(d.finish_at) from demo_dossier d
    where d.finish_at < demo_data_end() and demo_month_of(d.finish_at) > d.m_idx
    union all
    select d.*, demo_month_of(d.returned_at) from demo_dossier d
    where d.returned_at < demo_data_end() and demo_month_of(d.returned_at) > d.m_idx
      and demo_month_of(d.returned_at) <> demo_month_of(d.finish_at)
),
snapshot as (
    select a.* exclude (finish_at, returned_at), m.label as export_label,
        case when a.finish_at < m.next_start then a.finish_at end as finished_at,
        case when a.returned_at < m.next_start then a.returned_at end as returned_at
    from appearances a
    join demo_month m on m.m_idx = a.export_m
),
final as (
    select s.*,
        case when s.finished_at is null then 'Đang xử lý'
             when s.returned_at is null then 'Chờ trả kết quả'
             else 'Đã trả kết quả' end as status,
        coalesce(s.export_label >= i.from_label, false) as iso_dates,
        x.commune_code is not null as in_xlsx
    from snapshot s
    left join demo_iso_dates i using (province_code)
    left join demo_xlsx_export x on x.commune_code = s.commune_code and x.label = s.export_label
)
select * from final;
