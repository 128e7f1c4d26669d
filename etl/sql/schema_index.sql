-- Service index (Decision 766) as the national portal publishes it, beyond the per-commune group
-- scores in fact_index_score (schema.sql).  Loaded from the portal's JSON responses by
-- etl/sources/portal_json/; a newer file for the same unit, period and group replaces the old rows
-- (the replacement key of each table is named in its comment).

-- Provincial departments (sở/ngành, level PROVINCE in the portal's child units): kept apart from the
-- communes, never matched to one.  Replacement key: province_code, department_key, period_type,
-- period, group_code.
create table if not exists fact_index_department (
    province_code       integer not null,     -- the province the file is about (official code, e.g. 25)
    department_key      varchar not null,     -- stable id: the portal's departmentId, else departmentCode, else the name
    department_id       varchar,              -- the portal's departmentId (a UUID) as published
    department_code     varchar,              -- the portal's departmentCode, e.g. 'H44.07' (not an official code)
    department_name     varchar not null,     -- departmentName as published, e.g. 'Sở Công Thương - Tỉnh Phú Thọ'
    department_type     varchar,              -- departmentType as published (evaluation shape), e.g. 'PROVINCIAL_DEPARTMENT'
    period_type         varchar not null,     -- month | quarter | year
    period              varchar not null,     -- '2026-08' | '2026-Q3' | '2026'
    period_start        date not null,        -- first day of the period
    group_code          varchar not null,     -- CKMB TDGQ CLGQ TTTT MDSH MDHL
    score               double,               -- the group score as published; NULL = not published (not a zero)
    max_score           double not null,      -- the group's maximum as published (else the group's configured maximum)
    ratio               double,               -- the group's published ratio in percent, when given
    score_delta         double,               -- change against the previous period, as published
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer,              -- 1-based position of the unit in children[] / evaluation[]
    primary key (province_code, department_key, period_type, period, group_code)
);

-- Provinces: the province total of a child-units file (data.parent / data.overview) and the
-- national ranking (one row per province and group, plus group_code 'TOTAL').
-- Replacement key: province_code, period_type, period, group_code.
create table if not exists fact_index_province (
    province_code       integer not null,     -- official code, e.g. 25 (Phú Thọ)
    period_type         varchar not null,     -- month | quarter | year
    period              varchar not null,     -- '2026-08' | '2026-Q3' | '2026'
    period_start        date not null,        -- first day of the period
    group_code          varchar not null,     -- CKMB TDGQ CLGQ TTTT MDSH MDHL (DVCTT in the older layout) or TOTAL
    score               double,               -- as published; NULL = not published (not a zero)
    max_score           double not null,      -- as published, else the group's maximum (TOTAL: 100)
    ratio               double,               -- published ratio in percent, when given
    score_delta         double,               -- change against the previous period, as published
    national_rank       integer,              -- rank among the provinces when the file gives one, else NULL (computed in marts)
    portal_code         varchar,              -- the portal's departmentCode of the province, e.g. 'H44' (not an official code)
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer,              -- position in evaluation[] (national ranking); 0 = data.parent / data.overview
    primary key (province_code, period_type, period, group_code)
);

-- Indicators under a group score, so every score can be explained: the evaluation shape's
-- metrics[] as published, and for the tree shape (TDGQ, CLGQ, TTTT) the published counts:
--   * fractions (numerator / denominator), codes chosen here:
--       TDGQ ON_TIME        = totalOnTime / totalReceived (ratio, score and max_score = the group's,
--                             the group has this one indicator);
--       CLGQ ONLINE_CHANNEL = channelOnlineSum / channelTotalSum;
--       TTTT ONLINE_PAYMENT = totalDossierOnlinePaymentSuccess / totalDossierFinancialObligation;
--     (CLGQ and TTTT score several indicators whose split the portal does not publish: score NULL);
--   * every other number of the unit (totalOverdue, avgProcessingDays, fullCount, ...) as one row
--     with `value`, indicator_code = the field name in upper snake case (TOTAL_OVERDUE,
--     AVG_PROCESSING_DAYS, FULL_COUNT) and indicator_name = the field name as published.
-- Replacement key: unit_kind, unit_key, period_type, period, group_code (all indicators of a unit
-- and group are replaced together, so an indicator the newer file drops does not linger).
create table if not exists fact_index_indicator (
    unit_kind           varchar not null,     -- commune | department | province
    unit_key            varchar not null,     -- commune_code / department_key / province_code, as text
    commune_code        integer,              -- official commune code when unit_kind = 'commune', else NULL
    province_code       integer not null,     -- official province code of the unit
    portal_code         varchar,              -- the portal's departmentCode of the unit, e.g. 'H44.139', when published
    period_type         varchar not null,     -- month | quarter | year
    period              varchar not null,     -- '2026-08' | '2026-Q3' | '2026'
    period_start        date not null,        -- first day of the period
    group_code          varchar not null,     -- CKMB TDGQ CLGQ TTTT MDSH MDHL
    indicator_code      varchar not null,     -- metric code as published (e.g. DOSSIER_SYNC) or a tree code (see above)
    indicator_name      varchar,              -- metric name as published / the tree field name
    numerator           double,               -- fraction indicators: the counted items, e.g. 314 dossiers on time
    denominator         double,               -- fraction indicators: the base, e.g. 350 dossiers received
    ratio               double,               -- ratio in percent as published (not recomputed), when given
    score               double,               -- points as published; NULL = not published (not a zero)
    max_score           double,               -- the indicator's maximum as published
    value               double,               -- non-fraction figures: a count or an average (e.g. avg processing days)
    data_quality_status varchar,              -- dataQualityStatus as published (e.g. a warning about the data)
    data_quality_message varchar,             -- dataQualityMessage as published
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer,              -- position of the unit in children[] / evaluation[]; 0 = the province total
    primary key (unit_kind, unit_key, period_type, period, group_code, indicator_code)
);
