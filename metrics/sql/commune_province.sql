-- The province of one commune the caller may see (none when the commune is unknown or out of scope):
-- the same communes as commune_period.sql's scoped_communes, without summing any month.
select c.province_code
from scoped_commune s
join dim_commune c using (commune_code)
join dim_province pr on pr.province_code = c.province_code
where s.commune_code = $commune
