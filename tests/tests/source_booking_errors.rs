//! The booking platform's `PUT /customers/{Id}` (001) refused: each error as
//! ServiceStack's `ResponseStatus`, JSV on request, tenants, and the adapter
//! switched off.

use e2e::booking::*;
use e2e::http;
use e2e::sources::{programme, send};
use serde_json::{Value, json};

/// What is tried, the credential, the query, the media type, the body, and
/// the status, error code and text that the answer must have.
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    u16,
    &'a str,
    &'a str,
);

#[tokio::test]
async fn each_error_is_a_response_status_in_the_requests_format_and_changes_nothing() {
    let p = programme("booking-errors", adapter(), rules()).await;
    let (profile_id, id) = customer(&p, "booking-errors", json!({})).await;
    let before = p.stored(&id).await;
    let json = "application/json";
    let cases: Vec<Case> = vec![
        (
            "no credential",
            "",
            "",
            json,
            "{}".into(),
            401,
            "Unauthorized",
            "",
        ),
        (
            "an unknown key",
            "pk_live_unknown",
            "",
            json,
            "{}".into(),
            401,
            "Unauthorized",
            "",
        ),
        (
            "another company",
            &p.key,
            "?CompanyId=someone-else",
            json,
            "{}".into(),
            403,
            "Forbidden",
            "",
        ),
        (
            "another company in the body",
            &p.key,
            "",
            json,
            json!({"CompanyId": "someone-else"}).to_string(),
            403,
            "Forbidden",
            "",
        ),
        (
            "an unknown member",
            &p.key,
            "",
            json,
            json!({"Nickname": "x"}).to_string(),
            400,
            "UnknownField",
            "Nickname",
        ),
        (
            "an unknown custom field",
            &p.key,
            "",
            json,
            json!({"CustomFields": [{"Id": 99, "Value": "x"}]}).to_string(),
            400,
            "UnknownField",
            "CustomFields[0].Id",
        ),
        (
            "not a number",
            &p.key,
            "",
            json,
            json!({"CustomFields": [{"Id": 1, "Value": "big"}]}).to_string(),
            400,
            "InvalidType",
            "CustomFields[0].Value",
        ),
        (
            "out of range",
            &p.key,
            "",
            json,
            json!({"CustomFields": [{"Id": 1, "Value": "99"}]}).to_string(),
            400,
            "AboveMaximum",
            "CustomFields[0].Value",
        ),
        (
            "the tenant's regex message",
            &p.key,
            "",
            json,
            json!({"CustomFields": [{"Id": 6, "Value": "12"}]}).to_string(),
            400,
            "RegularExpression",
            "A member card number has six digits.",
        ),
        (
            "the tenant's mandatory message",
            &p.key,
            "",
            json,
            json!({"CustomFields": [{"Id": 6, "Value": ""}]}).to_string(),
            400,
            "NotEmpty",
            "Enter your member card number.",
        ),
        (
            "an invalid e-mail",
            &p.key,
            "",
            json,
            json!({"Email": "not an address"}).to_string(),
            400,
            "InvalidEmail",
            "Email",
        ),
        (
            "a newsletter that is not a boolean",
            &p.key,
            "",
            json,
            json!({"SubscribedToNewsletter": "maybe"}).to_string(),
            400,
            "InvalidType",
            "SubscribedToNewsletter",
        ),
        (
            "another Id in the body",
            &p.key,
            "",
            json,
            json!({"Id": "9a1f0c9e-0000-4000-8000-000000000000"}).to_string(),
            400,
            "ReadOnly",
            "Id",
        ),
        (
            "malformed JSON",
            &p.key,
            "",
            json,
            "{\"Firstname\":".into(),
            400,
            "SerializationException",
            "",
        ),
        (
            "malformed JSV",
            &p.key,
            "",
            "text/jsv",
            "{Firstname:Anna".into(),
            400,
            "SerializationException",
            "",
        ),
        (
            "a form",
            &p.key,
            "",
            "application/x-www-form-urlencoded",
            "Firstname=x".into(),
            415,
            "UnsupportedMediaType",
            "",
        ),
    ];
    for (what, bearer, query, media_type, body, status, code, part) in cases {
        let (got, content_type, text) = put(bearer, &profile_id, query, media_type, body).await;
        assert_eq!(got, status, "{what}: {text}");
        if media_type == "text/jsv" {
            assert!(
                content_type.starts_with("text/jsv"),
                "{what}: {content_type}"
            );
            assert!(
                text.contains(&format!("ErrorCode:{code}")),
                "{what}: {text}"
            );
            continue;
        }
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            answer["ResponseStatus"]["ErrorCode"], code,
            "{what}: {text}"
        );
        assert!(
            answer["ResponseStatus"]["Message"].is_string(),
            "{what}: {text}"
        );
        assert!(text.contains(part), "{what}: {part} in {text}");
    }
    // In Swedish where asked, with the tenant's own Swedish message.
    let (status, headers, text) = send(
        http()
            .put(url(&profile_id, ""))
            .header("Accept-Language", "sv"),
        &p.key,
        json,
        json!({"CustomFields": [{"Id": 6, "Value": "12"}]}).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("Ett medlemskortsnummer har sex siffror."),
        "{text} {headers:?}"
    );
    // Unknown and malformed ids.
    for other in ["9a1f0c9e-0000-4000-8000-000000000000", "not-a-guid"] {
        let (status, _, text) = put(&p.key, other, "", json, "{}".into()).await;
        assert_eq!(status, 404, "{other}: {text}");
    }
    assert_eq!(p.stored(&id).await, before);
}

#[tokio::test]
async fn jsv_is_answered_when_asked_for_by_suffix_query_or_accept() {
    let p = programme("booking-jsv", adapter(), rules()).await;
    let (profile_id, _) = customer(&p, "booking-jsv", json!({"first_name": "Ola"})).await;
    for (id, query, accept) in [
        (format!("{profile_id}.jsv"), "", "application/json"),
        (profile_id.clone(), "?format=jsv", "application/json"),
        (profile_id.clone(), "", "text/jsv"),
    ] {
        let (status, headers, text) = send(
            http().put(url(&id, query)).header("Accept", accept),
            &p.key,
            "application/json",
            "{}".into(),
        )
        .await;
        assert_eq!(status, 200, "{id}{query}: {text}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/jsv")
        );
        assert!(
            text.starts_with('{') && text.contains("Firstname:Ola"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_programmes_key_reaches_only_its_own_customers_and_the_adapter_is_per_tenant() {
    let a = programme("booking-a", adapter(), rules()).await;
    let b = programme("booking-b", adapter(), rules()).await;
    let off = programme("booking-off", json!({}), rules()).await;
    let (b_profile, b_id) = customer(&b, "booking-b", json!({})).await;
    let before = b.stored(&b_id).await;
    let (status, answer) = put_json(&a.key, &b_profile, json!({"Firstname": "Taken"})).await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = put_json(&a.key, &b_profile, json!({})).await;
    assert_eq!(
        (status, answer["ResponseStatus"]["ErrorCode"].clone()),
        (404, json!("NotFound"))
    );
    let (status, answer) = put_json(&b.key, &b_profile, json!({"CompanyId": a.tenant})).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(b.stored(&b_id).await, before);
    let (status, answer) = put_json(
        &b.key,
        &b_profile,
        json!({"CompanyId": b.tenant, "Firstname": "Own"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (off_profile, _) = customer(&off, "booking-off", json!({})).await;
    let (status, answer) = put_json(&off.key, &off_profile, json!({"Firstname": "No"})).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(
        answer["ResponseStatus"]["Message"],
        "This API is not switched on for this programme."
    );
}

#[tokio::test]
async fn an_erased_customer_is_404_to_the_programme_and_410_to_their_suppressed_token() {
    let p = e2e::sources::programme_with(
        "booking-erased",
        json!({"sources": adapter(), "rules": rules(),
            "privacy": {"suppress_return_after_erasure": true}}),
    )
    .await;
    let (profile_id, id) = customer(&p, "booking-erased", json!({})).await;
    p.erase(&id).await;
    let (status, answer) = put_json(&p.token(&id), &profile_id, json!({})).await;
    assert_eq!(status, 410, "{answer}");
    assert_eq!(answer["ResponseStatus"]["Errors"], json!([]));
    let (status, answer) = put_json(&p.key, &profile_id, json!({})).await;
    assert_eq!(status, 404, "{answer}");
}
