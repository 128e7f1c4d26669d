-- Warehouse contract: reference tables, facts, ETL bookkeeping.
-- Every table and column here is documented in docs/data-dictionary.md.
-- Marts are (re)built from the facts by etl/sql/mart_*.sql after every load.

create table if not exists dim_province (
    province_code   integer primary key,      -- official code, e.g. 25 (Phú Thọ)
    name            varchar not null,         -- as officially written, e.g. 'Phú Thọ'
    division_type   varchar not null,         -- 'tỉnh' | 'thành phố trung ương'
    codename        varchar not null,         -- e.g. 'phu_tho'
    phone_code      integer
);

create table if not exists dim_commune (
    commune_code    integer primary key,      -- official code, e.g. 8380 (Xã Vân Bán)
    name            varchar not null,         -- as officially written, e.g. 'Xã Vân Bán'
    division_type   varchar not null,         -- 'xã' | 'phường' | 'đặc khu'
    codename        varchar not null,         -- e.g. 'xa_van_ban' (not unique across provinces)
    province_code   integer not null references dim_province (province_code)
);

create table if not exists etl_load (
    load_id         integer primary key,
    file_name       varchar not null,         -- name as given by the user
    stored_path     varchar not null,         -- content-addressed copy, relative to the data folder
    content_sha256  varchar not null,
    kind            varchar not null,         -- dossiers | signatures | index
    loaded_at       timestamp not null,
    rows_read       integer not null,
    rows_loaded     integer not null,
    rows_replaced   integer not null,         -- rows that replaced an earlier version
    rows_rejected   integer not null,
    status          varchar not null          -- loaded | partial
);

create table if not exists etl_reject (
    load_id         integer not null,
    file_name       varchar not null,
    row_number      integer,                  -- row as the steward sees it (spreadsheet row / CSV line)
    column_name     varchar,
    value           varchar,
    rule            varchar not null,         -- machine-readable rule id, e.g. 'finished_before_received'
    message_vi      varchar not null,
    message_en      varchar not null
);

create table if not exists fact_dossier (
    dossier_id          varchar not null,     -- MaHoSo; unique (the loader replaces by it; no index, for load speed)
    commune_code        integer not null,
    province_code       integer not null,
    procedure_code      varchar,              -- MaTTHC, e.g. '2.000815'
    procedure_name      varchar,              -- TenTTHC
    sector_code         varchar,              -- MaLinhVuc
    sector_name         varchar,              -- TenLinhVuc
    received_at         timestamp not null,   -- NgayTiepNhan
    due_at              timestamp,            -- NgayHenTra
    finished_at         timestamp,            -- NgayKetThucXuLy
    returned_at         timestamp,            -- NgayTra
    status              varchar,              -- TrangThaiHoSo as exported
    channel             varchar not null,     -- KenhThucHien: in_person (1) | online (2) | post (3)
    online_mode         varchar,              -- full (toàn trình) | partial (một phần) | NULL when not online or unknown
    paid_online_via     varchar,              -- DuocThanhToanTrucTuyen: national_portal (1) | local_gateway (2) | NULL
    digitized           boolean not null,     -- HoSoCoThanhPhanSoHoa / DuocSoHoa
    handling_unit       varchar,              -- DonViXuLy
    load_id             integer not null,
    source_row          integer not null
);

create table if not exists fact_signature_month (
    commune_code        integer not null,
    province_code       integer not null,
    month               date not null,        -- first day of the month
    docs_issued         integer not null,     -- outgoing documents (văn bản đi)
    docs_confidential   integer not null,     -- of which classified (mật): excluded from the rate
    docs_signed         integer not null,     -- of which signed digitally (ký số)
    load_id             integer not null,
    source_row          integer not null,
    primary key (commune_code, month)
);

create table if not exists fact_index_score (
    commune_code        integer not null,
    province_code       integer not null,
    period_type         varchar not null,     -- month | quarter | year
    period              varchar not null,     -- '2026-08' | '2026-Q3' | '2026'
    period_start        date not null,
    group_code          varchar not null,     -- CKMB TDGQ CLGQ TTTT MDSH MDHL, or DVCTT (older five-group layout)
    score               double,               -- NULL = not published (not a zero)
    max_score           double not null,
    ratio               double,               -- the group's published ratio in percent, when given
    score_delta         double,               -- change against the previous period, as published
    load_id             integer not null,
    source_row          integer,
    primary key (commune_code, period_type, period, group_code)
);

create table if not exists fact_index_total (
    commune_code        integer not null,
    province_code       integer not null,
    period_type         varchar not null,
    period              varchar not null,
    period_start        date not null,
    total_score         double,               -- 'Tổng điểm' as published; NULL when the file has none
    published_rank      integer,              -- 'Xếp hạng' as published; NULL when the file has none
    layout              varchar not null,     -- six_groups | five_groups
    load_id             integer not null,
    source_row          integer,
    primary key (commune_code, period_type, period)
);
