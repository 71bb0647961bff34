//! The admin's bookings list: filtered, sorted, paginated (and streamed whole for the CSV
//! export). The only SQL built at run time, from fixed pieces; values are always bound.

use super::sql::Binds;
use super::{Backend, Db};
use domain::filter::{BookingFilter, SortKey, PAGE_SIZE};
use domain::{AttendanceStatus, BookingSource, PaymentStatus};
use futures_util::stream::BoxStream;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, FromRow, Row};

/// Local midnight of a "YYYY-MM-DD" date, in UTC ms; `next_day` for the end of a range.
fn day_start(date: &str, tz: chrono_tz::Tz, next_day: bool) -> Option<i64> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let day = if next_day { day.succ_opt()? } else { day };
    domain::schedule::parse_local(&day.format("%Y-%m-%d").to_string(), "00:00", tz).ok()
}

/// How a search term finds its bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// PostgreSQL: `LIKE '%term%'` through the trigram index of `booking_search`.
    Trigram,
    /// SQLite: the candidates from the trigram full-text index, sorted afterwards. Fast when
    /// few bookings match.
    FullText,
    /// SQLite: each booking tested in the list's order until the page is full. Fast when many
    /// match, and the only way for a term the full-text index cannot look up.
    Scan,
}

/// Past this many full-text candidates, sorting them all costs more than walking the list's
/// order and testing each booking (matches are then at least 2% of 100,000 bookings).
const FULL_TEXT_MAX_CANDIDATES: i64 = 2_000;

/// How to search on this database: on SQLite, a cheap look at the full-text index decides.
async fn search_plan(db: &Db, filter: &BookingFilter) -> Result<Search, sqlx::Error> {
    let Some(q) = &filter.search else {
        return Ok(Search::Scan);
    };
    if db.backend() == Backend::Postgres {
        return Ok(Search::Trigram);
    }
    let term = q.to_lowercase();
    if !full_text_finds(&term) {
        return Ok(Search::Scan);
    }
    let candidates: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM bookings_fts WHERE search_text LIKE $1 LIMIT $2) c",
    )
    .bind(format!("%{term}%"))
    .bind(FULL_TEXT_MAX_CANDIDATES + 1)
    .fetch_one(db.reader())
    .await?;
    Ok(if candidates <= FULL_TEXT_MAX_CANDIDATES {
        Search::FullText
    } else {
        Search::Scan
    })
}

/// Whether SQLite's full-text index can give the candidates for `term` (lower case): it holds
/// three-character sequences, and a `%` or `_` in the term would be read as a wildcard.
fn full_text_finds(term: &str) -> bool {
    term.chars().count() >= 3 && !term.contains(['%', '_'])
}

/// The WHERE clause of a filter, its values bound to `binds`. Every condition is a fixed
/// piece of SQL; only values are bound.
///
/// `status_index: false` (SQLite only) writes the status conditions as `+column = ?`, which
/// keeps the planner off the status indexes so that it walks the sort's index instead.
fn conditions(
    filter: &BookingFilter,
    tz: chrono_tz::Tz,
    search: Search,
    status_index: bool,
    binds: &mut Binds,
) -> String {
    let unindexed = if status_index { "" } else { "+" };
    let mut clauses: Vec<String> = Vec::new();
    if let Some(p) = filter.payment {
        let at = binds.push(p.as_str());
        clauses.push(format!("{unindexed}b.payment_status = {at}"));
    }
    if let Some(a) = filter.attendance {
        let at = binds.push(a.as_str());
        clauses.push(format!("{unindexed}b.attendance_status = {at}"));
    }
    if let Some(s) = filter.session {
        clauses.push(format!("b.training_session_id = {}", binds.push(s)));
    }
    if let Some(from) = filter.from.as_deref().and_then(|d| day_start(d, tz, false)) {
        clauses.push(format!("b.session_starts_at >= {}", binds.push(from)));
    }
    if let Some(to) = filter.to.as_deref().and_then(|d| day_start(d, tz, true)) {
        clauses.push(format!("b.session_starts_at < {}", binds.push(to)));
    }
    if let Some(q) = &filter.search {
        let term = q.to_lowercase();
        match search {
            Search::Trigram => {
                let escaped = term
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let at = binds.push(format!("%{escaped}%"));
                // The text and its trigram index live in a table of their own, which a
                // payment's update does not write (migration `search_table`).
                clauses.push(format!(
                    "b.id IN (SELECT t.booking_id FROM booking_search t
                              WHERE t.search_text LIKE {at} ESCAPE '\\')"
                ));
            }
            // The full-text index serves only a LIKE without ESCAPE, where a `%` or `_` in
            // the term would be a wildcard: it finds a superset, `instr` keeps the exact rows.
            Search::FullText => {
                let at = binds.push(format!("%{term}%"));
                clauses.push(format!(
                    "b.id IN (SELECT rowid FROM bookings_fts WHERE search_text LIKE {at})"
                ));
                clauses.push(format!("instr(b.search_text, {}) > 0", binds.push(term)));
            }
            Search::Scan => {
                clauses.push(format!("instr(b.search_text, {}) > 0", binds.push(term)));
            }
        }
    }
    // An admin's entry was settled outside Stripe: "unpaid" never lists it as owed.
    if filter.payment == Some(PaymentStatus::Unpaid) {
        clauses.push("b.source = 'online'".to_owned());
    }
    if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    }
}

fn order_by(filter: &BookingFilter) -> String {
    let column = match filter.sort {
        SortKey::Created => "b.created_at",
        SortKey::Session => "b.session_starts_at",
        SortKey::Parent => "b.parent_name",
        SortKey::Athlete => "b.athlete_name",
        SortKey::Amount => "b.amount",
        SortKey::Payment => "b.payment_status",
        SortKey::Attendance => "b.attendance_status",
    };
    let dir = if filter.descending { "DESC" } else { "ASC" };
    // Each sort has an index on (column, created_at, id): ties are broken in that order.
    if column == "b.created_at" {
        format!(" ORDER BY b.created_at {dir}, b.id {dir}")
    } else {
        format!(" ORDER BY {column} {dir}, b.created_at {dir}, b.id {dir}")
    }
}

// The session's title comes from a subquery run for the rows of the page only: with no join,
// the planner walks the filter's index in order and stops at the page.
const ROW_COLUMNS: &str = "SELECT b.id, b.reference, b.parent_name, b.parent_email, b.parent_phone,
        b.athlete_name, b.athlete_age,
        (SELECT s.title FROM training_sessions s WHERE s.id = b.training_session_id) AS session_title,
        b.session_starts_at, b.amount, b.currency, b.payment_status, b.attendance_status, b.source,
        b.manual_payment, b.notes, b.created_at
     FROM bookings b";

/// One row of the admin's bookings list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BookingRow {
    pub id: i64,
    pub reference: String,
    pub parent_name: String,
    pub parent_email: String,
    pub parent_phone: Option<String>,
    pub athlete_name: String,
    pub athlete_age: i64,
    pub session_title: String,
    pub session_starts_at: i64,
    pub amount: i64,
    pub currency: String,
    #[sqlx(try_from = "String")]
    pub payment_status: PaymentStatus,
    #[sqlx(try_from = "String")]
    pub attendance_status: AttendanceStatus,
    #[sqlx(try_from = "String")]
    pub source: BookingSource,
    /// How a manual booking was settled (`outside`, `free`), when it was asked.
    pub manual_payment: Option<String>,
    pub notes: Option<String>,
    pub created_at: i64,
}

/// Counting stops here: past it the list says "10000+" (an exact count of a huge result costs
/// more than the page itself, and nobody pages that far).
pub const COUNT_CAP: i64 = 10_000;
/// A search counts to here: "1000+" says all there is to say about a term that common, and
/// counting ten times as many matches would cost more than the rest of the page.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// How many bookings a filter matches, up to its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The count, or the cap when there are more.
    pub total: i64,
    /// More match than `total`.
    pub more: bool,
}

/// One page of the filtered list, and how many bookings match.
pub async fn bookings_page(
    db: &Db,
    filter: &BookingFilter,
    tz: chrono_tz::Tz,
) -> Result<(Vec<BookingRow>, Count), sqlx::Error> {
    let cap = if filter.search.is_some() {
        SEARCH_COUNT_CAP
    } else {
        COUNT_CAP
    };
    let search = search_plan(db, filter).await?;
    let count = count_query(filter, tz, search, cap)?;
    // A status matches a large share of the bookings. Sorted by anything but creation, SQLite's
    // planner still reads every match through the status index and sorts them all (28 ms for
    // 20,000 of 100,000); walking the sort's index and testing each row fills the page after a
    // few hundred. Which is better depends on how many match, so there the count comes first.
    let status_walk = db.backend() == Backend::Sqlite
        && filter.sort != SortKey::Created
        && (filter.payment.is_some() || filter.attendance.is_some());
    let (total, rows) = if status_walk {
        let total: i64 = count.fetch_one(db.reader()).await?.try_get(0)?;
        // Past the cap, walking the sort's index is the better plan.
        let page = page_query(filter, tz, search, total <= cap)?;
        (total, page.fetch_all(db.reader()).await?)
    } else {
        // Independent reads: on two connections at once, the page costs the slower of the two
        // rather than their sum.
        let (total, rows) = tokio::try_join!(
            count.fetch_one(db.reader()),
            page_query(filter, tz, search, true)?.fetch_all(db.reader()),
        )?;
        (total.try_get(0)?, rows)
    };
    let rows = rows
        .iter()
        .map(BookingRow::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let count = Count {
        total: total.min(cap),
        more: total > cap,
    };
    Ok((rows, count))
}

/// How many bookings match the filter, counted up to `cap + 1`.
fn count_query(
    filter: &BookingFilter,
    tz: chrono_tz::Tz,
    search: Search,
    cap: i64,
) -> Result<Query<'static, Any, AnyArguments>, sqlx::Error> {
    let mut binds = Binds::new();
    // SQLite, a term many bookings contain and nothing else asked: left to itself, the planner
    // counts by walking the narrow index `bookings_search`, in the order of the text, where a
    // name's matches lie together, so the walk can read most of the index before the first
    // (110 ms at 1,000,000 bookings for a first name and "family"). The full-text index gives
    // the candidates in the order of the rows instead, each checked until the cap: 3-7 ms
    // whatever the term (docs/PERFORMANCE.md, "A common term on SQLite").
    let term = filter.search.as_deref().map(str::to_lowercase);
    let search_alone = filter.payment.is_none()
        && filter.attendance.is_none()
        && filter.session.is_none()
        && filter.from.is_none()
        && filter.to.is_none();
    if let Some(term) =
        term.filter(|t| search == Search::Scan && search_alone && full_text_finds(t))
    {
        let like = binds.push(format!("%{term}%"));
        let exact = binds.push(term);
        let limit = binds.push(cap + 1);
        return binds.query(format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM bookings_fts f JOIN bookings b ON b.id = f.rowid
              WHERE f.search_text LIKE {like} AND instr(b.search_text, {exact}) > 0
              LIMIT {limit}) capped"
        ));
    }
    let clause = conditions(filter, tz, search, true, &mut binds);
    let limit = binds.push(cap + 1);
    binds.query(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM bookings b{clause} LIMIT {limit}) capped"
    ))
}

/// The rows of the filter's current page. They are picked first (the OFFSET walks an index
/// only); the columns, with their per-row subquery, are read for those rows alone.
fn page_query(
    filter: &BookingFilter,
    tz: chrono_tz::Tz,
    search: Search,
    status_index: bool,
) -> Result<Query<'static, Any, AnyArguments>, sqlx::Error> {
    let mut binds = Binds::new();
    let clause = conditions(filter, tz, search, status_index, &mut binds);
    let limit = binds.push(PAGE_SIZE);
    let offset = binds.push((filter.page - 1).saturating_mul(PAGE_SIZE));
    let order = order_by(filter);
    binds.query(format!(
        "{ROW_COLUMNS} WHERE b.id IN (SELECT b.id FROM bookings b{clause}{order} LIMIT {limit} OFFSET {offset}){order}"
    ))
}

/// Every booking the filter matches, in its order, as a stream (for the CSV export): rows
/// flow from the database as they are read, so memory stays flat at any size.
pub fn bookings_stream(
    db: &Db,
    filter: &BookingFilter,
    tz: chrono_tz::Tz,
) -> BoxStream<'static, Result<BookingRow, sqlx::Error>> {
    use futures_util::{StreamExt, TryStreamExt};
    let db = db.clone();
    let filter = filter.clone();
    async_stream::try_stream! {
        let mut binds = Binds::new();
        let search = search_plan(&db, &filter).await?;
        let clause = conditions(&filter, tz, search, true, &mut binds);
        let sql = format!("{ROW_COLUMNS}{clause}{}", order_by(&filter));
        let mut rows = binds.query(sql)?.fetch(db.reader());
        while let Some(row) = rows.try_next().await? {
            yield BookingRow::from_row(&row)?;
        }
    }
    .boxed()
}
