-- First and last month of mart_commune_month with any data (dossiers, signatures or index) in scope.
select min(month) as first_month, max(month) as last_month
from mart_commune_month m
where (m.dossiers_received > 0 or m.docs_issued is not null or m.index_total is not null)
  and ($scope_province is null or m.province_code = $scope_province)
  and ($scope_commune is null or m.commune_code = $scope_commune)
