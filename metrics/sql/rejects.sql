-- Rejected rows with the reason in both languages, optionally for one load and for chosen files and
-- rules ($files / $rules: lists, NULL = all); at most $max_rows rows (NULL = all), newest loads first —
-- a national warehouse can hold millions, which no page should hold in memory (reject_counts.sql
-- gives the totals).  National scope only (a rejected row may not even name a commune that exists).
select r.load_id, r.file_name, l.kind, l.loaded_at, r.row_number, r.column_name, r.value, r.rule,
       r.message_vi, r.message_en
from etl_reject r
left join etl_load l using (load_id)
where (select level from scope) = 'national'
  and ($load_id::integer is null or r.load_id = $load_id)
  and ($files::varchar[] is null or list_contains($files::varchar[], r.file_name))
  and ($rules::varchar[] is null or list_contains($rules::varchar[], r.rule))
order by r.load_id desc, r.row_number, r.column_name
limit $max_rows
