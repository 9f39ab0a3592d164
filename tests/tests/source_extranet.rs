//! The loyalty extranet's `PUT /api/v1/extranet/customers/me` (000), as its
//! existing clients call it: the page's sample in JSON and in XML, every
//! member, the photo, the typed custom fields, each error in ASP.NET Web
//! API's shape, tenants, and the adapter switched off.

use base64::Engine;
use e2e::sources::{Programme, programme, sample, send};
use e2e::{base_url, http};
use serde_json::{Value, json};

const JPEG: &[u8] = include_bytes!("../fixtures/gps.jpg");
/// The page's sample's id, which the tests replace with the customer's own.
const SAMPLE_ID: &str = "70db96d2-fe7b-4701-96e3-28a9a96c5692";

fn url(query: &str) -> String {
    format!("{}/api/v1/extranet/customers/me{query}", base_url())
}

fn adapter() -> Value {
    json!({"extranet": {"custom_fields": {"SHOE": "shoe_size", "VISIT": "last_visit",
        "NICK": "nickname", "VIP": "vip"}}})
}

fn rules(complete_invoice_address: bool) -> Value {
    json!({"national_id_country": "ES", "default_country": "ES",
        "complete_invoice_address": complete_invoice_address,
        "custom_fields": [
            {"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
            {"key": "last_visit", "type": "date_time"},
            {"key": "nickname", "type": "text", "max_length": 10},
            {"key": "vip", "type": "bool", "editable": false}]})
}

/// What the programme stored before the sample: the values the sample
/// sends back for the members the customer may not change (with an
/// address of the customer's own: one holder per proven address).
fn as_before_the_sample(id: &str) -> Value {
    json!({"card_code": "CARD-8", "email": email(id), "email_status": "verified",
        "loyalty": {"member": true, "rank": "gold", "has_card": true}})
}

fn email(id: &str) -> String {
    format!("{}@example.es", id.to_ascii_lowercase())
}

/// The sample `file` for the customer: their profile id and address.
fn sample_for(file: &str, profile_id: &str, id: &str) -> String {
    sample(file)
        .replace(SAMPLE_ID, profile_id)
        .replace("lucia@example.es", &email(id))
}

/// A customer of `p` as before the sample: their profile's id, their id
/// at the programme, and their token.
async fn customer(p: &Programme, label: &str) -> (String, String, String) {
    let id = e2e::unique_customer(label);
    let stored = p.customer(&id, as_before_the_sample(&id)).await;
    let token = p.token(&id);
    (stored["id"].as_str().unwrap().to_owned(), id, token)
}

async fn put(token: &str, query: &str, media_type: &str, body: String) -> (u16, String, String) {
    let (status, headers, text) = send(http().put(url(query)), token, media_type, body).await;
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, text)
}

/// The sample as JSON for the customer, with `changes` over it.
fn dto(profile_id: &str, id: &str, changes: Value) -> Value {
    let mut dto: Value =
        serde_json::from_str(&sample_for("000-customer.json", profile_id, id)).unwrap();
    for (name, value) in changes.as_object().unwrap() {
        dto[name] = value.clone();
    }
    dto
}

async fn put_json(token: &str, body: &Value) -> (u16, Value) {
    let (status, _, text) = put(token, "", "application/json", body.to_string()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_pages_sample_in_json_and_in_xml_stores_the_same_profile() {
    let p = programme("extranet-sample", adapter(), rules(false)).await;
    let mut stored = Vec::new();
    for (media_type, file) in [
        ("application/json", "000-customer.json"),
        ("text/json", "000-customer.json"),
        ("application/xml", "000-customer.xml"),
        ("text/xml", "000-customer.xml"),
    ] {
        let (profile_id, id, token) = customer(&p, "extranet-sample").await;
        let body = sample_for(file, &profile_id, &id);
        let (status, content_type, text) = put(&token, "", media_type, body).await;
        assert_eq!(status, 200, "{media_type}: {text}");
        if media_type.ends_with("xml") {
            assert!(
                content_type.starts_with("application/xml"),
                "{content_type}"
            );
            for part in [
                "<Gender>Female</Gender>",
                "<EmailStatus>Checked</EmailStatus>",
                "<FirstName>Lucía</FirstName>",
                "<d2p1:Key>VISIT</d2p1:Key>",
                "<DateTimeValue>2026-06-04T19:00:05Z</DateTimeValue>",
                "<UrlPhoto i:nil=\"true\"/>",
            ] {
                assert!(text.contains(part), "{part} in {text}");
            }
        } else {
            assert!(
                content_type.starts_with("application/json"),
                "{content_type}"
            );
            let answer: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(answer["id"], profile_id.as_str());
            assert_eq!(answer["gender"], 1);
            assert_eq!(answer["emailStatus"], 0);
            assert_eq!(answer["birthDate"], "1990-06-04T00:00:00");
            assert_eq!(answer["customFields"]["SHOE"]["intValue"], 38);
            assert_eq!(answer["customFields"]["SHOE"]["type"], "Int");
            assert_eq!(
                answer["customFields"]["VISIT"]["dateTimeValue"],
                "2026-06-04T19:00:05Z"
            );
            // The programme's internals are not the customer's to see.
            assert_eq!(answer["organizationCode"], Value::Null);
            assert_eq!(answer["anyOnlinePurchase"], false);
        }
        let profile = p.stored(&id).await;
        let expect = [
            ("/first_name", json!("Lucía")),
            ("/last_name", json!("García López")),
            ("/national_id", json!("12345678Z")),
            ("/birth_date", json!("1990-06-04")),
            ("/gender", json!("female")),
            ("/has_children", json!(true)),
            ("/mobile_phone", json!("+34612345678")),
            ("/other_phone", json!("+34911234567")),
            ("/preferred_language", json!("es-ES")),
            (
                "/invoice_address",
                json!({"line1": "Calle Mayor 1", "postal_code": "28013", "country": "ES"}),
            ),
            ("/consents/push_notifications/granted", json!(true)),
            ("/consents/advertising/granted", json!(true)),
            ("/consents/birthday_greetings/granted", json!(true)),
            ("/consents/marketing_email/granted", json!(true)),
            ("/consents/terms/granted", json!(true)),
            ("/consents/data_sharing/granted", json!(false)),
            ("/consents/terms/source", json!("extranet")),
            ("/custom_fields/shoe_size", json!(38)),
            ("/custom_fields/last_visit", json!("2026-06-04T19:00:05Z")),
            // Ignored: the programme's, not the customer's.
            ("/organization_code", Value::Null),
            ("/loyalty/any_online_purchase", json!(false)),
            ("/national_id_verified", json!(false)),
        ];
        for (pointer, want) in &expect {
            let got = profile.pointer(pointer).cloned().unwrap_or(Value::Null);
            assert_eq!(&got, want, "{media_type} {pointer}");
        }
        let history = p.history(&id).await;
        assert_eq!(history[0]["channel"], "extranet", "{history:?}");
        assert_eq!(history[0]["actor"], "customer");
        p.event(&id, "customer.updated.v1", "extranet").await;
        let mut same = profile.clone();
        for volatile in [
            "id",
            "external_id",
            "email",
            "created",
            "updated",
            "version",
        ] {
            same.as_object_mut().unwrap().remove(volatile);
        }
        for consent in same["consents"].as_object_mut().unwrap().values_mut() {
            consent.as_object_mut().unwrap().remove("at");
        }
        stored.push(same);
    }
    for (i, profile) in stored.iter().enumerate().skip(1) {
        for (key, value) in profile.as_object().unwrap() {
            assert_eq!(value, &stored[0][key], "{key} of sample {i} and 0");
        }
    }
}

#[tokio::test]
async fn every_member_is_stored_refused_when_changed_or_ignored_as_the_page_allows() {
    let p = programme("extranet-members", adapter(), rules(false)).await;
    let (profile_id, id, token) = customer(&p, "extranet-members").await;
    let (status, first) = put_json(&token, &dto(&profile_id, &id, json!({}))).await;
    assert_eq!(status, 200, "{first}");
    // What the customer may change: stored where the map says.
    let stored_cases = [
        ("firstName", json!("Ana"), "/first_name", json!("Ana")),
        ("lastName", json!("Ruiz"), "/last_name", json!("Ruiz")),
        (
            "dni",
            json!("00000000T"),
            "/national_id",
            json!("00000000T"),
        ),
        ("hasProgeny", json!(false), "/has_children", json!(false)),
        (
            "birthDate",
            json!("1991-02-03T23:30:00-05:00"),
            "/birth_date",
            json!("1991-02-03"),
        ),
        ("gender", json!("Male"), "/gender", json!("male")),
        ("gender", json!(2), "/gender", json!("other")),
        (
            "zipCode",
            json!("08001"),
            "/invoice_address/postal_code",
            json!("08001"),
        ),
        (
            "address",
            json!("Carrer Nou 2"),
            "/invoice_address/line1",
            json!("Carrer Nou 2"),
        ),
        (
            "mobilePhone",
            json!("+34622222222"),
            "/mobile_phone",
            json!("+34622222222"),
        ),
        ("extraPhone", json!(""), "/other_phone", Value::Null),
        (
            "hasAcceptedAdvertising",
            json!(false),
            "/consents/advertising/granted",
            json!(false),
        ),
        (
            "hasAcceptedDataCession",
            json!(true),
            "/consents/data_sharing/granted",
            json!(true),
        ),
        (
            "hasAcceptedBirthdayGreeting",
            json!(false),
            "/consents/birthday_greetings/granted",
            json!(false),
        ),
        (
            "allowsCommunications",
            json!(false),
            "/consents/marketing_email/granted",
            json!(false),
        ),
        (
            "isGdprAccepted",
            json!(false),
            "/consents/terms/granted",
            json!(false),
        ),
        (
            "preferredLanguageCode",
            json!("ca-ES"),
            "/preferred_language",
            json!("ca-ES"),
        ),
        (
            "customFields",
            json!({"NICK": {"code": "NICK", "stringValue": "Lu", "type": "String"}}),
            "/custom_fields/nickname",
            json!("Lu"),
        ),
        (
            "customFields",
            json!({"SHOE": {"intValue": "41", "type": "int"}}),
            "/custom_fields/shoe_size",
            json!(41),
        ),
    ];
    for (member, value, pointer, want) in stored_cases {
        let (status, answer) =
            put_json(&token, &dto(&profile_id, &id, json!({ member: value }))).await;
        assert_eq!(status, 200, "{member}: {answer}");
        let profile = p.stored(&id).await;
        assert_eq!(
            profile.pointer(pointer).cloned().unwrap_or(Value::Null),
            want,
            "{member}"
        );
    }
    // A new e-mail waits for its code, as in /v1.
    let (status, answer) = put_json(
        &token,
        &dto(&profile_id, &id, json!({"email": "ana@example.es"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["email"], email(&id));
    assert_eq!(p.stored(&id).await["pending_email"], "ana@example.es");

    // What only the programme changes: accepted as stored, refused when different.
    let before = p.stored(&id).await;
    let refused_cases = [
        ("id", json!("00000000-0000-0000-0000-000000000001")),
        ("cardCode", json!("OTHER")),
        ("hasCard", json!(false)),
        ("isMember", json!(false)),
        ("rank", json!("silver")),
        ("emailStatus", json!("Unchecked")),
        ("emailStatus", json!(2)),
        ("gdprDate", json!("2020-01-01T00:00:00Z")),
        ("urlPhoto", json!("https://elsewhere.example/photo.jpg")),
        (
            "customFields",
            json!({"VIP": {"boolValue": true, "type": "Bool"}}),
        ),
    ];
    for (member, value) in refused_cases {
        let body = dto(
            &profile_id,
            &id,
            json!({"firstName": "Changed", member: value}),
        );
        let (status, answer) = put_json(&token, &body).await;
        assert_eq!(status, 400, "{member}: {answer}");
        assert_eq!(answer["Message"], "The request is invalid.");
        let key = match member {
            "customFields" => "customer.CustomFields.VIP".to_owned(),
            member => format!("customer.{}{}", member[..1].to_uppercase(), &member[1..]),
        };
        assert!(answer["ModelState"][&key].is_array(), "{member}: {answer}");
        assert_eq!(
            p.stored(&id).await["version"],
            before["version"],
            "{member}"
        );
    }
    // What the customer does not see is ignored, whatever its value.
    let ignored = json!({"organizationCode": "X", "storeCode": "Y", "dniValidated": false,
        "anyOnlinePurchase": true, "anyOfflinePurchase": true, "annotations": "note",
        "sourceCode": "web", "estimatedDateOfBirth": "1970-01-01T00:00:00", "userName": "lu"});
    let (status, answer) = put_json(&token, &dto(&profile_id, &id, ignored)).await;
    assert_eq!(status, 200, "{answer}");
    let after = p.stored(&id).await;
    for pointer in [
        "/organization_code",
        "/notes",
        "/username",
        "/acquisition",
        "/loyalty",
    ] {
        assert_eq!(after.pointer(pointer), before.pointer(pointer), "{pointer}");
    }
    // A member left out, or null, keeps its value.
    let names = dto(
        &profile_id,
        &id,
        json!({"firstName": "Ana", "lastName": "Ruiz"}),
    );
    assert_eq!(put_json(&token, &names).await.0, 200);
    let mut partial = dto(&profile_id, &id, json!({"firstName": null}));
    partial.as_object_mut().unwrap().remove("lastName");
    let (status, answer) = put_json(&token, &partial).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["firstName"], "Ana");
    assert_eq!(answer["lastName"], "Ruiz");
}

#[tokio::test]
async fn the_two_notification_members_are_one_consent_and_a_change_in_either_is_the_change() {
    let p = programme("extranet-notify", adapter(), rules(false)).await;
    let (profile_id, id, token) = customer(&p, "extranet-notify").await;
    let both = |enabled: bool, allows: bool| {
        dto(
            &profile_id,
            &id,
            json!({"hasEnabledNotifications": enabled, "allowsNotifications": allows}),
        )
    };
    // Stored none (false): the member that says true is the change.
    for (enabled, allows, want) in [
        (false, true, true),
        (true, true, true),
        (false, true, false),
        (true, false, true),
        (true, false, false),
        (false, false, false),
    ] {
        let (status, answer) = put_json(&token, &both(enabled, allows)).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            answer["hasEnabledNotifications"], want,
            "{enabled} {allows}"
        );
        assert_eq!(answer["allowsNotifications"], want, "{enabled} {allows}");
    }
}

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
