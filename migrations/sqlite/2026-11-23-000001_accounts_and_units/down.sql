DROP TABLE partners;
DROP TABLE categories;
DROP TABLE users;
DROP TABLE units;
