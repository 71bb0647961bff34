//! Who a request comes from: the address limits are counted against. Behind a proxy every
//! connection comes from the proxy, so the client is read from `X-Forwarded-For`, but only
//! through proxies the operator trusts (a client can write anything in that header). An IPv6
//! client is counted by its /64, the block one subscriber usually holds.

use ipnet::IpNet;
use std::net::IpAddr;

/// The proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, a list of CIDRs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of CIDRs or single addresses; `Err` names the bad entry.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an address or a CIDR like 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An IPv4 address in IPv6 clothing (`::ffff:1.2.3.4`) is the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client of a request that reached us from `peer` carrying `forwarded_for` (the value of
/// `X-Forwarded-For`, if any): the nearest address, walking back from `peer` through the
/// trusted proxies, that is not itself a trusted proxy.
pub fn client_address(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',').map(str::trim) {
        match hop_address(hop) {
            Hop::Address(address) => {
                client = address;
                if !trusted.contains(address) {
                    break;
                }
            }
            // A proxy that could not tell its client writes `unknown` (or an obfuscated
            // name, RFC 7239): the next hop to the left is the nearest one known.
            Hop::Unknown => continue,
            // Garbage: nothing further left can be believed.
            Hop::Garbage => break,
        }
    }
    client
}

/// One entry of `X-Forwarded-For`, as proxies write them.
#[derive(Debug, PartialEq, Eq)]
enum Hop {
    Address(IpAddr),
    Unknown,
    Garbage,
}

/// Reads an entry: an address, with or without a port (`198.51.100.7:5123`,
/// `[2001:db8::1]:443`), quoted or not; `unknown` or an obfuscated `_name`.
fn hop_address(hop: &str) -> Hop {
    let hop = hop.trim_matches('"');
    if hop.eq_ignore_ascii_case("unknown") || hop.starts_with('_') {
        return Hop::Unknown;
    }
    let address = hop
        .parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .or_else(|_| {
            hop.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap_or("")
                .parse::<IpAddr>()
        });
    match address {
        Ok(address) => Hop::Address(canonical(address)),
        Err(_) => Hop::Garbage,
    }
}

/// The key limits count a client under: its IPv4 address, or its IPv6 /64.
pub fn client_key(address: IpAddr) -> String {
    match canonical(address) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            format!(
                "{:x}:{:x}:{:x}:{:x}::/64",
                segments[0], segments[1], segments[2], segments[3]
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("1.2.3.4"), &none),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn through_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The proxy appends the address it saw; anything the client wrote is further left.
        assert_eq!(
            client_address(ip("10.0.0.5"), Some("6.6.6.6, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.0.0.5"), Some("198.51.100.7, 192.0.2.1"), &trusted),
            ip("198.51.100.7")
        );
        // A forged hop after garbage stops the walk at the last good address.
        assert_eq!(
            client_address(ip("10.0.0.5"), Some("nonsense"), &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(
            client_address(ip("::ffff:10.0.0.5"), Some("198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // An untrusted peer's header is its own word: ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), Some("198.51.100.7"), &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn entries_with_a_port_or_unknown_do_not_make_every_client_the_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let proxy = ip("10.0.0.5");
        assert_eq!(
            client_address(proxy, Some("198.51.100.7:5123"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(proxy, Some("[2001:db8::7]:443, 10.0.0.9:80"), &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(proxy, Some("\"[2001:db8::8]\""), &trusted),
            ip("2001:db8::8")
        );
        // `unknown` from a proxy that could not tell: the nearest known hop counts.
        assert_eq!(
            client_address(proxy, Some("198.51.100.7, unknown"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(proxy, Some("198.51.100.8, _hidden, 10.0.0.7"), &trusted),
            ip("198.51.100.8")
        );
        // Two clients behind the same proxy stay two clients.
        assert_ne!(
            client_address(proxy, Some("198.51.100.7:1"), &trusted),
            client_address(proxy, Some("198.51.100.9:1"), &trusted)
        );
        // Garbage still stops the walk: what is further left cannot be believed.
        assert_eq!(
            client_address(proxy, Some("198.51.100.7, ???"), &trusted),
            proxy
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1")),
            client_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(ip("::ffff:192.0.2.4")), "192.0.2.4");
        assert_eq!(client_key(ip("2001:db8::1")), "2001:db8:0:0::/64");
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(err.contains("proxy.local"), "{err}");
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }
}
