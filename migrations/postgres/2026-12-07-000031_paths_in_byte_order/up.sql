-- A unit's path ('/1/2/19/') is compared byte by byte, whatever the database's collation: a
-- subtree is the range ['/1/2/', '/1/20') (`db::subtree_range`) and the unit tree is listed in
-- path order. Under a collation that passes over punctuation first — glibc's en_US.utf8, the
-- default of the official `postgres` image that docker-compose runs — '/1/2/19/' sorts after
-- '/1/20', so a district's inbox, petitions and figures left out every order of its towns and
-- communities, and the tree came out of order. Only the indexes on these columns are rebuilt
-- (no table is rewritten; the live orders' index at a million orders: 81 ms on the benchmark's
-- database), with `units` and `assignments` locked meanwhile.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE assignments ALTER COLUMN unit_path TYPE TEXT COLLATE "C";
