-- Provinces and communes the caller may see (filter choices).
select c.commune_code, c.name as commune_name, c.division_type, c.province_code, p.name as province_name
from dim_commune c join dim_province p using (province_code)
where c.commune_code in (select commune_code from scoped_commune)
order by c.province_code, c.commune_code
