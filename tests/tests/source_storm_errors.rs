//! The e-commerce platform's `UpdateCustomer` (003) refused: every key the
//! page names, each provoked on purpose, with its message in the
//! `cultureCode` language; the other refusals; tenants; the adapter off.
//! Nothing refused changes the stored profile.

use e2e::admin::customer_token;
use e2e::admin::key;
use e2e::sources::programme;
use e2e::storm::*;
use serde_json::{Value, json};

#[tokio::test]
async fn every_key_of_the_page_in_the_culture_codes_language() {
    let p = programme("storm-keys", adapter(), rules()).await;
    // The holder proved the address (their token says so), so it is theirs.
    let holder_id = e2e::unique_customer("storm-keys");
    let taken = format!("{}@example.se", holder_id.to_lowercase());
    let claims = json!({"email": taken, "email_verified": true});
    let (held, _) = e2e::read_profile(&e2e::email::token(&p.tenant, &holder_id, claims)).await;
    assert_eq!(held["email_status"], "verified");
    let (_, id) = customer(
        &p,
        "storm-keys",
        json!({"username": "erik.l",
        "company": {"id": 4, "name": "Alfa AB", "organization_number": "556000-0001"}}),
    )
    .await;
    let address = |without: &str| {
        let mut address =
            json!({"Line1": "Storgatan 1", "Zip": "111 22", "City": "Stockholm", "Country": "SE"});
        address.as_object_mut().unwrap().remove(without);
        address
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "AccountAlreadyExists",
            json!({"Code": id, "Account": {"LoginName": "erik.lindqvist", "Password": ""}}),
        ),
        (
            "CompanyAlreadyExists",
            json!({"Code": id, "Companies": [{"Name": "Alfa AB", "OrgNo": "556000-0001"}]}),
        ),
        ("CustomerAlreadyExists", json!({"Code": id, "Email": taken})),
        (
            "CustomerMissing",
            json!({"Key": "0f8fad5b-d9cb-469f-a165-70867728950e", "FirstName": "X"}),
        ),
        (
            "CustomerMissing",
            json!({"Code": "nobody-here", "FirstName": "X"}),
        ),
        (
            "CustomerMissing",
            json!({"Id": 123456789, "FirstName": "X"}),
        ),
        ("CustomerMissing", json!({"FirstName": "X"})),
        (
            "InvalidCompanyName",
            json!({"Code": id, "Companies": [{"OrgNo": "556000-0009"}]}),
        ),
        (
            "InvalidCompanyName",
            json!({"Code": id, "Companies": [{"Id": 4, "Name": "", "OrgNo": "1"}]}),
        ),
        (
            "InvalidEmail",
            json!({"Code": id, "Email": "erik(at)example.se"}),
        ),
        (
            "DeliveryAddressZipMissing",
            json!({"Code": id, "DeliveryAddresses": [address("Zip")]}),
        ),
        (
            "DeliveryAddressCityMissing",
            json!({"Code": id, "DeliveryAddresses": [address("City")]}),
        ),
        (
            "DeliveryAddressCountryMissing",
            json!({"Code": id, "DeliveryAddresses": [address("Country")]}),
        ),
        (
            "InvoiceAddressZipMissing",
            json!({"Code": id, "InvoiceAddress": address("Zip")}),
        ),
        (
            "InvoiceAddressCityMissing",
            json!({"Code": id, "InvoiceAddress": address("City")}),
        ),
        (
            "InvoiceAddressCountryMissing",
            json!({"Code": id, "InvoiceAddress": address("Country")}),
        ),
    ];
    let before = p.stored(&id).await;
    let holder_before = p.stored(&holder_id).await;
    for (want, body) in cases {
        let mut messages = Vec::new();
        for culture in ["sv-SE", "en-GB"] {
            let query = format!("updatedBy=1&cultureCode={culture}");
            let (status, answer) =
                update_as(&p.key, &query, "application/json", body.to_string()).await;
            assert_eq!(status, 400, "{want} {culture}: {answer}");
            let (key, message) = refusal(&answer);
            assert_eq!(key, want, "{culture}: {answer}");
            assert_eq!(answer["Errors"][0]["Key"], want);
            assert!(!message.is_empty(), "{want}");
            messages.push(message.to_owned());
        }
        assert_ne!(
            messages[0], messages[1],
            "{want}: one message in both languages"
        );
    }
    // Without a cultureCode, the tenant's default language (Swedish here).
    let (_, answer) = update(&p, json!({"FirstName": "X"})).await;
    assert_eq!(refusal(&answer).1, "Kunden finns inte.");
    let (_, answer) = update_as(
        &p.key,
        "updatedBy=1&cultureCode=es-ES",
        "application/json",
        json!({"FirstName": "X"}).to_string(),
    )
    .await;
    assert_eq!(refusal(&answer).1, "No existe ese cliente.");
    assert_eq!(p.stored(&id).await, before);
    assert_eq!(p.stored(&holder_id).await, holder_before);
}

#[tokio::test]
async fn other_refusals_say_what_is_wrong_and_change_nothing() {
    let p = programme("storm-refusals", adapter(), rules()).await;
    let (profile_id, id) = customer(&p, "storm-refusals", json!({"first_name": "Ada"})).await;
    let (_, other_id) = customer(&p, "storm-refusals", json!({})).await;
    let (reader, _) = key(&p.tenant, &["customers:read"]).await;
    let json = "application/json";
    let body = json!({"Code": id, "FirstName": "Eve"}).to_string();
    let cases: Vec<(&str, String, &str, &str, String, u16, &str)> = vec![
        (
            "no key",
            String::new(),
            "updatedBy=1",
            json,
            body.clone(),
            401,
            "Unauthorized",
        ),
        (
            "a customer token",
            customer_token(&p.tenant, &id),
            "updatedBy=1",
            json,
            body.clone(),
            401,
            "Unauthorized",
        ),
        (
            "a key without customers:write",
            reader.clone(),
            "updatedBy=1",
            json,
            body.clone(),
            403,
            "Forbidden",
        ),
        (
            "no updatedBy",
            p.key.clone(),
            "",
            json,
            body.clone(),
            400,
            "Required",
        ),
        (
            "updatedBy not an integer",
            p.key.clone(),
            "updatedBy=me",
            json,
            body.clone(),
            400,
            "InvalidType",
        ),
        (
            "XML",
            p.key.clone(),
            "updatedBy=1",
            "application/xml",
            "<Customer/>".into(),
            415,
            "UnsupportedMediaType",
        ),
        (
            "malformed JSON",
            p.key.clone(),
            "updatedBy=1",
            json,
            "{\"Code\":".into(),
            400,
            "InvalidRequest",
        ),
        (
            "a list",
            p.key.clone(),
            "updatedBy=1",
            json,
            "[]".into(),
            400,
            "InvalidRequest",
        ),
        (
            "an unknown member",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Password": "x"}).to_string(),
            400,
            "UnknownField",
        ),
        (
            "an unknown address part",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "InvoiceAddress": {"Street": "x"}}).to_string(),
            400,
            "UnknownField",
        ),
        (
            "a password",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Account": {"LoginName": "ada", "Password": "secret"}}).to_string(),
            400,
            "ReadOnly",
        ),
        (
            "IsActive as text",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "IsActive": "yes"}).to_string(),
            400,
            "InvalidType",
        ),
        (
            "a Key nobody has",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": other_id, "Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}).to_string(),
            400,
            "CustomerMissing",
        ),
        (
            "Key and Code of two customers",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Key": profile_id, "Code": other_id}).to_string(),
            400,
            "ReadOnly",
        ),
        (
            "an unknown flag",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Flags": [{"Id": 99}]}).to_string(),
            400,
            "UnknownField",
        ),
        (
            "an unknown Info id",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Info": [{"Id": 99, "Value": "1"}]}).to_string(),
            400,
            "UnknownField",
        ),
        (
            "an Info value of the wrong type",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Info": [{"Id": 12, "Value": "many"}]}).to_string(),
            400,
            "InvalidType",
        ),
        (
            "an Info value out of range",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Info": [{"Id": 12, "Value": "99"}]}).to_string(),
            400,
            "AboveMaximum",
        ),
        (
            "an invalid SSN",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "SSN": "811228-9875"}).to_string(),
            400,
            "InvalidNationalId",
        ),
        (
            "a name of digits",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "FirstName": "R2D2"}).to_string(),
            400,
            "InvalidCharacters",
        ),
        (
            "Companies not a list",
            p.key.clone(),
            "updatedBy=1",
            json,
            json!({"Code": id, "Companies": "Alfa"}).to_string(),
            400,
            "InvalidType",
        ),
    ];
    let before = p.stored(&id).await;
    for (what, bearer, query, media_type, body, status, key) in cases {
        let (got, answer) = update_as(&bearer, query, media_type, body).await;
        assert_eq!((got, refusal(&answer).0), (status, key), "{what}: {answer}");
        assert!(!refusal(&answer).1.is_empty(), "{what}");
        assert_eq!(p.stored(&id).await, before, "{what}");
    }
}

#[tokio::test]
async fn a_tenants_key_reaches_only_its_own_customers_and_only_when_switched_on() {
    let a = programme("storm-tenant-a", adapter(), rules()).await;
    let b = programme("storm-tenant-b", adapter(), rules()).await;
    let (b_profile, b_id) = customer(&b, "storm-tenant-b", json!({"first_name": "Bo"})).await;
    let before = b.stored(&b_id).await;
    for body in [
        json!({"Code": b_id, "FirstName": "Mallory"}),
        json!({"Key": b_profile, "FirstName": "Mallory"}),
    ] {
        let (status, answer) = update(&a, body).await;
        assert_eq!(
            (status, refusal(&answer).0),
            (400, "CustomerMissing"),
            "{answer}"
        );
    }
    assert_eq!(b.stored(&b_id).await, before);
    // An erased customer is missing, by each of its names.
    b.erase(&b_id).await;
    for body in [
        json!({"Code": b_id, "FirstName": "Bo"}),
        json!({"Key": b_profile, "FirstName": "Bo"}),
    ] {
        let (status, answer) = update(&b, body).await;
        assert_eq!(
            (status, refusal(&answer).0),
            (400, "CustomerMissing"),
            "{answer}"
        );
    }
    let off = programme("storm-off", json!({"booking": {}}), rules()).await;
    let (_, id) = customer(&off, "storm-off", json!({})).await;
    let (status, answer) = update(&off, json!({"Code": id, "FirstName": "X"})).await;
    assert_eq!((status, refusal(&answer).0), (404, "NotFound"), "{answer}");
}
