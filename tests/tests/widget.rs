//! The widget in Chromium, used as a customer uses it: on the demo page and
//! on a loyalty site of another origin that sends a Content-Security-Policy.

use e2e::site::{HostSite, Page};
use e2e::{
    Browser, Cdp, base_url, demo_token, dev_var, http, now, patch_over_api, sign, stored_profile,
    unique_customer,
};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Runs `body` (JavaScript, with `root` the first widget's shadow root).
async fn in_widget(browser: &Browser, body: &str) -> Value {
    let script =
        format!("const root = document.querySelector('customer-profile').shadowRoot; {body}");
    browser.client.execute(&script, vec![]).await.unwrap()
}

async fn wait_saved(browser: &Browser) {
    browser
        .wait_for_widget_prop("[role=status]", "textContent", "Your changes were saved.")
        .await;
}

#[tokio::test]
async fn a_customer_edits_several_fields_fixes_an_email_and_sees_it_all_after_a_reload() {
    let customer = unique_customer("widget-edit");
    let email = format!("{customer}@example.com");
    let browser = Browser::open_demo(&customer).await;
    // A consent links to the policy it is given under (the demo tenant's terms).
    let policy = browser
        .client
        .execute(
            "const r = document.querySelector('customer-profile').shadowRoot;
             const a = r.querySelector('#cp-consents-terms-granted').closest('.cp-field').querySelector('a.cp-policy');
             return a ? [a.href, a.target, a.textContent] : null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        policy,
        json!([
            "https://example.com/nordic-bean-club/terms",
            "_blank",
            "Read the policy"
        ])
    );

    browser.type_into("#cp-last_name", "Lindqvist").await;
    browser
        .type_into("#cp-custom_fields-cups_per_day", "4")
        .await;
    browser
        .widget_element("#cp-consents-sms-granted")
        .await
        .click()
        .await
        .unwrap();
    browser
        .widget_element("#cp-custom_fields-home_store option:nth-child(2)")
        .await
        .click()
        .await
        .unwrap();
    // An invalid address is explained when the customer leaves the field.
    browser.type_into("#cp-email", "astrid@").await;
    browser
        .widget_element("#cp-mobile_phone")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_widget_prop(
            "#cp-email-error",
            "textContent",
            "Enter an e-mail address such as name@example.com.",
        )
        .await;
    browser.type_into("#cp-email", &email).await;
    browser
        .wait_for_widget_prop("#cp-email-error", "textContent", "")
        .await;
    browser.save().await;
    wait_saved(&browser).await;

    browser.client.refresh().await.unwrap();
    browser
        .wait_for_widget_prop("#cp-last_name", "value", "Lindqvist")
        .await;
    browser
        .wait_for_widget_prop("#cp-custom_fields-cups_per_day", "value", "4")
        .await;
    // A new address waits for its code (tests/tests/email_demo.rs): the
    // form keeps the one it had, and the panel says where the code went.
    browser.wait_for_widget_prop("#cp-email", "value", "").await;
    let sent = browser
        .widget_element("#cp-email-code-sent")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(sent.contains(&email), "{sent}");
    browser
        .wait_for_widget_prop("#cp-consents-sms-granted", "checked", "true")
        .await;
    browser.close().await;

    let profile = stored_profile(&customer).await;
    assert_eq!(profile["last_name"], "Lindqvist");
    assert_eq!(profile["pending_email"], email.as_str());
    assert_eq!(profile["custom_fields"]["cups_per_day"], 4);
    assert_eq!(profile["consents"]["sms"]["granted"], true);
    assert!(profile["custom_fields"]["home_store"].is_string());
    // The history and the consent ledger name the widget as the channel.
    let token = demo_token(&customer);
    let history =
        e2e::admin::get_json(format!("{}/v1/customers/me/history", base_url()), &token).await;
    let channels: Vec<&str> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["channel"].as_str().unwrap())
        .collect();
    assert!(
        channels.len() >= 2 && channels.iter().all(|c| *c == "widget"),
        "{history}"
    );
    assert_eq!(profile["consents"]["sms"]["source"], "widget");
}

/// Presses keys in order on whatever has the focus.
async fn press(browser: &Browser, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys {
        actions = actions
            .then(KeyAction::Down { value: *key })
            .then(KeyAction::Up { value: *key });
    }
    browser.client.perform_actions(actions).await.unwrap();
}

/// The id of the focused control inside the widget, and whether its focus
/// outline shows.
async fn focused(browser: &Browser) -> (String, bool) {
    let found = in_widget(
        browser,
        "const el = root.activeElement; if (!el) return ['', false];
         const style = getComputedStyle(el);
         return [el.id || el.textContent, style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2];",
    )
    .await;
    (
        found[0].as_str().unwrap_or_default().to_owned(),
        found[1].as_bool().unwrap_or(false),
    )
}

/// Tabs until the control `id` (or a button with that text) has the focus.
async fn tab_to(browser: &Browser, id: &str) {
    for _ in 0..200 {
        let (now, outlined) = focused(browser).await;
        if now == id {
            assert!(outlined, "the focus on {id} is visible");
            return;
        }
        press(browser, &[Key::Tab.into()]).await;
    }
    panic!("Tab never reached {id}");
}

#[tokio::test]
async fn the_whole_form_can_be_completed_with_the_keyboard_alone() {
    let customer = unique_customer("widget-keyboard");
    let browser = Browser::open_demo(&customer).await;
    tab_to(&browser, "cp-first_name").await;
    let name: Vec<char> = "Kalle".chars().collect();
    press(&browser, &name).await;
    tab_to(&browser, "cp-consents-newsletter-granted").await;
    press(&browser, &[' ']).await;
    tab_to(&browser, "cp-custom_fields-home_store").await;
    press(&browser, &[Key::Down.into()]).await;
    tab_to(&browser, "Save changes").await;
    press(&browser, &[Key::Enter.into()]).await;
    wait_saved(&browser).await;
    browser.close().await;
    let profile = stored_profile(&customer).await;
    assert!(
        profile["first_name"].as_str().unwrap().ends_with("Kalle"),
        "{profile}"
    );
    assert_eq!(profile["consents"]["newsletter"]["granted"], true);
    assert!(profile["custom_fields"]["home_store"].is_string());
}

#[tokio::test]
async fn a_change_made_in_another_session_is_merged_and_the_customer_chooses() {
    let customer = unique_customer("widget-conflict");
    let browser = Browser::open_demo(&customer).await;

    // Meanwhile, another session (the customer's phone) saves two fields.
    patch_over_api(
        &customer,
        &json!({"first_name": "Phone", "last_name": "Elsewhere"}),
    )
    .await;

    browser.type_into("#cp-first_name", "Laptop").await;
    browser.type_into("#cp-middle_name", "Maria").await;
    browser.save().await;
    browser
        .wait_for_widget_prop("#cp-last_name", "value", "Elsewhere")
        .await;
    let notice = browser.widget_element(".cp-notice").await;
    assert!(notice.text().await.unwrap().contains("changed elsewhere"));
    // Both changed the first name: both values are shown; the customer keeps theirs.
    let choice = in_widget(
        &browser,
        "const box = root.querySelector('#cp-first_name ~ .cp-conflict');
         return [box.hidden, box.textContent];",
    )
    .await;
    assert_eq!(choice[0], false);
    assert!(choice[1].as_str().unwrap().contains("Phone"));
    browser
        .widget_element("#cp-first_name ~ .cp-conflict button")
        .await
        .click()
        .await
        .unwrap();
    browser.save().await;
    wait_saved(&browser).await;
    browser.close().await;

    let profile = stored_profile(&customer).await;
    assert_eq!(profile["first_name"], "Laptop");
    assert_eq!(profile["middle_name"], "Maria");
    assert_eq!(
        profile["last_name"], "Elsewhere",
        "the other session's change stays"
    );
}

#[tokio::test]
async fn it_is_accessible_fits_narrow_screens_and_is_photographed_for_review() {
    let customer = unique_customer("widget-a11y");
    let browser = Browser::open_demo(&customer).await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");

    // With messages and the error summary showing, too.
    browser.type_into("#cp-email", "not-an-address").await;
    browser.type_into("#cp-mobile_phone", "call me").await;
    browser.save().await;
    browser.widget_element(".cp-summary:not([hidden]) a").await;
    let violations = browser.axe_violations().await;
    assert!(
        violations.is_empty(),
        "axe-core with errors: {violations:#?}"
    );

    let shots = xtask::root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for width in [1280, 375, 320] {
        browser.client.set_window_size(width, 900).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let overflow = browser
            .client
            .execute(
                "const root = document.querySelector('customer-profile').shadowRoot;
                 const form = root.querySelector('form');
                 return [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                         form.scrollWidth - form.clientWidth];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            overflow,
            json!([0, 0]),
            "no sideways scrolling at {width} px"
        );
        if width != 320 {
            browser
                .client
                .execute("window.scrollTo(0, 0);", vec![])
                .await
                .unwrap();
            let png = browser.client.screenshot().await.unwrap();
            std::fs::write(shots.join(format!("widget-{width}.png")), png).unwrap();
        }
    }
    // 200 % zoom of a 640 px window is the 320 px layout; text zoom alone
    // must not make it scroll sideways either.
    let zoomed = in_widget(
        &browser,
        "root.host.style.fontSize = '200%';
         const form = root.querySelector('form');
         return form.scrollWidth - form.clientWidth;",
    )
    .await;
    assert_eq!(zoomed, json!(0), "no sideways scrolling at 200 % text");
    browser.close().await;
}

#[tokio::test]
async fn without_a_lang_attribute_it_speaks_the_browsers_language() {
    let browser = Browser::start_with(&["--lang=nb", "--accept-lang=nb"]).await;
    let customer = unique_customer("widget-lang");
    browser.goto_demo(&customer).await;
    browser
        .wait_for_widget_prop("label[for=cp-first_name]", "textContent", "Fornavn")
        .await;
    browser
        .wait_for_widget_prop("button[type=submit]", "textContent", "Lagre endringer")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn the_host_page_themes_it_and_it_has_a_dark_variant() {
    let customer = unique_customer("widget-theme");
    let browser = Browser::open_demo(&customer).await;
    let colours = "const root = document.querySelector('customer-profile').shadowRoot;
                   const save = getComputedStyle(root.querySelector('button[type=submit]'));
                   const panel = getComputedStyle(root.querySelector('.cp-root'));
                   return [save.backgroundColor, save.borderRadius, panel.backgroundColor, panel.fontFamily];";
    let light = browser.client.execute(colours, vec![]).await.unwrap();
    assert_eq!(light[0], "rgb(11, 87, 208)", "the default accent");
    assert_eq!(light[2], "rgb(255, 255, 255)");
    browser
        .client
        .execute(
            "const el = document.querySelector('customer-profile');
             el.style.setProperty('--cp-accent', 'rgb(122, 62, 0)');
             el.style.setProperty('--cp-radius', '0px');
             el.style.setProperty('--cp-font-family', 'Georgia, serif');",
            vec![],
        )
        .await
        .unwrap();
    let themed = browser.client.execute(colours, vec![]).await.unwrap();
    assert_eq!(themed[0], "rgb(122, 62, 0)");
    assert_eq!(themed[1], "0px");
    assert_eq!(themed[3], "Georgia, serif");
    browser
        .client
        .issue_cmd(Cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
        ))
        .await
        .unwrap();
    let dark = browser.client.execute(colours, vec![]).await.unwrap();
    assert_eq!(dark[2], "rgb(22, 24, 29)", "the dark background");
    browser.close().await;
}

#[tokio::test]
async fn leaving_with_unsaved_edits_asks_first() {
    let customer = unique_customer("widget-leave");
    let browser = Browser::open_demo(&customer).await;
    let leaving = "const event = new Event('beforeunload', {cancelable: true});
                   window.dispatchEvent(event); return event.defaultPrevented;";
    let asks = browser.client.execute(leaving, vec![]).await.unwrap();
    assert_eq!(asks, json!(false), "nothing changed yet");
    browser.type_into("#cp-first_name", "Unsaved").await;
    let asks = browser.client.execute(leaving, vec![]).await.unwrap();
    assert_eq!(asks, json!(true));
    browser.close().await;
}

/// A tenant whose customers use a site at `origin`; its tokens' secret.
async fn tenant_for(id: &str, origin: &str) -> String {
    let secret = format!("{id}-secret-that-is-long-enough-0123456789");
    let response = http()
        .put(format!("{}/v1/tenants/{id}", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&json!({"name": id, "allowed_origins": [origin],
                      "token_keys": [{"kid": "dev", "alg": "HS256", "secret": secret}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    secret
}

fn token(tenant: &str, secret: &str, customer: &str, name: &str, expired: bool) -> String {
    let exp = if expired { now() - 60 } else { now() + 600 };
    sign(
        &json!({"iss": tenant, "sub": customer, "aud": "customer-profile", "iat": now() - 120,
                "exp": exp, "given_name": name}),
        secret,
    )
}

/// The policy the README tells a host page to send.
fn readme_policy(profile_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {profile_origin} 'wasm-unsafe-eval'; connect-src 'self' {profile_origin}"
    )
}

#[tokio::test]
async fn a_loyalty_site_on_another_origin_embeds_it_under_a_strict_policy() {
    let latest: Value = http()
        .get(format!("{}/widget/latest.json", base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (path, integrity) = (
        latest["path"].as_str().unwrap(),
        latest["integrity"].as_str().unwrap(),
    );
    let api = base_url();
    let tenant = "host-shop";
    // The site listens first, so that the tenant can allow exactly its origin.
    let site = HostSite::start().await;
    let secret = tenant_for(tenant, &site.origin).await;
    let customer_a = unique_customer("host-a");
    let first_try = token(tenant, &secret, &customer_a, "Anna", true);
    let token_a = token(tenant, &secret, &customer_a, "Anna", false);
    let token_b = token(tenant, &secret, &unique_customer("host-b"), "Bo", false);
    let token_d = token(tenant, &secret, &unique_customer("host-d"), "Dora", false);
    let token_refused = demo_token(&unique_customer("host-refused"));
    let script = format!(
        "window.seen = []; window.violations = []; window.asked = 0;
         window.tokenA = () => {{ window.asked += 1; return Promise.resolve(window.asked === 1 ? '{first_try}' : '{token_a}'); }};
         // Set before the element is defined: the widget must still take it.
         document.addEventListener('readystatechange', () => {{
           if (document.readyState === 'interactive') document.getElementById('b').token = '{token_b}';
         }});
         // A site that bundles its scripts mounts the widget itself.
         document.addEventListener('DOMContentLoaded', () => {{
           import('{api}{path}').then((widget) => widget.mount(document.getElementById('d'),
             {{ api: '{api}', lang: 'es', getToken: () => Promise.resolve('{token_d}') }}));
         }});
         window.tokenRefused = () => Promise.resolve('{token_refused}');
         for (const name of ['profile-loaded', 'profile-saved', 'profile-error']) {{
           document.addEventListener(name, (e) => window.seen.push([name, e.target.id, e.detail]));
         }}
         document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Host shop</title>
         <script src=\"/site.js\"></script>
         <script type=\"module\" src=\"{api}{path}\" integrity=\"{integrity}\" crossorigin=\"anonymous\"></script>
         </head><body><main>
         <customer-profile id=\"a\" api=\"{api}\" lang=\"sv\" token-provider=\"tokenA\"></customer-profile>
         <customer-profile id=\"b\" api=\"{api}\" lang=\"en\"></customer-profile>
         <div id=\"d\"></div>
         <customer-profile id=\"refused\" api=\"{api}\" token-provider=\"tokenRefused\"></customer-profile>
         </main></body></html>"
    );
    site.serve(
        vec![
            Page {
                path: "/".into(),
                content_type: "text/html; charset=utf-8",
                body: html,
            },
            Page {
                path: "/site.js".into(),
                content_type: "text/javascript",
                body: script,
            },
        ],
        vec![("Content-Security-Policy".into(), readme_policy(&api))],
    );

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/", site.origin))
        .await
        .unwrap();
    let label_of = |id: &'static str| {
        let browser = &browser;
        async move {
            for _ in 0..200 {
                let text = browser
                    .client
                    .execute(
                        &format!("const r = document.getElementById('{id}').shadowRoot;
                                  const l = r && r.querySelector('label[for=cp-first_name]');
                                  const p = r && r.querySelector('.cp-problem');
                                  return l ? l.textContent : (p ? 'problem: ' + p.textContent : '');"),
                        vec![],
                    )
                    .await
                    .unwrap();
                if text != json!("") {
                    return text.as_str().unwrap().to_owned();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("widget {id} did not load");
        }
    };
    // Two widgets, each with its own customer and language.
    assert_eq!(label_of("a").await, "Förnamn");
    assert_eq!(label_of("b").await, "First name");
    assert_eq!(label_of("d").await, "Nombre", "mounted from a script");
    // A tenant that does not allow this site: the API refuses its origin.
    assert!(label_of("refused").await.starts_with("problem: "));
    let state = browser
        .client
        .execute(
            "return [window.asked, window.violations, window.seen.map(s => s[0] + ' ' + s[1]).sort(),
                     document.getElementById('a').shadowRoot.querySelector('#cp-first_name').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        state[0], 2,
        "the expired token was refused, the provider asked once more"
    );
    assert_eq!(state[1], json!([]), "nothing broke the page's policy");
    assert_eq!(
        state[2],
        json!([
            "profile-error refused",
            "profile-loaded a",
            "profile-loaded b",
            "profile-loaded d"
        ])
    );
    assert_eq!(state[3], "Anna");

    // Saving from the site: the page hears which fields changed.
    let saved = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const root = document.getElementById('b').shadowRoot;
             const field = root.querySelector('#cp-last_name');
             field.value = 'Berg'; field.dispatchEvent(new Event('input'));
             document.addEventListener('profile-saved', (e) => done(e.detail));
             root.querySelector('button[type=submit]').click();",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(saved, json!({"fields": ["last_name"]}));
    browser.close().await;
}
