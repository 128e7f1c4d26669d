-- mart_procedure_month: dossiers per month received, commune and procedure (MaTTHC), with the
-- overdue count judged at the data's as-of instant like mart_commune_month (finished after the due
-- date, or unfinished while the due date has passed by then: int_open_overdue).  Read by
-- metrics/sql/procedures.sql (the filings page's procedures with most dossiers and most late dossiers).
-- Procedures add up to mart_commune_month's received / on-time / overdue counts.  Key and tests:
-- mart_procedure_month.yml.
create or replace table mart_procedure_month as
select m.month, m.province_code, m.commune_code, m.procedure_code, m.procedure_name, m.sector_name,
       m.dossiers_received, m.dossiers_online, m.dossiers_on_time,
       m.dossiers_finished_late + coalesce(o.dossiers, 0) as dossiers_overdue
from mart_dossier_month m
left join int_open_overdue o
    on o.commune_code = m.commune_code and o.month = m.month and o.procedure_code is not distinct from m.procedure_code
-- Sorted as the page reads it (a period's months, one province or commune): the zone maps skip the rest.
order by m.month, m.province_code, m.commune_code;
