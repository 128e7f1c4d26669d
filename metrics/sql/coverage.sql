-- Coverage per source within the caller's scope: rows, communes with data, first/last month.
-- Dossier rows are the dossiers_received of mart_commune_month (one per fact_dossier row, in the month
-- of received_at), so fact_dossier is not scanned.
with scoped_communes as (
    select commune_code, province_code from dim_commune
    where commune_code in (select commune_code from scoped_commune)
),
dossiers as (
    select 'dossiers' as source, cast(coalesce(sum(d.dossiers_received), 0) as bigint) as row_count,
           count(distinct d.commune_code) as communes, min(d.month) as first_month, max(d.month) as last_month
    from mart_commune_month d join scoped_communes c using (commune_code)
    where d.dossiers_received > 0
),
signatures as (
    select 'signatures', count(*), count(distinct s.commune_code), min(s.month), max(s.month)
    from fact_signature_month s join scoped_communes c using (commune_code)
),
index_scores as (
    select 'index', count(*), count(distinct i.commune_code), min(i.period_start), max(i.period_start)
    from mart_index_period i join scoped_communes c using (commune_code)
),
final as (
    select *, (select count(*) from scoped_communes) as communes_in_scope from dossiers
    union all select *, (select count(*) from scoped_communes) from signatures
    union all select *, (select count(*) from scoped_communes) from index_scores
)
select * from final
