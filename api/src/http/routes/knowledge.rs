//! The knowledge base (知识库): the hotline office, reporters and administrators keep it;
//! everybody reads the public articles (the 帮打听 column), staff the internal ones too.

use crate::http::extract::Editors;
use actix_web::{web, HttpResponse};
use diesel::OptionalExtension;
use minhu_types::{Article, ArticlePatch, NewArticle, Page, Problem};

use crate::db::{self, knowledge::ArticleChanges, knowledge::NewArticleRow, DbConn};
use crate::domain::knowledge::{score, terms};
use crate::domain::validate::Checks;
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{Allowed, Auth, MaybeAuth, PageQuery, Staff};
use crate::http::json::Json;
use crate::http::AppState;

const MAX_QUESTION: usize = 200;
const MAX_ANSWER: usize = 4000;
/// Articles a search scores at most.
const SCORED: i64 = 5000;

/// Whether the caller may read internal articles.
fn internal(caller: &MaybeAuth) -> bool {
    caller
        .0
        .as_ref()
        .is_some_and(|c| Staff::ROLES.contains(&c.role))
}

fn check_category(conn: &mut DbConn, id: Option<i64>) -> AppResult<()> {
    match id {
        Some(c) if db::categories::find(conn, c).optional()?.is_none() => Err(
            AppError::invalid_field("category_id", format!("分类 {c} 不存在")),
        ),
        _ => Ok(()),
    }
}

fn not_found(id: i64) -> AppError {
    AppError::not_found(format!("知识库文章 {id} 不存在"))
}

/// Scores articles against a text and keeps those that match, best first.
pub fn ranked(
    articles: Vec<db::knowledge::ArticleRow>,
    text: &str,
) -> Vec<(db::knowledge::ArticleRow, f64)> {
    let query = terms(text);
    let mut scored: Vec<_> = articles
        .into_iter()
        .map(|a| {
            let s = score(&query, &format!("{}\n{}", a.question, a.answer));
            (a, s)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.id.cmp(&a.0.id)));
    scored
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KnowledgeQuery {
    /// Words to search for, matched by Chinese character pairs; best matches first.
    #[param(max_length = 100)]
    pub q: Option<String>,
    pub category_id: Option<i64>,
}

/// List or search articles: public ones for everybody, internal ones too for staff.
#[utoipa::path(
    get, path = "/api/v1/knowledge", tag = "knowledge", operation_id = "list_knowledge",
    params(KnowledgeQuery, PageQuery),
    responses(
        (status = 200, description = "One page of articles (with `score` when searching)", body = Page<Article>),
        (status = 401, description = "A token was sent and is not valid (forged, expired or signed out): sign in again, or send none", body = Problem),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: MaybeAuth,
    query: crate::http::query::Query<KnowledgeQuery>,
    page: crate::http::query::Query<PageQuery>,
) -> AppResult<web::Json<Page<Article>>> {
    let paging = page.into_inner().paging()?;
    let KnowledgeQuery { q, category_id } = query.into_inner();
    let q = q.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(AppError::invalid_field("q", "搜索词最多 100 个字符"));
    }
    let internal = internal(&caller);
    let rows = state
        .db(move |conn| {
            Ok(db::knowledge::candidates(
                conn,
                category_id,
                internal,
                SCORED,
            )?)
        })
        .await?;
    // Scoring thousands of articles is CPU work: off the async workers, in a CPU slot.
    let all: Vec<Article> = state
        .cpu(move || match &q {
            None => rows.iter().map(|a| a.to_article(None)).collect(),
            Some(text) => ranked(rows, text)
                .into_iter()
                .map(|(a, s)| a.to_article(Some((s * 1000.0).round() / 1000.0)))
                .collect(),
        })
        .await?;
    Ok(web::Json(paging.of(all)))
}

/// One article (an internal one only for staff).
#[utoipa::path(
    get, path = "/api/v1/knowledge/{id}", tag = "knowledge", operation_id = "get_knowledge_article",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = Article),
        (status = 401, description = "A token was sent and is not valid (forged, expired or signed out): sign in again, or send none", body = Problem),
        (status = 404, description = "No such article, or an internal one", body = Problem),
    )
)]
pub async fn find(
    state: web::Data<AppState>,
    caller: MaybeAuth,
    id: web::Path<i64>,
) -> AppResult<web::Json<Article>> {
    let id = id.into_inner();
    let internal = internal(&caller);
    let row = state
        .db(move |conn| Ok(db::knowledge::find(conn, id).optional()?))
        .await?
        .filter(|a| a.public || internal)
        .ok_or_else(|| not_found(id))?;
    Ok(web::Json(row.to_article(None)))
}

/// Write an article (hotline office, reporters, administrators).
#[utoipa::path(
    post, path = "/api/v1/knowledge", tag = "knowledge", operation_id = "create_knowledge_article",
    request_body = NewArticle,
    security(("bearer" = [])),
    responses((status = 201, description = "The new article", body = Article))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Editors>,
    Json(req): Json<NewArticle>,
) -> AppResult<HttpResponse> {
    let mut c = Checks::new();
    c.text("question", &req.question, 1, MAX_QUESTION);
    c.text("answer", &req.answer, 1, MAX_ANSWER);
    c.finish().map_err(AppError::validation)?;
    let author = auth.user_id;
    let row = state
        .db(move |conn| {
            check_category(conn, req.category_id)?;
            Ok(db::knowledge::insert(
                conn,
                &NewArticleRow {
                    question: req.question.trim(),
                    answer: req.answer.trim(),
                    category_id: req.category_id,
                    public: req.public,
                    author_id: author,
                    now: db::now(),
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(row.to_article(None)))
}

/// Change an article (hotline office, reporters, administrators): only the fields given.
#[utoipa::path(
    patch, path = "/api/v1/knowledge/{id}", tag = "knowledge", operation_id = "update_knowledge_article",
    params(("id" = i64, Path, description = "Article id")),
    request_body = ArticlePatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed article", body = Article),
        (status = 404, description = "No such article", body = Problem),
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    _auth: Auth<Editors>,
    id: web::Path<i64>,
    Json(req): Json<ArticlePatch>,
) -> AppResult<web::Json<Article>> {
    let mut c = Checks::new();
    if let Some(q) = &req.question {
        c.text("question", q, 1, MAX_QUESTION);
    }
    if let Some(a) = &req.answer {
        c.text("answer", a, 1, MAX_ANSWER);
    }
    c.finish().map_err(AppError::validation)?;
    let id = id.into_inner();
    let row = state
        .db(move |conn| {
            db::knowledge::find(conn, id)
                .optional()?
                .ok_or_else(|| not_found(id))?;
            if let Some(category) = req.category_id {
                check_category(conn, category)?;
            }
            let changes = ArticleChanges {
                question: req.question.map(|q| q.trim().to_owned()),
                answer: req.answer.map(|a| a.trim().to_owned()),
                category_id: req.category_id,
                public: req.public,
                updated_at: Some(db::now()),
            };
            db::knowledge::update(conn, id, &changes)?;
            Ok(db::knowledge::find(conn, id)?)
        })
        .await?;
    Ok(web::Json(row.to_article(None)))
}
