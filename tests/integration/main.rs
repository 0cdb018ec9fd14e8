//! The integration tests: the whole application against real SQLite and PostgreSQL databases.

mod support;

mod accounts;
mod errors;
mod operations;
mod reference_data;
