//! Knowledge-base articles.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use minhu_types::Article;

use super::schema::knowledge_articles as ka;
use super::{utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ka)]
pub struct ArticleRow {
    pub id: i64,
    pub question: String,
    pub answer: String,
    pub category_id: Option<i64>,
    pub public: bool,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ArticleRow {
    pub fn to_article(&self, score: Option<f64>) -> Article {
        Article {
            id: self.id,
            question: self.question.clone(),
            answer: self.answer.clone(),
            category_id: self.category_id,
            public: self.public,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            score,
        }
    }
}

pub struct NewArticleRow<'a> {
    pub question: &'a str,
    pub answer: &'a str,
    pub category_id: Option<i64>,
    pub public: bool,
    pub author_id: i64,
    pub now: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, a: &NewArticleRow<'_>) -> QueryResult<ArticleRow> {
    let id: i64 = diesel::insert_into(ka::table)
        .values((
            ka::question.eq(a.question),
            ka::answer.eq(a.answer),
            ka::category_id.eq(a.category_id),
            ka::public.eq(a.public),
            ka::author_id.eq(a.author_id),
            ka::created_at.eq(a.now),
            ka::updated_at.eq(a.now),
        ))
        .returning(ka::id)
        .get_result(conn)?;
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<ArticleRow> {
    ka::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = ka)]
pub struct ArticleChanges {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub category_id: Option<Option<i64>>,
    pub public: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn update(conn: &mut DbConn, id: i64, changes: &ArticleChanges) -> QueryResult<usize> {
    diesel::update(ka::table.find(id))
        .set(changes)
        .execute(conn)
}

/// The articles a search scores: public ones only unless `internal`, of one category when
/// given, newest first, at most `limit` (scoring happens in memory: a knowledge base holds
/// hundreds to a few thousand articles).
pub fn candidates(
    conn: &mut DbConn,
    category_id: Option<i64>,
    internal: bool,
    limit: i64,
) -> QueryResult<Vec<ArticleRow>> {
    let mut q = ka::table.into_boxed();
    if !internal {
        q = q.filter(ka::public.eq(true));
    }
    if let Some(c) = category_id {
        q = q.filter(ka::category_id.eq(c));
    }
    q.order(ka::id.desc())
        .limit(limit)
        .select(ArticleRow::as_select())
        .load(conn)
}
