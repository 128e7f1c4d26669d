-- Provisional or official, per warehouse load of an answer fetched from the portal (etl/portal/):
-- a load is 'provisional' when its bytes were fetched only while their period was still open, and
-- 'official' once the same bytes were fetched after the period's end.  Loads of files a steward
-- loaded by hand are not listed here: published data, official.  Included (as a CTE) by
-- portal_index_status.sql, portal_provisional_periods.sql and portal_province_ranking.sql.
fetched as (
    select r.loaded_sha256 as sha256, f.status
    from etl_portal_request r
    join etl_portal_fetch f on f.run_id = r.run_id and f.seq = r.fetch_seq
    where r.outcome = 'ok' and r.loaded_sha256 is not null and f.status in ('provisional', 'official')
),
load_status as (
    select l.load_id,
           case when bool_or(f.status = 'official') then 'official' else 'provisional' end as status
    from etl_load l
    join fetched f on f.sha256 = l.content_sha256
    group by l.load_id
)
