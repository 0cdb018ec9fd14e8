-- The knowledge base (知识库). Public articles form the 帮打听 column.
CREATE TABLE knowledge_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    category_id BIGINT REFERENCES categories (id),
    public BOOLEAN NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX knowledge_articles_category ON knowledge_articles (category_id);
