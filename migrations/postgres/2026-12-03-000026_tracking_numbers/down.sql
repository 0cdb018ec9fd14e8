-- Back to a counter row per day, continuing after the last number drawn.
INSERT INTO tracking_counters (day, last)
  SELECT day, (SELECT last_value FROM tracking_numbers) - base FROM tracking_days
  ON CONFLICT (day) DO UPDATE SET last = GREATEST(tracking_counters.last, excluded.last);
DROP TABLE tracking_days;
DROP SEQUENCE tracking_numbers;
