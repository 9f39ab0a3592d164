//! The energy utility's `PATCH /api/customers/{customerId}` (004), as its
//! existing clients call it: the page's sample, every property, each error
//! in ASP.NET Web API's shape, customer tokens and admin keys, tenants, and
//! the adapter switched off.

use e2e::admin::{get_json, key};
use e2e::sources::{programme, sample, send};
use e2e::{base_url, http, read_profile};
use serde_json::{Value, json};

const FLAGS: [&str; 4] = [
    "broadband_customer",
    "district_heating_customer",
    "net_customer",
    "power_customer",
];

fn rules() -> Value {
    json!({"phone_max_digits": 14, "email_max_length": 100})
}

fn url(id: &str) -> String {
    format!("{}/api/customers/{id}", base_url())
}

/// The customer `2` with everything the sample sends that may not change.
fn as_in_the_sample() -> Value {
    json!({
        "first_name": "Kari", "last_name": "Nordmann", "birth_date": "1985-05-20",
        "national_id": "01018512345", "company": {"organization_number": "987654321"},
        "email": "kari@example.no", "mobile_phone": "4790000001", "other_phone": "4722000001",
        "invoice_address": {"line1": "Storgata 1", "city": "Oslo", "care_of": "Hansen",
            "country": "NO", "entrance": "A", "floor": "3", "house_letter": "B",
            "house_number": "1", "po_box": "10", "postal_code": "0150"},
        "loyalty": {"customer_type": "private", "flags": FLAGS,
            "requires_profile_confirmation": true}
    })
}

async fn patch(bearer: &str, id: &str, body: &Value) -> (u16, Value) {
    let (status, _, text) = send(
        http().patch(url(id)),
        bearer,
        "application/json",
        body.to_string(),
    )
    .await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_pages_sample_changes_the_phones_and_the_email_and_reads_back_everywhere() {
    let p = programme("utility-sample", json!({"utility": {}}), rules()).await;
    p.customer("2", as_in_the_sample()).await;
    for (media_type, mobile) in [
        ("application/json", "4791234567"),
        ("text/json", "4791234568"),
    ] {
        let body = sample("004-patch-customer.json").replace("4791234567", mobile);
        let (status, headers, text) = send(http().patch(url("2")), &p.key, media_type, body).await;
        assert_eq!(status, 200, "{media_type}: {text}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["CustomerId"], 2);
        assert_eq!(answer["MobileNumber"], mobile);
        assert_eq!(answer["PhoneNumber"], "4722334455");
        assert_eq!(answer["Email"], "kari.nordmann@example.no");
        assert_eq!(answer["BirthDate"], "1985-05-20T00:00:00");
        assert_eq!(answer["Address"]["POBox"], 10);
        assert_eq!(answer["IsPowerCustomer"], true);
    }
    // Through /v1, as the customer reads it.
    let (profile, _) = read_profile(&p.token("2")).await;
    assert_eq!(profile["mobile_phone"], "4791234568");
    assert_eq!(profile["other_phone"], "4722334455");
    assert_eq!(profile["email"], "kari.nordmann@example.no");
    // In the history, with the adapter as the channel and the key as the actor.
    let history = p.history("2").await;
    let first_write = &history[1];
    assert_eq!(first_write["channel"], "utility");
    assert_eq!(first_write["actor"], format!("key:{}", p.key_id));
    assert_eq!(
        first_write["fields"],
        json!(["email", "mobile_phone", "other_phone"])
    );
    assert_eq!(history[0]["fields"], json!(["mobile_phone"]));
    // And as an event to the programme's backend.
    let event = p.event("2", "customer.updated.v1", "utility").await;
    assert_eq!(event["data"]["actor"], format!("key:{}", p.key_id));
}

#[tokio::test]
async fn every_documented_property_round_trips_and_only_three_may_change() {
    let p = programme("utility-fields", json!({"utility": {}}), rules()).await;
    p.customer("2", as_in_the_sample()).await;
    // (property, as stored, another value): the page's read-only properties.
    let fixed: [(&str, Value, Value); 22] = [
        (
            "Address.AddressText",
            json!("Storgata 1"),
            json!("Storgata 2"),
        ),
        ("Address.City", json!("Oslo"), json!("Bergen")),
        ("Address.CoAddress", json!("Hansen"), json!("Olsen")),
        ("Address.CountryCode", json!("NO"), json!("SE")),
        ("Address.Entrance", json!("A"), json!("C")),
        ("Address.Floor", json!("3"), json!("4")),
        ("Address.HouseLetter", json!("B"), json!("C")),
        ("Address.HouseNo", json!("1"), json!("5")),
        ("Address.POBox", json!(10), json!(11)),
        ("Address.ZipCode", json!("0150"), json!("5003")),
        (
            "BirthDate",
            json!("1985-05-20T00:00:00"),
            json!("1985-05-21T00:00:00"),
        ),
        ("CustomerId", json!(2), json!(3)),
        ("CustomerType", json!("private"), json!("business")),
        ("FirstName", json!("Kari"), json!("Ola")),
        ("IsBroadbandCustomer", json!(true), json!(false)),
        ("IsDistrictHeatingCustomer", json!(true), json!(false)),
        ("IsNetCustomer", json!(true), json!(false)),
        ("IsPowerCustomer", json!(true), json!(false)),
        ("LastName", json!("Nordmann"), json!("Hansen")),
        ("OrganizationNo", json!("987654321"), json!("123456789")),
        ("Pin", json!("01018512345"), json!("02028512345")),
        ("RequiresProfileConfirmation", json!(true), json!(false)),
    ];
    let before = p.stored("2").await;
    for (property, stored, other) in &fixed {
        let body = |value: &Value| match property.strip_prefix("Address.") {
            Some(part) => json!({"Address": {part: value}}),
            None => json!({*property: value}),
        };
        let (status, answer) = patch(&p.key, "2", &body(stored)).await;
        assert_eq!(status, 200, "{property} as stored: {answer}");
        let read_back = match property.strip_prefix("Address.") {
            Some(part) => &answer["Address"][part],
            None => &answer[*property],
        };
        assert_eq!(read_back, stored, "{property} reads back");
        let (status, answer) = patch(&p.key, "2", &body(other)).await;
        assert_eq!(status, 400, "{property} changed: {answer}");
        assert_eq!(answer["Message"], "The request is invalid.");
        let messages = &answer["ModelState"][format!("customer.{property}")];
        assert!(messages[0].as_str().is_some(), "{property}: {answer}");
    }
    assert_eq!(p.stored("2").await, before, "nothing was written");
    // `Address.IsEditable` is the page's own: accepted, and always false here.
    let (status, answer) = patch(&p.key, "2", &json!({"Address": {"IsEditable": true}})).await;
    assert_eq!(
        (status, &answer["Address"]["IsEditable"]),
        (200, &json!(false))
    );
    // The three that may change, each stored where the map says.
    let editable = [
        ("PhoneNumber", "4722334466", "/other_phone"),
        ("MobileNumber", "4791234599", "/mobile_phone"),
        ("Email", "kari.n@example.no", "/email"),
    ];
    for (property, value, pointer) in editable {
        let (status, answer) = patch(&p.key, "2", &json!({property: value})).await;
        assert_eq!((status, &answer[property]), (200, &json!(value)));
        assert_eq!(p.stored("2").await.pointer(pointer), Some(&json!(value)));
    }
    // `null` is "not sent", as .NET clients write every property.
    let (status, answer) = patch(&p.key, "2", &json!({"FirstName": null, "Email": null})).await;
    assert_eq!(
        (status, &answer["FirstName"], &answer["Email"]),
        (200, &json!("Kari"), &json!("kari.n@example.no"))
    );
}

#[tokio::test]
async fn each_error_has_asp_net_shape_and_changes_nothing() {
    let p = programme("utility-errors", json!({"utility": {}}), rules()).await;
    p.customer("2", as_in_the_sample()).await;
    let (read_only_key, _) = key(&p.tenant, &["customers:read"]).await;
    let before = p.stored("2").await;
    let long_email = format!("{}@{}.no", "a".repeat(40), "b".repeat(57));
    let invalid: [(Value, &str); 7] = [
        (
            json!({"MobileNumber": "479123456789012"}),
            "customer.MobileNumber",
        ),
        (json!({"PhoneNumber": "47 CALL ME"}), "customer.PhoneNumber"),
        (json!({"Email": "not an address"}), "customer.Email"),
        (json!({"Email": long_email}), "customer.Email"),
        (
            json!({"MobileNumber": 4791234567u64}),
            "customer.MobileNumber",
        ),
        (json!({"Nickname": "K"}), "customer.Nickname"),
        (
            json!({"BirthDate": "1985-02-30T00:00:00"}),
            "customer.BirthDate",
        ),
    ];
    for (body, property) in &invalid {
        let (status, answer) = patch(&p.key, "2", body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["Message"], "The request is invalid.");
        let message = answer["ModelState"][property][0].as_str();
        assert!(message.is_some_and(|m| !m.is_empty()), "{body}: {answer}");
    }
    let other = p.token("3");
    let cases: [(&str, &str, &str, u16); 7] = [
        ("", "2", "{}", 401),
        ("not-a-token", "2", "{}", 401),
        (&read_only_key, "2", "{}", 403),
        (&other, "2", "{}", 403),
        (&p.key, "99", "{}", 404),
        (&p.key, "two", "{}", 404),
        (&p.key, "2", "{not json", 400),
    ];
    for (bearer, id, body, want) in cases {
        let (status, _, text) = send(
            http().patch(url(id)),
            bearer,
            "application/json",
            body.into(),
        )
        .await;
        assert_eq!(status, want, "{id} {body}: {text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert!(answer["Message"].as_str().is_some(), "{text}");
    }
    let (status, _, _) = send(http().patch(url("2")), &p.key, "text/plain", "{}".into()).await;
    assert_eq!(status, 415);
    assert_eq!(p.stored("2").await, before, "nothing was written");
}

#[tokio::test]
async fn a_customer_changes_their_own_phones_and_their_new_email_waits_for_its_code() {
    let p = programme("utility-customer", json!({"utility": {}}), rules()).await;
    p.customer("7", json!({"email": "old@example.no"})).await;
    let token = p.token("7");
    let body = json!({"CustomerId": 7, "MobileNumber": "4798765432", "Email": "new@example.no"});
    let (status, answer) = patch(&token, "7", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["MobileNumber"], "4798765432");
    assert_eq!(answer["Email"], "old@example.no", "the new address waits");
    let (profile, _) = read_profile(&token).await;
    assert_eq!(profile["pending_email"], "new@example.no");
    let history = p.history("7").await;
    assert_eq!(
        (&history[0]["actor"], &history[0]["channel"]),
        (&json!("customer"), &json!("utility"))
    );
}

#[tokio::test]
async fn writes_without_if_match_lose_no_update() {
    let p = programme("utility-race", json!({"utility": {}}), rules()).await;
    p.customer("2", json!({})).await;
    for round in 0..10 {
        let phone = format!("47220000{round:02}");
        let mobile = format!("47900000{round:02}");
        let (phone_body, mobile_body) = (
            json!({"PhoneNumber": phone}),
            json!({"MobileNumber": mobile}),
        );
        let (a, b) = tokio::join!(
            patch(&p.key, "2", &phone_body),
            patch(&p.key, "2", &mobile_body)
        );
        assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
        let stored = p.stored("2").await;
        assert_eq!(
            (&stored["other_phone"], &stored["mobile_phone"]),
            (&json!(phone), &json!(mobile)),
            "round {round}"
        );
    }
}

#[tokio::test]
async fn a_programmes_key_reaches_only_its_own_customers_and_the_adapter_is_per_tenant() {
    let a = programme("utility-a", json!({"utility": {}}), rules()).await;
    let b = programme("utility-b", json!({"utility": {}}), rules()).await;
    b.customer("2", json!({"mobile_phone": "4790000002"})).await;
    let before = b.stored("2").await;
    // A's key names A's customer 2, who does not exist: B's is out of reach.
    let (status, answer) = patch(&a.key, "2", &json!({"MobileNumber": "4791111111"})).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(b.stored("2").await, before);
    // Without the adapter, its path is not there.
    let off = programme("utility-off", json!({}), rules()).await;
    off.customer("2", json!({})).await;
    let (status, answer) = patch(&off.key, "2", &json!({"MobileNumber": "4791111111"})).await;
    assert_eq!(status, 404);
    assert_eq!(
        answer["Message"],
        "This API is not switched on for this programme."
    );
    let unchanged = get_json(format!("{}/v1/customers/2", base_url()), &off.key).await;
    assert_eq!(unchanged["mobile_phone"], Value::Null);
}
