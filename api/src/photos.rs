//! Photos attached to petitions: checked from their bytes, decoded under limits, turned upright
//! and re-encoded without any metadata (so EXIF, GPS positions included, never leaves the
//! server), with a thumbnail; kept in an object store (a directory under the data directory by
//! default, S3-compatible storage when configured).

use std::io::Cursor;
use std::sync::Arc;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Photos a petition may have.
pub const MAX_PER_PETITION: i64 = crate::domain::petitions::MAX_PHOTOS;
/// Bytes one photo may have as uploaded.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Longest side, and pixels in all, a photo may declare: a 10 MB file declaring more is a
/// decompression bomb (the largest phone cameras give 8,000 × 6,000).
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not JPEG, PNG or WebP by its first bytes.
    NotAnImage,
    /// Declares more pixels than [`MAX_SIDE`] / [`MAX_PIXELS`] allow.
    TooManyPixels { width: u32, height: u32 },
    /// The bytes say JPEG, PNG or WebP, but do not decode as one.
    Broken(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotAnImage => f.write_str("文件不是 JPEG、PNG 或 WebP 图片"),
            Refusal::TooManyPixels { width, height } => write!(
                f,
                "图片尺寸 {width}×{height} 过大：边长不超过 {MAX_SIDE} 像素、总计不超过 {} 万像素",
                MAX_PIXELS / 10_000
            ),
            Refusal::Broken(why) => write!(f, "图片已损坏，无法读取（{why}）"),
        }
    }
}

/// The formats accepted, by their first bytes (the file name and the declared type are not
/// trusted).
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// A photo ready to store: the re-encoded image in its own format and a JPEG thumbnail.
#[derive(Debug)]
pub struct Processed {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub image: Vec<u8>,
    pub thumbnail: Vec<u8>,
}

impl Processed {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub fn content_type(&self) -> &'static str {
        self.format.to_mime_type()
    }

    /// `jpg`, `png` or `webp`.
    pub fn extension(&self) -> &'static str {
        self.format.extensions_str()[0]
    }
}

fn broken(e: impl std::fmt::Display) -> Refusal {
    Refusal::Broken(e.to_string())
}

/// Checks, decodes and re-encodes an uploaded photo (CPU-bound: run it off the async workers).
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    let format = sniff(bytes).ok_or(Refusal::NotAnImage)?;
    // The header first (no pixels yet): a bomb is refused by what it declares.
    let mut header = ImageReader::with_format(Cursor::new(bytes), format);
    header.no_limits();
    let (width, height) = header.into_dimensions().map_err(broken)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    // Over the limits while decoding is a bomb too; anything else a broken file.
    let refuse = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels { width, height },
        other => broken(other),
    };
    let mut decoder = reader.into_decoder().map_err(refuse)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(refuse)?;
    img.apply_orientation(orientation);
    let image = encode(&img, format).map_err(broken)?;
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let thumbnail = jpeg(&thumb, 80).map_err(broken)?;
    Ok(Processed {
        format,
        width: img.width(),
        height: img.height(),
        image,
        thumbnail,
    })
}

/// Flattens transparency onto white (JPEG has no alpha).
fn opaque(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let mix = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([mix(r), mix(g), mix(b)])
    })
}

fn jpeg(img: &DynamicImage, quality: u8) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    opaque(img).write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))?;
    Ok(out)
}

/// Writes pixels only: these encoders add no EXIF, XMP or text chunks.
fn encode(img: &DynamicImage, format: ImageFormat) -> image::ImageResult<Vec<u8>> {
    match format {
        ImageFormat::Png => {
            let mut out = Vec::new();
            img.write_with_encoder(PngEncoder::new(&mut out))?;
            Ok(out)
        }
        ImageFormat::WebP => {
            let mut out = Vec::new();
            // The WebP encoder takes 8-bit RGB(A) only.
            let img = if img.color().has_alpha() {
                DynamicImage::ImageRgba8(img.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(img.to_rgb8())
            };
            img.write_with_encoder(WebPEncoder::new_lossless(&mut out))?;
            Ok(out)
        }
        _ => jpeg(img, 88),
    }
}

/// Where photos are kept.
#[derive(Clone)]
pub struct PhotoStore {
    inner: Arc<dyn ObjectStore>,
    /// Where, for the start-up log (never credentials).
    describe: String,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

/// `MINHU_PHOTO_STORE`: unset for the local directory, `s3://BUCKET[/PREFIX]` for S3-compatible
/// storage (credentials, region and endpoint from the usual `AWS_*` variables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoStorage {
    Local(std::path::PathBuf),
    S3 { bucket: String, prefix: String },
}

impl PhotoStorage {
    pub fn parse(value: Option<&str>, data_dir: &std::path::Path) -> Result<Self, String> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(PhotoStorage::Local(data_dir.join("photos"))),
            Some(v) => {
                let rest = v.strip_prefix("s3://").ok_or_else(|| {
                    format!("MINHU_PHOTO_STORE: expected s3://BUCKET or s3://BUCKET/PREFIX (unset for the data directory), got {v:?}")
                })?;
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(
                        "MINHU_PHOTO_STORE: the bucket name is missing (s3://BUCKET)".into(),
                    );
                }
                Ok(PhotoStorage::S3 {
                    bucket: bucket.to_owned(),
                    prefix: prefix.trim_matches('/').to_owned(),
                })
            }
        }
    }
}

impl PhotoStore {
    pub fn open(storage: &PhotoStorage) -> Result<Self, String> {
        match storage {
            PhotoStorage::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("MINHU_DATA_DIR: cannot create {}: {e}", dir.display()))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("MINHU_DATA_DIR: {}: {e}", dir.display()))?;
                Ok(PhotoStore {
                    inner: Arc::new(fs),
                    describe: format!("directory {}", dir.display()),
                })
            }
            PhotoStorage::S3 { bucket, prefix } => {
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| format!("MINHU_PHOTO_STORE: {e}"))?;
                let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(PhotoStore {
                    inner,
                    describe: format!("s3://{bucket}/{prefix}"),
                })
            }
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> object_store::Result<()> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }

    pub async fn get(&self, key: &str) -> object_store::Result<bytes::Bytes> {
        self.inner.get(&ObjectPath::from(key)).await?.bytes().await
    }

    /// Removes an object; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> object_store::Result<()> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}

/// The object keys of a photo and its thumbnail.
pub fn keys(petition_id: i64, token: &str, ext: &str) -> (String, String) {
    (
        format!("petitions/{petition_id}/{token}.{ext}"),
        format!("petitions/{petition_id}/{token}.thumb.jpg"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            w,
            h,
            image::Rgba([200, 10, 10, 128]),
        ));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(&png(2, 2)), Some(ImageFormat::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(process(b"<svg></svg>").unwrap_err(), Refusal::NotAnImage);
    }

    #[test]
    fn a_png_is_re_encoded_with_a_thumbnail() {
        let p = process(&png(800, 400)).unwrap();
        assert_eq!(
            (p.width, p.height, p.content_type()),
            (800, 400, "image/png")
        );
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
        assert_eq!(sniff(&p.thumbnail), Some(ImageFormat::Jpeg));
    }

    #[test]
    fn truncated_bytes_are_broken_not_a_panic() {
        let bytes = png(64, 64);
        assert!(matches!(process(&bytes[..40]), Err(Refusal::Broken(_))));
    }

    #[test]
    fn storage_setting() {
        let data = std::path::Path::new("data");
        assert_eq!(
            PhotoStorage::parse(None, data).unwrap(),
            PhotoStorage::Local(data.join("photos"))
        );
        assert_eq!(
            PhotoStorage::parse(Some("s3://minhu-photos/city/"), data).unwrap(),
            PhotoStorage::S3 {
                bucket: "minhu-photos".into(),
                prefix: "city".into()
            }
        );
        assert!(PhotoStorage::parse(Some("/var/photos"), data).is_err());
        assert!(PhotoStorage::parse(Some("s3://"), data).is_err());
    }
}
