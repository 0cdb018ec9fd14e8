//! The integration tests: the whole application against real SQLite and PostgreSQL databases.

mod support;

mod accounts;
mod authority;
mod city;
mod duplicates;
mod errors;
mod knowledge;
mod lifecycle;
mod matrix;
mod moderation;
mod notifications;
mod offered;
mod open311;
mod operations;
mod partners;
mod photos;
mod privacy;
mod rankings;
mod readers;
mod reference_data;
mod replicas;
mod statements;
mod time_limits;
mod triage;
mod webhooks;
