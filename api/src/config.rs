//! Configuration from the environment (`api.md`, "Server"). Every setting is checked before the
//! server starts: a missing or wrong one stops start-up with a message that names it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Which database, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: the embedded database, created on first start.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, passed to libpq unchanged.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(
                    "DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://data/minhu.db".into(),
                );
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "DATABASE_URL: expected sqlite://PATH or postgres://USER@HOST/DB, got {:?}",
                redact(url)
            ))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// Hides a password in a URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Default of `MINHU_TRACK_RATE_LIMIT`: tracking-number lookups a minute from one client
/// address — plenty for a person, too few to walk through a day's numbers.
pub const TRACK_LOOKUPS_PER_MINUTE: u32 = 60;
/// How long a built page of the public feed is served again to other readers (milliseconds).
pub const PUBLIC_CACHE_MS: u64 = 1_000;
/// How long an admitted token is admitted again without reading its account (milliseconds).
pub const ADMISSION_CACHE_MS: u64 = 1_000;

#[derive(Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub jwt_secret: Vec<u8>,
    pub token_ttl: Duration,
    /// `MINHU_ADMIN_USERNAME` and `MINHU_ADMIN_PASSWORD`.
    pub admin: Option<(String, String)>,
    pub web_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    /// Database connections per process (`MINHU_DB_POOL_SIZE`, default 16). Fewer cut the
    /// slowest requests only on a host whose kernel groups each PostgreSQL backend apart
    /// (autogroup), and cost throughput: README, "Operations".
    pub db_pool_size: u32,
    /// Replied petitions without a rating close after this many days.
    pub auto_close_days: i64,
    /// How often the background jobs run; `None` when switched off (0).
    pub job_interval: Option<Duration>,
    /// Requests per minute allowed to each partner; 0: no limit.
    pub partner_rate_limit: u32,
    /// Origins (`https://host[:port]`) whose pages may call the API; empty: CORS off.
    pub cors_origins: Vec<String>,
    pub webhook_reach: crate::domain::webhooks::Reach,
    /// `MINHU_PHOTO_STORE`: the data directory's `photos/` or an S3 bucket.
    pub photo_storage: crate::photos::PhotoStorage,
    /// `MINHU_TRACK_RATE_LIMIT`: tracking lookups a minute per client address; 0: no limit.
    pub track_rate_limit: u32,
    /// `MINHU_PUBLIC_CACHE_MS`: how long each replica serves a built page of the public feed
    /// again before building it anew (default `PUBLIC_CACHE_MS`); 0: build every request.
    pub public_cache_ms: u64,
    /// `MINHU_ADMISSION_CACHE_MS`: how long each replica admits a token again without reading
    /// its account, unless something changed on that replica (default `ADMISSION_CACHE_MS`);
    /// 0: read on every request.
    pub admission_cache_ms: u64,
    /// `MINHU_METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <it>`.
    pub metrics_token: Option<String>,
    /// SMS (`MINHU_SMS_*`), e-mail (`MINHU_SMTP_URL`, `MINHU_MAIL_FROM`) and the web app's
    /// address for links in them (`MINHU_PUBLIC_URL`).
    pub channels: crate::notifications::Channels,
    /// `MINHU_DATABASE_REPLICA_URL`: a PostgreSQL streaming standby for reads that may lag.
    pub replica: Option<DatabaseUrl>,
    /// `MINHU_REPLICA_MAX_LAG_SECS` (default 5): beyond it, those reads go to the primary.
    pub replica_max_lag: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &self.database_url.backend_name())
            .field("bind", &self.bind)
            .field("web_dir", &self.web_dir)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

const MIN_SECRET_LEN: usize = 32;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `get`, so tests can pass their own.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/minhu.db".into()),
        )?;
        let data_dir = PathBuf::from(get("MINHU_DATA_DIR").unwrap_or_else(|| "data".into()));
        let bind = get("MINHU_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse::<SocketAddr>()
            .map_err(|e| format!("MINHU_BIND: expected HOST:PORT such as 127.0.0.1:8080 ({e})"))?;
        let token_hours: u64 = match get("MINHU_TOKEN_HOURS") {
            None => 12,
            Some(v) => v
                .parse()
                .ok()
                .filter(|h| (1..=24 * 30).contains(h))
                .ok_or_else(|| {
                    format!("MINHU_TOKEN_HOURS: expected hours from 1 to 720, got {v:?}")
                })?,
        };
        let admin = match (get("MINHU_ADMIN_USERNAME"), get("MINHU_ADMIN_PASSWORD")) {
            (None, None) => None,
            (Some(u), Some(p)) => Some((u, p)),
            (Some(_), None) => {
                return Err("MINHU_ADMIN_PASSWORD: must be set with MINHU_ADMIN_USERNAME".into())
            }
            (None, Some(_)) => {
                return Err("MINHU_ADMIN_USERNAME: must be set with MINHU_ADMIN_PASSWORD".into())
            }
        };
        let web_dir = match get("MINHU_WEB_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if !dir.join("index.html").is_file() {
                    return Err(format!(
                        "MINHU_WEB_DIR: {} has no index.html (build the web app first)",
                        dir.display()
                    ));
                }
                dir
            }
            None => PathBuf::from("web/dist"),
        };
        let log_format = match get("MINHU_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(format!(
                    "MINHU_LOG_FORMAT: expected text or json, got {other:?}"
                ))
            }
        };
        let db_pool_size = match get("MINHU_DB_POOL_SIZE") {
            None => 16,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| format!("MINHU_DB_POOL_SIZE: expected 1 to 256, got {v:?}"))?,
        };
        let auto_close_days = match get("MINHU_AUTO_CLOSE_DAYS") {
            None => 7,
            Some(v) => v
                .parse()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| {
                    format!("MINHU_AUTO_CLOSE_DAYS: expected 1 to 365 days, got {v:?}")
                })?,
        };
        let job_interval = match get("MINHU_JOB_INTERVAL_SECS") {
            None => Some(Duration::from_secs(60)),
            Some(v) => match v.parse::<u64>() {
                Ok(0) => None,
                Ok(n) if n <= 86_400 => Some(Duration::from_secs(n)),
                _ => {
                    return Err(format!(
                        "MINHU_JOB_INTERVAL_SECS: expected 0 (off) to 86400 seconds, got {v:?}"
                    ))
                }
            },
        };
        let partner_rate_limit = match get("MINHU_PARTNER_RATE_LIMIT") {
            None => 600,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n <= 1_000_000)
                .ok_or_else(|| {
                    format!("MINHU_PARTNER_RATE_LIMIT: expected requests per minute from 0 (no limit) to 1000000, got {v:?}")
                })?,
        };
        let cors_origins = match get("MINHU_CORS_ORIGINS") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| parse_origin(o).map_err(|why| format!("MINHU_CORS_ORIGINS: {o:?} {why}")))
                .collect::<Result<Vec<_>, _>>()?,
        };
        let flag = |name: &str| match get(name).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(format!("{name}: expected true or false, got {other:?}")),
        };
        let webhook_reach = crate::domain::webhooks::Reach {
            allow_http: flag("MINHU_WEBHOOK_ALLOW_HTTP")?,
            allow_private: flag("MINHU_WEBHOOK_ALLOW_PRIVATE")?,
        };
        let photo_storage =
            crate::photos::PhotoStorage::parse(get("MINHU_PHOTO_STORE").as_deref(), &data_dir)?;
        let jwt_secret = match get("MINHU_JWT_SECRET") {
            Some(s) if s.len() < MIN_SECRET_LEN => {
                return Err(format!(
                    "MINHU_JWT_SECRET: must be at least {MIN_SECRET_LEN} bytes long"
                ))
            }
            Some(s) => s.into_bytes(),
            None => Vec::new(), // filled by `load_or_create_secret` when the server starts
        };
        let track_rate_limit = match get("MINHU_TRACK_RATE_LIMIT") {
            None => TRACK_LOOKUPS_PER_MINUTE,
            Some(v) => v.parse().ok().filter(|n| *n <= 1_000_000).ok_or_else(|| {
                format!("MINHU_TRACK_RATE_LIMIT: expected lookups per minute from 0 (no limit) to 1000000, got {v:?}")
            })?,
        };
        let public_cache_ms = match get("MINHU_PUBLIC_CACHE_MS") {
            None => PUBLIC_CACHE_MS,
            Some(v) => v.parse().ok().filter(|n| *n <= 60_000).ok_or_else(|| {
                format!(
                    "MINHU_PUBLIC_CACHE_MS: expected milliseconds from 0 (off) to 60000, got {v:?}"
                )
            })?,
        };
        let admission_cache_ms = match get("MINHU_ADMISSION_CACHE_MS") {
            None => ADMISSION_CACHE_MS,
            Some(v) => v.parse().ok().filter(|n| *n <= 10_000).ok_or_else(|| {
                format!(
                    "MINHU_ADMISSION_CACHE_MS: expected milliseconds from 0 (read the account on every request) to 10000, got {v:?}"
                )
            })?,
        };
        let metrics_token = match get("MINHU_METRICS_TOKEN") {
            None => None,
            Some(t) if t.len() < 16 || t.chars().any(|c| !c.is_ascii_graphic()) => return Err(
                "MINHU_METRICS_TOKEN: expected at least 16 printable ASCII characters, no spaces"
                    .to_owned(),
            ),
            Some(t) => Some(t),
        };
        let replica = match get("MINHU_DATABASE_REPLICA_URL") {
            None => None,
            Some(v) => match (&database_url, DatabaseUrl::parse(&v)?) {
                (DatabaseUrl::Postgres(_), url @ DatabaseUrl::Postgres(_)) => Some(url),
                _ => return Err(
                    "MINHU_DATABASE_REPLICA_URL: a read standby is a PostgreSQL server (postgres://…) of a PostgreSQL DATABASE_URL"
                        .to_owned(),
                ),
            },
        };
        let replica_max_lag = match get("MINHU_REPLICA_MAX_LAG_SECS") {
            None => Duration::from_secs(5),
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n <= 3600)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    format!(
                        "MINHU_REPLICA_MAX_LAG_SECS: expected seconds from 0 to 3600, got {v:?}"
                    )
                })?,
        };
        let channels = channels(&get, flag("MINHU_SMS_ALLOW_HTTP")?, bind)?;
        Ok(Config {
            replica,
            replica_max_lag,
            channels,
            metrics_token,
            track_rate_limit,
            public_cache_ms,
            admission_cache_ms,
            database_url,
            bind,
            jwt_secret,
            token_ttl: Duration::from_secs(token_hours * 3600),
            admin,
            web_dir,
            data_dir,
            log_format,
            db_pool_size,
            auto_close_days,
            job_interval,
            partner_rate_limit,
            cors_origins,
            webhook_reach,
            photo_storage,
        })
    }

    /// Without `MINHU_JWT_SECRET`, the signing key is a random one kept in the data directory, so
    /// tokens survive a restart. Several replicas must share `MINHU_JWT_SECRET` instead.
    pub fn ensure_jwt_secret(&mut self) -> Result<(), String> {
        if !self.jwt_secret.is_empty() {
            return Ok(());
        }
        self.jwt_secret = load_or_create_secret(&self.data_dir.join("jwt-secret"))?;
        Ok(())
    }
}

/// The notification channels from their settings; a bad one stops start-up, named.
fn channels(
    get: &impl Fn(&str) -> Option<String>,
    sms_allow_http: bool,
    bind: SocketAddr,
) -> Result<crate::notifications::Channels, String> {
    use crate::notifications::{Channels, Mailer, SmsGateway};
    let sms = match (get("MINHU_SMS_URL"), get("MINHU_SMS_TOKEN")) {
        (None, None) => None,
        (Some(_), None) => return Err("MINHU_SMS_TOKEN: must be set with MINHU_SMS_URL".into()),
        (None, Some(_)) => return Err("MINHU_SMS_URL: must be set with MINHU_SMS_TOKEN".into()),
        (Some(u), Some(token)) => {
            let url = url::Url::parse(&u)
                .ok()
                .filter(|url| url.host_str().is_some())
                .ok_or_else(|| format!("MINHU_SMS_URL: expected https://host/path, got {u:?}"))?;
            match url.scheme() {
                "https" => {}
                "http" if sms_allow_http => {}
                "http" => return Err("MINHU_SMS_URL: must be https:// (set MINHU_SMS_ALLOW_HTTP=true for a gateway on a closed network)".into()),
                other => return Err(format!("MINHU_SMS_URL: expected https://, got {other}://")),
            }
            Some(SmsGateway { url, token })
        }
    };
    let mail = match get("MINHU_SMTP_URL") {
        None => None,
        Some(u) => {
            let from = get("MINHU_MAIL_FROM")
                .ok_or("MINHU_MAIL_FROM: must be set with MINHU_SMTP_URL (e.g. 民呼必应 <noreply@example.cn>)")?;
            Some(Mailer::parse(&u, &from)?)
        }
    };
    let quiet = crate::domain::notifications::QuietHours::parse(
        &get("MINHU_SMS_QUIET_HOURS").unwrap_or_else(|| "22-8".into()),
    )
    .map_err(|e| format!("MINHU_SMS_QUIET_HOURS: {e}"))?;
    let public_url = match get("MINHU_PUBLIC_URL") {
        None => format!("http://{bind}"),
        Some(u) => {
            let origin = u.trim_end_matches('/');
            match url::Url::parse(origin) {
                Ok(p) if matches!(p.scheme(), "http" | "https") && p.host_str().is_some() => {
                    origin.to_owned()
                }
                _ => {
                    return Err(format!(
                        "MINHU_PUBLIC_URL: expected the web app's address such as https://minhu.example.cn, got {u:?}"
                    ))
                }
            }
        }
    };
    Ok(Channels {
        sms,
        mail,
        quiet,
        public_url,
    })
}

/// A web origin as browsers send it: `https://host` or `http://host:port`, nothing after.
fn parse_origin(origin: &str) -> Result<String, &'static str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok());
    if host_ok && port_ok {
        // Browsers leave the scheme's own port out of `Origin`.
        let default = if origin.starts_with("https://") {
            "443"
        } else {
            "80"
        };
        Ok(match port {
            Some(p) if p == default => origin[..origin.len() - p.len() - 1].to_ascii_lowercase(),
            _ => origin.to_ascii_lowercase(),
        })
    } else {
        Err("is not an origin: expected scheme://host[:port] with no path, e.g. https://news.example.cn")
    }
}

fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, String> {
    let named = |e: std::io::Error| format!("MINHU_DATA_DIR: cannot use {}: {e}", path.display());
    match std::fs::read_to_string(path) {
        Ok(s) if s.trim().len() >= MIN_SECRET_LEN => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(format!(
                "{}: the stored signing key is too short; delete it to make a new one",
                path.display()
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(named(e)),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(named)?;
    }
    let secret = random_hex(32);
    write_private(path, &secret).map_err(named)?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// `n` random bytes from the operating system, as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    crate::auth::hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_database_on_localhost() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("data/minhu.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.admin.is_none());
        assert!(c.cors_origins.is_empty(), "CORS is off by default");
        assert_eq!(c.partner_rate_limit, 600);
    }

    #[test]
    fn cors_origins_are_origins() {
        let c = config(&[(
            "MINHU_CORS_ORIGINS",
            "https://News.example.cn, http://127.0.0.1:3000,http://[::1]:8080,https://m.example.cn:443",
        )])
        .expect("valid origins");
        assert_eq!(
            c.cors_origins,
            [
                "https://news.example.cn",
                "http://127.0.0.1:3000",
                "http://[::1]:8080",
                "https://m.example.cn"
            ]
        );
        for bad in [
            "*",
            "news.example.cn",
            "https://news.example.cn/",
            "https://a.cn/path",
            "https://a.cn:port",
            "ftp://a.cn",
        ] {
            let err = config(&[("MINHU_CORS_ORIGINS", bad)]).expect_err(bad);
            assert!(err.contains("MINHU_CORS_ORIGINS"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_wrong_setting_is_named() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("MINHU_BIND", "everywhere"),
            ("MINHU_JWT_SECRET", "short"),
            ("MINHU_LOG_FORMAT", "xml"),
            ("MINHU_TOKEN_HOURS", "0"),
            ("MINHU_DB_POOL_SIZE", "lots"),
            ("MINHU_AUTO_CLOSE_DAYS", "0"),
            ("MINHU_JOB_INTERVAL_SECS", "often"),
            ("MINHU_WEB_DIR", "/nonexistent"),
            ("MINHU_ADMIN_USERNAME", "root"),
            ("MINHU_PARTNER_RATE_LIMIT", "-1"),
            ("MINHU_CORS_ORIGINS", "*"),
            ("MINHU_WEBHOOK_ALLOW_HTTP", "yes"),
            ("MINHU_DATABASE_REPLICA_URL", "postgres://standby/minhu"),
            ("MINHU_REPLICA_MAX_LAG_SECS", "soon"),
        ] {
            let err = config(&[(var, value)]).expect_err(var);
            assert!(
                err.contains(var) || err.contains("MINHU_ADMIN_PASSWORD"),
                "{var}: {err}"
            );
        }
    }

    #[test]
    fn passwords_in_database_urls_are_not_echoed() {
        let err = DatabaseUrl::parse("mysql://app:hunter2@db/x").expect_err("unsupported");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
