//! The profile photo as a customer's browser and a programme's backend send
//! it: checked from its bytes, stripped of where it was taken, served with
//! headers that keep it an image, and deleted when it is replaced, removed
//! or its profile erased.

use e2e::admin::*;
use e2e::{base_url, http, read_profile, unique_customer};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

const JPEG: &[u8] = include_bytes!("../fixtures/gps.jpg");
const PNG: &[u8] = include_bytes!("../fixtures/meta.png");
const WEBP: &[u8] = include_bytes!("../fixtures/meta.webp");
const HUGE: &[u8] = include_bytes!("../fixtures/huge.png");

fn my_photo() -> String {
    format!("{}/v1/customers/me/photo", base_url())
}

fn photo_url(id: &str) -> String {
    format!("{}/v1/photos/{id}", base_url())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn upload(url: &str, bearer: &str, media_type: &str, body: Vec<u8>) -> Response {
    http()
        .put(url)
        .bearer_auth(bearer)
        .header("Content-Type", media_type)
        .body(body)
        .send()
        .await
        .expect("an upload")
}

/// A new customer of a new tenant: their token and their tenant.
async fn customer(prefix: &str) -> (String, String, String) {
    let t = format!("{prefix}-{}", e2e::now());
    tenant(&t).await;
    let id = unique_customer(prefix);
    let token = customer_token(&t, &id);
    (t, id, token)
}

/// The photo the answer's profile names.
async fn photo_of(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK, "the upload");
    let profile: Value = response.json().await.unwrap();
    let id = profile["photo"].as_str().expect("a photo").to_owned();
    assert!(profile::photo::valid_id(&id), "{id}");
    id
}

async fn status_of(url: &str) -> StatusCode {
    http().get(url).send().await.unwrap().status()
}

/// Waits (at most 10 s) until the photo `id` is no longer served.
async fn assert_deleted(id: &str) {
    let started = Instant::now();
    while status_of(&photo_url(id)).await != StatusCode::NOT_FOUND {
        assert!(started.elapsed() < Duration::from_secs(10), "{id} was kept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn field_error(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let problem: Value = response.json().await.unwrap();
    let error = &problem["errors"][0];
    (
        status,
        error["pointer"].as_str().unwrap_or_default().to_owned(),
        error["code"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_picture_is_judged_by_its_bytes_and_a_refused_one_changes_nothing() {
    let (_, _, token) = customer("photo-refused").await;
    let (before, etag) = read_profile(&token).await;
    let url = my_photo();

    let png_as_jpeg = upload(&url, &token, "image/jpeg", PNG.to_vec()).await;
    let (status, pointer, code) = field_error(png_as_jpeg).await;
    assert_eq!(
        (status, pointer.as_str(), code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "/photo", "ImageType")
    );

    let text_as_png = upload(&url, &token, "image/png", b"I am not a picture".to_vec()).await;
    let (status, _, code) = field_error(text_as_png).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "ImageType")
    );

    let huge = upload(&url, &token, "image/png", HUGE.to_vec()).await;
    let problem: Value = {
        assert_eq!(huge.status(), StatusCode::UNPROCESSABLE_ENTITY);
        huge.json().await.unwrap()
    };
    assert_eq!(problem["errors"][0]["code"], "ImageTooManyPixels");
    assert_eq!(problem["errors"][0]["params"]["max"], 4096);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("4096")
    );

    let mut five_mib = JPEG.to_vec();
    five_mib.resize(5 * 1024 * 1024, 0);
    let too_big = upload(&url, &token, "image/jpeg", five_mib).await;
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let gif = upload(&url, &token, "image/gif", b"GIF89a".to_vec()).await;
    assert_eq!(gif.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (after, after_etag) = read_profile(&token).await;
    assert_eq!((after_etag, after.get("photo")), (etag, None));
    assert_eq!(after["version"], before["version"]);
}

#[tokio::test]
async fn a_jpeg_loses_its_gps_and_is_served_as_an_image_and_nothing_else() {
    let (_, _, token) = customer("photo-gps").await;
    assert!(contains(JPEG, b"Exif\0\0") && contains(JPEG, b"PhoneMaker"));
    let id = photo_of(upload(&my_photo(), &token, "image/jpeg", JPEG.to_vec()).await).await;

    let served = http().get(photo_url(&id)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let header = |name: &str| served.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "image/jpeg");
    assert_eq!(
        header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-security-policy"), "default-src 'none'");
    let bytes = served.bytes().await.unwrap();
    for personal in [
        &b"Exif\0\0"[..],
        b"PhoneMaker",
        b"GPS",
        b"taken at home",
        b"Photoshop 3.0",
        b"http://ns.adobe.com/xap/1.0/",
    ] {
        assert!(
            !contains(&bytes, personal),
            "{}",
            String::from_utf8_lossy(personal)
        );
    }
    assert!(
        contains(&bytes, b"ICC_PROFILE\0"),
        "the colour profile is kept"
    );
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]));

    // Ids that were never given, or are not ids at all.
    assert_eq!(
        status_of(&photo_url(&"0".repeat(32))).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&photo_url("..%2Fconfig")).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn replacing_and_removing_a_photo_delete_the_old_one_and_the_history_says_so() {
    let (_, _, token) = customer("photo-replace").await;
    let first = photo_of(upload(&my_photo(), &token, "image/png", PNG.to_vec()).await).await;
    assert_eq!(status_of(&photo_url(&first)).await, StatusCode::OK);
    let second = photo_of(upload(&my_photo(), &token, "image/webp", WEBP.to_vec()).await).await;
    assert_ne!(first, second);
    assert_deleted(&first).await;
    let served = http().get(photo_url(&second)).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/webp");
    let webp = served.bytes().await.unwrap();
    assert!(!contains(&webp, b"EXIF") && !contains(&webp, b"XMP "));

    let history = get_json(format!("{}/v1/customers/me/history", base_url()), &token).await;
    assert_eq!(
        history["entries"][0]["fields"],
        serde_json::json!(["photo"])
    );
    assert_eq!(
        history["entries"][1]["fields"],
        serde_json::json!(["photo"])
    );

    // Removing it, with the version the customer last saw.
    let (_, etag) = read_profile(&token).await;
    let removed = http()
        .delete(my_photo())
        .bearer_auth(&token)
        .header("If-Match", "\"not-this-version\"")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::PRECONDITION_FAILED);
    let removed = http()
        .delete(my_photo())
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert_ne!(removed.headers()["etag"].to_str().unwrap(), etag);
    let profile: Value = removed.json().await.unwrap();
    assert_eq!(profile.get("photo"), None);
    assert_deleted(&second).await;
}

#[tokio::test]
async fn the_export_links_the_photo_and_erasure_deletes_it() {
    let (_, _, token) = customer("photo-erase").await;
    let id = photo_of(upload(&my_photo(), &token, "image/jpeg", JPEG.to_vec()).await).await;
    let export = get_json(format!("{}/v1/customers/me/export", base_url()), &token).await;
    let link = export["photo"].as_str().expect("a link").to_owned();
    assert_eq!(link, photo_url(&id));
    assert_eq!(status_of(&link).await, StatusCode::OK);

    let (_, etag) = read_profile(&token).await;
    let erased = http()
        .delete(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(&token)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    assert_deleted(&id).await;
    let export = get_json(format!("{}/v1/customers/me/export", base_url()), &token).await;
    assert_eq!(export.get("photo"), None);
}

#[tokio::test]
async fn a_programmes_backend_sets_and_removes_a_photo_by_id_with_the_write_scope() {
    let (t, customer_id, token) = customer("photo-admin").await;
    read_profile(&token).await;
    let (reader, _) = key(&t, &["customers:read"]).await;
    let (writer, writer_id) = key(&t, &["customers:write"]).await;
    let url = format!("{}/photo", customer_url(&customer_id));

    let refused = upload(&url, &reader, "image/png", PNG.to_vec()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let missing = upload(
        &format!("{}/photo", customer_url("nobody-here")),
        &writer,
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let id = photo_of(upload(&url, &writer, "image/png", PNG.to_vec()).await).await;
    let (profile, _) = read_profile(&token).await;
    assert_eq!(profile["photo"], id.as_str());
    let history = get_json(format!("{}/history", customer_url(&customer_id)), &reader).await;
    assert_eq!(history["entries"][0]["actor"], format!("key:{writer_id}"));
    assert_eq!(
        history["entries"][0]["fields"],
        serde_json::json!(["photo"])
    );

    let removed = http()
        .delete(&url)
        .bearer_auth(&writer)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    assert_deleted(&id).await;
}
