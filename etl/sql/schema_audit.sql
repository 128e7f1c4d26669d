-- Uploads through the dashboard (views/upload.py): who loaded which file, when, and the counts.
-- Written by etl/loader.py in the same atomic swap as the load itself (also for refused files).
-- Documented in docs/data-dictionary.md.
create table if not exists etl_upload_audit (
    upload_id       integer primary key,
    uploaded_at     timestamp not null,
    uploaded_by     varchar not null,         -- username from the users file
    role            varchar,                  -- steward (or national)
    scope_code      integer,                  -- the account's scope code
    province_code   integer,                  -- the province the rows were restricted to (NULL: none)
    file_name       varchar not null,         -- name as uploaded
    content_sha256  varchar,                  -- NULL when the file could not be read at all
    size_bytes      bigint,
    kind            varchar,                  -- dossiers | signatures | index | ... (NULL: not detected)
    status          varchar not null,         -- loaded | partial | duplicate | failed
    rows_read       integer not null,
    rows_loaded     integer not null,
    rows_replaced   integer not null,
    rows_rejected   integer not null,
    load_id         integer,                  -- etl_load.load_id when something was loaded
    message         varchar,                  -- why a file failed (English), else NULL
    reasons         varchar                   -- rejected rows per rule as JSON, e.g. {"outside_scope": 14}; NULL: none
);
