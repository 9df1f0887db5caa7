-- The scale measurement of ARCHITECTURE.md ("A province"): run with psql against a database
-- migrated by `elder-assess-server migrate` (1,000,000 synthetic rows; takes ~2 minutes).
\timing on
CREATE TABLE envelopes_c1 PARTITION OF envelopes FOR VALUES IN ('耿马傣族佤族自治县') PARTITION BY RANGE (year);
CREATE TABLE envelopes_c1_2025 PARTITION OF envelopes_c1 FOR VALUES FROM (2025) TO (2026);
CREATE TABLE envelopes_c1_2026 PARTITION OF envelopes_c1 FOR VALUES FROM (2026) TO (2027);
CREATE TABLE envelopes_c1_any PARTITION OF envelopes_c1 DEFAULT;
INSERT INTO envelopes (county, year, id, hash, received_at, device, number, township, final_level, sex, birth_year, reference_date, status, person_hash, parties, envelope)
SELECT '耿马傣族佤族自治县', 2025 + (g % 2), md5(g::text), md5((g*7)::text), timestamptz '2025-01-01' + g * interval '30 seconds', 'dev' || (g % 50), 'PG-' || g,
       't' || (g % 11), (g % 5)::smallint, CASE WHEN g % 2 = 0 THEN '男' ELSE '女' END, 1930 + g % 30, date '2025-01-01' + (g % 700), 
       CASE WHEN g % 10 = 0 THEN 'submitted' ELSE 'approved' END, md5((g % 900000)::text), '{}'::jsonb, '{}'::jsonb
FROM generate_series(1, 1000000) g;
INSERT INTO stats (county, year, township, final_level, assessed, approved)
SELECT county, year, township, final_level, count(*), count(*) FILTER (WHERE status = 'approved') FROM envelopes GROUP BY 1,2,3,4;
ANALYZE;
SELECT township, final_level, sum(assessed), sum(approved) FROM stats WHERE county = '耿马傣族佤族自治县' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT id, received_at FROM envelopes WHERE county = '耿马傣族佤族自治县' AND status = 'submitted' AND (received_at, id) > (timestamptz '2025-06-01', '') ORDER BY received_at, id LIMIT 50;
SELECT id, received_at FROM envelopes WHERE county = '耿马傣族佤族自治县' AND status = 'submitted' AND township = 't3' AND final_level = 2 ORDER BY received_at, id LIMIT 50;
SELECT count(*) FROM envelopes WHERE person_hash = md5('12345');
SELECT township, final_level, count(*) FROM envelopes WHERE county = '耿马傣族佤族自治县' GROUP BY 1, 2;
SELECT pg_size_pretty(pg_total_relation_size('envelopes_c1_2025') + pg_total_relation_size('envelopes_c1_2026'));
