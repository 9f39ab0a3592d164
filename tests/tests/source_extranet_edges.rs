//! The loyalty extranet's `PUT /api/v1/extranet/customers/me` (000) at its
//! edges: the photo in base64, each error in ASP.NET Web API's shape,
//! incomplete addresses, tenants, and the adapter switched off.

use base64::Engine;
use e2e::extranet::*;
use e2e::sources::{programme, sample};
use e2e::{base_url, http};
use serde_json::{Value, json};

#[tokio::test]
async fn a_photo_in_base64_is_stripped_of_its_gps_and_update_image_false_keeps_the_old_one() {
    let p = programme("extranet-photo", adapter(), rules(false)).await;
    let (profile_id, id, token) = customer(&p, "extranet-photo").await;
    let jpeg = base64::engine::general_purpose::STANDARD.encode(JPEG);
    let body = dto(&profile_id, &id, json!({"photoBase64": jpeg}));
    let (status, _, text) = put(
        &token,
        "?updateImage=true",
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    let photo_url = answer["urlPhoto"].as_str().unwrap().to_owned();
    assert!(
        photo_url.starts_with(&format!("{}/v1/photos/", base_url())),
        "{photo_url}"
    );
    let served = http().get(&photo_url).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let bytes = served.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    for personal in [&b"Exif\0\0"[..], b"PhoneMaker", b"GPS"] {
        assert!(!bytes.windows(personal.len()).any(|w| w == personal));
    }
    // updateImage=false: the picture sent is not looked at, the photo stays;
    // the URL sent back as it was answered is the photo's own.
    let other = dto(
        &profile_id,
        &id,
        json!({"photoBase64": "bm90IGEgcGljdHVyZQ==",
        "urlPhoto": photo_url, "firstName": "Kept"}),
    );
    let (status, _, text) = put(
        &token,
        "?updateImage=false",
        "application/json",
        other.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["urlPhoto"], photo_url.as_str());
    assert_eq!(answer["firstName"], "Kept");
    // Not a picture, with updateImage left to its default (true): refused.
    let (status, _, text) = put(&token, "", "application/json", other.to_string()).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("customer.PhotoBase64"), "{text}");
    let (status, _, text) = put(
        &token,
        "?updateImage=maybe",
        "application/json",
        other.to_string(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("customer.updateImage"), "{text}");
    // An empty text removes it.
    let empty = dto(&profile_id, &id, json!({"photoBase64": ""}));
    let (status, _, text) = put(
        &token,
        "?updateImage=true",
        "application/json",
        empty.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["urlPhoto"], Value::Null);
    assert_eq!(http().get(&photo_url).send().await.unwrap().status(), 404);
    assert!(
        p.history(&id)
            .await
            .iter()
            .any(|e| e["channel"] == "extranet"
                && e["fields"].as_array().unwrap().contains(&json!("photo")))
    );
}

#[tokio::test]
async fn each_error_has_asp_net_shape_in_the_requests_format_and_changes_nothing() {
    let p = programme("extranet-errors", adapter(), rules(false)).await;
    let (profile_id, id, token) = customer(&p, "extranet-errors").await;
    let before = p.stored(&id).await;
    let good = dto(&profile_id, &id, json!({}));
    let xml = sample_for("000-customer.xml", &profile_id, &id);
    let cases: Vec<(&str, &str, String, String, u16, &str)> = vec![
        (
            "no token",
            "",
            "application/json".into(),
            good.to_string(),
            401,
            "Authorization has been denied",
        ),
        (
            "admin key",
            &p.key,
            "application/json".into(),
            good.to_string(),
            401,
            "Authorization has been denied",
        ),
        (
            "unknown member",
            &token,
            "application/json".into(),
            dto(&profile_id, &id, json!({"nickname": "x"})).to_string(),
            400,
            "customer.nickname",
        ),
        (
            "gender 9",
            &token,
            "application/json".into(),
            dto(&profile_id, &id, json!({"gender": 9})).to_string(),
            400,
            "customer.Gender",
        ),
        (
            "impossible date",
            &token,
            "application/json".into(),
            dto(
                &profile_id,
                &id,
                json!({"birthDate": "1990-02-30T00:00:00"}),
            )
            .to_string(),
            400,
            "customer.BirthDate",
        ),
        (
            "boolean as text in JSON",
            &token,
            "application/json".into(),
            dto(&profile_id, &id, json!({"hasProgeny": "yes"})).to_string(),
            400,
            "customer.HasProgeny",
        ),
        (
            "unknown custom field",
            &token,
            "application/json".into(),
            dto(
                &profile_id,
                &id,
                json!({"customFields": {"SIZE": {"intValue": 1}}}),
            )
            .to_string(),
            400,
            "customer.CustomFields.SIZE",
        ),
        (
            "custom field of the wrong type",
            &token,
            "application/json".into(),
            dto(
                &profile_id,
                &id,
                json!({"customFields": {"SHOE": {"stringValue": "x", "type": "String"}}}),
            )
            .to_string(),
            400,
            "customer.CustomFields.SHOE",
        ),
        (
            "custom field out of range",
            &token,
            "application/json".into(),
            dto(
                &profile_id,
                &id,
                json!({"customFields": {"SHOE": {"intValue": 99, "type": "Int"}}}),
            )
            .to_string(),
            400,
            "customer.CustomFields.SHOE",
        ),
        (
            "invalid DNI",
            &token,
            "application/json".into(),
            dto(&profile_id, &id, json!({"dni": "12345678A"})).to_string(),
            400,
            "customer.Dni",
        ),
        (
            "malformed JSON",
            &token,
            "application/json".into(),
            "{\"firstName\":".into(),
            400,
            "not valid JSON",
        ),
        (
            "form",
            &token,
            "application/x-www-form-urlencoded".into(),
            "firstName=x".into(),
            415,
            "",
        ),
        (
            "XML in another namespace",
            &token,
            "application/xml".into(),
            xml.replace("Domain.Dtos\"", "Other\""),
            400,
            "<Error><Message>",
        ),
        (
            "XML with a DOCTYPE",
            &token,
            "text/xml".into(),
            format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{xml}"),
            400,
            "DOCTYPE",
        ),
        (
            "XML invalid field",
            &token,
            "application/xml".into(),
            xml.replace("<Gender>Female</Gender>", "<Gender>Robot</Gender>"),
            400,
            "<customer.Gender>",
        ),
        (
            "too large",
            &token,
            "application/json".into(),
            " ".repeat(3 * 1024 * 1024),
            413,
            "",
        ),
    ];
    for (what, bearer, media_type, body, status, part) in cases {
        let (got, content_type, text) = put(bearer, "", &media_type, body).await;
        assert_eq!(got, status, "{what}: {text}");
        assert!(text.contains(part), "{what}: {part} in {text}");
        if media_type.ends_with("xml") {
            assert!(
                content_type.starts_with("application/xml"),
                "{what}: {content_type}"
            );
        } else if status != 413 && status != 415 {
            let answer: Value = serde_json::from_str(&text).unwrap();
            assert!(answer["Message"].is_string(), "{what}: {text}");
        }
    }
    assert_eq!(p.stored(&id).await, before);
}

#[tokio::test]
async fn addresses_without_city_take_the_default_country_unless_the_tenant_wants_them_complete() {
    let lenient = programme("extranet-address", adapter(), rules(false)).await;
    let strict = programme("extranet-strict", adapter(), rules(true)).await;
    for (p, status) in [(&lenient, 200), (&strict, 400)] {
        let (profile_id, id, token) = customer(p, "extranet-address").await;
        let (got, answer) = put_json(&token, &dto(&profile_id, &id, json!({}))).await;
        assert_eq!(got, status, "{answer}");
        let stored = p.stored(&id).await;
        if status == 200 {
            assert_eq!(stored["invoice_address"]["country"], "ES");
            assert_eq!(answer["zipCode"], "28013");
        } else {
            assert!(
                answer["ModelState"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .any(|k| k.starts_with("customer")),
                "{answer}"
            );
            assert_eq!(stored["invoice_address"], Value::Null);
        }
    }
}

#[tokio::test]
async fn a_token_reaches_only_its_own_tenant_and_the_adapter_is_per_tenant() {
    let on = programme("extranet-on", adapter(), rules(false)).await;
    let off = programme("extranet-off", json!({}), rules(false)).await;
    let (profile_id, id, token) = customer(&off, "extranet-off").await;
    let (status, answer) =
        put_json(&token, &dto(&profile_id, &id, json!({"firstName": "No"}))).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(
        answer["Message"],
        "This API is not switched on for this programme."
    );
    let (_, _, xml) = put(&token, "", "application/xml", sample("000-customer.xml")).await;
    assert!(
        xml.starts_with("<Error><Message>This API is not switched on"),
        "{xml}"
    );
    // The token of the programme that has it on changes its own customer only.
    let (on_id, on_ext, on_token) = customer(&on, "extranet-on").await;
    let (status, answer) = put_json(
        &on_token,
        &dto(&on_id, &on_ext, json!({"firstName": "Yes"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    // Another tenant's customer's profile id is not theirs: read-only `Id`.
    let (status, answer) = put_json(&on_token, &dto(&profile_id, &id, json!({}))).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["ModelState"]["customer.Id"].is_array(), "{answer}");
    let stored = off.stored(&id).await;
    assert_eq!(stored["first_name"], Value::Null);
}

#[tokio::test]
async fn an_erased_customer_whose_return_is_suppressed_gets_410() {
    let p = e2e::sources::programme_with(
        "extranet-erased",
        json!({"sources": adapter(), "rules": rules(false),
            "privacy": {"suppress_return_after_erasure": true}}),
    )
    .await;
    let (profile_id, id, token) = customer(&p, "extranet-erased").await;
    p.erase(&id).await;
    let (status, answer) = put_json(&token, &dto(&profile_id, &id, json!({}))).await;
    assert_eq!(status, 410, "{answer}");
    assert!(answer["Message"].is_string(), "{answer}");
}
