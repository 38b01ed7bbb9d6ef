//! Shared state handed to every handler.

use axum::http::HeaderMap;
use rapport_app::App;
use std::sync::Arc;

/// Web settings.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// The public origin used in links shown to people (invitations), e.g.
    /// `https://crm.example.com`. Defaults to the request's Host.
    pub public_url: Option<String>,
    /// Reverse proxies in front of Rapport: a request from one of these addresses is from
    /// the client its `X-Forwarded-For` names (the nearest address that is not a trusted
    /// proxy). Without it every request behind a proxy would share the proxy's address —
    /// and its limit on failed logins.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        Self { app, config: Arc::new(config) }
    }

    /// The address a request comes from: the peer, or behind a trusted proxy the client
    /// the proxies name.
    pub fn client_address(&self, peer: std::net::IpAddr, headers: &HeaderMap) -> std::net::IpAddr {
        client_address(peer, headers, &self.config.trusted_proxies)
    }

    /// The origin for links that leave the app (invitations, unsubscribe links): the
    /// configured public URL, else the request's Host.
    pub fn public_origin(&self, headers: &HeaderMap) -> String {
        if let Some(u) = &self.config.public_url {
            return u.trim_end_matches('/').to_string();
        }
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
        let scheme = if self.config.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{host}")
    }
}

/// The nearest address of `X-Forwarded-For` (read from the right, where each proxy appends the
/// address it was reached from) that is not a trusted proxy, when the peer is one; the peer
/// otherwise. A header the client wrote itself sits left of what the proxies appended, so a
/// forged entry is never reached while an untrusted address comes before it.
fn client_address(peer: std::net::IpAddr, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // Something that is no address: the last proxy's word stands.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_forwarded_address() {
        let proxy = [ip("10.0.0.2")];
        let h = forwarded(&["198.51.100.7, 203.0.113.9"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &proxy), ip("203.0.113.9"), "a forged first entry is ignored");
        assert_eq!(client_address(ip("192.0.2.1"), &h, &proxy), ip("192.0.2.1"), "an untrusted peer is the client");
        assert_eq!(client_address(ip("10.0.0.2"), &HeaderMap::new(), &proxy), ip("10.0.0.2"), "no header: the proxy");
        let two = [ip("10.0.0.2"), ip("10.0.0.3")];
        let h = forwarded(&["203.0.113.9", "10.0.0.3"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &two), ip("203.0.113.9"), "through two proxies");
        let h = forwarded(&["not-an-address"]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &proxy), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), &forwarded(&["203.0.113.9"]), &[]), ip("10.0.0.2"), "none trusted");
    }
}
