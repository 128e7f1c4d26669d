-- Latest month loaded per source within the caller's scope.
with scoped_communes as (
    select commune_code from dim_commune
    where ($scope_province is null or province_code = $scope_province)
      and ($scope_commune is null or commune_code = $scope_commune)
)
select 'dossiers' as source, cast(date_trunc('month', max(received_at)) as date) as last_month
from fact_dossier join scoped_communes using (commune_code)
union all
select 'signatures', max(month) from fact_signature_month join scoped_communes using (commune_code)
union all
select 'index', max(period_start) from mart_index_period join scoped_communes using (commune_code)
where period_type = 'month'
