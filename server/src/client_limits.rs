//! What keeps one client from holding the server: a cap on the requests one client (as the
//! `identify` layer resolved it: through trusted proxies, IPv6 by /64) has in flight, and a
//! deadline for a request's body, so a request that declares a body and never sends it lets
//! its place go within seconds instead of at the request timeout.

use app::state::ClientKey;
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body::Frame;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Requests in flight per client.
#[derive(Debug, Default)]
pub struct InFlight {
    counts: Mutex<HashMap<String, usize>>,
}

/// One request of a client in flight; its place is given back when it is dropped.
struct Place {
    in_flight: Arc<InFlight>,
    client: String,
}

impl InFlight {
    fn take(self: &Arc<Self>, client: &str, max: usize) -> Option<Place> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(client.to_owned()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Place {
            in_flight: self.clone(),
            client: client.to_owned(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut counts = self
            .in_flight
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// Answers 503 (with `Retry-After`) a client that already has `max` requests in flight; the
/// others go on, their body due within `body_deadline`.
pub async fn per_client(
    in_flight: Arc<InFlight>,
    max: usize,
    body_deadline: Duration,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ClientKey>()
        .map(|ClientKey(key)| key.clone())
        .unwrap_or_default();
    let Some(_place) = in_flight.take(&client, max) else {
        tracing::warn!("request refused: too many in flight from one client");
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests in flight from this client; retry shortly\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(with_body_deadline(request, body_deadline)).await
}

/// The request with a body that fails once `deadline` has passed before it ended.
pub fn with_body_deadline(request: Request, deadline: Duration) -> Request {
    request.map(|body| Body::new(DeadlineBody::new(body, deadline)))
}

pin_project_lite::pin_project! {
    /// A body that must end before its deadline (the whole body, not each frame).
    pub struct DeadlineBody {
        #[pin]
        body: Body,
        #[pin]
        deadline: Sleep,
        done: bool,
    }
}

impl DeadlineBody {
    fn new(body: Body, within: Duration) -> Self {
        Self {
            body,
            deadline: tokio::time::sleep_until(Instant::now() + within),
            done: false,
        }
    }
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTooSlow;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        if *this.done {
            return this.body.poll_frame(cx).map_err(Into::into);
        }
        match this.body.poll_frame(cx) {
            Poll::Ready(None) => {
                *this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(frame)) => Poll::Ready(Some(frame.map_err(Into::into))),
            Poll::Pending => match this.deadline.poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyTooSlow.into()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_has_at_most_max_places_and_gets_them_back() {
        let in_flight = Arc::new(InFlight::default());
        let first = in_flight.take("198.51.100.7", 2).unwrap();
        let _second = in_flight.take("198.51.100.7", 2).unwrap();
        assert!(in_flight.take("198.51.100.7", 2).is_none());
        // Another client is not held back.
        assert!(in_flight.take("2001:db8:0:1::/64", 2).is_some());
        drop(first);
        assert!(in_flight.take("198.51.100.7", 2).is_some());
    }

    #[tokio::test]
    async fn a_body_that_never_ends_fails_at_its_deadline() {
        // A body declared and never sent.
        let never =
            Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>());
        let slow = Body::new(DeadlineBody::new(never, Duration::from_millis(300)));
        let started = Instant::now();
        let error = axum::body::to_bytes(slow, usize::MAX)
            .await
            .expect_err("the body failed");
        assert!(
            error.to_string().contains("did not arrive in time"),
            "{error}"
        );
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        // A body that is there arrives whole.
        let whole = Body::new(DeadlineBody::new(
            Body::from("amount=5"),
            Duration::from_secs(5),
        ));
        assert_eq!(
            axum::body::to_bytes(whole, usize::MAX).await.unwrap(),
            "amount=5"
        );
    }
}
