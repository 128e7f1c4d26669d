-- Provinces and communes the caller may see (filter choices).
select c.commune_code, c.name as commune_name, c.division_type, c.province_code, p.name as province_name
from dim_commune c join dim_province p using (province_code)
where ($scope_province is null or c.province_code = $scope_province)
  and ($scope_commune is null or c.commune_code = $scope_commune)
order by c.province_code, c.commune_code
