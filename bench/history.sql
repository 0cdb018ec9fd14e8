-- Fills a migrated minhu PostgreSQL database with :n petitions over the four years up to
-- 2026-11-22 and 3,000 units, for the figures benchmark. Everything is generated inside
-- PostgreSQL (generate_series), deterministically from each row's number.
--   psql -v n=10000000 -f bench/history.sql postgres://…/minhu_bench
\set ON_ERROR_STOP on
SET synchronous_commit = off;

-- The unit tree: the hotline office, 16 districts, 300 streets and towns, 2,683 communities.
INSERT INTO units (id, name, kind, parent_id, path, created_at)
VALUES (1, '市12345热线办', 'hotline_office', NULL, '/1/', TIMESTAMP '2022-01-01');
INSERT INTO units (id, name, kind, parent_id, path, created_at)
SELECT g, '第' || (g - 1) || '区', 'district', 1, '/1/' || g || '/', TIMESTAMP '2022-01-01'
FROM generate_series(2, 17) g;
INSERT INTO units (id, name, kind, parent_id, path, created_at)
SELECT g, '街镇' || g, CASE WHEN g % 2 = 0 THEN 'street' ELSE 'town' END, 2 + g % 16,
       '/1/' || (2 + g % 16) || '/' || g || '/', TIMESTAMP '2022-01-01'
FROM generate_series(18, 317) g;
INSERT INTO units (id, name, kind, parent_id, path, created_at)
SELECT g, '社区' || g, 'community', 18 + g % 300,
       '/1/' || (2 + (18 + g % 300) % 16) || '/' || (18 + g % 300) || '/' || g || '/', TIMESTAMP '2022-01-01'
FROM generate_series(318, 3000) g;
SELECT setval(pg_get_serial_sequence('units', 'id'), 3000);

INSERT INTO categories (id, name, parent_id, code, created_at)
SELECT g, (ARRAY['民生','交通','教育','医疗','消费','政务','水电气暖','助农','城市管理'])[g], NULL, '0' || g, TIMESTAMP '2022-01-01'
FROM generate_series(1, 9) g;
SELECT setval(pg_get_serial_sequence('categories', 'id'), 9);

INSERT INTO users (username, password_hash, display_name, phone, role, unit_id, active, created_at, updated_at)
VALUES ('bench_citizen', '!', '压测市民', NULL, 'citizen', NULL, TRUE, TIMESTAMP '2022-01-01', TIMESTAMP '2022-01-01');

-- Petitions: the last 2 % of the history is still open.
CREATE TEMP TABLE gen AS
SELECT g,
       TIMESTAMP '2022-11-23' + (g::float8 / :n) * INTERVAL '1460 days' + (g % 97) * INTERVAL '1 minute' AS created_at,
       18 + (g * 7919) % 2983 AS unit_id,
       (ARRAY['consultation','help','complaint','report','suggestion','civility'])[1 + g % 6] AS kind,
       1 + (g * 31) % 9 AS category_id,
       (ARRAY['app','app','web','phone','wechat'])[1 + (g * 13) % 5] AS source,
       CASE WHEN g > :n * 0.98 THEN (ARRAY['submitted','accepted','dispatched','handling','replied'])[1 + g % 5]
            WHEN g % 50 = 0 THEN 'rejected' WHEN g % 71 = 0 THEN 'withdrawn' ELSE 'closed' END AS status
FROM generate_series(1::bigint, :n::bigint) g;

INSERT INTO petitions (id, tracking_no, kind, category_id, urgency, title, content, address, latitude, longitude,
    source, partner_id, submitter_id, contact_name, contact_phone, anonymous, publish_consent, status, version,
    merged_into_id, redo_count, supervised, reply_by, created_at, updated_at, closed_at, yellow_at)
SELECT g, to_char(created_at + INTERVAL '8 hours', 'YYYYMMDD') || '-' || lpad((g % 1000000)::text, 6, '0'),
    kind, category_id, CASE WHEN g % 20 = 0 THEN 'urgent' ELSE 'normal' END,
    '诉求' || g, '生成的历史诉求内容', NULL, NULL, NULL, source, NULL,
    (SELECT id FROM users WHERE username = 'bench_citizen'), '市民', '13800000000', FALSE, g % 3 > 0, status, 3,
    NULL, 0, g % 200 = 0,
    CASE WHEN status IN ('dispatched','handling') THEN created_at + INTERVAL '7 days' END,
    created_at, created_at + INTERVAL '3 days',
    CASE WHEN status = 'closed' THEN created_at + INTERVAL '5 days' END,
    CASE WHEN status IN ('dispatched','handling') THEN created_at + INTERVAL '5 days' END
FROM gen;
SELECT setval(pg_get_serial_sequence('petitions', 'id'), :n);

-- Assignments for the orders still with units (the board and the overdue list read them).
INSERT INTO assignments (petition_id, unit_id, role, parent_id, state, sign_by, reply_by, created_at, yellow_at)
SELECT g, unit_id, 'lead', NULL, CASE WHEN status = 'dispatched' THEN 'pending' ELSE 'handling' END,
       created_at + INTERVAL '1 day', created_at + INTERVAL '7 days', created_at, created_at + INTERVAL '5 days'
FROM gen WHERE status IN ('dispatched','handling');

-- … and the answered orders of the closed ones (a unit's inbox pages through them).
INSERT INTO assignments (petition_id, unit_id, role, parent_id, state, sign_by, reply_by, created_at, yellow_at)
SELECT g, unit_id, 'lead', NULL, 'replied',
       created_at + INTERVAL '1 day', created_at + INTERVAL '7 days', created_at, created_at + INTERVAL '5 days'
FROM gen WHERE status = 'closed';
UPDATE assignments a SET unit_path = u.path FROM units u WHERE u.id = a.unit_id;
-- Each order filed under every unit on its path, with its state and deadline while it is live,
-- as `db::petitions::insert_assignment` files it.
INSERT INTO order_ancestors (ancestor_id, assignment_id, petition_id, live_state, live_reply_by)
SELECT part::BIGINT, a.id, a.petition_id,
       CASE WHEN a.state IN ('pending', 'handling') THEN a.state END,
       CASE WHEN a.state IN ('pending', 'handling') THEN a.reply_by END
FROM assignments a, unnest(string_to_array(trim(BOTH '/' FROM a.unit_path), '/')) AS part;

-- The figures, as the actions would have left them (every order received, most signed in
-- time, answered, visited; some redone), written day by day as live traffic writes them.
INSERT INTO unit_day_figures
SELECT unit_id, to_char(created_at + INTERVAL '8 hours', 'YYYY-MM-DD') AS day,
       count(*), count(*) FILTER (WHERE status <> 'submitted'),
       count(*) FILTER (WHERE g % 10 <> 0), sum(3600 + g % 7200),
       count(*) FILTER (WHERE status = 'closed'), count(*) FILTER (WHERE status = 'closed' AND g % 7 <> 0),
       count(*) FILTER (WHERE status = 'closed'), coalesce(sum(86400 + g % 172800) FILTER (WHERE status = 'closed'), 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 5 <> 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 5 <> 0 AND g % 9 <> 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 5 <> 0 AND g % 4 <> 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 5 <> 0 AND g % 3 <> 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 5 <> 0 AND g % 3 = 0 AND g % 2 = 0),
       count(*) FILTER (WHERE status = 'closed' AND g % 23 = 0)
FROM gen GROUP BY 1, 2 ORDER BY 2, 1;

INSERT INTO day_figures
SELECT day, sum(received), sum(signed), sum(signed_on_time), sum(sign_seconds), sum(due), sum(completed_on_time),
       sum(replied), sum(reply_seconds), sum(visits), sum(contacted), sum(resolved), sum(satisfied),
       sum(basically_satisfied), sum(redo)
FROM unit_day_figures GROUP BY day ORDER BY day;

INSERT INTO unit_month_figures
SELECT unit_id, substr(day, 1, 7), sum(received), sum(signed), sum(signed_on_time), sum(sign_seconds), sum(due),
       sum(completed_on_time), sum(replied), sum(reply_seconds), sum(visits), sum(contacted), sum(resolved),
       sum(satisfied), sum(basically_satisfied), sum(redo)
FROM unit_day_figures GROUP BY 1, 2 ORDER BY 2, 1;

INSERT INTO petition_day_counts
SELECT to_char(created_at + INTERVAL '8 hours', 'YYYY-MM-DD'), kind, category_id, source, status, count(*)
FROM gen GROUP BY 1, 2, 3, 4, 5 ORDER BY 1;

INSERT INTO petition_month_counts
SELECT substr(day, 1, 7), kind, category_id, source, status, sum(n)
FROM petition_day_counts GROUP BY 1, 2, 3, 4, 5 ORDER BY 1;

INSERT INTO day_action_counts
SELECT day, action, CASE action WHEN 'submit' THEN n WHEN 'accept' THEN n * 97 / 100 WHEN 'dispatch' THEN n * 95 / 100
                                 WHEN 'reply' THEN n * 93 / 100 ELSE n * 90 / 100 END
FROM (SELECT to_char(created_at + INTERVAL '8 hours', 'YYYY-MM-DD') AS day, count(*) AS n FROM gen GROUP BY 1) d
CROSS JOIN (VALUES ('submit'), ('accept'), ('dispatch'), ('reply'), ('rate')) a(action);

DROP TABLE gen;
ANALYZE;
