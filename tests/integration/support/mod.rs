//! Test harness: every test gets a fresh database (a new SQLite file, or a new PostgreSQL
//! database) and the whole application in-process, so tests run in parallel.

pub mod receiver;

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use actix_http::Request;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::web::{self, Bytes};
use diesel::{Connection, RunQueryDsl};
use minhu::config::{Config, DatabaseUrl};
use minhu::http::AppState;
use minhu_types::Problem;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests create their databases on.
fn postgres_base() -> String {
    std::env::var("MINHU_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database on that server, without TLS. With TLS, libpq runs OpenSSL, whose clean-up at
/// process exit can race the pool threads still opening connections for tests that have
/// ended: the test binary once aborted after every test had passed ("corrupted size vs.
/// prev_size"). The tests talk to a local server; TLS adds nothing there.
fn postgres_url(database: &str) -> String {
    format!("{}/{database}?sslmode=disable", postgres_base())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("minhu_test_{}_{}_{}", std::process::id(), n, nanos)
}

/// How every PostgreSQL test database sorts text: as the official `postgres` image's default
/// database does (docker-compose's; `en_US.utf8`, which passes over punctuation at first)
/// rather than in byte order as this machine's cluster (`C.UTF-8`) would. ICU's en-US with
/// punctuation shifted orders as glibc's `en_US.utf8` does and needs no locale of the
/// operating system. A range or an order that holds only in byte order fails here as it would
/// in production ('/1/2/19/' sorts after '/1/20' there).
const PG_COLLATION: &str = "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted'";

/// The migrated PostgreSQL database every test's database is copied from (`CREATE DATABASE …
/// TEMPLATE`), named after the migrations' contents: made once, by whichever test process
/// needs it first, under a temporary name and renamed when complete, so no test ever copies a
/// half-migrated one; a change to the migrations makes a new one.
fn pg_template() -> &'static str {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
        let mut files: Vec<PathBuf> = walk(&dir);
        files.sort();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        PG_COLLATION.hash(&mut hasher);
        for f in &files {
            f.strip_prefix(&dir).expect("under dir").hash(&mut hasher);
            std::fs::read(f).expect("migration file").hash(&mut hasher);
        }
        let name = format!("minhu_template_{:016x}", hasher.finish());
        let mut admin = diesel::PgConnection::establish(&postgres_url("postgres"))
            .expect("PostgreSQL must be running for the tests (see README: Tests)");
        #[derive(diesel::QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result::<Found>(&mut admin)
        .expect("pg_database")
        .n
            > 0;
        if !exists {
            let building = unique_name();
            diesel::sql_query(format!("CREATE DATABASE \"{building}\" {PG_COLLATION}"))
                .execute(&mut admin)
                .expect("create template");
            {
                let mut conn = minhu::db::DbConn::Pg(
                    diesel::PgConnection::establish(&postgres_url(&building))
                        .expect("connect to template"),
                );
                minhu::db::migrate(&mut conn).expect("migrate template");
            }
            // The migrating session may still be closing: end it before renaming.
            let _ = diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}'"
            ))
            .execute(&mut admin);
            let renamed = diesel::sql_query(format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .execute(&mut admin);
            if renamed.is_err() {
                // Another test process finished its template first: use that one.
                let _ = diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
                ))
                .execute(&mut admin);
            }
        }
        name
    })
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A fresh database, removed again when dropped.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub dir: PathBuf,
    pg_name: Option<String>,
    /// Settings that differ from the tests' defaults.
    settings: Vec<(&'static str, String)>,
}

impl TestDb {
    /// A fresh database for an app: on PostgreSQL a copy of the migrated template (the app's
    /// start finds nothing to migrate); on SQLite an empty file, migrated in milliseconds.
    pub fn new(backend: Backend) -> TestDb {
        Self::create(backend, true)
    }

    /// A fresh database with nothing in it.
    pub fn blank(backend: Backend) -> TestDb {
        Self::create(backend, false)
    }

    fn create(backend: Backend, migrated: bool) -> TestDb {
        let name = unique_name();
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>民呼必应</title>",
        )
        .expect("index.html");
        match backend {
            Backend::Sqlite => TestDb {
                url: DatabaseUrl::Sqlite(dir.join("minhu.db")),
                dir,
                pg_name: None,
                settings: Vec::new(),
            },
            Backend::Postgres => {
                let mut admin = diesel::PgConnection::establish(&postgres_url("postgres"))
                    .expect("PostgreSQL must be running for the tests (see README: Tests)");
                let template = if migrated {
                    format!(" TEMPLATE \"{}\"", pg_template())
                } else {
                    format!(" {PG_COLLATION}")
                };
                diesel::sql_query(format!("CREATE DATABASE \"{name}\"{template}"))
                    .execute(&mut admin)
                    .expect("create database");
                TestDb {
                    url: DatabaseUrl::Postgres(postgres_url(&name)),
                    dir,
                    pg_name: Some(name),
                    settings: Vec::new(),
                }
            }
        }
    }

    /// The same database with one more setting (as if from the environment).
    pub fn with(mut self, name: &'static str, value: &str) -> TestDb {
        self.settings.push((name, value.to_owned()));
        self
    }

    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }

    pub fn config(&self) -> Config {
        let url = self.url_string();
        let web = self.dir.display().to_string();
        let data = self.dir.join("data").display().to_string();
        let settings = self.settings.clone();
        Config::from_lookup(|k| match k {
            k if settings.iter().any(|(name, _)| *name == k) => settings
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.clone()),
            "DATABASE_URL" => Some(url.clone()),
            "MINHU_JWT_SECRET" => Some(JWT_SECRET.into()),
            "MINHU_ADMIN_USERNAME" => Some(ADMIN.into()),
            "MINHU_ADMIN_PASSWORD" => Some(ADMIN_PASSWORD.into()),
            "MINHU_WEB_DIR" => Some(web.clone()),
            "MINHU_DATA_DIR" => Some(data.clone()),
            "MINHU_DB_POOL_SIZE" => Some("4".into()),
            // Tests read the feed right after changing it; the one that tests the cache turns
            // it on (operations.rs).
            "MINHU_PUBLIC_CACHE_MS" => Some("0".into()),
            _ => None,
        })
        .expect("test config")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) = diesel::PgConnection::establish(&postgres_url("postgres")) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut admin);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

type Svc = Rc<
    dyn Service<
        Request,
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        Future = std::pin::Pin<
            Box<
                dyn std::future::Future<
                    Output = Result<ServiceResponse<BoxBody>, actix_web::Error>,
                >,
            >,
        >,
    >,
>;

/// The application on a fresh database.
pub struct TestApp {
    svc: Svc,
    pub state: web::Data<AppState>,
    // Dropped last: the database outlives the app's pool.
    pub db: Rc<TestDb>,
}

struct Boxed<S>(S);

impl<S, B> Service<Request> for Boxed<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>>,
    >;

    fn poll_ready(
        &self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&self, req: Request) -> Self::Future {
        let fut = self.0.call(req);
        Box::pin(async move { fut.await.map(ServiceResponse::map_into_boxed_body) })
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::on(TestDb::new(backend)).await
    }

    pub async fn on(db: TestDb) -> TestApp {
        Self::sharing(Rc::new(db)).await
    }

    /// Another replica of the service on this app's database: its own pool, kept pages and
    /// in-memory limits, as a second process behind a load balancer would have.
    pub async fn replica(&self) -> TestApp {
        Self::sharing(Rc::clone(&self.db)).await
    }

    async fn sharing(db: Rc<TestDb>) -> TestApp {
        let state = web::Data::new(minhu::server::build_state(&db.config()).expect("app state"));
        let svc = test::init_service(minhu::http::app(state.clone())).await;
        TestApp {
            svc: Rc::new(Boxed(svc)),
            state,
            db,
        }
    }

    /// Stops the app (closing its pool) and starts a new one on the same database.
    pub async fn restart(self) -> TestApp {
        let TestApp { svc, state, db } = self;
        drop(svc);
        drop(state);
        Self::sharing(db).await
    }

    pub fn request(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            inner: TestRequest::default().method(method).uri(path),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request(Method::PATCH, path)
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self
            .post("/api/v1/auth/login")
            .json(serde_json::json!({"username": username, "password": password}))
            .send()
            .await;
        assert_eq!(res.status, 200, "login {username}: {}", res.text());
        res.value()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN, ADMIN_PASSWORD).await
    }

    /// Registers a citizen and returns their token.
    pub async fn citizen(&self, username: &str) -> String {
        let res = self
            .post("/api/v1/auth/register")
            .json(serde_json::json!({"username": username, "password": "citizen-pass-1", "display_name": "市民"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        self.login(username, "citizen-pass-1").await
    }

    /// Issues a partner as the administrator; returns its credentials (shown once).
    pub async fn issue_partner(&self, admin: &str, name: &str) -> minhu_types::PartnerCredentials {
        let res = self
            .post("/api/v1/partners")
            .token(admin)
            .json(serde_json::json!({ "name": name }))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        res.json()
    }

    /// Exchanges a partner's credentials for its access token.
    pub async fn partner_token(&self, creds: &minhu_types::PartnerCredentials) -> String {
        let res = self
            .post("/api/v1/auth/token")
            .json(serde_json::json!({"client_id": creds.client_id, "client_secret": creds.client_secret}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
        res.json::<minhu_types::TokenResponse>().access_token
    }

    /// Creates a unit as the administrator and returns its id.
    pub async fn unit(&self, admin: &str, name: &str, kind: &str, parent: Option<i64>) -> i64 {
        let res = self
            .post("/api/v1/units")
            .token(admin)
            .json(serde_json::json!({"name": name, "kind": kind, "parent_id": parent}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        res.value()["id"].as_i64().expect("id")
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    inner: TestRequest,
}

impl Req<'_> {
    pub fn json(self, body: Value) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self
            .inner
            .insert_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.inner = self.inner.set_payload(body.into());
        self
    }

    pub async fn send(self) -> Resp {
        let res = test::call_service(&self.app.svc, self.inner.to_request()).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        Resp {
            status,
            headers,
            body,
        }
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    pub fn value(&self) -> Value {
        self.json()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error response in problem details with this status and returns it.
    pub fn problem(&self, status: u16) -> Problem {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text()
        );
        let p: Problem = self.json();
        assert_eq!(p.status, status);
        assert!(!p.detail.is_empty() && !p.title.is_empty());
        assert!(p.kind.starts_with("urn:minhu:problem:"));
        p
    }
}

/// Runs a test once on SQLite and once on PostgreSQL: `both!(name);` after `async fn name(app)`.
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                $crate::support::checked($crate::support::Backend::Sqlite, super::$name).await
            }
            #[actix_web::test]
            async fn postgres() {
                $crate::support::checked($crate::support::Backend::Postgres, super::$name).await
            }
        }
    )+};
}

/// Runs a `both!` test on a fresh app, then checks what the database keeps copied against what
/// it was copied from (`copies_that_differ`), whatever the test did.
pub async fn checked<F: std::future::Future<Output = ()>>(
    backend: Backend,
    test: impl FnOnce(TestApp) -> F,
) {
    let app = TestApp::new(backend).await;
    let db = Rc::clone(&app.db);
    test(app).await;
    let differ = copies_that_differ(&db);
    assert!(
        differ.is_empty(),
        "kept copies differ from what they copy after the test: {differ:?}"
    );
}

/// Every filed order (`order_ancestors`) keeps its order's state and deadline while the order
/// is live and nothing once it is not (`db::petitions::live_copy`): the rows where it does not,
/// as (unit filed under, order).
pub fn copies_that_differ(db: &TestDb) -> Vec<(i64, i64)> {
    #[derive(diesel::QueryableByName)]
    struct Differs {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        ancestor_id: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        assignment_id: i64,
    }
    let query = diesel::sql_query(
        "SELECT o.ancestor_id, o.assignment_id FROM order_ancestors o \
         JOIN assignments a ON a.id = o.assignment_id \
         WHERE CASE WHEN a.state IN ('pending', 'handling') \
                    THEN o.live_state IS NULL OR o.live_reply_by IS NULL \
                         OR o.live_state <> a.state OR o.live_reply_by <> a.reply_by \
                    ELSE o.live_state IS NOT NULL OR o.live_reply_by IS NOT NULL END \
         ORDER BY 1, 2",
    );
    let rows: Vec<Differs> = match &db.url {
        DatabaseUrl::Sqlite(path) => {
            let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy())
                .expect("open the test's SQLite database");
            query.load(&mut c)
        }
        DatabaseUrl::Postgres(url) => {
            let mut c =
                diesel::PgConnection::establish(url).expect("connect to the test's database");
            query.load(&mut c)
        }
    }
    .expect("compare the filed orders with their orders");
    rows.into_iter()
        .map(|r| (r.ancestor_id, r.assignment_id))
        .collect()
}
pub(crate) use both;

/// Like `both!`, for tests that set up their own app: `async fn name(backend: Backend)`.
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    )+};
}
pub(crate) use both_backends;
