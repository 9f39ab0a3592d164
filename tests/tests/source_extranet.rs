//! The loyalty extranet's `PUT /api/v1/extranet/customers/me` (000), as its
//! existing clients call it: the page's sample in JSON and in XML, every
//! member, the photo, the typed custom fields, each error in ASP.NET Web
//! API's shape, tenants, and the adapter switched off.

use e2e::extranet::*;
use e2e::sources::programme;
use serde_json::{Value, json};

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
