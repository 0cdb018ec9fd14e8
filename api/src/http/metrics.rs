//! Prometheus text exposition at `/metrics`: requests by route and status, a latency histogram
//! by route, and the database pool. Small enough to keep in-house rather than pull a crate.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What `/metrics` reports of the database pool.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
    /// Statements run through the pool since it opened.
    pub statements: u64,
}

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    /// `route` is the matched pattern (`/api/v1/units/{id}`), never the raw path, so the
    /// number of series stays bounded.
    /// Methods outside the standard ones count as `OTHER`: a client making methods up cannot
    /// add series.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        const KNOWN: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        let method = KNOWN
            .iter()
            .find(|m| **m == method)
            .copied()
            .unwrap_or("OTHER");
        let secs = elapsed.as_secs_f64();
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method.to_owned(), route.to_owned())).or_default();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    pub fn render(&self, pool: PoolState) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP minhu_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE minhu_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "minhu_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP minhu_http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE minhu_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for ((method, route), h) in l.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "minhu_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "minhu_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "minhu_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "minhu_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out.push_str("# HELP minhu_db_pool_connections Open database connections.\n");
        out.push_str("# TYPE minhu_db_pool_connections gauge\n");
        let _ = writeln!(out, "minhu_db_pool_connections {}", pool.connections);
        out.push_str("# HELP minhu_db_pool_idle_connections Idle database connections.\n");
        out.push_str("# TYPE minhu_db_pool_idle_connections gauge\n");
        let _ = writeln!(out, "minhu_db_pool_idle_connections {}", pool.idle);
        out.push_str("# HELP minhu_db_pool_max_connections Size limit of the database pool.\n");
        out.push_str("# TYPE minhu_db_pool_max_connections gauge\n");
        let _ = writeln!(out, "minhu_db_pool_max_connections {}", pool.max);
        out.push_str("# HELP minhu_db_statements_total SQL statements sent to the database.\n");
        out.push_str("# TYPE minhu_db_statements_total counter\n");
        let _ = writeln!(out, "minhu_db_statements_total {}", pool.statements);
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/units", 200, Duration::from_millis(3));
        m.observe("GET", "/api/v1/units", 200, Duration::from_millis(30));
        let text = m.render(PoolState {
            connections: 2,
            idle: 1,
            max: 16,
            statements: 0,
        });
        assert!(text.contains(
            "minhu_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("minhu_db_pool_max_connections 16"));
    }

    #[test]
    fn made_up_methods_add_no_series() {
        let m = Metrics::default();
        for i in 0..1000 {
            m.observe(&format!("M{i}"), "unmatched", 405, Duration::from_millis(1));
        }
        m.observe("GET", "unmatched", 404, Duration::from_millis(1));
        let text = m.render(PoolState {
            connections: 1,
            idle: 1,
            max: 2,
            statements: 0,
        });
        let series = text
            .lines()
            .filter(|l| l.starts_with("minhu_http_requests_total{"))
            .count();
        assert_eq!(series, 2, "{text}");
        assert!(text.contains("method=\"OTHER\",route=\"unmatched\",status=\"405\"} 1000"));
    }
}
