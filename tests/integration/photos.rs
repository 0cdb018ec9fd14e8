//! Photos: upload, EXIF (GPS included) gone after re-encoding, thumbnails, who may see them,
//! and every refusal leaving nothing stored.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use minhu_types::Photo;
use serde_json::{json, Value};

use crate::city::City;
use crate::support::{both, both_backends, Backend, Resp, TestApp, TestDb};

const BOUNDARY: &str = "minhu-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body with one file part.
fn multipart(field: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /petitions/{petition}/photos` with a multipart body, as `token` (or without one).
async fn post_multipart(app: &TestApp, token: Option<&str>, petition: i64, body: Vec<u8>) -> Resp {
    let path = format!("/api/v1/petitions/{petition}/photos");
    post_multipart_to(app, token, &path, body).await
}

/// `POST path` with a multipart body, as `token` (or without one).
async fn post_multipart_to(app: &TestApp, token: Option<&str>, path: &str, body: Vec<u8>) -> Resp {
    let mut req = app.post(path).header(
        "content-type",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(t) = token {
        req = req.token(t);
    }
    req.body(body).send().await
}

pub(crate) async fn upload_as(
    app: &TestApp,
    token: &str,
    petition: i64,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Resp {
    let body = multipart("file", filename, content_type, bytes);
    post_multipart(app, Some(token), petition, body).await
}

pub(crate) fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

pub(crate) fn picture(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, 120])
    }))
}

const SECRET: &[u8] = b"minhu-secret-place";

/// A JPEG as a phone takes it: 64 × 48 pixels stored sideways with an EXIF block that says
/// "rotate 90°", a description, and a GPS position (35°13'45.67"N 113°26'46.00"E).
fn phone_jpeg() -> Vec<u8> {
    let plain = encoded(&picture(64, 48), ImageFormat::Jpeg);
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8: three entries (8 + 2 + 36 + 4 = 50), the description at 50 (19 bytes, padded
    // to 20), the GPS IFD at 70 (four entries: 70 + 54 = 124), latitude at 124, longitude at 148.
    tiff.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut tiff, 0x010E, 2, 19, 50); // ImageDescription
    entry(&mut tiff, 0x0112, 3, 1, 6); // Orientation: rotate 90° clockwise
    entry(&mut tiff, 0x8825, 4, 1, 70); // GPSInfo
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(SECRET);
    tiff.extend_from_slice(b"\0\0");
    assert_eq!(tiff.len(), 70);
    tiff.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut tiff, 0x0001, 2, 2, u32::from(b'N')); // GPSLatitudeRef
    entry(&mut tiff, 0x0002, 5, 3, 124); // GPSLatitude
    entry(&mut tiff, 0x0003, 2, 2, u32::from(b'E')); // GPSLongitudeRef
    entry(&mut tiff, 0x0004, 5, 3, 148); // GPSLongitude
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len(), 124);
    for (n, d) in [
        (35u32, 1u32),
        (13, 1),
        (4567, 100),
        (113, 1),
        (26, 1),
        (4600, 100),
    ] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn exif_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("format");
    let mut decoder = reader.into_decoder().expect("decoder");
    decoder.exif_metadata().expect("exif")
}

/// Fetches photo `id` as `token`: the phone photo served clean — a JPEG with no EXIF block
/// and none of its text, turned upright (48 × 64).
async fn assert_served_clean(app: &TestApp, token: &str, id: i64) {
    let res = app
        .get(&format!("/api/v1/photos/{id}"))
        .token(token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("image/jpeg"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(exif_of(&res.body), None, "EXIF left the server");
    assert!(!contains(&res.body, b"Exif") && !contains(&res.body, SECRET));
    let served = image::load_from_memory(&res.body).expect("a JPEG");
    assert_eq!((served.width(), served.height()), (48, 64));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under the app's data directory.
fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.db.dir.join("data").join("photos"), &mut out);
    out.sort();
    out
}

async fn a_phone_photo_is_stored_upright_without_exif(app: TestApp) {
    let city = City::build(&app).await;
    let id = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    let original = phone_jpeg();
    // The fixture really carries the position and the orientation.
    let exif = exif_of(&original).expect("the fixture has EXIF");
    assert!(contains(&exif, SECRET) && contains(&exif, &35u32.to_le_bytes()));

    let res = upload_as(
        &app,
        &city.citizen,
        id,
        "IMG_0001.JPG",
        "image/jpeg",
        &original,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let photo: Photo = res.json();
    assert_eq!(photo.content_type, "image/jpeg");
    // Turned upright: the sideways 64 × 48 becomes 48 × 64.
    assert_eq!((photo.width, photo.height), (48, 64));

    assert_served_clean(&app, &city.citizen, photo.id).await;
    // Nor is it kept on the disk.
    let files = stored_files(&app);
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        assert!(
            !contains(&bytes, b"Exif") && !contains(&bytes, SECRET),
            "{f:?}"
        );
    }

    // The thumbnail.
    let res = app
        .get(&format!("/api/v1/photos/{}?size=thumb", photo.id))
        .token(&city.operator)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("image/jpeg"));
    let thumb = image::load_from_memory(&res.body).expect("a JPEG");
    assert!(thumb.width() <= 320 && thumb.height() <= 320);
    assert_eq!(exif_of(&res.body), None);

    // The petition lists it.
    let res = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&city.citizen)
        .send()
        .await;
    assert_eq!(
        res.value()["photos"],
        json!([serde_json::to_value(&photo).unwrap()])
    );

    // PNG and WebP keep their format.
    let png = encoded(&picture(30, 20), ImageFormat::Png);
    let res = upload_as(&app, &city.citizen, id, "a.png", "image/png", &png).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json::<Photo>().content_type, "image/png");
    let webp = encoded(&picture(30, 20), ImageFormat::WebP);
    // The declared type is not trusted either way.
    let res = upload_as(
        &app,
        &city.operator,
        id,
        "b.bin",
        "application/octet-stream",
        &webp,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let p: Photo = res.json();
    assert_eq!(
        (p.content_type.as_str(), p.width, p.height),
        ("image/webp", 30, 20)
    );
}
both!(a_phone_photo_is_stored_upright_without_exif);

async fn photos_are_seen_only_by_those_who_see_the_petition(app: TestApp) {
    let city = City::build(&app).await;
    let png = encoded(&picture(16, 16), ImageFormat::Png);
    let mut photo_of = Vec::new();
    let mut tracking = Vec::new();
    for consent in [true, false] {
        let petition = city.submit(&app, json!({"publish_consent": consent})).await;
        let id = petition["id"].as_i64().expect("id");
        tracking.push(
            petition["tracking_no"]
                .as_str()
                .expect("tracking_no")
                .to_owned(),
        );
        let res = upload_as(&app, &city.citizen, id, "a.png", "image/png", &png).await;
        assert_eq!(res.status, 201, "{}", res.text());
        photo_of.push((id, res.json::<Photo>().id));
    }
    // What the public pages list: (tracking page's photo ids, Open311 media_url).
    let listed = |no: String| {
        let app = &app;
        async move {
            let page = app.get(&format!("/api/v1/track/{no}")).send().await.value();
            let ids: Vec<i64> = page["photos"]
                .as_array()
                .expect("photos")
                .iter()
                .map(|p| p["id"].as_i64().expect("photo id"))
                .collect();
            let open311 = app
                .get(&format!("/open311/v2/requests/{no}.json"))
                .send()
                .await
                .value();
            (ids, open311[0]["media_url"].clone())
        }
    };
    let get = |token: Option<String>, photo: i64| {
        let app = &app;
        async move {
            let mut req = app.get(&format!("/api/v1/photos/{photo}"));
            if let Some(t) = token {
                req = req.token(&t);
            }
            req.send().await.status
        }
    };
    let (published, public_photo) = photo_of[0];
    let (_, private_photo) = photo_of[1];
    // Before triage nobody outside sees either, and no public page lists them.
    assert_eq!(get(None, public_photo).await, 404);
    assert_eq!(listed(tracking[0].clone()).await, (vec![], Value::Null));
    assert_eq!(
        get(Some(city.other_citizen.clone()), public_photo).await,
        404
    );
    assert_eq!(get(Some(city.xiuwu.clone()), public_photo).await, 404);
    for who in [
        &city.citizen,
        &city.operator,
        &city.reporter,
        &city.leader,
        &city.admin,
    ] {
        assert_eq!(get(Some(who.clone()), private_photo).await, 200);
    }
    // Accepted with consent: public, like the petition in the feed; without consent: never.
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{published}/accept"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(get(None, public_photo).await, 200);
    assert_eq!(
        get(Some(city.other_citizen.clone()), public_photo).await,
        200
    );
    let (ids, media_url) = listed(tracking[0].clone()).await;
    assert_eq!(ids, vec![public_photo]);
    let media_url = media_url.as_str().expect("media_url").to_owned();
    assert!(
        media_url.starts_with("http")
            && media_url.ends_with(&format!("/api/v1/photos/{public_photo}")),
        "{media_url}"
    );
    let feed = app.get("/api/v1/public/petitions").send().await.value();
    let item = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["tracking_no"] == json!(tracking[0]))
        .expect("published petition in the feed");
    assert_eq!(item["photos"][0]["id"], json!(public_photo));
    let (private, _) = photo_of[1];
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{private}/accept"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(get(None, private_photo).await, 404);
    assert_eq!(
        get(Some(city.other_citizen.clone()), private_photo).await,
        404
    );
    assert_eq!(listed(tracking[1].clone()).await, (vec![], Value::Null));
    assert_eq!(
        get(Some("forged.token.here".into()), private_photo).await,
        401
    );
    assert_eq!(get(Some(city.citizen.clone()), 999_999).await, 404);
    // The unit the order is dispatched to sees it then.
    city.call(
        &app,
        &city.operator,
        &format!("/api/v1/petitions/{private}/assignments"),
        json!({"unit_id": city.xiuwu_id, "role": "lead"}),
        201,
    )
    .await;
    assert_eq!(get(Some(city.xiuwu.clone()), private_photo).await, 200);
    assert_eq!(get(Some(city.xinhua.clone()), private_photo).await, 404);

    // Who may add photos: the petitioner and the hotline office; others who can see it may not.
    let res = upload_as(
        &app,
        &city.other_citizen,
        private,
        "a.png",
        "image/png",
        &png,
    )
    .await;
    res.problem(404);
    let res = upload_as(&app, &city.reporter, private, "a.png", "image/png", &png).await;
    res.problem(403);
    let res = upload_as(&app, &city.xiuwu, private, "a.png", "image/png", &png).await;
    res.problem(403);
    let body = multipart("file", "a.png", "image/png", &png);
    post_multipart(&app, None, private, body).await.problem(401);
}
both!(photos_are_seen_only_by_those_who_see_the_petition);

async fn refused_uploads_store_nothing(app: TestApp) {
    let city = City::build(&app).await;
    let id = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    let count = || async {
        let res = app
            .get(&format!("/api/v1/petitions/{id}"))
            .token(&city.citizen)
            .send()
            .await;
        res.value()["photos"].as_array().map_or(0, Vec::len)
    };

    // Not an image, whatever the name and the declared type say.
    let res = upload_as(
        &app,
        &city.citizen,
        id,
        "a.jpg",
        "image/jpeg",
        b"<html>not a photo</html>",
    )
    .await;
    assert_eq!(res.problem(415).code, "unsupported_media_type");
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let res = upload_as(&app, &city.citizen, id, "a.gif", "image/gif", gif).await;
    res.problem(415);
    // Claims to be a JPEG but is cut off.
    let jpeg = encoded(&picture(64, 64), ImageFormat::Jpeg);
    let res = upload_as(
        &app,
        &city.citizen,
        id,
        "a.jpg",
        "image/jpeg",
        &jpeg[..jpeg.len() / 3],
    )
    .await;
    let p = res.problem(422);
    assert_eq!(p.errors[0].field, "file");
    // Over 10 MB.
    let mut big = jpeg.clone();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let res = upload_as(&app, &city.citizen, id, "big.jpg", "image/jpeg", &big).await;
    assert_eq!(res.problem(413).code, "payload_too_large");
    // A decompression bomb: 110 KB of PNG declaring 30,000 × 30,000 pixels (900 MB decoded).
    let bomb = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/bomb.png"
    ))
    .expect("bomb fixture");
    assert!(bomb.len() < 200 * 1024);
    let res = upload_as(&app, &city.citizen, id, "bomb.png", "image/png", &bomb).await;
    let p = res.problem(413);
    assert_eq!(p.code, "image_too_large");
    assert!(p.detail.contains("30000×30000"), "{}", p.detail);
    // No file part, another field name, not multipart at all.
    let body = multipart("picture", "a.jpg", "image/jpeg", &jpeg);
    let res = post_multipart(&app, Some(&city.citizen), id, body).await;
    assert_eq!(res.problem(422).errors[0].field, "file");
    let res = app
        .post(&format!("/api/v1/petitions/{id}/photos"))
        .token(&city.citizen)
        .json(json!({"file": "aGVsbG8="}))
        .send()
        .await;
    res.problem(415);
    let res = post_multipart(&app, Some(&city.citizen), id, b"--garbage".to_vec()).await;
    res.problem(400);
    assert_eq!(count().await, 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));

    // The petition says whether an upload would be accepted, by the server's own rule: the
    // app offers it exactly then.
    let can_add = |token: String, petition: i64| {
        let app = &app;
        async move {
            let res = app
                .get(&format!("/api/v1/petitions/{petition}"))
                .token(&token)
                .send()
                .await;
            res.value()["can_add_photos"]
                .as_bool()
                .expect("can_add_photos")
        }
    };
    assert!(can_add(city.citizen.clone(), id).await);
    assert!(can_add(city.operator.clone(), id).await);
    for token in [city.reporter.clone(), city.leader.clone()] {
        assert!(!can_add(token.clone(), id).await);
        let res = upload_as(
            &app,
            &token,
            id,
            "a.png",
            "image/png",
            &encoded(&picture(8, 8), ImageFormat::Png),
        )
        .await;
        assert_eq!(res.status, 403, "{}", res.text());
    }

    // Nine at most.
    let small = encoded(&picture(8, 8), ImageFormat::Png);
    for _ in 0..9 {
        assert!(can_add(city.citizen.clone(), id).await);
        let res = upload_as(&app, &city.citizen, id, "a.png", "image/png", &small).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    assert!(!can_add(city.citizen.clone(), id).await);
    assert!(!can_add(city.operator.clone(), id).await);
    let res = upload_as(&app, &city.citizen, id, "a.png", "image/png", &small).await;
    assert_eq!(res.problem(409).code, "too_many_photos");
    assert_eq!(count().await, 9);
    assert_eq!(stored_files(&app).len(), 18);

    // Not on a petition that has ended.
    city.call(
        &app,
        &city.citizen,
        &format!("/api/v1/petitions/{id}/withdraw"),
        json!({}),
        200,
    )
    .await;
    let other = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    city.call(
        &app,
        &city.citizen,
        &format!("/api/v1/petitions/{other}/withdraw"),
        json!({}),
        200,
    )
    .await;
    assert!(!can_add(city.citizen.clone(), other).await);
    let res = upload_as(&app, &city.citizen, other, "a.png", "image/png", &small).await;
    assert_eq!(res.problem(409).code, "invalid_transition");
    assert_eq!(stored_files(&app).len(), 18);
}
both!(refused_uploads_store_nothing);

/// Photos in S3-compatible object storage, the configuration several API replicas need.
/// `bash .ci/run` starts a stand-in (moto) and exports its address and credentials as the
/// `AWS_*` variables the store reads; each test keeps its objects under its own prefix.
async fn photos_in_s3_compatible_storage(backend: Backend) {
    use futures_util::TryStreamExt;
    use object_store::ObjectStore;

    std::env::var("AWS_ENDPOINT")
        .expect("AWS_ENDPOINT: an S3-compatible endpoint (bash .ci/run starts one)");
    const BUCKET: &str = "minhu-test";
    let db = TestDb::new(backend);
    let prefix = db
        .dir
        .file_name()
        .expect("test dir name")
        .to_string_lossy()
        .into_owned();
    let store = format!("s3://{BUCKET}/{prefix}");
    let app = TestApp::on(db.with("MINHU_PHOTO_STORE", &store)).await;
    let bucket = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(BUCKET)
        .build()
        .expect("S3 client");
    let objects = || {
        let bucket = &bucket;
        let prefix = object_store::path::Path::from(prefix.as_str());
        async move {
            let mut keys: Vec<String> = bucket
                .list(Some(&prefix))
                .map_ok(|m| m.location.to_string())
                .try_collect()
                .await
                .expect("list the bucket");
            keys.sort();
            keys
        }
    };

    let city = City::build(&app).await;
    let id = city.submit(&app, json!({})).await["id"]
        .as_i64()
        .expect("id");
    let res = upload_as(
        &app,
        &city.citizen,
        id,
        "phone.jpg",
        "image/jpeg",
        &phone_jpeg(),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let photo = res.json::<Photo>();
    // The photo and its thumbnail are objects under the prefix, not files on the disk.
    let keys = objects().await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with(&prefix)), "{keys:?}");
    assert!(stored_files(&app).is_empty());
    assert_served_clean(&app, &city.citizen, photo.id).await;
    let thumb = app
        .get(&format!("/api/v1/photos/{}?size=thumb", photo.id))
        .token(&city.citizen)
        .send()
        .await;
    assert_eq!(thumb.status, 200);
    assert!(thumb.body.starts_with(&[0xFF, 0xD8]), "a JPEG thumbnail");
    // A refused upload adds nothing to the bucket.
    let res = upload_as(
        &app,
        &city.citizen,
        id,
        "a.jpg",
        "image/jpeg",
        b"<html>no</html>",
    )
    .await;
    res.problem(415);
    assert_eq!(objects().await, keys);
}
both_backends!(photos_in_s3_compatible_storage);

/// A reply's photos of the work done: only the replying unit adds them, with the same checks;
/// a public reply shows them to everyone, a private one only to those who see the petition;
/// they do not count against the petition's own nine.
async fn evidence_on_replies(app: TestApp) {
    let city = City::build(&app).await;
    let (id, aid) = city.dispatched(&app).await;
    let reply = city
        .signed_and_replied(
            &app,
            id,
            aid,
            json!({"body": "路面已修复，附修复前后照片。", "outcome": "resolved", "public": true}),
        )
        .await;
    let rid = reply["id"].as_i64().expect("reply id");
    let png = encoded(&picture(24, 16), ImageFormat::Png);
    let to_reply = |token: String, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let body = multipart("file", "after.png", "image/png", &bytes);
            let path = format!("/api/v1/replies/{rid}/photos");
            post_multipart_to(app, Some(&token), &path, body).await
        }
    };
    let res = to_reply(city.xiuwu.clone(), png.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let photo = res.value()["id"].as_i64().expect("photo id");
    // Not the petitioner, not the hotline office, not another unit; not a text file.
    to_reply(city.citizen.clone(), png.clone())
        .await
        .problem(403);
    to_reply(city.operator.clone(), png.clone())
        .await
        .problem(403);
    to_reply(city.xinhua.clone(), png.clone())
        .await
        .problem(404);
    to_reply(city.xiuwu.clone(), b"not an image".to_vec())
        .await
        .problem(415);

    // The petitioner sees it on the reply; the petition's own photos are untouched.
    let mine = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&city.citizen)
        .send()
        .await
        .value();
    assert_eq!(mine["replies"][0]["photos"][0]["id"], json!(photo));
    assert_eq!(mine["photos"], json!([]));
    assert_eq!(mine["can_add_photos"], json!(true));
    // A public reply: on the public page and without a token.
    let no = mine["tracking_no"].as_str().expect("no");
    let public = app.get(&format!("/api/v1/track/{no}")).send().await.value();
    assert_eq!(public["replies"][0]["photos"][0]["id"], json!(photo));
    assert_eq!(public["photos"], json!([]));
    let res = app.get(&format!("/api/v1/photos/{photo}")).send().await;
    assert_eq!(res.status, 200);
    // Hidden by the editors: gone from the public page and refused without a token.
    let res = app
        .post(&format!("/api/v1/petitions/{id}/moderation"))
        .token(&city.reporter)
        .json(json!({"hidden_photo_ids": [photo], "reason": "照片含有路人面部"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let public = app.get(&format!("/api/v1/track/{no}")).send().await.value();
    assert_eq!(public["replies"][0]["photos"], json!([]));
    app.get(&format!("/api/v1/photos/{photo}"))
        .send()
        .await
        .problem(404);
    let res = app
        .get(&format!("/api/v1/photos/{photo}"))
        .token(&city.citizen)
        .send()
        .await;
    assert_eq!(res.status, 200);
}

both!(evidence_on_replies);

/// Photos on a progress note (办理进展): the unit that noted it adds them, nine to a note, with
/// the same checks; they show on the timeline to those who see the petition, never on the
/// public page or without a token, and are not the petition's own.
async fn photos_on_progress_notes(app: TestApp) {
    let city = City::build(&app).await;
    let (id, aid) = city.dispatched(&app).await;
    city.call(
        &app,
        &city.xiuwu,
        &format!("/api/v1/assignments/{aid}/sign"),
        json!({}),
        200,
    )
    .await;
    city.call(
        &app,
        &city.xiuwu,
        &format!("/api/v1/assignments/{aid}/progress"),
        json!({"note": "已到现场，路面开挖中。"}),
        200,
    )
    .await;
    let timeline = |token: String| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/petitions/{id}/events"))
                .token(&token)
                .send()
                .await
                .value()
        }
    };
    let events = timeline(city.xiuwu.clone()).await;
    let of = |events: &serde_json::Value, action: &str| {
        events
            .as_array()
            .and_then(|e| e.iter().rev().find(|e| e["action"] == action))
            .cloned()
            .expect("event")
    };
    let note = of(&events, "progress")["id"].as_i64().expect("event id");
    let accepted = of(&events, "accept")["id"].as_i64().expect("event id");
    let png = encoded(&picture(24, 16), ImageFormat::Png);
    let to_event = |token: String, event: i64, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let body = multipart("file", "before.png", "image/png", &bytes);
            let path = format!("/api/v1/events/{event}/photos");
            post_multipart_to(app, Some(&token), &path, body).await
        }
    };
    let res = to_event(city.xiuwu.clone(), note, png.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let photo = res.value()["id"].as_i64().expect("photo id");
    // Not another unit, not the petitioner, not an event that is not a progress note.
    to_event(city.xinhua.clone(), note, png.clone())
        .await
        .problem(404);
    to_event(city.citizen.clone(), note, png.clone())
        .await
        .problem(403);
    to_event(city.xiuwu.clone(), accepted, png.clone())
        .await
        .problem(422);
    to_event(city.xiuwu.clone(), note, b"not an image".to_vec())
        .await
        .problem(415);
    // Nine to a note.
    for _ in 1..9 {
        let res = to_event(city.xiuwu.clone(), note, png.clone()).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    to_event(city.xiuwu.clone(), note, png.clone())
        .await
        .problem(409);

    // On the timeline for the petitioner; not the petition's own; not public.
    let events = timeline(city.citizen.clone()).await;
    let photos = of(&events, "progress")["photos"].clone();
    assert_eq!(photos.as_array().map(Vec::len), Some(9));
    assert_eq!(photos[0]["id"], json!(photo));
    assert!(of(&events, "accept")["photos"]
        .as_array()
        .is_some_and(Vec::is_empty));
    let mine = app
        .get(&format!("/api/v1/petitions/{id}"))
        .token(&city.citizen)
        .send()
        .await
        .value();
    assert_eq!(mine["photos"], json!([]));
    assert_eq!(mine["can_add_photos"], json!(true));
    app.get(&format!("/api/v1/photos/{photo}"))
        .send()
        .await
        .problem(404);
    let res = app
        .get(&format!("/api/v1/photos/{photo}"))
        .token(&city.citizen)
        .send()
        .await;
    assert_eq!(res.status, 200);
    let no = mine["tracking_no"].as_str().expect("no");
    let public = app.get(&format!("/api/v1/track/{no}")).send().await.value();
    assert_eq!(public["photos"], json!([]));
}

both!(photos_on_progress_notes);
