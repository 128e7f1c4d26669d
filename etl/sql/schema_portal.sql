-- Fetches from the national portal (`python -m etl fetch-portal`, etl/portal/).  Each run's record
-- (a JSON file kept and loaded like every other file, in the same atomic load as the answers it
-- fetched) fills these tables; documented in docs/data-dictionary.md and docs/portal-fetch.md.
-- Log tables: rows are never replaced (keys are the run and a sequence number).

-- One row per run that sent at least one request.
create table if not exists etl_portal_run (
    run_id              integer not null,     -- 1, 2, ... per warehouse
    started_at          timestamp not null,   -- local time (Asia/Ho_Chi_Minh)
    finished_at         timestamp not null,
    provinces           varchar not null,     -- what was asked: 'all' or official codes, e.g. '25' or '1,25'
    period_type         varchar not null,     -- month | quarter | year
    period              varchar not null,     -- '2026-08' | '2026-Q3' | '2026'
    period_closed       boolean not null,     -- the period had ended when the run started (Asia/Ho_Chi_Minh)
    groups              varchar not null,     -- 'all' or the group codes asked, e.g. 'TDGQ,CKMB' (TOTAL = service-results)
    requests            integer not null,     -- HTTP attempts sent, retries included
    budget              integer not null,     -- the most this run could send (per-run and per-day budgets)
    result              varchar not null,     -- done | partial | budget_exhausted | stopped | refused | failed
    breaker_state       varchar not null,     -- closed | open, after the run
    breaker_reason      varchar,              -- why it opened (http_403, html, rejected_body, ...), when open
    index_status        varchar,              -- provisional | official | revision | mixed: what the run loaded or found
    endpoints_loaded    integer not null,     -- answers (endpoint x unit) loaded into the index tables
    revisions           integer not null,     -- changed figures found for a closed, official period
    base_url            varchar not null,
    user_agent          varchar not null,
    message_vi          varchar,              -- why a run did not finish, in Vietnamese
    message_en          varchar,              -- the same in English
    load_id             integer not null,     -- etl_load row of the run's record
    primary key (run_id)
);

-- One row per endpoint and unit a run asked for (the national list, or one province and group).
create table if not exists etl_portal_fetch (
    run_id              integer not null,
    seq                 integer not null,     -- order within the run
    province_code       integer,              -- official code; NULL for the national list
    portal_code         varchar,              -- the portal's code, e.g. 'H44'; NULL for the national list
    root_department_id  varchar,              -- rootDepartmentId sent (the province's departmentId); NULL for the national list
    period_type         varchar not null,
    period              varchar not null,
    period_start        date not null,
    endpoint            varchar not null,     -- service-results, transparency, dvc-progress-tree, ...
    group_code          varchar not null,     -- CKMB TDGQ CLGQ TTTT MDSH MDHL, or TOTAL (service-results)
    pages               integer not null,     -- pages received
    fetched_at          timestamp not null,   -- when the last page arrived (local time)
    period_closed       boolean not null,     -- the period had ended when it was fetched
    status              varchar not null,     -- provisional | official | revision | unchanged | incomplete | invalid | refused | failed
    revision_no         integer,              -- 1, 2, ... for status 'revision'
    message_vi          varchar,
    message_en          varchar,
    load_id             integer not null,     -- etl_load row of the run's record
    primary key (run_id, seq)
);

-- One row per HTTP attempt: the request, its time and the answer's SHA-256 and kept copy.
create table if not exists etl_portal_request (
    run_id              integer not null,
    seq                 integer not null,     -- 1, 2, ... in the order sent
    fetch_seq           integer,              -- etl_portal_fetch.seq it belongs to
    page                integer,              -- 1-based page of the endpoint
    attempt             integer not null,     -- 1 = first try, 2-3 = retries
    url                 varchar not null,
    body                varchar not null,     -- the JSON sent
    requested_at        timestamp not null,   -- local time
    elapsed_ms          integer not null,
    http_status         integer,              -- NULL when no answer arrived (transport error)
    content_type        varchar,
    bytes               bigint,
    sha256              varchar,              -- of the answer's raw bytes
    stored_path         varchar,              -- the kept copy, content-addressed (files/<2>/<sha256>.json)
    loaded_sha256       varchar,              -- SHA-256 of the file given to the loader (= sha256, see docs)
    outcome             varchar not null,     -- ok | retry | stop | failed | error
    message             varchar,
    load_id             integer not null,
    primary key (run_id, seq)
);

-- The portal's identity of each province, from the national list (rootDepartmentId of later runs).
-- Replacement key: province_code.
create table if not exists etl_portal_province (
    province_code       integer not null,     -- official code
    portal_code         varchar not null,     -- 'Hnn'
    root_department_id  varchar not null,     -- departmentId in the national service-results
    department_name     varchar,              -- as the portal writes it (not used to match)
    seen_at             timestamp not null,
    run_id              integer not null,
    load_id             integer not null,
    primary key (province_code)
);

-- Changes the portal made to a closed period after its official fetch, kept beside the official
-- figures (which stay in the fact tables): one row per unit and figure that changed.
create table if not exists fact_index_revision (
    run_id              integer not null,
    seq                 integer not null,
    province_code       integer,              -- NULL: the national list
    portal_code         varchar,
    period_type         varchar not null,
    period              varchar not null,
    period_start        date not null,
    endpoint            varchar not null,
    group_code          varchar not null,
    revision_no         integer not null,     -- 1 = first change after the official fetch
    unit_id             varchar not null,     -- departmentId (else departmentCode) of the unit; 'root' = parent/overview
    unit_code           varchar,              -- departmentCode, when published
    unit_name           varchar,
    field               varchar not null,     -- e.g. 'totalScore', 'score', 'groupScores.TDGQ', 'metrics.DOSSIER_SYNC.score'
    previous_value      double,               -- as loaded officially (or in the previous revision); NULL = absent
    revised_value       double,               -- as the portal now publishes it; NULL = absent
    fetched_at          timestamp not null,
    load_id             integer not null,
    primary key (run_id, seq)
);
