//! 民呼必应 (minhu): the petition platform city newspapers run with the 12345 hotline.
//!
//! Layers: [`http`] (routes, extractors, error mapping) → [`domain`] (pure rules) → [`db`]
//! (diesel over PostgreSQL and SQLite).

pub mod auth;
pub mod briefing;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod notifications;
pub mod photos;
pub mod seed;
pub mod server;
pub mod views;
pub mod webhooks;
pub mod workflow;
