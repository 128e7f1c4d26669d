-- Fetch runs from the national portal (etl_portal_run), newest first: when, what (provinces, period,
-- groups), how many requests, the result, the breaker's state after the run and whether what it
-- loaded is provisional or official.  A national scope sees every run; a province scope the runs
-- that asked for its province; a commune scope none.
select r.run_id, r.started_at, r.finished_at, r.provinces, r.period_type, r.period, r.groups, r.requests,
       r.budget, r.result, r.breaker_state, r.breaker_reason, r.index_status, r.endpoints_loaded, r.revisions,
       r.message_vi, r.message_en
from etl_portal_run r
cross join scope s
where s.commune_code is null
  and (s.province_code is null
       or exists (select 1 from etl_portal_fetch f where f.run_id = r.run_id and f.province_code = s.province_code))
order by r.started_at desc, r.run_id desc
