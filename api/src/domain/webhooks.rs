//! Webhook rules: which change is which event, how a delivery is signed, when it is retried,
//! and which addresses a webhook may point at.

use std::net::IpAddr;

use chrono::Duration;
use hmac::{Hmac, Mac};
use minhu_types::{PetitionStatus, WEBHOOK_EVENTS};
use sha2::Sha256;
use url::{Host, Url};

/// Attempts before a delivery is given up (about 20 hours of retries).
pub const MAX_ATTEMPTS: i64 = 12;

/// The event a status change is, if it is one: every change of status after submission (the
/// partner made the submission itself).
pub fn event_for(from: Option<PetitionStatus>, to: Option<PetitionStatus>) -> Option<String> {
    match to {
        Some(to) if Some(to) != from => {
            let name = format!("petition.{}", to.as_str());
            WEBHOOK_EVENTS.contains(&name.as_str()).then_some(name)
        }
        _ => None,
    }
}

/// `X-Minhu-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the webhook's secret, of
/// the timestamp (`X-Minhu-Timestamp`, Unix seconds), a dot and the exact body.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", crate::auth::hex(&mac.finalize().into_bytes()))
}

/// How long to wait after the `attempts`-th failed attempt: 30 s, doubling, at most 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    Duration::seconds((30_i64 << doublings).min(6 * 3600))
}

/// When to try an outbox delivery again after its `attempts`-th failed attempt at `after`:
/// never once it cannot succeed (`retryable` false) or after `MAX_ATTEMPTS`. The rule of both
/// outboxes (webhooks, SMS and e-mail).
pub fn retry_at(
    attempts: i64,
    retryable: bool,
    after: chrono::NaiveDateTime,
) -> Option<chrono::NaiveDateTime> {
    (retryable && attempts < MAX_ATTEMPTS).then(|| after + backoff(attempts))
}

/// What the server may call, from its configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reach {
    /// Plain `http://` URLs (tests, closed networks).
    pub allow_http: bool,
    /// Loopback, private, link-local and other non-public addresses.
    pub allow_private: bool,
}

/// Checks a webhook URL as written; its host's addresses are checked again on each delivery.
pub fn check_url(url: &str, reach: Reach) -> Result<Url, String> {
    if url.len() > 2000 {
        return Err("地址过长（最多 2000 个字符）".into());
    }
    let parsed = Url::parse(url).map_err(|e| format!("不是有效的网址：{e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if reach.allow_http => {}
        "http" => return Err("须为 https:// 地址".into()),
        _ => return Err("须为 https:// 地址".into()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("地址中不能包含用户名或密码".into());
    }
    if parsed.fragment().is_some() {
        return Err("地址中不能包含 # 片段".into());
    }
    let public = match parsed.host() {
        None => return Err("地址缺少主机名".into()),
        Some(Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            !(d == "localhost" || d.ends_with(".localhost") || !d.contains('.'))
        }
    };
    if !public && !reach.allow_private {
        return Err("不能指向本机、内网或保留地址".into());
    }
    Ok(parsed)
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                std::net::Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)
            };
            // IPv4 carried inside IPv6: mapped and compatible (::ffff:a.b.c.d, ::a.b.c.d),
            // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they carry.
            if let Some(v4) = v6.to_ipv4() {
                return is_public(IpAddr::V4(v4));
            }
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public(IpAddr::V4(embedded(seg[6], seg[7])));
            }
            if seg[0] == 0x2002 {
                return is_public(IpAddr::V4(embedded(seg[1], seg[2])));
            }
            let first = seg[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

/// The requested event names, checked and without repeats.
pub fn check_events(events: &[String]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err(format!("至少选择一个事件：{}", WEBHOOK_EVENTS.join("、")));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !WEBHOOK_EVENTS.contains(&e.as_str()) {
            return Err(format!(
                "未知事件 {e:?}，可选：{}",
                WEBHOOK_EVENTS.join("、")
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_of_status_is_an_event() {
        use PetitionStatus::*;
        assert_eq!(
            event_for(Some(Submitted), Some(Accepted)).as_deref(),
            Some("petition.accepted")
        );
        assert_eq!(event_for(None, Some(Submitted)), None);
        assert_eq!(event_for(Some(Handling), Some(Handling)), None);
        assert_eq!(event_for(Some(Handling), None), None);
        for status in [
            NeedsInfo, Accepted, Dispatched, Handling, Replied, Closed, Rejected, Merged, Withdrawn,
        ] {
            let e = event_for(None, Some(status)).expect("an event");
            assert!(WEBHOOK_EVENTS.contains(&e.as_str()), "{e}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Checked against an independent computation:
        // `printf '1700000000.{}' | openssl dgst -sha256 -hmac Jefe`.
        assert_eq!(
            signature("Jefe", 1_700_000_000, b"{}"),
            "sha256=d3793e2b4103edfbd98cc19591832f5fad701d413db9fcae0ae7dab8184ed207"
        );
        assert_ne!(
            signature("Jefe", 1_700_000_001, b"{}"),
            signature("Jefe", 1_700_000_000, b"{}")
        );
        assert_ne!(
            signature("other", 1_700_000_000, b"{}"),
            signature("Jefe", 1_700_000_000, b"{}")
        );
    }

    #[test]
    fn retries_back_off_to_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(11), Duration::hours(6));
        assert_eq!(backoff(100), Duration::hours(6));
    }

    #[test]
    fn only_public_https_addresses_unless_allowed() {
        let strict = Reach::default();
        assert!(check_url("https://portal.xiuwu.gov.cn/hook?x=1", strict).is_ok());
        assert!(check_url("https://[2400:3200::1]/hook", strict).is_ok());
        assert!(check_url("https://[64:ff9b::808:808]/hook", strict).is_ok());
        for bad in [
            "http://portal.xiuwu.gov.cn/hook",
            "ftp://portal.xiuwu.gov.cn/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.8/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::10.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",
            "https://[2002:c0a8:0101::1]/hook",
            "https://localhost/hook",
            "https://intranet/hook",
            "https://user:pw@portal.xiuwu.gov.cn/hook",
            "not a url",
        ] {
            assert!(check_url(bad, strict).is_err(), "{bad}");
        }
        let tests = Reach {
            allow_http: true,
            allow_private: true,
        };
        assert!(check_url("http://127.0.0.1:8999/hook", tests).is_ok());
    }

    #[test]
    fn events_are_checked_and_deduplicated() {
        let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_events(&e(&["petition.replied", "petition.replied"])).expect("valid"),
            e(&["petition.replied"])
        );
        assert!(check_events(&[]).is_err());
        assert!(check_events(&e(&["petition.exploded"])).is_err());
    }
}
