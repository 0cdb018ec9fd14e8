-- Fills a migrated minhu PostgreSQL database with :n open petitions whose Chinese text varies
-- the way hotline petitions do (a place, a thing, what is wrong with it, for how long, what it
-- causes, what is asked), over nine categories and the last 60 days, for the duplicate
-- suggestions benchmark. Deterministic from each row's number. The sketch index
-- (petition_terms) is then built by `minhu reindex`.
--   psql -v n=1000000 -f bench/open_petitions.sql postgres://…/minhu_dups
\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO categories (id, name, parent_id, code, created_at)
SELECT g, (ARRAY['民生','交通','教育','医疗','消费','政务','水电气暖','助农','城市管理'])[g], NULL, '0' || g, TIMESTAMP '2022-01-01'
FROM generate_series(1, 9) g;
SELECT setval(pg_get_serial_sequence('categories', 'id'), 9);

INSERT INTO users (username, password_hash, display_name, phone, role, unit_id, active, created_at, updated_at)
VALUES ('bench_citizen', '!', '压测市民', NULL, 'citizen', NULL, TRUE, TIMESTAMP '2022-01-01', TIMESTAMP '2022-01-01');

CREATE TEMP TABLE words AS SELECT
  ARRAY['幸福','和平','建设','人民','解放','光明','朝阳','新华','东风','胜利','团结','育才','文化','迎宾','滨河','丰收','龙泉','梧桐','锦绣','金水',
        '长青','红旗','民主','振兴','安居','柳林','槐荫','桃园','青年','向阳'] AS place1,
  ARRAY['小区','花园','家园','新村','社区','路','大街','北巷','南里','公寓'] AS place2,
  ARRAY['路灯','下水道','垃圾桶','电梯','暖气','自来水管','红绿灯','人行道','停车位','健身器材','公交站牌','井盖','围墙','化粪池','充电桩',
        '快递柜','广场舞音响','施工工地','饭店油烟','农贸市场','学校门口','医院挂号','社保卡','燃气表','水表','供电线路','绿化带','排水沟',
        '楼道灯','消防通道','电动车棚','公厕','菜地','大棚蔬菜','苹果','萝卜','玉米收购','养殖场','幼儿园','培训机构'] AS thing,
  ARRAY['坏了','不亮','漏水','堵塞','噪音太大','没人管','被占用','损坏严重','一直没修','收费不合理','气味很大','晚上施工','断断续续',
        '经常停','卖不出去','价格太低','排队太久','办不下来','没有通知','存在安全隐患'] AS wrong,
  ARRAY['老人孩子出门很不方便','晚上出门一片漆黑','影响居民正常休息','家里没法做饭','孩子上学路上很危险','一家人生活受到影响',
        '损失很大','多次反映都没有结果','邻居们意见很大','夏天蚊虫特别多','下雨天积水很深','车辆通行困难'] AS effect,
  ARRAY['希望尽快派人维修','请有关部门尽快处理','希望给个说法','请帮忙协调解决','希望加强管理','请尽快答复','希望帮忙联系销路',
        '请相关部门核实情况','希望早日解决','恳请领导重视'] AS ask;

INSERT INTO petitions (tracking_no, kind, category_id, urgency, title, content, address, latitude, longitude,
    source, partner_id, submitter_id, contact_name, contact_phone, anonymous, publish_consent, status, version,
    merged_into_id, redo_count, supervised, reply_by, created_at, updated_at, closed_at, yellow_at)
SELECT 'B' || lpad(g::text, 9, '0'),
    (ARRAY['consultation','help','complaint','report','suggestion'])[1 + g % 5],
    1 + (g * 31) % 9, 'normal',
    p1 || p2 || t || w,
    '我是' || p1 || p2 || (1 + g % 40) || '号楼的居民，' || t || w || '已经' || (2 + g % 60) || '天了，' ||
      e || '。' || a || '。',
    '某市' || p1 || p2 || (1 + g % 40) || '号楼',
    35.0 + (hashint % 1000) / 5000.0, 113.0 + ((hashint / 1000) % 1000) / 5000.0,
    'app', NULL, (SELECT id FROM users WHERE username = 'bench_citizen'), '市民', '13800000000', FALSE, TRUE,
    (ARRAY['submitted','accepted','dispatched','handling','replied'])[1 + g % 5], 1,
    NULL, 0, FALSE, NULL,
    TIMESTAMP '2026-11-22' - ((g % 86400)::float8 / 86400) * INTERVAL '60 days',
    TIMESTAMP '2026-11-22', NULL, NULL
FROM (
  SELECT g, abs(hashint4(g::int)::bigint) AS hashint,
         place1[1 + abs(hashint4(g::int * 3)::bigint) % 30] AS p1, place2[1 + abs(hashint4(g::int * 5)::bigint) % 10] AS p2,
         thing[1 + abs(hashint4(g::int * 7)::bigint) % 40] AS t, wrong[1 + abs(hashint4(g::int * 11)::bigint) % 20] AS w,
         effect[1 + abs(hashint4(g::int * 13)::bigint) % 12] AS e, ask[1 + abs(hashint4(g::int * 17)::bigint) % 10] AS a
  FROM generate_series(1::bigint, :n::bigint) g, words
) AS gen;
ANALYZE petitions;
