//! The OpenAPI document, generated from the handlers' annotations. Conventions shared by every
//! operation (the bearer scheme, problem-details error responses) are added here once.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::routes;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "minhu API",
        description = "民呼必应 (minhu): the petition platform that city newspapers run with the 12345 government hotline. \
            JSON, UTF-8, snake_case; times in RFC 3339 UTC; errors as RFC 9457 problem details \
            (application/problem+json) with a machine-readable `code`. Authenticate with \
            `Authorization: Bearer <token>` from `/api/v1/auth/login` or `/api/v1/auth/token`.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "minhu maintainers", email = "api@minhu.example")
    ),
    servers(
        (url = "/", description = "The server this document is served from (`/api-docs/openapi.json`)"),
    ),
    paths(
        routes::auth::register,
        routes::auth::login,
        routes::auth::token,
        routes::auth::logout,
        routes::audit::contact_reads,
        routes::auth::me,
        routes::units::list,
        routes::units::create,
        routes::units::find,
        routes::units::update,
        routes::users::list,
        routes::users::create,
        routes::users::find,
        routes::users::update,
        routes::categories::list,
        routes::categories::create,
        routes::categories::find,
        routes::partners::list,
        routes::partners::create,
        routes::partners::rotate,
        routes::partners::revoke,
        routes::photos::upload,
        routes::photos::upload_to_reply,
        routes::photos::upload_to_progress,
        routes::photos::get,
        routes::knowledge::list,
        routes::knowledge::find,
        routes::knowledge::create,
        routes::knowledge::update,
        routes::dispatch::list,
        routes::dispatch::create,
        routes::dispatch::update,
        routes::dispatch::delete,
        routes::dispatch::get_settings,
        routes::dispatch::put_settings,
        routes::dispatch::suggestions,
        routes::webhooks::list,
        routes::webhooks::create,
        routes::webhooks::delete,
        routes::webhooks::deliveries,
        routes::open311::discovery,
        routes::open311::services,
        routes::open311::service_definition,
        routes::open311::list_requests,
        routes::open311::get_request,
        routes::open311::create_request,
        routes::open311::get_token,
        routes::petitions::create,
        routes::petitions::list,
        routes::petitions::find,
        routes::petitions::callers,
        routes::petitions::events,
        routes::petition_actions::accept,
        routes::petition_actions::reject,
        routes::petition_actions::merge,
        routes::petition_actions::supervise,
        routes::petition_actions::withdraw,
        routes::petition_actions::request_info,
        routes::petition_actions::supplement,
        routes::petition_actions::answer,
        routes::petition_actions::redo,
        routes::petition_actions::dispatch,
        routes::replies::create_reply,
        routes::replies::list_replies,
        routes::replies::rate,
        routes::replies::visit,
        routes::replies::list_follow_ups,
        routes::replies::create_follow_up,
        routes::assignments::list,
        routes::assignments::sign,
        routes::assignments::request_return,
        routes::assignments::approve_return,
        routes::assignments::refuse_return,
        routes::assignments::request_extension,
        routes::assignments::approve_extension,
        routes::assignments::refuse_extension,
        routes::assignments::dispatch_down,
        routes::assignments::progress,
        routes::public::track,
        routes::public::feed,
        routes::readers::support,
        routes::readers::unsupport,
        routes::readers::follow,
        routes::readers::unfollow,
        routes::moderation::moderate,
        routes::moderation::report,
        routes::moderation::reports,
        routes::time_limits::list,
        routes::time_limits::create,
        routes::time_limits::update,
        routes::time_limits::delete,
        routes::time_limits::calendar,
        routes::time_limits::put_day,
        routes::time_limits::delete_day,
        routes::supervision::board,
        routes::figures::rankings,
        routes::figures::overview,
        routes::figures::trends,
        routes::figures::briefing,
        routes::figures::get_settings,
        routes::figures::put_settings,
        routes::petition_actions::mark_unreasonable,
        routes::petition_actions::appeal,
        routes::petition_actions::grant_appeal,
        routes::petition_actions::refuse_appeal,
        routes::petition_actions::mark_typical,
        routes::notifications::list,
        routes::notifications::unread_count,
        routes::notifications::mark_read,
        routes::notifications::get_settings,
        routes::notifications::put_settings,
        routes::notifications::invite,
        routes::notifications::rate,
        routes::ops::healthz,
        routes::ops::readyz,
        routes::ops::metrics,
    ),
    components(schemas(
        minhu_types::Problem,
        minhu_types::FieldError,
        routes::figures::BriefingFormat,
        routes::audit::AuditFormat,
        routes::figures::TrendFormat,
        minhu_types::FeedSort,
        minhu_types::TrendBy,
        minhu_types::PhotoSize,
        routes::open311::Format,
        routes::open311::Open311Error,
        routes::open311::Open311Status,
    )),
    modifiers(&Conventions),
    tags(
        (name = "auth", description = "Accounts and access tokens"),
        (name = "units", description = "The tree of handling units (承办单位)"),
        (name = "users", description = "Accounts with roles (admin)"),
        (name = "audit", description = "The log of unmasked reads of petitioners' personal data (admin)"),
        (name = "categories", description = "Petition categories"),
        (name = "partners", description = "API clients: newspaper apps, county portals (admin)"),
        (name = "triage", description = "The dispatch catalogue (派单目录) and suggestions for petitions under triage"),
        (name = "knowledge", description = "The knowledge base (知识库); public articles form the 帮打听 column"),
        (name = "open311", description = "Open311 GeoReport v2 for existing civic-tech clients: `.json` or `.xml`, errors as `[{code, description}]`"),
        (name = "webhooks", description = "Partners' signed callbacks on status changes of the petitions they submitted"),
        (name = "petitions", description = "Petitions (诉求) and their lifecycle"),
        (name = "assignments", description = "Units' inboxes and what units do with an order"),
        (name = "public", description = "Tracking and the public feed (no token)"),
        (name = "time limits", description = "Deadline policies, the working-day calendar and the supervision board (限时办理, 督办)"),
        (name = "figures", description = "Rankings, statistics and briefings (办理排行, 简报)"),
        (name = "notifications", description = "Messages to petitioners, units and leaders (消息) in the app, by SMS and e-mail; one-tap rating links (一事一评)"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as checked in at `openapi/openapi.json` and served at `/api-docs/openapi.json`.
pub fn document_json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        if let Some(components) = api.components.as_mut() {
            // utoipa writes the item schema of each `Page<T>` out in full (juhaku/utoipa#1586):
            // refer to `T`'s own schema instead, so generated clients type the items by name.
            let names: Vec<String> = components.schemas.keys().cloned().collect();
            for (name, schema) in components.schemas.iter_mut() {
                let Some(item) = name.strip_prefix("Page_") else {
                    continue;
                };
                if !names.iter().any(|n| n == item) {
                    continue;
                }
                if let RefOr::T(Schema::Object(page)) = schema {
                    page.properties.insert(
                        "items".to_owned(),
                        utoipa::openapi::schema::Array::new(Ref::from_schema_name(item)).into(),
                    );
                }
            }
            // Not the problem details: they may quote what the client sent.
            for (name, schema) in components.schemas.iter_mut() {
                if name == "Problem" || name == "FieldError" {
                    continue;
                }
                if let RefOr::T(Schema::Object(object)) = schema {
                    no_nul_in_strings(object);
                }
            }
        }
        for (path, item) in api.paths.paths.iter_mut() {
            let addressed = path.contains('{');
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            let open311 = path.starts_with("/open311/");
            for op in ops.into_iter().flatten() {
                // A public operation says so (`security: []`) rather than saying nothing,
                // which generators and linters read as "unspecified".
                if op.security.is_none() {
                    op.security = Some(Vec::new());
                }
                // Images are bytes (`format: binary`), not arrays of numbers as utoipa writes
                // a `Vec<u8>`.
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = response {
                        for (media, content) in r.content.iter_mut() {
                            if media.starts_with("image/") {
                                content.schema = Some(
                                    utoipa::openapi::schema::ObjectBuilder::new()
                                        .schema_type(Type::String)
                                        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                            utoipa::openapi::KnownFormat::Binary,
                                        )))
                                        .into(),
                                );
                            }
                        }
                    }
                }
                if open311 {
                    add_open311_errors(op);
                } else {
                    add_error_responses(op, addressed);
                }
            }
        }
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// The server refuses NUL characters in any string (PostgreSQL cannot store them); the schema
/// says so, so clients and fuzzers know before they send.
fn no_nul_in_strings(object: &mut Object) {
    const NO_NUL: &str = "^[^\\u0000]*$";
    for property in object.properties.values_mut() {
        match property {
            RefOr::T(Schema::Object(p)) if is_plain_string(p) => {
                p.pattern.get_or_insert_with(|| NO_NUL.to_owned());
            }
            RefOr::T(Schema::Object(p)) => no_nul_in_strings(p),
            _ => {}
        }
    }
}

fn is_plain_string(p: &Object) -> bool {
    let string = match &p.schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    };
    string && p.format.is_none() && p.enum_values.is_none()
}

/// Open311 answers errors in its own format, as JSON or XML by the path's extension.
fn add_open311_errors(op: &mut Operation) {
    let post = op.request_body.is_some();
    let responses = &mut op.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::schema::Array::new(
                                Ref::from_schema_name("Open311Error"),
                            )))
                            .build(),
                    )
                    .content(
                        "text/xml",
                        ContentBuilder::new()
                            .schema(Some(
                                utoipa::openapi::schema::ObjectBuilder::new()
                                    .schema_type(Type::String),
                            ))
                            .build(),
                    )
                    .build(),
            )
        });
    };
    add("400", "A parameter or field is missing or malformed");
    add(
        "404",
        "No such resource, or an unknown format (not .json or .xml)",
    );
    if post {
        add("403", "No api_key, or one that is not valid");
        add("429", "The partner is over its request rate");
    }
    add("500", "Unexpected error");
}

/// Every operation documents the errors it can answer with, as problem details.
fn add_error_responses(op: &mut Operation, addressed: bool) {
    let has_body = op.request_body.is_some();
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let responses = &mut op.responses.responses;
    // Error bodies declared on handlers as `body = Problem` carry the problem media type.
    for (status, response) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            if let RefOr::T(r) = response {
                if let Some(content) = r.content.shift_remove("application/json") {
                    r.content.insert(PROBLEM_JSON.to_owned(), content);
                }
            }
        }
    }
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if has_body || has_params {
        add("400", "Malformed request: the body is not valid JSON, or a query parameter has the wrong type");
        add(
            "422",
            "Validation failed: `errors` names each invalid field",
        );
    }
    if has_body {
        add("413", "The body is larger than 1 MB");
        add("415", "The body is not `application/json`");
    }
    if secured {
        add("401", "No token, or an invalid or expired one");
        add("403", "The caller's role may not do this");
        add(
            "429",
            "A partner over its request rate (`MINHU_PARTNER_RATE_LIMIT`); `Retry-After` says when to try again",
        );
    }
    if addressed {
        add("404", "No such resource, or one the caller may not see");
    }
    add(
        "500",
        "Unexpected error; `request_id` identifies it in the server log",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the server registers (`resource!` and `open311_resource!` in `http/mod.rs`,
    /// under its group's prefix where it is in one) is in the document with the same methods,
    /// and the document has nothing the server does not route: a handler added without its
    /// `paths(...)` entry fails here. (That the router answers every documented operation is
    /// tested end to end in `tests/integration`.)
    #[test]
    fn the_document_lists_exactly_the_registered_routes() {
        let source = include_str!("mod.rs");
        // The groups (`api_scope("/petitions/{id}").configure(petition_routes)`): the
        // function that registers a group's resources, and their prefix.
        let groups: std::collections::BTreeMap<String, String> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cfg.service(api_scope(\""))
            .filter_map(|r| {
                let (prefix, rest) = r.split_once('"')?;
                let function = rest.strip_prefix(").configure(")?.split_once(')')?.0;
                Some((function.to_owned(), format!("/api/v1{prefix}")))
            })
            .collect();
        assert!(groups.len() >= 3, "parsed only {groups:?}");
        let mut group = None;
        let mut entered = std::collections::BTreeSet::new();
        let mut registered = std::collections::BTreeSet::new();
        for line in source.lines().map(str::trim) {
            if let Some((_, f)) = line.split_once("fn ").filter(|(before, _)| {
                before.is_empty() || before.starts_with("pub") || before.ends_with("async ")
            }) {
                let name = f.split('(').next().unwrap_or_default();
                group = groups.get(name).cloned();
                if group.is_some() {
                    entered.insert(name.to_owned());
                }
            }
            let (prefix, rest) = if let Some(r) = line.strip_prefix("resource!(cfg, \"") {
                (
                    if let Some(group) = &group {
                        group.as_str()
                    } else if r.starts_with("/healthz")
                        || r.starts_with("/readyz")
                        || r.starts_with("/metrics")
                    {
                        ""
                    } else {
                        "/api/v1"
                    },
                    r,
                )
            } else if let Some(r) = line.strip_prefix("open311_resource!(cfg, \"") {
                ("/open311/v2", r)
            } else {
                continue;
            };
            let (path, methods) = rest.split_once('"').expect("a quoted path");
            for part in methods.split(',') {
                if let Some((method, _)) = part.trim().trim_start_matches(')').split_once(" =>") {
                    let method = method.trim().trim_start_matches(',').trim();
                    registered.insert((format!("{prefix}{path}"), method.to_owned()));
                }
            }
        }
        assert!(registered.len() > 80, "parsed only {registered:?}");
        // Each group's function was read (under its one prefix: a function named in two groups
        // would be checked under one of them only).
        assert_eq!(
            entered.iter().collect::<Vec<_>>(),
            groups.keys().collect::<Vec<_>>()
        );
        let uses = |name: &str| source.matches(&format!(".configure({name})")).count();
        assert!(groups.keys().all(|name| uses(name) == 1), "{groups:?}");
        let api = ApiDoc::openapi();
        let mut documented = std::collections::BTreeSet::new();
        for (path, item) in &api.paths.paths {
            for (method, op) in [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("patch", &item.patch),
                ("delete", &item.delete),
            ] {
                if op.is_some() {
                    documented.insert((path.clone(), method.to_owned()));
                }
            }
        }
        let undocumented: Vec<_> = registered.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&registered).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the document: {undocumented:?}"
        );
        assert!(
            unrouted.is_empty(),
            "documented but not routed: {unrouted:?}"
        );
    }
}
