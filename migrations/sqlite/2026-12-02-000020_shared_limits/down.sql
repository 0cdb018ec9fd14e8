DROP TABLE rate_buckets;
DROP TABLE limit_hits;
