-- A session's counts read only the bookings they count, whatever the number of its bookings
-- (docs/ARCHITECTURE.md, "Counting a session's places"). A booking holds a place when it is
-- firm (paid or manual, neither cancelled nor refunded) or held (online, unpaid or failed, not
-- cancelled, its hold not yet over); `app/src/db/bookings.rs` writes these predicates exactly
-- as here, which is what lets the database use these indexes for them.
CREATE INDEX bookings_firm ON bookings (training_session_id)
    WHERE attendance_status <> 'cancelled' AND payment_status <> 'refunded'
      AND (payment_status = 'paid' OR source = 'manual');
CREATE INDEX bookings_held ON bookings (training_session_id, held_until)
    WHERE attendance_status <> 'cancelled' AND payment_status IN ('unpaid', 'failed')
      AND source <> 'manual';
-- Who was there, for the coach's "today" panel.
CREATE INDEX bookings_present ON bookings (training_session_id)
    WHERE attendance_status = 'completed';
