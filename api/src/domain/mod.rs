//! Domain rules: pure functions with no HTTP and no SQL, tested without a database.

pub mod accounts;
pub mod calendar;
pub mod dispatch;
pub mod duplicates;
pub mod figures;
pub mod knowledge;
pub mod lifecycle;
pub mod notifications;
pub mod petitions;
pub mod policy;
pub mod privacy;
pub mod units;
pub mod validate;
pub mod webhooks;
