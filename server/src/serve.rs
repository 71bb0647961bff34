//! The accept loop: hyper with a header-read timeout (a client that trickles its headers is cut
//! off), a first-request timeout (a connection that sends nothing, or only HTTP/2's preface, is
//! closed), a cap on the connections one client (IPv6: its /64) holds open and on the streams
//! of one HTTP/2 connection, the client's address for each
//! request, and a graceful shutdown that stops accepting, lets in-flight requests finish (up
//! to a bound), then returns.

use axum::extract::ConnectInfo;
use axum::{body::Body, extract::Request, Router};
use domain::client::{client_key, TrustedProxies};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

pub struct ServeOptions {
    pub header_read_timeout: Duration,
    /// How long a new connection may take to start its first request.
    pub first_request_timeout: Duration,
    /// How long shutdown waits for open connections (live update streams never end by themselves).
    pub drain_timeout: Duration,
    /// Open connections one client (an address; IPv6: its /64) may hold; trusted proxies carry
    /// many clients and are exempt.
    pub max_connections_per_client: usize,
    /// Requests (streams) one HTTP/2 connection may carry at once.
    pub max_streams_per_connection: u32,
    pub trusted_proxies: Arc<TrustedProxies>,
}

/// Open connections per client (`domain::client::client_key`: an address, an IPv6 /64).
#[derive(Default)]
struct Connections(Mutex<HashMap<String, usize>>);

/// One open connection of a client; the count goes down when it is dropped.
struct Held {
    connections: Arc<Connections>,
    client: String,
}

impl Connections {
    /// Counts a new connection from `address`'s client, unless it already holds `max`.
    fn hold(self: &Arc<Self>, address: IpAddr, max: usize) -> Option<Held> {
        let client = client_key(address);
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client.clone()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Held {
            connections: self.clone(),
            client,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.connections.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Connections::default());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, address) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: pause instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let held = if options.trusted_proxies.contains(address.ip()) {
                    None
                } else {
                    match connections.hold(address.ip(), options.max_connections_per_client) {
                        Some(held) => Some(held),
                        None => {
                            tracing::warn!("connection refused: too many open from one client");
                            continue;
                        }
                    }
                };
                let _ = stream.set_nodelay(true);
                let started = Arc::new(Notify::new());
                let first = started.clone();
                let service = router.clone().map_request(move |request: Request<Incoming>| {
                    first.notify_one();
                    let mut request = request.map(Body::new);
                    request.extensions_mut().insert(ConnectInfo::<SocketAddr>(address));
                    request
                });
                let mut builder = Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(options.header_read_timeout);
                builder
                    .http2()
                    .timer(TokioTimer::new())
                    .max_concurrent_streams(options.max_streams_per_connection);
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
                    .into_owned();
                let connection = graceful.watch(connection);
                let first_request_timeout = options.first_request_timeout;
                tokio::spawn(async move {
                    let _held = held;
                    let silent = async {
                        if tokio::time::timeout(first_request_timeout, started.notified())
                            .await
                            .is_ok()
                        {
                            std::future::pending::<()>().await;
                        }
                    };
                    tokio::select! {
                        _ = connection => {}
                        // Nothing asked within the bound: dropping the connection closes it.
                        _ = silent => tracing::debug!("connection closed: no request"),
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(options.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: some connections were still open and were closed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_counted_per_client_an_ipv6_64_being_one() {
        let connections = Arc::new(Connections::default());
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let _a = connections.hold(ip("2001:db8:1:2::a"), 2).unwrap();
        let b = connections.hold(ip("2001:db8:1:2::b"), 2).unwrap();
        // A third address of the same /64 is the same client.
        assert!(connections.hold(ip("2001:db8:1:2::c"), 2).is_none());
        assert!(connections.hold(ip("2001:db8:1:3::c"), 2).is_some());
        drop(b);
        assert!(connections.hold(ip("2001:db8:1:2::c"), 2).is_some());
    }
}
