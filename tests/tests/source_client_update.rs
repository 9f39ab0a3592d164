//! The loyalty programme's `POST /api/client/ClientUpdate` (002), as its
//! existing clients call it: the page's samples in JSON and XML, every
//! member, each error code in the request's format, tenants, and the
//! adapter switched off.

use e2e::sources::{programme, programme_with, sample, send};
use e2e::{base_url, http, read_profile};
use serde_json::{Value, json};

const MODELS: &str = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Models";
const ABSTRACTIONS: &str =
    "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions";

fn url() -> String {
    format!("{}/api/client/ClientUpdate", base_url())
}

fn on() -> Value {
    json!({"client_update": {"operator": 1}})
}

/// Sends `body` as JSON; the HTTP status and `{ErrorCode, Message}`.
async fn call(bearer: &str, body: &Value) -> (u16, i64, String) {
    let (status, headers, text) = send(
        http().post(url()).header("Accept-Language", "ru"),
        bearer,
        "application/json",
        body.to_string(),
    )
    .await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let answer: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    let code = answer["ErrorCode"]
        .as_i64()
        .unwrap_or_else(|| panic!("{text}"));
    (status, code, answer["Message"].as_str().unwrap().to_owned())
}

/// Sends `body` as XML; the HTTP status, `ErrorCode` and `Message` read
/// from the page's `SetClientUpdateResponse`.
async fn call_xml(bearer: &str, content_type: &str, body: String) -> (u16, i64, String) {
    let (status, headers, text) = send(http().post(url()), bearer, content_type, body).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let opening = format!(
        r#"<SetClientUpdateResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="{MODELS}"><ErrorCode>"#
    );
    let rest = text
        .strip_prefix(&opening)
        .unwrap_or_else(|| panic!("{text}"));
    let (code, rest) = rest.split_once("</ErrorCode><Message>").unwrap();
    let message = rest
        .strip_suffix("</Message></SetClientUpdateResponse>")
        .unwrap();
    (status, code.parse().unwrap(), message.to_owned())
}

#[tokio::test]
async fn the_pages_samples_update_the_client_in_json_and_in_xml_alike() {
    for (format, body, content_type) in [
        ("json", sample("002-client-update.json"), "application/json"),
        ("xml", sample("002-client-update.xml"), "application/xml"),
    ] {
        let p = programme(&format!("cu-sample-{format}"), on(), json!({})).await;
        p.customer("1", json!({})).await;
        let (status, code, message) = if format == "xml" {
            call_xml(&p.key, content_type, body).await
        } else {
            let body: Value = serde_json::from_str(&body).unwrap();
            call(&p.key, &body).await
        };
        assert_eq!((status, code), (200, 0), "{format}: {message}");
        let (profile, _) = read_profile(&p.token("1")).await;
        let read = |pointer: &str| profile.pointer(pointer).cloned().unwrap_or(Value::Null);
        assert_eq!(read("/first_name"), "Иван", "{format}");
        assert_eq!(read("/last_name"), "Петров");
        assert_eq!(read("/middle_name"), "Сергеевич");
        assert_eq!(read("/birth_date"), "1985-10-30");
        assert_eq!(read("/mobile_phone"), "79161234567");
        assert_eq!(read("/email"), "ivan.petrov@example.ru");
        assert_eq!(read("/gender"), "male");
        for purpose in ["sms", "marketing_email", "email_receipts"] {
            assert_eq!(
                read(&format!("/consents/{purpose}/granted")),
                true,
                "{purpose}"
            );
            assert_eq!(
                read(&format!("/consents/{purpose}/source")),
                "client-update"
            );
        }
        assert_eq!(p.stored("1").await["crm_id"], "CRM-7");
        let history = p.history("1").await;
        assert_eq!(history[0]["channel"], "client-update");
        assert_eq!(history[0]["point_of_sale"], "MSK-042");
        assert_eq!(p.stored("1").await["updated_by"], "MSK-042");
        let event = p.event("1", "customer.updated.v1", "client-update").await;
        assert_eq!(event["data"]["point_of_sale"], "MSK-042");
    }
}

#[tokio::test]
async fn every_member_is_stored_where_the_map_says_and_reads_back() {
    let p = programme("cu-members", on(), json!({})).await;
    p.customer("5", json!({"gender": "female"})).await;
    // (member, value sent, where it is stored, the value stored)
    let table: [(&str, Value, &str, Value); 14] = [
        ("Name", json!("Анна"), "/first_name", json!("Анна")),
        (
            "Surname",
            json!("Смирнова"),
            "/last_name",
            json!("Смирнова"),
        ),
        (
            "Patronymic",
            json!("Ивановна"),
            "/middle_name",
            json!("Ивановна"),
        ),
        (
            "AllowSms",
            json!(false),
            "/consents/sms/granted",
            json!(false),
        ),
        (
            "AllowEmail",
            json!(true),
            "/consents/marketing_email/granted",
            json!(true),
        ),
        (
            "AllowEmailOnlineCheque",
            json!(true),
            "/consents/email_receipts/granted",
            json!(true),
        ),
        (
            "Birthdate",
            json!("1990-03-08T23:30:00-05:00"),
            "/birth_date",
            json!("1990-03-08"),
        ),
        (
            "Birthdate",
            json!("1991-04-09"),
            "/birth_date",
            json!("1991-04-09"),
        ),
        (
            "Phone",
            json!(79031234567u64),
            "/mobile_phone",
            json!("79031234567"),
        ),
        (
            "Email",
            json!("anna@example.ru"),
            "/email",
            json!("anna@example.ru"),
        ),
        ("Gender", json!(-1), "/gender", json!("female")),
        ("Gender", json!(1), "/gender", json!("male")),
        ("Gender", json!(0), "/gender", Value::Null),
        ("ContragentId", json!("CRM-88"), "/crm_id", json!("CRM-88")),
    ];
    for (member, sent, pointer, stored) in &table {
        let body = json!({"Client": 5, "Operator": 1, *member: sent});
        let (status, code, message) = call(&p.key, &body).await;
        assert_eq!((status, code), (200, 0), "{member}: {message}");
        let profile = p.stored("5").await;
        assert_eq!(
            profile.pointer(pointer).unwrap_or(&Value::Null),
            stored,
            "{member} {sent}"
        );
    }
    // Who and where: PosCode, else SiteCode, is the point of sale; Token is ignored.
    let body = json!({"Client": 5, "Name": "Аня", "SiteCode": "gift-3", "Token": 12345});
    assert_eq!(call(&p.key, &body).await.1, 0);
    assert_eq!(p.history("5").await[0]["point_of_sale"], "site:gift-3");
    let body = json!({"Client": 5, "Name": "Анна", "PosCode": "SPB-1", "SiteCode": "gift-3"});
    assert_eq!(call(&p.key, &body).await.1, 0);
    assert_eq!(p.history("5").await[0]["point_of_sale"], "SPB-1");
    // Members not sent, or null, are left as they are; Phone 0 is a phone never set.
    let body = json!({"Client": 5, "Name": null, "Phone": 0});
    assert_eq!(call(&p.key, &body).await.1, 0);
    let profile = p.stored("5").await;
    assert_eq!(
        (&profile["first_name"], &profile["mobile_phone"]),
        (&json!("Анна"), &json!("79031234567"))
    );
}

#[tokio::test]
async fn each_error_has_its_code_in_the_requests_format_and_changes_nothing() {
    let p = programme("cu-errors", on(), json!({"default_language": "ru"})).await;
    p.customer(
        "5",
        json!({"email": "held@example.ru", "email_status": "verified"}),
    )
    .await;
    p.customer("6", json!({"first_name": "Олег"})).await;
    let before = (p.stored("5").await, p.stored("6").await);
    let customer = p.token("6");
    let cases: [(&str, Value, u16, i64); 12] = [
        (
            &p.key,
            json!({"Client": 6, "Email": "not an address"}),
            200,
            1,
        ),
        (&p.key, json!({"Client": 6, "Gender": 2}), 200, 1),
        (
            &p.key,
            json!({"Client": 6, "Birthdate": "30.10.1985"}),
            200,
            1,
        ),
        (&p.key, json!({"Client": 6, "Phone": "seven"}), 200, 1),
        (&p.key, json!({"Client": 6, "Extra": 1}), 200, 1),
        (&p.key, json!({"Name": "Олег"}), 200, 1),
        (
            &customer,
            json!({"Client": 6, "ContragentId": "CRM-1"}),
            200,
            1,
        ),
        (&p.key, json!({"Client": 404, "Name": "Олег"}), 200, 2),
        (&customer, json!({"Client": 5, "Name": "Олег"}), 403, 3),
        (&p.key, json!({"Client": 6, "Operator": 2}), 403, 3),
        (
            &p.key,
            json!({"Client": 6, "Email": "held@example.ru"}),
            200,
            4,
        ),
        ("", json!({"Client": 6}), 401, 7),
    ];
    for (bearer, body, status, code) in &cases {
        let answer = call(bearer, body).await;
        assert_eq!(
            (answer.0, answer.1),
            (*status, *code),
            "{body}: {}",
            answer.2
        );
        assert!(!answer.2.is_empty());
    }
    // The field's own message, in the tenant's language.
    let (_, _, message) = call(&p.key, &json!({"Client": 6, "Email": "x"})).await;
    assert!(message.contains("Email"), "{message}");
    assert!(message.starts_with("Некоторые поля"), "{message}");
    // A body that is not JSON, or not XML this API takes.
    let (status, code, _) = call_xml(&p.key, "text/xml", "<a>".into()).await;
    assert_eq!((status, code), (400, 5));
    let wrong_namespace = format!(
        r#"<SetClientUpdateRequest xmlns="{MODELS}"><Operator>1</Operator><Client>6</Client></SetClientUpdateRequest>"#
    );
    let (status, code, message) = call_xml(&p.key, "application/xml", wrong_namespace).await;
    assert_eq!((status, code), (400, 5), "{message}");
    assert!(message.contains(ABSTRACTIONS), "{message}");
    let (status, _, text) = send(
        http().post(url()),
        &p.key,
        "application/json",
        "{\"Client\": ".into(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["ErrorCode"],
        5
    );
    let (status, _, text) = send(http().post(url()), &p.key, "text/plain", "{}".into()).await;
    assert_eq!(
        (status, text.contains("\"ErrorCode\":5")),
        (415, true),
        "{text}"
    );
    assert_eq!(
        (p.stored("5").await, p.stored("6").await),
        before,
        "nothing was written"
    );
    // A customer token may name itself.
    let body = json!({"Client": 6, "Name": "Олег", "Surname": "Орлов"});
    assert_eq!(call(&customer, &body).await.1, 0);
    assert_eq!(p.history("6").await[0]["actor"], "customer");
}

#[tokio::test]
async fn one_programmes_key_cannot_reach_another_and_the_adapter_is_per_tenant() {
    let a = programme("cu-a", json!({"client_update": {"operator": 1}}), json!({})).await;
    let b = programme("cu-b", json!({"client_update": {"operator": 2}}), json!({})).await;
    b.customer("1", json!({"first_name": "Борис"})).await;
    let before = b.stored("1").await;
    // A's key with B's operator number: refused; with its own, A's client 1 (none).
    let body = json!({"Client": 1, "Operator": 2, "Name": "Чужой"});
    assert_eq!(call(&a.key, &body).await.1, 3);
    let body = json!({"Client": 1, "Operator": 1, "Name": "Чужой"});
    assert_eq!(call(&a.key, &body).await.1, 2);
    assert_eq!(b.stored("1").await, before);
    let off = programme("cu-off", json!({"utility": {}}), json!({})).await;
    off.customer("1", json!({})).await;
    let (status, code, _) = call(&off.key, &json!({"Client": 1, "Name": "Нет"})).await;
    assert_eq!((status, code), (404, 8));
    let xml = sample("002-client-update.xml");
    let (status, code, _) = call_xml(&off.key, "text/xml", xml).await;
    assert_eq!((status, code), (404, 8));
    assert_eq!(off.stored("1").await["first_name"], Value::Null);
}

#[tokio::test]
async fn a_busy_profile_and_an_erased_client_have_their_codes() {
    let p = programme_with(
        "cu-limits",
        json!({"sources": on(), "privacy": {"writes_per_minute": 2,
            "suppress_return_after_erasure": true}}),
    )
    .await;
    let token = p.token("8");
    let mut answers = Vec::new();
    for name in ["Пётр", "Павел", "Иван"] {
        answers.push(call(&token, &json!({"Client": 8, "Name": name})).await);
    }
    let codes: Vec<(u16, i64)> = answers.iter().map(|(s, c, _)| (*s, *c)).collect();
    assert_eq!(codes, [(200, 0), (200, 0), (429, 6)], "{answers:?}");
    let (status, headers, _) = send(
        http().post(url()),
        &token,
        "application/json",
        json!({"Client": 8, "Name": "Иван"}).to_string(),
    )
    .await;
    assert_eq!(status, 429);
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            <= 60
    );
    // Erased, with returns suppressed: the client's own token gets 9, a key 2.
    let q = programme_with(
        "cu-erased",
        json!({"sources": on(), "privacy": {"suppress_return_after_erasure": true}}),
    )
    .await;
    q.customer("9", json!({"first_name": "Вера"})).await;
    q.erase("9").await;
    let (status, code, message) = call(&q.token("9"), &json!({"Client": 9, "Name": "Вера"})).await;
    assert_eq!((status, code), (200, 9), "{message}");
    let (status, code, message) = call(&q.key, &json!({"Client": 9, "Name": "Вера"})).await;
    assert_eq!((status, code), (200, 2), "{message}");
}
