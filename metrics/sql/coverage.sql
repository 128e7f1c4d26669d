-- Coverage per source within the caller's scope: rows, communes with data, first/last month.
with scoped_communes as (
    select commune_code, province_code from dim_commune
    where ($scope_province is null or province_code = $scope_province)
      and ($scope_commune is null or commune_code = $scope_commune)
),
dossiers as (
    select 'dossiers' as source, count(*) as row_count, count(distinct d.commune_code) as communes,
           cast(date_trunc('month', min(d.received_at)) as date) as first_month,
           cast(date_trunc('month', max(d.received_at)) as date) as last_month
    from fact_dossier d join scoped_communes c using (commune_code)
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
