//! Cancelling bookings: a parent before the cut-off, an admin at any time, or every booking of
//! a session the admin cancels. The attendance becomes `cancelled` through the one attendance
//! writer (the history says who), the place is free at once, the parent gets a mail, and a paid
//! booking's refund is kept in the same transaction, then asked of Stripe.

use super::gateway::PaymentGateway;
use super::mail;
use super::refunds::{self, RefundError};
use crate::db::refunds::Refund;
use crate::db::{attendance, bookings, groups, now_ms, sessions, Db};
use crate::settings::Settings;
use domain::booking::{parent_may_cancel, CannotCancel, SessionCancellation};
use domain::mail::{BookingMail, CancelFacts};
use domain::{Actor, AttendanceStatus, Money, PaymentStatus};

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("that booking does not exist")]
    NoSuchBooking,
    #[error("{0}")]
    Cannot(CannotCancel),
    #[error(transparent)]
    Refund(#[from] RefundError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled {
    pub booking_id: i64,
    /// The refund asked for, as Stripe answered (or `requested`, to be sent again).
    pub refund: Option<Refund>,
}

/// Why the booking is being cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// The parent or an admin cancelled this booking.
    Booking,
    /// The admin cancelled its whole session.
    Session,
    /// One of a family's bookings of a term cancelled together: one mail for them all
    /// (`cancel_together`), and no mail per refunded share (key suffix
    /// `domain::refund::TOGETHER`).
    Together,
}

/// Cancels the booking `id` (locked in one transaction): attendance, mail, and the refund
/// request of a paid booking when `refund` says so.
async fn cancel(
    db: &Db,
    gateway: &dyn PaymentGateway,
    id: i64,
    by: Actor,
    refund: bool,
    cause: Cause,
    check: impl FnOnce(&bookings::Booking) -> Result<(), CannotCancel>,
) -> Result<Cancelled, CancelError> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let booking = bookings::lock_by_id(&mut tx, id)
        .await?
        .ok_or(CancelError::NoSuchBooking)?;
    check(&booking).map_err(CancelError::Cannot)?;
    attendance::set_in(&mut tx, id, AttendanceStatus::Cancelled, &by, now).await?;
    // A family's child cancelled before the family paid leaves the family's checkout: the
    // checkout open for the old total is closed (the next "Pay" makes one for those left).
    let mut changed = vec![id];
    let mut lead = None;
    if booking.payment_status.is_unsettled() {
        if let Some(lead_id) = booking.paid_with {
            lead = bookings::lock_by_id(&mut tx, lead_id).await?;
            groups::forget_checkout(&mut tx, lead_id, now).await?;
        }
        changed.extend(groups::leave_unpaid(&mut tx, id, now).await?);
    }
    let refund_id = if refund && booking.payment_status == PaymentStatus::Paid {
        match refunds::keep_request(
            &mut tx,
            &booking,
            None,
            "requested_by_customer",
            &by.spelling(),
            Some(if cause == Cause::Together {
                domain::refund::TOGETHER
            } else {
                "cancel"
            }),
            now,
        )
        .await
        {
            Ok(id) => id,
            // Nothing left to refund (an earlier refund took it all): a cancellation still.
            Err(RefundError::Nothing) => None,
            Err(error) => return Err(error.into()),
        }
    } else {
        None
    };
    let refund = refund_id.map(|_| {
        Money::new(
            booking.amount_paid.unwrap_or(booking.amount),
            booking.currency.as_str(),
        )
    });
    let facts = match cause {
        Cause::Booking => Some(BookingMail::BookingCancelled(CancelFacts {
            reason: (by == Actor::Parent)
                .then(|| "You cancelled it from your booking page.".to_owned()),
            refund,
            sessions: None,
        })),
        Cause::Session => Some(BookingMail::SessionCancelled { refund }),
        Cause::Together => None,
    };
    if let Some(facts) = facts {
        mail::queue(&mut tx, id, &booking.parent_email, None, &facts, now).await?;
    }
    db.commit(tx, &changed).await?;
    tracing::info!(booking_id = id, by = %by.spelling(), refund = refund_id.is_some(), "booking cancelled");
    close_open_checkout(gateway, &booking, now).await;
    if let Some(lead) = &lead {
        close_open_checkout(gateway, lead, now).await;
    }
    let refund = match refund_id {
        Some(refund_id) => refunds::send(db, gateway, refund_id).await?,
        None => None,
    };
    Ok(Cancelled {
        booking_id: id,
        refund,
    })
}

/// A cancelled booking's checkout, still open in a tab somewhere, is closed at Stripe so that
/// it can no longer be paid. A payment already on its way (a bank debit clearing) cannot be
/// stopped this way: when it lands, it is returned (`services::payments`).
async fn close_open_checkout(gateway: &dyn PaymentGateway, booking: &bookings::Booking, now: i64) {
    let open = booking.payment_status.is_unsettled()
        && booking
            .stripe_checkout_expires_at
            .is_some_and(|expires| expires * 1000 > now);
    let Some(session) = booking
        .stripe_checkout_session_id
        .as_deref()
        .filter(|_| open)
    else {
        return;
    };
    match gateway.expire_session(session).await {
        Ok(()) => tracing::info!(booking_id = booking.id, "open checkout expired"),
        // Completed meanwhile (its payment will be returned) or unreachable (the same, should
        // it be paid): nothing more to do here.
        Err(error) => tracing::warn!(booking_id = booking.id, %error, "open checkout not expired"),
    }
}

/// A parent cancels their booking from its private page, before the cut-off; a paid booking
/// is refunded in full.
pub async fn cancel_by_parent(
    db: &Db,
    gateway: &dyn PaymentGateway,
    settings: &Settings,
    reference: &str,
) -> Result<Cancelled, CancelError> {
    let booking = bookings::by_reference(db, reference)
        .await?
        .ok_or(CancelError::NoSuchBooking)?;
    let cutoff = domain::booking::cancellation_cutoff(
        settings.cancellation_cutoff_ms,
        booking.schedule_changes,
    );
    cancel(
        db,
        gateway,
        booking.id,
        Actor::Parent,
        true,
        Cause::Booking,
        |b| {
            parent_may_cancel(
                b.payment_status,
                b.attendance_status,
                b.session_starts_at,
                now_ms(),
                cutoff,
            )
        },
    )
    .await
}

/// An admin cancels a booking, refunding it in full if `refund` and it is paid.
pub async fn cancel_by_admin(
    db: &Db,
    gateway: &dyn PaymentGateway,
    booking_id: i64,
    admin_email: &str,
    refund: bool,
) -> Result<Cancelled, CancelError> {
    cancel(
        db,
        gateway,
        booking_id,
        Actor::Admin(admin_email.to_owned()),
        refund,
        Cause::Booking,
        |b| match b.attendance_status {
            AttendanceStatus::Cancelled => Err(CannotCancel::AlreadyCancelled),
            _ => Ok(()),
        },
    )
    .await
}

pub async fn session_summary(
    db: &Db,
    session_id: i64,
) -> Result<Option<SessionCancellation>, sqlx::Error> {
    let Some(session) = sessions::get(db, session_id).await? else {
        return Ok(None);
    };
    let mut summary = SessionCancellation {
        currency: session.currency,
        ..SessionCancellation::default()
    };
    for id in bookings::standing_in_session(db, session_id).await? {
        let Some(booking) = bookings::by_id(db, id).await? else {
            continue;
        };
        summary.bookings += 1;
        if booking.payment_status == PaymentStatus::Paid {
            summary.refunds += 1;
            summary.refund_total +=
                booking.amount_paid.unwrap_or(booking.amount) - booking.amount_refunded;
        }
    }
    Ok(Some(summary))
}

/// The admin cancels a session and every booking in it, refunding the paid ones, and closes
/// its waitlist (each person waiting is told). Each booking
/// is its own transaction and its refund its own idempotent request, so running it again after
/// a crash finishes the work without cancelling or refunding anyone twice.
pub async fn cancel_session(
    db: &Db,
    gateway: &dyn PaymentGateway,
    session_id: i64,
    admin_email: &str,
) -> Result<Vec<Cancelled>, CancelError> {
    sessions::cancel(db, session_id).await?;
    super::waitlist::close_for_cancelled_session(db, session_id).await?;
    let mut done = Vec::new();
    for id in bookings::standing_in_session(db, session_id).await? {
        done.extend(cancel_in_cancelled_session(db, gateway, id, admin_email).await?);
    }
    Ok(done)
}

/// Cancels booking `id` of a session the admin cancelled, refunding it if paid, and tells the
/// family the session is off; `None` when it was cancelled meanwhile (another admin, the
/// parent): nothing left to do for it.
pub async fn cancel_in_cancelled_session(
    db: &Db,
    gateway: &dyn PaymentGateway,
    id: i64,
    admin_email: &str,
) -> Result<Option<Cancelled>, CancelError> {
    let cancelled = cancel(
        db,
        gateway,
        id,
        Actor::Admin(admin_email.to_owned()),
        true,
        Cause::Session,
        |b| match b.attendance_status {
            AttendanceStatus::Cancelled => Err(CannotCancel::AlreadyCancelled),
            _ => Ok(()),
        },
    )
    .await;
    match cancelled {
        Ok(cancelled) => Ok(Some(cancelled)),
        Err(CancelError::Cannot(CannotCancel::AlreadyCancelled)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Cancels a family's bookings `ids` of a term together (the soonest first), each as one
/// booking is cancelled (its place freed, its share refunded if paid and `refund`), then mails
/// the family once per child: from which session, how many, `reason`, and that child's
/// refunds together. Bookings already cancelled are passed over. What was done.
pub async fn cancel_together(
    db: &Db,
    gateway: &dyn PaymentGateway,
    ids: &[i64],
    by: Actor,
    refund: bool,
    reason: &str,
) -> Result<Vec<Cancelled>, CancelError> {
    // Per child: its first booking cancelled, how many, the refunds asked for.
    let mut children: Vec<(String, i64, u32, i64)> = Vec::new();
    let mut done = Vec::new();
    for &id in ids {
        let Some(booking) = bookings::by_id(db, id).await? else {
            continue;
        };
        let cancelled = cancel(
            db,
            gateway,
            id,
            by.clone(),
            refund,
            Cause::Together,
            |b| match b.attendance_status {
                AttendanceStatus::Cancelled => Err(CannotCancel::AlreadyCancelled),
                _ => Ok(()),
            },
        )
        .await;
        let cancelled = match cancelled {
            Ok(cancelled) => cancelled,
            Err(CancelError::Cannot(CannotCancel::AlreadyCancelled)) => continue,
            Err(error) => return Err(error),
        };
        let refunded = cancelled.refund.as_ref().map_or(0, |r| r.amount);
        match children.iter_mut().find(|c| c.0 == booking.athlete_name) {
            Some(child) => {
                child.2 += 1;
                child.3 += refunded;
            }
            None => children.push((booking.athlete_name.clone(), id, 1, refunded)),
        }
        done.push(cancelled);
    }
    let now = now_ms();
    for (_, first, sessions, refunded) in children {
        let Some(booking) = bookings::by_id(db, first).await? else {
            continue;
        };
        let facts = BookingMail::BookingCancelled(CancelFacts {
            reason: Some(reason.to_owned()),
            refund: (refunded > 0).then(|| Money::new(refunded, booking.currency.clone())),
            sessions: Some(sessions),
        });
        let mut tx = db.begin().await?;
        let key = format!("together:{first}:{sessions}");
        mail::queue(
            &mut tx,
            first,
            &booking.parent_email,
            Some(&key),
            &facts,
            now,
        )
        .await?;
        db.commit(tx, &[first]).await?;
    }
    Ok(done)
}
