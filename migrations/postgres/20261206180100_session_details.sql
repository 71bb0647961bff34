-- What a session says of itself beyond its time, place and price, each part optional: a
-- description, the ages it is for (the youngest and oldest, inclusive) and the coach's name.
ALTER TABLE training_sessions ADD COLUMN description TEXT;
ALTER TABLE training_sessions ADD COLUMN min_age BIGINT;
ALTER TABLE training_sessions ADD COLUMN max_age BIGINT;
ALTER TABLE training_sessions ADD COLUMN coach TEXT;
