//! The e-commerce platform's `UpdateCustomer` (003), as the shop's backend
//! calls it: the page's sample, the customer named by each of its ids,
//! every field read back through `/v1` and the history (with `updatedBy`),
//! the address rule both ways, companies created and updated, and
//! `PricelistIds` ignored.

use e2e::sources::{programme, sample};
use e2e::storm::*;
use serde_json::{Value, json};
use std::time::Duration;

fn at(profile: &Value, pointer: &str) -> Value {
    profile.pointer(pointer).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_pages_sample_updates_the_customer_and_answers_the_pages_customer() {
    let p = programme("storm-sample", adapter(), rules()).await;
    let (profile_id, id) =
        customer(&p, "storm-sample", json!({"loyalty": {"flags": ["gold"]}})).await;
    let email = format!("{}@example.se", id.to_lowercase());
    let body = sample("003-customer.json")
        .replace("00000000-0000-0000-0000-000000000000", &profile_id)
        .replace("CUSTOMER-CODE", &id)
        .replace("erik@example.se", &email);
    let (status, answer) = update(&p, serde_json::from_str(&body).unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    let profile = p.stored(&id).await;
    for (pointer, want) in [
        ("/shop_id", json!("4711")),
        ("/email", json!(email)),
        ("/national_id", json!("811228-9874")),
        ("/first_name", json!("Erik")),
        ("/last_name", json!("Lindqvist")),
        ("/other_phone", json!("+4681234567")),
        ("/mobile_phone", json!("+46701234567")),
        ("/acquisition/refer_id", json!("17")),
        (
            "/acquisition/refer_url",
            json!("https://partner.example.se/offer"),
        ),
        ("/username", json!("erik.l")),
        (
            "/company",
            json!({"id": 1, "name": "Lindqvist Bygg AB", "organization_number": "556677-8899"}),
        ),
        (
            "/other_companies",
            json!([{"id": 2, "name": "Erik L Konsult", "organization_number": "811228-9874"}]),
        ),
        (
            "/delivery_addresses",
            json!([{"id": "1", "care_of": "Lager 3", "line1": "Industrivägen 4",
            "postal_code": "123 45", "city": "Farsta", "country": "SE"}]),
        ),
        (
            "/invoice_address",
            json!({"line1": "Storgatan 1", "line2": "Lgh 1101",
            "postal_code": "111 22", "city": "Stockholm", "country": "SE"}),
        ),
        ("/use_invoice_address_for_delivery", json!(false)),
        ("/loyalty/flags", json!(["gold", "b2b"])),
        ("/loyalty/price_list_ids", json!([])),
        ("/custom_fields/nickname", json!("Byggare Erik")),
        ("/custom_fields/cups", json!(4)),
        ("/crm_id", json!("CRM-88")),
        ("/active", json!(true)),
        ("/updated_by", json!("user:5")),
    ] {
        assert_eq!(at(&profile, pointer), want, "{pointer}");
    }
    assert_ne!(profile["created"], "2019-08-24T14:15:22Z");
    // The answer is the page's customer, from the stored profile.
    for (member, want) in [
        ("Id", json!(4711)),
        ("Key", json!(profile_id)),
        ("Code", json!(id)),
        ("Email", json!(email)),
        ("SSN", json!("811228-9874")),
        ("Phone", json!("+4681234567")),
        ("ReferId", json!(17)),
        (
            "Account",
            json!({"Id": null, "LoginName": "erik.l", "Password": null}),
        ),
        (
            "Companies",
            json!([{"Id": 1, "Name": "Lindqvist Bygg AB", "OrgNo": "556677-8899"},
            {"Id": 2, "Name": "Erik L Konsult", "OrgNo": "811228-9874"}]),
        ),
        ("Flags", json!([{"Id": 7}])),
        (
            "Info",
            json!([{"Id": 11, "Value": "Byggare Erik"}, {"Id": 12, "Value": "4"}]),
        ),
        ("PricelistIds", json!([])),
        ("UseInvoiceAddressAsDeliveryAddress", json!(false)),
        ("IsActive", json!(true)),
        ("Created", profile["created"].clone()),
        ("Updated", profile["updated"].clone()),
    ] {
        assert_eq!(answer[member], want, "{member}");
    }
    assert_eq!(answer["DeliveryAddresses"][0]["Id"], 1);
    assert_eq!(answer["DeliveryAddresses"][0]["Zip"], "123 45");
    assert_eq!(answer["InvoiceAddress"]["City"], "Stockholm");
    // The history names the acting user, the key and the channel.
    let entry = &p.history(&id).await[0];
    assert_eq!(entry["channel"], "storm");
    assert_eq!(entry["acting_user"], "5");
    assert_eq!(entry["actor"], format!("key:{}", p.key_id));
    let fields: Vec<&str> = entry["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for field in [
        "shop_id",
        "username",
        "company",
        "other_companies",
        "delivery_addresses",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let event = p.event(&id, "customer.updated.v1", "storm").await;
    assert_eq!(event["customer"]["id"], profile_id.as_str());
    assert_eq!(event["data"]["acting_user"], "5");
}

#[tokio::test]
async fn the_customer_is_named_by_key_by_code_or_by_the_shops_id() {
    let p = programme("storm-ids", adapter(), rules()).await;
    let (profile_id, id) = customer(&p, "storm-ids", json!({})).await;
    let (status, answer) = update(
        &p,
        json!({"Key": profile_id.to_uppercase(), "Id": 90210, "FirstName": "Kim"}),
    )
    .await;
    assert_eq!(
        (status, &answer["FirstName"]),
        (200, &json!("Kim")),
        "{answer}"
    );
    let (status, answer) = update(&p, json!({"Code": id, "LastName": "Berg"})).await;
    assert_eq!(
        (status, &answer["LastName"]),
        (200, &json!("Berg")),
        "{answer}"
    );
    // The shop's id reaches the customer once the tenant's index has it.
    let mut tries = 0;
    let answer = loop {
        let (status, answer) = update(&p, json!({"Id": 90210, "CrmId": "C-1"})).await;
        if status == 200 || tries == 50 {
            assert_eq!(status, 200, "{answer}");
            break answer;
        }
        tries += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(answer["Key"], profile_id.as_str());
    assert_eq!(answer["CrmId"], "C-1");
    let profile = p.stored(&id).await;
    assert_eq!(profile["first_name"], "Kim");
    assert_eq!(profile["last_name"], "Berg");
    assert_eq!(profile["crm_id"], "C-1");
    // A body that changes nothing answers the customer as stored.
    let version = profile["version"].clone();
    let (status, answer) = update(&p, json!({"Code": id})).await;
    assert_eq!((status, &answer["Code"]), (200, &json!(id)));
    assert_eq!(p.stored(&id).await["version"], version);
}

#[tokio::test]
async fn every_field_round_trips_through_v1_and_null_keeps() {
    let p = programme("storm-fields", adapter(), rules()).await;
    let (_, id) = customer(
        &p,
        "storm-fields",
        json!({"first_name": "Ada", "crm_id": "X"}),
    )
    .await;
    let cases = [
        (
            "Email",
            json!("ada@example.se"),
            "/email",
            json!("ada@example.se"),
        ),
        (
            "SSN",
            json!("811228-9874"),
            "/national_id",
            json!("811228-9874"),
        ),
        ("FirstName", json!("Adele"), "/first_name", json!("Adele")),
        ("LastName", json!("Öberg"), "/last_name", json!("Öberg")),
        (
            "Phone",
            json!("08-123 45 67"),
            "/other_phone",
            json!("081234567"),
        ),
        (
            "CellPhone",
            json!("+46 70 123 45 67"),
            "/mobile_phone",
            json!("+46701234567"),
        ),
        ("ReferId", json!(99), "/acquisition/refer_id", json!("99")),
        (
            "ReferUrl",
            json!("https://a.example/x"),
            "/acquisition/refer_url",
            json!("https://a.example/x"),
        ),
        ("CrmId", json!("CRM-2"), "/crm_id", json!("CRM-2")),
        ("IsActive", json!(false), "/active", json!(false)),
        (
            "Info",
            json!([{"Id": 13, "Value": "2026-05-01T00:00:00"}]),
            "/custom_fields/first_order",
            json!("2026-05-01"),
        ),
        (
            "Info",
            json!([{"Id": 12, "Value": "7"}]),
            "/custom_fields/cups",
            json!(7),
        ),
        (
            "Flags",
            json!([{"Id": 8}, {"Id": 7}]),
            "/loyalty/flags",
            json!(["staff", "b2b"]),
        ),
        ("Flags", json!([]), "/loyalty/flags", json!([])),
        ("CrmId", json!(""), "/crm_id", Value::Null),
    ];
    for (member, value, pointer, want) in cases {
        let email = if member == "Email" {
            json!(format!("{}@example.se", id.to_lowercase()))
        } else {
            value.clone()
        };
        let mut body = json!({"Code": id});
        body[member] = email.clone();
        let (status, answer) = update(&p, body).await;
        assert_eq!(status, 200, "{member}: {answer}");
        let want = if member == "Email" { email } else { want };
        assert_eq!(at(&p.stored(&id).await, pointer), want, "{member}");
        let entry = &p.history(&id).await[0];
        assert_eq!(entry["acting_user"], "5", "{member}");
    }
    // Null or left out keeps every value.
    let before = p.stored(&id).await;
    let nulls: serde_json::Map<String, Value> = [
        "Email",
        "SSN",
        "FirstName",
        "LastName",
        "Phone",
        "CellPhone",
        "ReferId",
        "ReferUrl",
        "Account",
        "Companies",
        "DeliveryAddresses",
        "InvoiceAddress",
        "Flags",
        "UseInvoiceAddressAsDeliveryAddress",
        "Info",
        "PricelistIds",
        "CrmId",
        "IsActive",
        "Created",
        "Updated",
        "Id",
    ]
    .into_iter()
    .map(|m| (m.to_owned(), Value::Null))
    .collect();
    let mut body = Value::Object(nulls);
    body["Code"] = json!(id);
    let (status, _) = update(&p, body).await;
    assert_eq!(status, 200);
    assert_eq!(p.stored(&id).await, before);
}

#[tokio::test]
async fn the_invoice_address_serves_for_delivery_or_both_are_needed() {
    let p = programme("storm-addresses", adapter(), rules()).await;
    let (_, id) = customer(&p, "storm-addresses", json!({})).await;
    let invoice =
        json!({"Line1": "Storgatan 1", "Zip": "111 22", "City": "Stockholm", "Country": "SE"});
    let delivery =
        json!([{"Line1": "Lagervägen 2", "Zip": "123 45", "City": "Farsta", "Country": "SE"}]);
    // True: the delivery addresses sent are ignored, the invoice address suffices.
    let (status, answer) = update(
        &p,
        json!({"Code": id, "UseInvoiceAddressAsDeliveryAddress": true,
        "InvoiceAddress": invoice, "DeliveryAddresses": delivery}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let profile = p.stored(&id).await;
    assert_eq!(profile["use_invoice_address_for_delivery"], true);
    assert_eq!(profile["delivery_addresses"], json!([]));
    assert_eq!(profile["invoice_address"]["city"], "Stockholm");
    // False: a delivery address is needed too.
    let (status, answer) = update(
        &p,
        json!({"Code": id, "UseInvoiceAddressAsDeliveryAddress": false}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(refusal(&answer).0, "DeliveryAddressZipMissing");
    assert_eq!(p.stored(&id).await, profile);
    let (status, answer) = update(
        &p,
        json!({"Code": id, "UseInvoiceAddressAsDeliveryAddress": false,
        "DeliveryAddresses": delivery}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let profile = p.stored(&id).await;
    assert_eq!(profile["use_invoice_address_for_delivery"], false);
    assert_eq!(profile["delivery_addresses"][0]["city"], "Farsta");
    assert_eq!(profile["delivery_addresses"][0]["id"], "1");
    // A second address keeps the first's id, and takes the next.
    let two = json!([{"Id": 1, "Line1": "Lagervägen 2", "Zip": "123 45", "City": "Farsta", "Country": "SE"},
        {"Line1": "Hamnen 9", "Zip": "411 04", "City": "Göteborg", "Country": "SE"}]);
    let (status, answer) = update(&p, json!({"Code": id, "DeliveryAddresses": two})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["DeliveryAddresses"][1]["Id"], 2);
    // Without an invoice address, neither way works.
    let (_, other) = customer(&p, "storm-addresses", json!({})).await;
    for flag in [true, false] {
        let (status, answer) = update(
            &p,
            json!({"Code": other, "UseInvoiceAddressAsDeliveryAddress": flag,
            "DeliveryAddresses": delivery}),
        )
        .await;
        assert_eq!(
            (status, refusal(&answer).0),
            (400, "InvoiceAddressZipMissing"),
            "{flag}: {answer}"
        );
    }
}

#[tokio::test]
async fn companies_without_an_id_are_created_and_with_one_updated() {
    let p = programme("storm-companies", adapter(), rules()).await;
    let (_, id) = customer(
        &p,
        "storm-companies",
        json!({"company": {"name": "Old AB"}}),
    )
    .await;
    // The customer's own company, answered without an id, comes back as
    // itself; new ones take ids after every id stored or sent.
    let (status, answer) = update(
        &p,
        json!({"Code": id, "Companies": [{"Name": "Old AB"},
        {"Name": "Alfa AB", "OrgNo": "556000-0001"}, {"Id": 7, "Name": "Beta AB"}]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["Companies"],
        json!([{"Id": 8, "Name": "Old AB", "OrgNo": null},
        {"Id": 9, "Name": "Alfa AB", "OrgNo": "556000-0001"},
        {"Id": 7, "Name": "Beta AB", "OrgNo": null}])
    );
    // Updated by id, reordered (the first is the default), one more created.
    let (status, answer) = update(&p, json!({"Code": id, "Companies": [
        {"Id": 7, "Name": "Beta Bygg AB", "OrgNo": "556000-0002"}, {"Id": 9, "Name": "Alfa AB", "OrgNo": "556000-0001"},
        {"Name": "Gamma AB"}]})).await;
    assert_eq!(status, 200, "{answer}");
    let profile = p.stored(&id).await;
    assert_eq!(
        profile["company"],
        json!({"id": 7, "name": "Beta Bygg AB", "organization_number": "556000-0002"})
    );
    assert_eq!(profile["other_companies"][0]["id"], 9);
    assert_eq!(
        profile["other_companies"][1],
        json!({"id": 10, "name": "Gamma AB"})
    );
    // A company the customer has under its id, sent as new, is refused.
    let (status, answer) =
        update(&p, json!({"Code": id, "Companies": [{"Name": "Gamma AB"}]})).await;
    assert_eq!(
        (status, refusal(&answer).0),
        (400, "CompanyAlreadyExists"),
        "{answer}"
    );
    assert_eq!(answer["Errors"][0]["Field"], "Companies[0]");
    // An empty list leaves the customer without companies.
    let (status, _) = update(&p, json!({"Code": id, "Companies": []})).await;
    assert_eq!(status, 200);
    let profile = p.stored(&id).await;
    assert_eq!(profile["company"], Value::Null);
    assert_eq!(profile["other_companies"], json!([]));
}

#[tokio::test]
async fn price_lists_created_and_updated_are_the_platforms_own_and_ignored() {
    let p = programme("storm-pricelists", adapter(), rules()).await;
    let (_, id) = customer(
        &p,
        "storm-pricelists",
        json!({"loyalty": {"price_list_ids": ["3"]}}),
    )
    .await;
    let before = p.stored(&id).await;
    let (status, answer) = update(
        &p,
        json!({"Code": id, "PricelistIds": [1, 2],
        "Created": "2001-01-01T00:00:00Z", "Updated": "2001-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["PricelistIds"], json!([3]));
    assert_eq!(answer["Created"], before["created"]);
    assert_eq!(p.stored(&id).await, before);
}
