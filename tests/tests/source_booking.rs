//! The booking platform's `PUT /customers/{Id}` (001), as its existing
//! clients call it: the page's sample in JSV and in JSON, every field,
//! access keys and comments, custom fields with their configuration and
//! messages, each error as ServiceStack's `ResponseStatus`, customer tokens
//! and admin keys, tenants, and the adapter switched off.

use e2e::booking::*;
use e2e::read_profile;
use e2e::sources::{programme, sample};
use serde_json::{Value, json};

#[tokio::test]
async fn the_pages_sample_in_jsv_and_in_json_stores_the_same_customer() {
    let p = programme("booking-sample", adapter(), rules()).await;
    let mut stored = Vec::new();
    for (media_type, file) in [
        ("text/jsv", "001-customer.jsv"),
        ("application/json", "001-customer.json"),
    ] {
        let (profile_id, id) = customer(&p, "booking-sample", json!({})).await;
        let body = sample(file).replace(
            "anna@example.se",
            &format!("{}@example.se", id.to_lowercase()),
        );
        let (status, content_type, text) = put(&p.key, &profile_id, "", media_type, body).await;
        assert_eq!(status, 200, "{media_type}: {text}");
        assert!(content_type.starts_with(media_type), "{content_type}");
        if media_type == "text/jsv" {
            for part in [
                "Firstname:Anna",
                "SubscribedToNewsletter:True",
                "InvoiceCity:Stockholm",
                "AccessKeyTypeId:1",
                "Description:Front door",
                "ResponseStatus:{}",
            ] {
                assert!(text.contains(part), "{part} in {text}");
            }
        } else {
            let answer: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(answer["Id"], profile_id.as_str());
            assert_eq!(answer["Firstname"], "Anna");
            assert_eq!(answer["Phone"], "+46701234567");
            assert_eq!(answer["SubscribedToNewsletter"], true);
            assert_eq!(
                answer["InvoiceAddress"]["CorporateIdentityNumber"],
                "556677-8899"
            );
            assert_eq!(answer["AccessKeys"][0]["Value"], "4711");
            let values = answer["CustomFieldValues"].as_array().unwrap();
            assert!(
                values.contains(&json!({"Id": 1, "Column": "shoe_size", "Name": "Shoe size",
                "Description": null, "Value": "38", "DataType": "Number"})),
                "{values:?}"
            );
        }
        let profile = p.stored(&id).await;
        for (pointer, want) in [
            ("/first_name", json!("Anna")),
            ("/last_name", json!("Svensson")),
            ("/mobile_phone", json!("+46701234567")),
            ("/consents/newsletter/granted", json!(true)),
            ("/consents/newsletter/source", json!("booking")),
            ("/company/organization_number", json!("556677-8899")),
            ("/invoice_address/line1", json!("Storgatan 1")),
            ("/invoice_address/line2", json!("Lgh 1101")),
            ("/invoice_address/city", json!("Stockholm")),
            ("/invoice_address/country", json!("SE")),
            ("/custom_fields/shoe_size", json!(38)),
            ("/custom_fields/nickname", json!("Anna, runner")),
            ("/access_keys/0/type_id", json!(1)),
            ("/access_keys/0/value", json!("4711")),
            ("/access_keys/0/description", json!("Front door")),
        ] {
            assert_eq!(
                profile.pointer(pointer).cloned().unwrap_or(Value::Null),
                want,
                "{media_type} {pointer}"
            );
        }
        // A new key gets an id of its own, not .NET's empty GUID.
        let key_id = profile["access_keys"][0]["id"].as_str().unwrap();
        assert_eq!(key_id.len(), 36);
        assert_ne!(key_id, "00000000-0000-0000-0000-000000000000");
        let history = p.history(&id).await;
        assert_eq!(history[0]["channel"], "booking", "{history:?}");
        assert_eq!(history[0]["actor"], format!("key:{}", p.key_id));
        p.event(&id, "customer.updated.v1", "booking").await;
        let mut same = profile.clone();
        let same_map = same.as_object_mut().unwrap();
        for volatile in [
            "id",
            "external_id",
            "email",
            "created",
            "updated",
            "version",
            "access_keys",
        ] {
            same_map.remove(volatile);
        }
        same["consents"]["newsletter"]
            .as_object_mut()
            .unwrap()
            .remove("at");
        stored.push(same);
    }
    for (key, value) in stored[1].as_object().unwrap() {
        assert_eq!(value, &stored[0][key], "{key}");
    }
}

#[tokio::test]
async fn every_field_round_trips_and_keys_are_updated_and_deleted_by_id() {
    let p = programme("booking-fields", adapter(), rules()).await;
    let (profile_id, id) = customer(&p, "booking-fields", json!({})).await;
    let cases = [
        (
            json!({"Firstname": "Eva"}),
            "/first_name",
            json!("Eva"),
            "/Firstname",
            json!("Eva"),
        ),
        (
            json!({"lastname": "Berg"}),
            "/last_name",
            json!("Berg"),
            "/Lastname",
            json!("Berg"),
        ),
        (
            json!({"Phone": "+46709876543"}),
            "/mobile_phone",
            json!("+46709876543"),
            "/Phone",
            json!("+46709876543"),
        ),
        (
            json!({"Email": "eva@example.se"}),
            "/email",
            json!("eva@example.se"),
            "/Email",
            json!("eva@example.se"),
        ),
        (
            json!({"SubscribedToNewsletter": "False"}),
            "/consents/newsletter/granted",
            json!(false),
            "/SubscribedToNewsletter",
            json!(false),
        ),
        (
            json!({"InvoiceAddress": {"InvoiceCountryCode": "NO", "InvoicePostalCode": "0150"}}),
            "/invoice_address/country",
            json!("NO"),
            "/InvoiceAddress/InvoiceCountryCode",
            json!("NO"),
        ),
        (
            json!({"InvoiceAddress": {"InvoiceAddress2": ""}}),
            "/invoice_address/line2",
            Value::Null,
            "/InvoiceAddress/InvoiceAddress2",
            Value::Null,
        ),
        (
            json!({"CustomFields": [{"Id": 3, "Value": "True"}]}),
            "/custom_fields/newsletter_paper",
            json!(true),
            "/CustomFieldValues/2/Value",
            json!("true"),
        ),
        (
            json!({"CustomFields": [{"Id": 4, "Value": "2026-01-02T00:00:00"}]}),
            "/custom_fields/first_visit",
            json!("2026-01-02"),
            "/CustomFieldValues/3/Value",
            json!("2026-01-02"),
        ),
        (
            json!({"CustomFields": [{"Id": 5, "Value": "2026-06-04T21:00:00+02:00"}]}),
            "/custom_fields/last_visit",
            json!("2026-06-04T19:00:00Z"),
            "/CustomFieldValues/4/Value",
            json!("2026-06-04T19:00:00Z"),
        ),
        (
            json!({"CustomFields": [{"Id": 2, "Value": ""}]}),
            "/custom_fields/nickname",
            Value::Null,
            "/CustomFieldValues/0/Column",
            json!("shoe_size"),
        ),
    ];
    let set_up = json!({"CustomFields": [{"Id": 1, "Value": "41"}, {"Id": 2, "Value": "E"}],
        "InvoiceAddress": {"InvoiceAddress1": "Storgatan 1", "InvoiceAddress2": "Lgh 1", "InvoiceCity": "Stockholm", "InvoicePostalCode": "11122", "InvoiceCountryCode": "SE"}});
    assert_eq!(put_json(&p.key, &profile_id, set_up).await.0, 200);
    for (body, pointer, want, answered, want_answered) in cases {
        let (status, answer) = put_json(&p.key, &profile_id, body.clone()).await;
        assert_eq!(status, 200, "{body}: {answer}");
        let profile = p.stored(&id).await;
        assert_eq!(
            profile.pointer(pointer).cloned().unwrap_or(Value::Null),
            want,
            "{body}"
        );
        assert_eq!(
            answer.pointer(answered).cloned().unwrap_or(Value::Null),
            want_answered,
            "{body}: {answer}"
        );
    }
    // The custom fields' configuration, with the tenant's own messages.
    let (_, answer) = put_json(&p.key, &profile_id, json!({})).await;
    let card = answer["CustomFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["Id"] == 6)
        .unwrap()
        .clone();
    assert_eq!(
        card,
        json!({"Id": 6, "Name": "member_card", "Description": null, "Width": null,
        "DataType": "TextBox", "DefaultValue": "000000", "IsMandatory": true,
        "MandatoryErrorMessage": "Enter your member card number.", "MaxLength": 0,
        "MultipleLineText": false, "RegEx": "[0-9]{6}",
        "RegExErrorMessage": "A member card number has six digits.", "Values": []})
    );

    // Access keys: updated by id, deleted by id; comments and the photo are the programme's.
    let first = p.stored(&id).await;
    let key_id = |profile: &Value, i: usize| {
        profile["access_keys"][i]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let add = json!({"AccessKeys": [{"AccessKeyTypeId": 1, "Value": "1111"}, {"AccessKeyTypeId": 2, "Value": "2222", "Description": "Gym"}]});
    assert_eq!(put_json(&p.key, &profile_id, add).await.0, 200);
    let two = p.stored(&id).await;
    assert_eq!(two["access_keys"].as_array().unwrap().len(), 2, "{two}");
    let (a, b) = (key_id(&two, 0), key_id(&two, 1));
    let change = json!({"AccessKeys": [{"Id": a.to_uppercase(), "AccessKeyTypeId": 3, "Value": "3333"}], "AccessKeysToDelete": [{"Id": b}, {"Id": "9a1f0c9e-0000-4000-8000-000000000000"}]});
    let (status, answer) = put_json(&p.key, &profile_id, change).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["AccessKeys"],
        json!([{"Id": a, "AccessKeyTypeId": 3, "Value": "3333", "Description": null}])
    );
    assert_eq!(first["access_keys"], json!([]));
    let comments =
        json!([{"id": 1, "text": "Prefers mornings", "created": "2026-03-01T09:00:00Z"}]);
    p.customer(&id, json!({ "comments": comments })).await;
    let (_, answer) = put_json(&p.key, &profile_id, json!({})).await;
    assert_eq!(
        answer["Comments"],
        json!([{"Id": 1, "CustomerId": profile_id, "Comments": "Prefers mornings",
        "Created": "2026-03-01T09:00:00Z", "Updated": "2026-03-01T09:00:00Z"}])
    );
    assert_eq!(answer["ImageUrl"], Value::Null);
    // The photo the programme set is the answer's `ImageUrl`, served there.
    let photo = e2e::http()
        .put(format!("{}/v1/customers/{id}/photo", e2e::base_url()))
        .bearer_auth(&p.key)
        .header("Content-Type", "image/png")
        .body(include_bytes!("../fixtures/meta.png").to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 200);
    let (_, answer) = put_json(&p.key, &profile_id, json!({})).await;
    let image = answer["ImageUrl"].as_str().unwrap();
    assert!(
        image.starts_with(&format!("{}/v1/photos/", e2e::base_url())),
        "{image}"
    );
    let served = e2e::http().get(image).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn a_customer_changes_only_their_own_profile_and_an_account_email_stays_theirs() {
    let p = programme("booking-customer", adapter(), rules()).await;
    let (mine, my_id) = customer(&p, "booking-mine", json!({"email": "mine@example.se"})).await;
    let (theirs, their_id) = customer(&p, "booking-theirs", json!({})).await;
    let token = p.token(&my_id);
    let before = p.stored(&their_id).await;
    let (status, answer) = put_json(&token, &theirs, json!({"Firstname": "Not mine"})).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["ResponseStatus"]["ErrorCode"], "Forbidden");
    assert_eq!(p.stored(&their_id).await, before);
    // Their own: a new address waits for its code, as in /v1.
    let (status, answer) = put_json(
        &token,
        &mine,
        json!({"Firstname": "Mine", "Email": "new@example.se"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Email"], "mine@example.se");
    let (profile, _) = read_profile(&token).await;
    assert_eq!(profile["pending_email"], "new@example.se");
    assert_eq!(profile["first_name"], "Mine");
    // Access keys are the programme's to write.
    let keys = json!({"AccessKeys": [{"AccessKeyTypeId": 1, "Value": "1"}]});
    let (status, answer) = put_json(&token, &mine, keys).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["ResponseStatus"]["Errors"][0]["FieldName"],
        "AccessKeys"
    );
    // The programme adds an address where there is none, and may not change the account's.
    let (status, answer) = put_json(&p.key, &theirs, json!({"Email": "theirs@example.se"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Email"], "theirs@example.se");
    let (status, answer) = put_json(&p.key, &mine, json!({"Email": "other@example.se"})).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["ResponseStatus"]["Errors"][0]["FieldName"], "Email");
    let (status, _) = put_json(&p.key, &mine, json!({"Email": " mine@Example.SE "})).await;
    assert_eq!(
        status, 200,
        "the same address, written another way, is no change"
    );
}

#[tokio::test]
async fn concurrent_key_additions_lose_none() {
    let p = programme("booking-race", adapter(), rules()).await;
    let (profile_id, id) = customer(&p, "booking-race", json!({})).await;
    let add = |value: String| json!({"AccessKeys": [{"AccessKeyTypeId": 1, "Value": value}]});
    for round in 0..5 {
        let (a, b) = tokio::join!(
            put_json(&p.key, &profile_id, add(format!("a{round}"))),
            put_json(&p.key, &profile_id, add(format!("b{round}")))
        );
        assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
    }
    let stored = p.stored(&id).await;
    let mut values: Vec<&str> = stored["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["value"].as_str().unwrap())
        .collect();
    values.sort_unstable();
    let mut want: Vec<String> = (0..5)
        .flat_map(|r| [format!("a{r}"), format!("b{r}")])
        .collect();
    want.sort_unstable();
    assert_eq!(values, want, "every key written is kept");
}
