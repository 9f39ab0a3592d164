//! The widget's calls to the profile API (gloo-net).

use crate::form::SaveOutcome;
use gloo_net::http::Request;
use profile::Profile;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A profile as read, with the ETag that a save must send back.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub profile: Profile,
    pub etag: String,
}

#[derive(Clone)]
pub struct Client {
    base: String,
    get_token: js_sys::Function,
}

impl Client {
    pub fn new(base: String, get_token: js_sys::Function) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            get_token,
        }
    }

    async fn token(&self) -> Result<String, String> {
        let promise = self
            .get_token
            .call0(&wasm_bindgen::JsValue::NULL)
            .map_err(|_| "The site could not give a sign-in token.".to_owned())?;
        let promise: js_sys::Promise = promise
            .dyn_into()
            .unwrap_or_else(|value| js_sys::Promise::resolve(&value));
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| "The site could not give a sign-in token.".to_owned())
    }

    fn url(&self) -> String {
        format!("{}/v1/customers/me", self.base)
    }

    pub async fn load(&self) -> Result<Loaded, String> {
        let token = self.token().await?;
        let response = Request::get(&self.url())
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await
            .map_err(|_| "Your profile could not be loaded. Check your connection.".to_owned())?;
        if !response.ok() {
            return Err(format!(
                "Your profile could not be loaded (error {}).",
                response.status()
            ));
        }
        let etag = response.headers().get("ETag").unwrap_or_default();
        let profile = response
            .json::<Profile>()
            .await
            .map_err(|_| "The profile service answered something unexpected.".to_owned())?;
        Ok(Loaded { profile, etag })
    }

    pub async fn save(&self, etag: &str, patch: &serde_json::Value) -> SaveOutcome {
        let Ok(token) = self.token().await else {
            return SaveOutcome::Failed("The site could not give a sign-in token.".into());
        };
        let request = Request::patch(&self.url())
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/merge-patch+json")
            .header("If-Match", etag)
            .body(patch.to_string());
        let response = match request {
            Ok(request) => request.send().await,
            Err(_) => return SaveOutcome::Failed("The change could not be sent.".into()),
        };
        let Ok(response) = response else {
            return SaveOutcome::Failed(
                "Saving failed: check your connection and try again.".into(),
            );
        };
        match response.status() {
            200 => {
                let etag = response.headers().get("ETag").unwrap_or_default();
                match response.json::<Profile>().await {
                    Ok(profile) => SaveOutcome::Saved(Box::new(Loaded { profile, etag })),
                    Err(_) => SaveOutcome::Failed("The answer could not be read.".into()),
                }
            }
            412 => SaveOutcome::Failed(
                "Your profile was changed elsewhere. Reload the page to see the new version."
                    .into(),
            ),
            status => SaveOutcome::Failed(format!("Saving failed (error {status}).")),
        }
    }
}
