-- Several children booked in one form are paid in one checkout: each child has a booking of
-- its own (its own statuses), and every booking but the first names the first, which holds
-- the checkout and the payment (`paid_with`). A booking paid alone has none.
ALTER TABLE bookings ADD COLUMN paid_with BIGINT REFERENCES bookings (id);
CREATE INDEX bookings_paid_with ON bookings (paid_with) WHERE paid_with IS NOT NULL;
