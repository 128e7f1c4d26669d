-- First and last month of mart_commune_month with digital-skills activity (training sessions or a
-- VNeID / certificate figure) in scope.
select min(month) as first_month, max(month) as last_month
from mart_commune_month m
where (m.training_sessions > 0 or m.vneid_level2_active is not null or m.adults_certified is not null
       or m.digital_teams is not null)
  and m.commune_code in (select commune_code from scoped_commune)
