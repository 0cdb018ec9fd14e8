//! One module per resource; one function per action.

pub mod assignments;
pub mod audit;
pub mod auth;
pub mod categories;
pub mod dispatch;
pub mod figures;
pub mod knowledge;
pub mod moderation;
pub mod notifications;
pub mod open311;
pub mod ops;
pub mod partners;
pub mod petition_actions;
pub mod petitions;
pub mod photos;
pub mod public;
pub mod readers;
pub mod replies;
pub mod supervision;
pub mod time_limits;
pub mod units;
pub mod users;
pub mod webhooks;
