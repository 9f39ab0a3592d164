//! Which origins the tenants allow. A CORS preflight carries no token, so it
//! cannot name its tenant: it is answered from one KV entry per (origin,
//! tenant), `origin/<origin>/<tenant>`. Each tenant writes only its own
//! entries, so tenants saved at the same moment never overwrite each other's
//! (one shared index, read-modified-written, lost entries that way), and two
//! tenants may allow the same origin.

use crate::cache::BoundedCache;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use worker::Env;

const KV: &str = "TENANTS";
/// How long an isolate trusts its answer for one origin.
const CACHE_MS: f64 = crate::tenant::CACHE_SECONDS * 1000.0;
/// Origins are strangers' input: the cache is bounded.
const CACHE_ENTRIES: usize = 1000;

thread_local! {
    static ALLOWED: std::cell::RefCell<BoundedCache<bool>> =
        std::cell::RefCell::new(BoundedCache::new(CACHE_ENTRIES));
}

/// An origin as browsers send it, or `None`: `https://` and a host name,
/// or `http://` on localhost or 127.0.0.1 (development); the host lower-cased,
/// the default port dropped; no user, path, query or fragment.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (host, port) = match rest.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host = host.to_ascii_lowercase();
    let valid_name = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !valid_name {
        return None;
    }
    let port = match port {
        None => None,
        Some(digits) => {
            let number: u16 = digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| digits.parse().ok())
                .flatten()
                .filter(|n| *n > 0)?;
            Some(number)
        }
    };
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" if host == "localhost" || host == "127.0.0.1" => 80,
        _ => return None,
    };
    Some(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

fn entry_prefix(origin: &str) -> String {
    format!("origin/{origin}/")
}

/// Whether some tenant allows `origin` (as the browser sent it).
pub async fn some_tenant_allows(env: &Env, origin: &str) -> ApiResult<bool> {
    // Only a normalized origin can have entries; anything else is a stranger.
    if normalize_origin(origin).as_deref() != Some(origin) {
        return Ok(false);
    }
    if let Some(allowed) = ALLOWED.with(|c| c.borrow().get(origin, now_ms())) {
        return Ok(allowed);
    }
    let listed = env
        .kv(KV)?
        .list()
        .prefix(entry_prefix(origin))
        .limit(1)
        .execute()
        .await
        .map_err(|_| ApiError::Internal("KV could not be listed".into()))?;
    let allowed = !listed.keys.is_empty() || in_legacy_index(env, origin).await?;
    ALLOWED.with(|c| c.borrow_mut().insert(origin, allowed, CACHE_MS, now_ms()));
    Ok(allowed)
}

/// Releases before December 2026 kept one shared index under `origins`
/// (origin -> tenants). It is read, never written, so that tenants saved
/// then keep working until they are saved again.
async fn in_legacy_index(env: &Env, origin: &str) -> ApiResult<bool> {
    let index: Option<std::collections::BTreeMap<String, Vec<String>>> = env
        .kv(KV)?
        .get("origins")
        .json()
        .await
        .map_err(|_| ApiError::Internal("the legacy origin index could not be read".into()))?;
    Ok(index.is_some_and(|index| index.get(origin).is_some_and(|t| !t.is_empty())))
}

/// Makes the entries of `tenant` say exactly `now`, given that they said `before`.
pub async fn reindex(env: &Env, tenant: &str, before: &[String], now: &[String]) -> ApiResult<()> {
    let kv = env.kv(KV)?;
    let failed = |_| ApiError::Internal("KV could not be written".into());
    for origin in now {
        kv.put(&format!("{}{tenant}", entry_prefix(origin)), "1")
            .map_err(failed)?
            .execute()
            .await
            .map_err(failed)?;
        ALLOWED.with(|c| c.borrow_mut().remove(origin));
    }
    for origin in before.iter().filter(|o| !now.contains(o)) {
        kv.delete(&format!("{}{tenant}", entry_prefix(origin)))
            .await
            .map_err(failed)?;
        ALLOWED.with(|c| c.borrow_mut().remove(origin));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::normalize_origin;

    #[test]
    fn origins_are_written_as_browsers_send_them() {
        for (given, stored) in [
            ("https://www.acme.example", "https://www.acme.example"),
            ("HTTPS://WWW.Acme.Example", "https://www.acme.example"),
            ("https://acme.example:443", "https://acme.example"),
            ("https://acme.example:8443", "https://acme.example:8443"),
            ("http://localhost:8788", "http://localhost:8788"),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
            ("http://LOCALHOST", "http://localhost"),
        ] {
            assert_eq!(normalize_origin(given).as_deref(), Some(stored), "{given}");
        }
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for given in [
            "http://www.acme.example",
            "https://acme.example/",
            "https://acme.example/shop",
            "https://acme.example?x=1",
            "https://acme.example#top",
            "https://user@acme.example",
            "https://acme.example:0",
            "https://acme.example:65536",
            "https://acme.example:x",
            "https://",
            "https://acme..example",
            "https://-acme.example",
            "ftp://acme.example",
            "acme.example",
            "*",
            "null",
            "https://acme.example:443:443",
            "https://bücher.example",
        ] {
            assert_eq!(normalize_origin(given), None, "{given}");
        }
    }
}
