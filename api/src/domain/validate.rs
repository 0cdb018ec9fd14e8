//! Collecting every invalid field of a request at once, so a 422 names all of them. The
//! collector and the request rules live in `minhu_types::rules`, shared with the web app.

pub use minhu_types::rules::Checks;
