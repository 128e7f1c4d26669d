-- Rejected rows per file and rule (national scope only, as rejects.sql): the data-quality page's
-- reasons, its file and rule choices and the total behind a capped list of rows.
select r.file_name, r.rule, count(*) as rows, max(r.load_id) as last_load_id
from etl_reject r
where (select level from scope) = 'national'
group by r.file_name, r.rule
order by last_load_id desc, r.file_name, r.rule
