-- Per source: the latest month with data in scope and when that source was last loaded.
-- Dossiers are read from mart_commune_month (months with a dossier received), never from fact_dossier.
with scoped_communes as (
    select commune_code from dim_commune
    where commune_code in (select commune_code from scoped_commune)
),
months as (
    select 'dossiers' as source, max(month) as last_month, count(distinct commune_code) as communes
    from mart_commune_month join scoped_communes using (commune_code)
    where dossiers_received > 0
    union all
    select 'signatures', max(month), count(distinct commune_code)
    from fact_signature_month join scoped_communes using (commune_code)
    union all
    select 'index', max(period_start) filter (where period_type = 'month'), count(distinct commune_code)
    from mart_index_period join scoped_communes using (commune_code)
    -- The digital-skills sources: monthly training and VNeID figures, and the two registers (teams,
    -- population) that have no month of their own (their last month is empty).
    union all
    select 'training', max(date_trunc('month', training_on))::date, count(distinct commune_code)
    from fact_training_session join scoped_communes using (commune_code)
    union all
    select 'vneid', max(month), count(distinct commune_code)
    from fact_vneid_month join scoped_communes using (commune_code)
    union all
    select 'digital_teams', null::date, count(distinct commune_code)
    from fact_digital_team join scoped_communes using (commune_code)
    union all
    select 'population', null::date, count(distinct commune_code)
    from fact_population_year join scoped_communes using (commune_code)
),
loads as (
    select kind as source, max(loaded_at) as last_loaded_at, count(*) as files
    from etl_load group by 1
)
select m.source, m.last_month, m.communes, l.last_loaded_at, coalesce(l.files, 0) as files
from months m left join loads l using (source)
