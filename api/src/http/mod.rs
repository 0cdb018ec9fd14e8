//! HTTP: routes, extractors and error mapping over the domain and storage layers.

pub mod admission;
pub mod cache;
pub mod error;
pub mod extract;
pub mod json;
pub mod kept;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod query;
pub mod rate_limit;
pub mod request_id;
pub mod routes;
mod spa;
pub mod throttle;

use std::path::PathBuf;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{middleware, web, App, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenKeys;
use crate::db::{DbConn, Pool};
use error::{AppError, AppResult};

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub keys: TokenKeys,
    pub login_throttle: throttle::LoginThrottle,
    /// Failed logins per client address (`LOGIN_FAILURES_PER_ADDRESS` a minute).
    pub address_throttle: throttle::LoginThrottle,
    /// Slots for CPU-heavy work (password hashing, knowledge scoring), as many as the cores:
    /// such work runs off the async workers and without a pooled database connection, and a
    /// storm of it queues here instead of starving everything else.
    pub cpu_slots: tokio::sync::Semaphore,
    pub metrics: metrics::Metrics,
    pub web_dir: PathBuf,
    pub clock: crate::clock::Clock,
    /// Requests per minute of each partner (`MINHU_PARTNER_RATE_LIMIT`).
    pub partner_limit: rate_limit::RateLimit,
    /// Public tracking lookups a minute per client address (`MINHU_TRACK_RATE_LIMIT`, default
    /// `TRACK_LOOKUPS_PER_MINUTE`): numbers cannot be walked through.
    pub track_limit: rate_limit::RateLimit<std::net::IpAddr>,
    /// The feed pages and Open311 lists built in the last `MINHU_PUBLIC_CACHE_MS`.
    pub recent_public: cache::Recent,
    /// The tracking pages built in the last `MINHU_PUBLIC_CACHE_MS` (kept apart from the feed).
    pub recent_tracking: cache::Recent,
    /// Tokens admitted in the last `MINHU_ADMISSION_CACHE_MS` with nothing changed since.
    pub admissions: admission::Admissions,
    /// `MINHU_METRICS_TOKEN`: the bearer token `/metrics` needs; none: open.
    pub metrics_token: Option<String>,
    /// Web origins allowed to call the API from a browser (`MINHU_CORS_ORIGINS`); none: no CORS.
    pub cors_origins: Vec<String>,
    /// Which webhook addresses may be called (`MINHU_WEBHOOK_ALLOW_HTTP`, `…_ALLOW_PRIVATE`).
    pub webhook_reach: crate::domain::webhooks::Reach,
    /// Where petitions' photos are kept (`MINHU_PHOTO_STORE`).
    pub photos: crate::photos::PhotoStore,
    /// How SMS and e-mail leave the server.
    pub channels: crate::notifications::Channels,
    /// Whether the sign-in throttles and partners' rates are kept in the database (PostgreSQL:
    /// shared by every replica) rather than in this process's memory (`http::limits`).
    pub shared_limits: bool,
    /// The read standby (`MINHU_DATABASE_REPLICA_URL`), when there is one.
    pub replica: Option<std::sync::Arc<crate::db::replica::Replica>>,
}

impl AppState {
    pub fn new(
        pool: Pool,
        keys: TokenKeys,
        web_dir: PathBuf,
        photos: crate::photos::PhotoStore,
    ) -> Self {
        AppState {
            pool,
            keys,
            login_throttle: throttle::LoginThrottle::new(10, Duration::from_secs(60)),
            address_throttle: throttle::LoginThrottle::new(
                throttle::LOGIN_FAILURES_PER_ADDRESS,
                Duration::from_secs(60),
            ),
            cpu_slots: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            metrics: metrics::Metrics::default(),
            web_dir,
            clock: crate::clock::Clock::default(),
            partner_limit: rate_limit::RateLimit::new(600),
            cors_origins: Vec::new(),
            metrics_token: None,
            track_limit: rate_limit::RateLimit::new(crate::config::TRACK_LOOKUPS_PER_MINUTE),
            recent_public: cache::Recent::new(crate::config::PUBLIC_CACHE_MS, cache::MAX_PAGES),
            recent_tracking: cache::Recent::new(
                crate::config::PUBLIC_CACHE_MS,
                cache::MAX_TRACKING_PAGES,
            ),
            admissions: admission::Admissions::new(
                crate::config::ADMISSION_CACHE_MS,
                admission::MAX_KEPT,
            ),
            webhook_reach: Default::default(),
            channels: Default::default(),
            replica: None,
            shared_limits: false,
            photos,
        }
    }

    /// Runs blocking database work on actix's blocking pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        crate::db::run(&self.pool, f).await
    }

    /// Runs a read that may lag (public pages, figures, Open311 GET) on the read standby when it
    /// is up and caught up, otherwise on the primary. A standby that fails under the read
    /// (gone, or the read cancelled by its replay) hands it to the primary at once and counts
    /// as down until its next check.
    pub async fn read_db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: Fn(&mut DbConn) -> AppResult<T> + Send + Sync + 'static,
        T: Send + 'static,
    {
        use crate::db::replica::ReplicaState;
        let Some(replica) = self
            .replica
            .as_ref()
            .filter(|r| r.state() == ReplicaState::Ok)
        else {
            return self.db(f).await;
        };
        let f = std::sync::Arc::new(f);
        let on_standby = std::sync::Arc::clone(&f);
        match crate::db::run(&replica.pool, move |conn| on_standby(conn)).await {
            Err(e) if e.status.is_server_error() => {
                tracing::warn!(error = ?e, "the read standby failed a read: reading from the primary");
                replica.set_state(ReplicaState::Down);
                self.db(move |conn| f(conn)).await
            }
            other => other,
        }
    }

    /// Runs CPU-heavy work on actix's blocking pool once one of the cores' slots is free,
    /// holding no database connection.
    pub async fn cpu<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _slot = self
            .cpu_slots
            .acquire()
            .await
            .map_err(|_| AppError::internal("the CPU slots were closed"))?;
        Ok(web::block(f).await?)
    }

    /// An access token for `user` (under its current token epoch), in the login response's shape.
    pub fn token_for(
        &self,
        user: &crate::db::users::UserRow,
    ) -> AppResult<minhu_types::TokenResponse> {
        self.token_with(user, None)
    }

    /// An access token for a partner's account, bound to this issue of its credentials.
    pub fn partner_token(
        &self,
        user: &crate::db::users::UserRow,
        credentials_at: Option<chrono::NaiveDateTime>,
    ) -> AppResult<minhu_types::TokenResponse> {
        self.token_with(user, Some(credentials_issue(credentials_at)))
    }

    fn token_with(
        &self,
        row: &crate::db::users::UserRow,
        cred: Option<i64>,
    ) -> AppResult<minhu_types::TokenResponse> {
        let user = row.to_user();
        let access_token = self
            .keys
            .issue_with(user.id, user.role, user.unit_id, cred, row.token_epoch)
            .map_err(AppError::internal)?;
        Ok(minhu_types::TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: self.keys.ttl.as_secs() as i64,
            user,
        })
    }
}

/// Which issue of a partner's credentials is current: its last rotation in milliseconds, 0 before
/// any (the value partner tokens carry as `cred`).
pub fn credentials_issue(credentials_at: Option<chrono::NaiveDateTime>) -> i64 {
    credentials_at.map_or(0, |t| t.and_utc().timestamp_millis())
}

pub use crate::db::transaction;

/// Registers a path with its methods; any other method answers 405 with `Allow`.
macro_rules! resource {
    ($cfg:expr, $path:literal, $($method:ident => $handler:path),+ $(,)?) => {{
        const ALLOW: &[&str] = &[$(stringify!($method)),+];
        $cfg.service(
            web::resource($path)
                $(.route(web::$method().to($handler)))+
                .default_service(web::to(|| async { Err::<HttpResponse, _>(AppError::method_not_allowed_names(ALLOW)) })),
        );
    }};
}

/// An Open311 path with its methods; any other method answers 405 with `Allow`, in the spec's
/// error format (JSON or XML by the path's extension).
macro_rules! open311_resource {
    ($cfg:expr, $path:literal, $($method:ident => $handler:path),+ $(,)?) => {{
        const ALLOW: &[&str] = &[$(stringify!($method)),+];
        $cfg.service(
            web::resource($path)
                $(.route(web::$method().to($handler)))+
                .default_service(web::to(|req: actix_web::HttpRequest| async move {
                    routes::open311::method_not_allowed(&req, ALLOW)
                })),
        );
    }};
}

/// The `/api/v1` routes.
fn api_routes(cfg: &mut web::ServiceConfig) {
    use routes::*;
    // actix tries the resources in the order they are registered, matching each path with a
    // `{…}` in it by a regular expression (regex-lite's: some 1,500 instructions a try): the
    // pages read most (a story's tracking page and the feed, the lists) come first, and a
    // petition's and an order's resources are grouped under their prefix (`api_scope`), so
    // that every request is found after a few tries rather than forty. No other resource's
    // path can match theirs.
    resource!(cfg, "/track/{tracking_no}", get => public::track);
    resource!(cfg, "/public/petitions", get => public::feed);
    resource!(cfg, "/petitions", get => petitions::list, post => petitions::create);
    cfg.service(api_scope("/petitions/{id}").configure(petition_routes));
    resource!(cfg, "/assignments", get => assignments::list);
    cfg.service(api_scope("/assignments/{id}").configure(order_routes));
    cfg.service(api_scope("/public/petitions/{id}").configure(public_petition_routes));
    resource!(cfg, "/auth/register", post => auth::register);
    resource!(cfg, "/auth/login", post => auth::login);
    resource!(cfg, "/auth/token", post => auth::token);
    resource!(cfg, "/auth/logout", post => auth::logout);
    resource!(cfg, "/audit/contact-reads", get => audit::contact_reads);
    resource!(cfg, "/me", get => auth::me);
    resource!(cfg, "/me/notification-settings", get => notifications::get_settings, put => notifications::put_settings);
    resource!(cfg, "/notifications", get => notifications::list);
    resource!(cfg, "/notifications/unread-count", get => notifications::unread_count);
    resource!(cfg, "/notifications/read", post => notifications::mark_read);
    resource!(cfg, "/rate/{token}", get => notifications::invite, post => notifications::rate);
    resource!(cfg, "/units", get => units::list, post => units::create);
    resource!(cfg, "/units/{id}", get => units::find, patch => units::update);
    resource!(cfg, "/users", get => users::list, post => users::create);
    resource!(cfg, "/users/{id}", get => users::find, patch => users::update);
    resource!(cfg, "/categories", get => categories::list, post => categories::create);
    resource!(cfg, "/categories/{id}", get => categories::find);
    resource!(cfg, "/partners", get => partners::list, post => partners::create);
    resource!(cfg, "/partners/{id}/rotate", post => partners::rotate);
    resource!(cfg, "/partners/{id}/revoke", post => partners::revoke);
    resource!(cfg, "/knowledge", get => knowledge::list, post => knowledge::create);
    resource!(cfg, "/knowledge/{id}", get => knowledge::find, patch => knowledge::update);
    resource!(cfg, "/dispatch-rules", get => dispatch::list, post => dispatch::create);
    resource!(cfg, "/dispatch-rules/{id}", patch => dispatch::update, delete => dispatch::delete);
    resource!(cfg, "/dispatch-settings", get => dispatch::get_settings, put => dispatch::put_settings);
    resource!(cfg, "/photos/{id}", get => photos::get);
    resource!(cfg, "/replies/{id}/photos", post => photos::upload_to_reply);
    resource!(cfg, "/events/{id}/photos", post => photos::upload_to_progress);
    resource!(cfg, "/webhooks", get => webhooks::list, post => webhooks::create);
    resource!(cfg, "/webhooks/{id}", delete => webhooks::delete);
    resource!(cfg, "/webhooks/{id}/deliveries", get => webhooks::deliveries);
    resource!(cfg, "/callers/{phone}/petitions", get => petitions::callers);
    resource!(cfg, "/moderation/reports", get => moderation::reports);
    resource!(cfg, "/deadline-policies", get => time_limits::list, post => time_limits::create);
    resource!(cfg, "/deadline-policies/{id}", patch => time_limits::update, delete => time_limits::delete);
    resource!(cfg, "/calendar", get => time_limits::calendar);
    resource!(cfg, "/calendar/{date}", put => time_limits::put_day, delete => time_limits::delete_day);
    resource!(cfg, "/supervision", get => supervision::board);
    resource!(cfg, "/rankings", get => figures::rankings);
    resource!(cfg, "/stats/overview", get => figures::overview);
    resource!(cfg, "/stats/trends", get => figures::trends);
    resource!(cfg, "/briefings", get => figures::briefing);
    resource!(cfg, "/ranking-settings", get => figures::get_settings, put => figures::put_settings);
}

/// A group of resources under one prefix (`/petitions/{id}`): the prefix is matched once, the
/// resources in it by what follows it (`/accept`), compared as text; any other path under it
/// answers as any unknown API path does.
fn api_scope(prefix: &str) -> actix_web::Scope {
    web::scope(prefix).default_service(web::to(api_not_found))
}

/// `/api/v1/petitions/{id}…`: a petition and what is done to it.
fn petition_routes(cfg: &mut web::ServiceConfig) {
    use routes::*;
    resource!(cfg, "", get => petitions::find);
    resource!(cfg, "/suggestions", get => dispatch::suggestions);
    resource!(cfg, "/photos", post => photos::upload);
    resource!(cfg, "/events", get => petitions::events);
    resource!(cfg, "/accept", post => petition_actions::accept);
    resource!(cfg, "/reject", post => petition_actions::reject);
    resource!(cfg, "/merge", post => petition_actions::merge);
    resource!(cfg, "/supervise", post => petition_actions::supervise);
    resource!(cfg, "/withdraw", post => petition_actions::withdraw);
    resource!(cfg, "/request-info", post => petition_actions::request_info);
    resource!(cfg, "/supplement", post => petition_actions::supplement);
    resource!(cfg, "/answer", post => petition_actions::answer);
    resource!(cfg, "/redo", post => petition_actions::redo);
    resource!(cfg, "/assignments", post => petition_actions::dispatch);
    resource!(cfg, "/replies", get => replies::list_replies, post => replies::create_reply);
    resource!(cfg, "/rating", post => replies::rate);
    resource!(cfg, "/visits", post => replies::visit);
    resource!(cfg, "/follow-ups", get => replies::list_follow_ups, post => replies::create_follow_up);
    resource!(cfg, "/follow", post => readers::follow, delete => readers::unfollow);
    resource!(cfg, "/moderation", post => moderation::moderate);
    resource!(cfg, "/unreasonable", post => petition_actions::mark_unreasonable);
    resource!(cfg, "/appeal", post => petition_actions::appeal);
    resource!(cfg, "/appeal/grant", post => petition_actions::grant_appeal);
    resource!(cfg, "/appeal/refuse", post => petition_actions::refuse_appeal);
    resource!(cfg, "/typical", post => petition_actions::mark_typical);
}

/// `/api/v1/assignments/{id}…`: what is done to an order.
fn order_routes(cfg: &mut web::ServiceConfig) {
    use routes::*;
    resource!(cfg, "/sign", post => assignments::sign);
    resource!(cfg, "/return", post => assignments::request_return);
    resource!(cfg, "/return/approve", post => assignments::approve_return);
    resource!(cfg, "/return/refuse", post => assignments::refuse_return);
    resource!(cfg, "/extension", post => assignments::request_extension);
    resource!(cfg, "/extension/approve", post => assignments::approve_extension);
    resource!(cfg, "/extension/refuse", post => assignments::refuse_extension);
    resource!(cfg, "/dispatch", post => assignments::dispatch_down);
    resource!(cfg, "/progress", post => assignments::progress);
}

/// `/api/v1/public/petitions/{id}…`: what readers do on a public petition.
fn public_petition_routes(cfg: &mut web::ServiceConfig) {
    use routes::*;
    resource!(cfg, "/support", post => readers::support, delete => readers::unsupport);
    resource!(cfg, "/reports", post => moderation::report);
}

/// Open311 GeoReport v2; anything else under `/open311` answers in its error format.
fn open311_routes(cfg: &mut web::ServiceConfig) {
    use routes::open311;
    open311_resource!(cfg, "/discovery.{format}", get => open311::discovery);
    open311_resource!(cfg, "/services.{format}", get => open311::services);
    open311_resource!(cfg, "/services/{service_code}.{format}", get => open311::service_definition);
    open311_resource!(cfg, "/requests.{format}", get => open311::list_requests, post => open311::create_request);
    open311_resource!(cfg, "/requests/{service_request_id}.{format}", get => open311::get_request);
    open311_resource!(cfg, "/tokens/{token}.{format}", get => open311::get_token);
}

fn top_routes(cfg: &mut web::ServiceConfig) {
    use routes::ops;
    resource!(cfg, "/healthz", get => ops::healthz);
    resource!(cfg, "/readyz", get => ops::readyz);
    resource!(cfg, "/metrics", get => ops::metrics);
}

/// Middleware: once a request that changed something (any method but `GET`, `HEAD` and
/// `OPTIONS`, answered with success — a refused one changed nothing) is done, this replica
/// forgets what it keeps for a moment — admissions and public pages — so that whatever changed
/// shows here from the next request (on other replicas once their moment has run out).
async fn forget_after_changes(
    req: ServiceRequest,
    next: middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::http::Method;
    let may_change = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?;
    let changed = may_change && (res.status().is_success() || res.status().is_redirection());
    if let Some(state) = state.filter(|_| changed) {
        state.admissions.forget_all();
        state.recent_public.forget_all();
        state.recent_tracking.forget_all();
    }
    Ok(res)
}

/// The whole application: used by `minhu serve` and by the integration tests.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors_origins = state.cors_origins.clone();
    App::new()
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request("invalid_query", format!("查询参数有误：{e}")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, req| {
            AppError::not_found(format!("地址 {} 不存在", req.path())).into()
        }))
        .wrap(middleware::from_fn(extract::authenticate))
        .wrap(middleware::from_fn(forget_after_changes))
        .wrap(middleware::Compress::default())
        .wrap(middleware::from_fn(request_id::middleware))
        .wrap(middleware::Condition::new(
            !cors_origins.is_empty(),
            cors(&cors_origins),
        ))
        .configure(top_routes)
        .service(
            web::scope("/api/v1")
                .configure(api_routes)
                .default_service(web::to(api_not_found)),
        )
        .service(
            web::scope("/open311/v2")
                .configure(open311_routes)
                .default_service(web::to(routes::open311::not_found)),
        )
        .service(web::scope("/open311").default_service(web::to(routes::open311::not_found)))
        .service(web::redirect("/docs", "/docs/"))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", openapi::ApiDoc::openapi()),
        )
        .default_service(web::to(spa::serve))
}

/// CORS for the configured origins (the newspaper's own web pages calling the API directly).
/// Requests from other origins are answered as usual, without CORS headers, so browsers keep
/// them from the page; the app's own same-origin requests need no CORS at all.
fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(request_id::HEADER),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            header::LOCATION,
            header::HeaderName::from_static(request_id::HEADER),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

async fn api_not_found(req: HttpRequest) -> AppResult<HttpResponse> {
    Err(AppError::not_found(format!(
        "接口 {} {} 不存在，请查看 /docs 中的接口文档",
        req.method(),
        req.path()
    )))
}
