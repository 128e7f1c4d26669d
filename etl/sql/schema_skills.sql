-- Digital skills (Bình dân học vụ số): population, community digital teams, training sessions, VNeID
-- and certificates.  Loaded by etl/sources/{population,digital_teams,training,vneid}.py; a newer file
-- replaces the rows with the same replacement key (named in each table's comment).
-- Documented in docs/data-dictionary.md, section "Digital skills (Bình dân học vụ số)".

-- Population and villages per commune and year.  Replacement key: commune_code, year.
create table if not exists fact_population_year (
    commune_code        integer not null,     -- official commune code → dim_commune
    province_code       integer not null,     -- the commune's province
    year                integer not null,     -- year the figures describe, e.g. 2025
    population          integer not null,     -- residents (dân số), >= 1
    adults              integer,              -- adults (số người trưởng thành), <= population; NULL = not given
    villages            integer,              -- villages and residential groups (số thôn, tổ dân phố), >= 1; NULL = not given
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer not null,     -- row in the source file (spreadsheet row / CSV line)
    primary key (commune_code, year)
);

-- Community digital technology teams: one row per team (record_type 'team', from a register) or one
-- row per commune and date (record_type 'commune_count', a count of teams and members as of that date).
-- Replacement key: commune_code, team_key.
create table if not exists fact_digital_team (
    commune_code        integer not null,     -- official commune code → dim_commune
    province_code       integer not null,     -- the commune's province
    team_key            varchar not null,     -- 'village:<village_key>' (team) | 'count:<yyyy-mm-dd>' (commune count)
    record_type         varchar not null,     -- team | commune_count
    village             varchar,              -- village or residential group as written (team rows); NULL for counts
    team_name           varchar,              -- the team's name when the register gives one
    teams               integer not null,     -- 1 for a team row; the number of teams for a commune count (>= 0)
    members             integer not null,     -- the team's members (>= 1), or all teams' members of a count (>= teams)
    established_on      date not null,        -- team: date established; commune count: the date the count refers to
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer not null,     -- row in the source file
    primary key (commune_code, team_key)
);

-- Training sessions, one row per session and audience.
-- Replacement key: commune_code, training_on, topic, audience.
create table if not exists fact_training_session (
    commune_code        integer not null,     -- official commune code → dim_commune
    province_code       integer not null,     -- the commune's province
    training_on         date not null,        -- date of the session (ngày tập huấn)
    topic               varchar not null,     -- what was taught (nội dung), spaces collapsed
    audience            varchar not null,     -- officials | residents | pupils | businesses
    participants        integer not null,     -- attendances of this audience (>= 0); a person at two sessions counts twice
    organiser           varchar,              -- organising unit (đơn vị tổ chức) as written
    location            varchar,              -- venue or village as written, when given
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer not null,     -- row in the source file
    primary key (commune_code, training_on, topic, audience)
);

-- VNeID level-2 accounts and Bình dân học vụ số certificates per commune and month, cumulative as of
-- the month's end.  Replacement key: commune_code, month.
create table if not exists fact_vneid_month (
    commune_code        integer not null,     -- official commune code → dim_commune
    province_code       integer not null,     -- the commune's province
    month               date not null,        -- first day of the month reported
    vneid_level2_active integer,              -- level-2 VNeID accounts activated, cumulative (>= 0); NULL = not reported
    adults_certified    integer,              -- adults certified on the Bình dân học vụ số platform, cumulative (>= 0); NULL = not reported
    load_id             integer not null,     -- etl_load row that wrote it
    source_row          integer not null,     -- row in the source file
    primary key (commune_code, month)
);
