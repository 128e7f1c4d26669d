-- First and last month of mart_commune_month with any data (dossiers, signatures or index) in scope.
select min(month) as first_month, max(month) as last_month
from mart_commune_month m
where (m.dossiers_received > 0 or m.docs_issued is not null or m.index_total is not null)
  and m.commune_code in (select commune_code from scoped_commune)
