-- Uploads through the dashboard (etl_upload_audit), newest first.  A national scope sees every
-- upload; a province scope the uploads restricted to its province; a commune scope none.
select upload_id, uploaded_at, uploaded_by, role, province_code, file_name, content_sha256, size_bytes, kind,
       status, rows_read, rows_loaded, rows_replaced, rows_rejected, message,
       reasons   -- (column added in issue 13; etl.loader.create_schema adds it to older warehouses)
from etl_upload_audit
where (select level from scope) <> 'commune'
  and ((select province_code from scope) is null or province_code = (select province_code from scope))
order by uploaded_at desc, upload_id desc
