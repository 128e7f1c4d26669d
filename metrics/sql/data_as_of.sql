-- Latest month loaded per source within the caller's scope.
-- Dossiers: the last month of mart_commune_month with a dossier received (the mart counts every dossier
-- in the month of received_at, so this is the month of the latest received_at without scanning
-- fact_dossier); signatures and index from their commune-month tables.
with scoped_communes as (
    select commune_code from dim_commune
    where commune_code in (select commune_code from scoped_commune)
)
select 'dossiers' as source, max(month) as last_month
from mart_commune_month join scoped_communes using (commune_code)
where dossiers_received > 0
union all
select 'signatures', max(month) from fact_signature_month join scoped_communes using (commune_code)
union all
select 'index', max(period_start) from mart_index_period join scoped_communes using (commune_code)
where period_type = 'month'
