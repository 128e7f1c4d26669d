-- Load history (etl_load), newest first.  Files are not tied to one commune, so only a national
-- scope sees them.
select load_id, file_name, kind, loaded_at, rows_read, rows_loaded, rows_replaced, rows_rejected, status
from etl_load
where (select level from scope) = 'national'
order by loaded_at desc, load_id desc
