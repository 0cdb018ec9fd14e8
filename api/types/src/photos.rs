//! Photos citizens attach to petitions (up to nine; JPEG, PNG or WebP).

use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A stored photo: `GET /api/v1/photos/{id}` serves the image, `?size=thumb` its thumbnail.
/// Re-encoded on upload: no EXIF (no GPS position), turned upright.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Photo {
    pub id: i64,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    /// Hidden from the public by moderation (officials still see it).
    #[serde(default)]
    pub hidden: bool,
}

/// The multipart body of `POST /api/v1/petitions/{id}/photos`.
#[cfg(feature = "openapi")]
#[derive(ToSchema)]
pub struct PhotoUpload {
    /// The image: JPEG, PNG or WebP (recognised by its bytes), at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Which rendition of a photo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhotoSize {
    /// The photo as stored.
    #[default]
    Full,
    /// A JPEG of at most 320 × 320 pixels.
    Thumb,
}

/// `GET /api/v1/photos/{id}?size=`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PhotoQuery {
    /// `full` (default) or `thumb`.
    pub size: Option<PhotoSize>,
}
