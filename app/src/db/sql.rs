//! Statements whose number of values is known only when they run (a batch's rows, a list of
//! ids, the admin's filters): [`Binds`] binds each value as it writes its `$n`, so the numbers
//! in the text and the values bound always agree. The text around them stays fixed SQL; only
//! placeholders are written into it, never data.
//!
//! On SQLite the statement is sent with anonymous `?` instead, its values reordered as the `?`
//! appear: sqlx asks SQLite the name of every parameter, and for a named one (`$n`) SQLite
//! walks its list of names, so a batch statement with hundreds of values spent more time
//! binding than running (7% of the server's CPU per webhook delivery in a profile).

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::AnyConnection;
use sqlx::{Any, Arguments, AssertSqlSafe, Encode, FromRow, Type};
use std::fmt::{self, Write};

/// The `$n` of one bound value, written into a statement with `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placeholder(usize);

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}

/// The values of one statement, numbered `$1, $2, …` in the order they are pushed.
#[derive(Default)]
pub(crate) struct Binds {
    arguments: AnyArguments,
    /// The first value that could not be encoded; the statement is then not run.
    failed: Option<sqlx::error::BoxDynError>,
    /// Sent with anonymous `?` (SQLite), the values in the order of the text.
    anonymous: bool,
}

impl Binds {
    /// Values for a statement sent as written (`$n`), whatever the database.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Values for a statement run in `tx`: anonymous `?` on SQLite (see the module).
    pub(crate) fn on_connection(tx: &AnyConnection) -> Self {
        Self {
            anonymous: tx.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME,
            ..Self::default()
        }
    }

    /// Binds `value`; its placeholder.
    pub(crate) fn push<'t, T>(&mut self, value: T) -> Placeholder
    where
        T: Encode<'t, Any> + Type<Any>,
    {
        let number = self.arguments.len() + 1;
        if let Err(error) = self.arguments.add(value) {
            self.failed.get_or_insert(error);
        }
        Placeholder(number)
    }

    /// `$a, $b, …`: each of `values` bound, for an `IN (…)`.
    pub(crate) fn list<'t, T>(&mut self, values: impl IntoIterator<Item = T>) -> String
    where
        T: Encode<'t, Any> + Type<Any>,
    {
        let mut text = String::new();
        for value in values {
            if !text.is_empty() {
                text.push_str(", ");
            }
            let placeholder = self.push(value);
            let _ = write!(text, "{placeholder}");
        }
        text
    }

    /// `($1, $2), ($3, $4), …`: one row per item, of the values `write` binds for it. The
    /// number of columns is what `write` bound; every row must bind as many (debug builds
    /// check it).
    pub(crate) fn rows<I>(
        &mut self,
        items: impl IntoIterator<Item = I>,
        mut write: impl FnMut(&mut Row<'_>, I),
    ) -> String {
        let items = items.into_iter();
        let (rows, _) = items.size_hint();
        let mut text = String::new();
        let mut columns = None;
        for (index, item) in items.enumerate() {
            if index > 0 {
                text.push_str(", ");
            }
            text.push('(');
            let mut row = Row {
                binds: self,
                text: &mut text,
                columns: 0,
            };
            write(&mut row, item);
            let bound = row.columns;
            text.push(')');
            match columns {
                None => {
                    // The rows to come take as many values, and about as much text, as the first.
                    columns = Some(bound);
                    let rest = rows.saturating_sub(1);
                    self.arguments.reserve(bound * rest, 0);
                    text.reserve((text.len() + 2) * rest);
                }
                Some(expected) => debug_assert_eq!(
                    bound, expected,
                    "row {index} binds {bound} values, the first {expected}"
                ),
            }
        }
        text
    }

    /// The statement `sql` with these values bound.
    pub(crate) fn query(
        self,
        sql: String,
    ) -> Result<Query<'static, Any, AnyArguments>, sqlx::Error> {
        let (sql, arguments) = self.statement(sql)?;
        Ok(sqlx::query_with(AssertSqlSafe(sql), arguments))
    }

    /// The statement `sql` with these values bound, its rows read as `O`.
    pub(crate) fn query_as<O>(
        self,
        sql: String,
    ) -> Result<QueryAs<'static, Any, O, AnyArguments>, sqlx::Error>
    where
        O: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let (sql, arguments) = self.statement(sql)?;
        Ok(sqlx::query_as_with(AssertSqlSafe(sql), arguments))
    }

    /// The statement `sql` with these values bound, its first column read as `O`.
    pub(crate) fn query_scalar<O>(
        self,
        sql: String,
    ) -> Result<QueryScalar<'static, Any, O, AnyArguments>, sqlx::Error>
    where
        (O,): for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let (sql, arguments) = self.statement(sql)?;
        Ok(sqlx::query_scalar_with(AssertSqlSafe(sql), arguments))
    }

    /// The text to send and its values: as written, or with anonymous `?` (see the module).
    fn statement(self, sql: String) -> Result<(String, AnyArguments), sqlx::Error> {
        if let Some(error) = self.failed {
            return Err(sqlx::Error::Encode(error));
        }
        if !self.anonymous {
            return Ok((sql, self.arguments));
        }
        let (text, values) = anonymous(&sql, &self.arguments.values.0)?;
        let mut arguments = AnyArguments::default();
        arguments.values.0 = values;
        Ok((text, arguments))
    }
}

/// `sql` with each `$n` outside a quoted literal replaced by `?`, and the values in the order
/// the `?` appear (a value written twice is bound twice).
fn anonymous<V: Clone>(sql: &str, values: &[V]) -> Result<(String, Vec<V>), sqlx::Error> {
    let bytes = sql.as_bytes();
    let mut text = String::with_capacity(sql.len());
    let mut ordered = Vec::with_capacity(values.len());
    let (mut copied, mut at, mut quoted) = (0, 0, false);
    while at < bytes.len() {
        match bytes[at] {
            b'\'' => quoted = !quoted,
            b'$' if !quoted => {
                let digits = bytes[at + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits > 0 {
                    let end = at + 1 + digits;
                    let value = sql[at + 1..end]
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|index| values.get(index))
                        .ok_or_else(|| {
                            sqlx::Error::Protocol(format!("{} names no bound value", &sql[at..end]))
                        })?;
                    text.push_str(&sql[copied..at]);
                    text.push('?');
                    ordered.push(value.clone());
                    copied = end;
                    at = end;
                    continue;
                }
            }
            _ => {}
        }
        at += 1;
    }
    text.push_str(&sql[copied..]);
    Ok((text, ordered))
}

/// One row of [`Binds::rows`], written a value at a time.
pub(crate) struct Row<'a> {
    binds: &'a mut Binds,
    text: &'a mut String,
    columns: usize,
}

impl Row<'_> {
    /// Binds the row's next column.
    pub(crate) fn bind<'t, T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'t, Any> + Type<Any>,
    {
        if self.columns > 0 {
            self.text.push_str(", ");
        }
        let placeholder = self.binds.push(value);
        let _ = write!(self.text, "{placeholder}");
        self.columns += 1;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Binds;
    use sqlx::any::AnyPoolOptions;
    use sqlx::{Any, Transaction};

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_bound() {
        let mut binds = Binds::new();
        assert_eq!(binds.push(7_i64).to_string(), "$1");
        assert_eq!(binds.list(["a", "b", "c"]), "$2, $3, $4");
        assert_eq!(binds.push(Some("d")).to_string(), "$5");
        assert_eq!(binds.list(Vec::<i64>::new()), "");
    }

    #[test]
    fn rows_take_their_width_from_what_each_row_binds() {
        let mut binds = Binds::new();
        let first = binds.push(0_i64);
        let rows = binds.rows([(1_i64, "x"), (2, "y"), (3, "z")], |row, (n, s)| {
            row.bind(n).bind(s).bind(n * 10);
        });
        assert_eq!(first.to_string(), "$1");
        assert_eq!(rows, "($2, $3, $4), ($5, $6, $7), ($8, $9, $10)");
        let one = binds.rows([()], |row, ()| {
            row.bind("only");
        });
        assert_eq!(one, "($11)");
        assert_eq!(binds.rows(Vec::<i64>::new(), |row, n| _ = row.bind(n)), "");
    }

    #[test]
    #[should_panic(expected = "row 1 binds 1 values, the first 2")]
    #[cfg(debug_assertions)]
    fn rows_of_different_widths_are_a_mistake() {
        Binds::new().rows([2, 1], |row, width| {
            for column in 0..width {
                row.bind(column);
            }
        });
    }

    #[test]
    fn sqlite_gets_anonymous_placeholders_with_the_values_in_the_order_of_the_text() {
        let values: Vec<i64> = (1..=10).collect();
        let (text, ordered) =
            super::anonymous("SELECT $2, '$1 it''s', $10 + $1, $2 FROM t", &values).unwrap();
        assert_eq!(text, "SELECT ?, '$1 it''s', ? + ?, ? FROM t");
        assert_eq!(ordered, vec![2, 10, 1, 2]);
        assert_eq!(
            super::anonymous("SELECT $ 1", &values).unwrap().1,
            Vec::<i64>::new()
        );
        for wrong in ["SELECT $0", "SELECT $11"] {
            let error = super::anonymous(wrong, &values).unwrap_err();
            assert!(
                error.to_string().contains("names no bound value"),
                "{error}"
            );
        }
    }

    /// Writes rows through the builder in `tx` and reads them back through it.
    async fn round_trip(tx: &mut Transaction<'static, Any>) {
        sqlx::query(
            "CREATE TEMPORARY TABLE builder_check (id BIGINT PRIMARY KEY, name TEXT, size BIGINT)",
        )
        .execute(&mut **tx)
        .await
        .unwrap();
        let items: [(i64, Option<&str>); 3] = [(1, Some("one")), (2, None), (3, Some("three"))];
        let mut binds = Binds::on_connection(tx);
        let size = binds.push(40_i64);
        let rows = binds.rows(&items, |row, (id, name)| {
            row.bind(*id).bind(*name);
        });
        // Each row's size is the value bound before the rows, plus its id.
        let sql = format!(
            "WITH v (id, name) AS (VALUES {rows})
             INSERT INTO builder_check (id, name, size) SELECT id, name, {size} + id FROM v"
        );
        let written = binds.query(sql).unwrap().execute(&mut **tx).await.unwrap();
        assert_eq!(written.rows_affected(), 3);

        let mut binds = Binds::on_connection(tx);
        let list = binds.list([3_i64, 2]);
        let at_least = binds.push(42_i64);
        let found: Vec<(i64, Option<String>, i64)> = binds
            .query_as(format!(
                "SELECT id, name, size FROM builder_check WHERE id IN ({list}) AND size >= {at_least} ORDER BY id"
            ))
            .unwrap()
            .fetch_all(&mut **tx)
            .await
            .unwrap();
        assert_eq!(
            found,
            vec![(2, None, 42), (3, Some("three".to_owned()), 43)]
        );

        let mut binds = Binds::on_connection(tx);
        let list = binds.list(["one", "three", "none"]);
        let counted: i64 = binds
            .query_scalar(format!(
                "SELECT COUNT(*) FROM builder_check WHERE name IN ({list})"
            ))
            .unwrap()
            .fetch_one(&mut **tx)
            .await
            .unwrap();
        assert_eq!(counted, 2);
    }

    #[tokio::test]
    async fn a_statement_runs_with_the_values_the_builder_counted() {
        sqlx::any::install_default_drivers();
        let mut urls = vec!["sqlite::memory:".to_owned()];
        urls.extend(std::env::var("TEST_POSTGRES_URL").ok());
        for url in urls {
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            let mut tx = pool.begin().await.unwrap();
            round_trip(&mut tx).await;
            tx.rollback().await.unwrap();
            pool.close().await;
        }
    }
}
