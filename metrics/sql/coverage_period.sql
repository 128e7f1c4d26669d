-- Which communes have data for each source in [$start, $end): one row per commune in scope.
-- $start and $end are first days of months (a period's bounds).  Dossier rows are summed from
-- mart_commune_month (each dossier counted once, in the month of received_at), not from fact_dossier.
with scoped_communes as (
    select c.commune_code, c.province_code, c.name as commune_name
    from dim_commune c
    where c.commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or c.province_code = $province)
),
dossiers as (
    select commune_code, cast(sum(dossiers_received) as bigint) as dossier_rows from mart_commune_month
    where month >= $start::date and month < $end::date
      and commune_code in (select commune_code from scoped_commune)
      and ($province::integer is null or province_code = $province)
    group by 1
),
signatures as (
    select commune_code, count(*) as signature_months from fact_signature_month
    where month >= $start::date and month < $end::date
    group by 1
),
index_results as (
    select commune_code, count(*) filter (where index_total is not null) as index_periods
    from mart_index_period
    where period_start >= $start::date and period_start < $end::date
    group by 1
),
final as (
    select c.province_code, c.commune_code, c.commune_name,
           coalesce(d.dossier_rows, 0) as dossier_rows,
           coalesce(s.signature_months, 0) as signature_months,
           coalesce(i.index_periods, 0) as index_periods
    from scoped_communes c
    left join dossiers d using (commune_code)
    left join signatures s using (commune_code)
    left join index_results i using (commune_code)
)
select * from final order by province_code, commune_code
