//! The API's routes, each written once: its operation, method, path, who may
//! call it, the body it takes and the statuses it answers with. The Worker
//! dispatches from [`ROUTES`] (a known path with another method is a 405 that
//! lists the path's methods from here), and the OpenAPI document is checked
//! against it, so a route cannot exist in one and be missing from the other.

crate::wire_enum! {
    /// An operation of the API; its spelling is the document's `operationId`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Operation {
        Health = "health",
        OpenApi = "openApi",
        GetMe = "getMe",
        ReplaceMe = "replaceMe",
        PatchMe = "patchMe",
        PreflightMe = "preflightMe",
        GetMySchema = "getMySchema",
        PreflightMySchema = "preflightMySchema",
        GetTenant = "getTenant",
        PutTenant = "putTenant",
        DevToken = "devToken",
        DemoPage = "demoPage",
    }
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Anyone, without credentials.
    Anyone,
    /// A browser's CORS preflight, from an origin the tenant allows.
    Preflight,
    /// A customer, with a token their tenant's backend signed (`customer` in the document).
    Customer,
    /// The operator, with the operator key (`operator` in the document).
    Operator,
    /// Local development only, when `DEV_ENDPOINTS` is set; not in the document.
    Dev,
}

/// One route.
#[derive(Debug, PartialEq)]
pub struct Route {
    pub operation: Operation,
    pub method: &'static str,
    /// The path as the document writes it; `{name}` is one path segment.
    pub path: &'static str,
    pub caller: Caller,
    /// The media types of the body it takes; empty when it takes none.
    pub accepts: &'static [&'static str],
    /// The statuses it answers with, success first.
    pub statuses: &'static [u16],
}

const JSON: &[&str] = &["application/json"];
const PATCH: &[&str] = &["application/merge-patch+json", "application/json"];
const NONE: &[&str] = &[];

const fn route(
    operation: Operation,
    method: &'static str,
    path: &'static str,
    caller: Caller,
    accepts: &'static [&'static str],
    statuses: &'static [u16],
) -> Route {
    Route {
        operation,
        method,
        path,
        caller,
        accepts,
        statuses,
    }
}

use Caller::{Anyone, Customer, Dev, Operator, Preflight};
use Operation::*;

/// Every route. The methods of one path are listed in the order a 405's
/// `Allow` header names them.
pub const ROUTES: [Route; 12] = [
    route(Health, "GET", "/healthz", Anyone, NONE, &[200]),
    route(OpenApi, "GET", "/openapi.json", Anyone, NONE, &[200]),
    route(
        GetMe,
        "GET",
        "/v1/customers/me",
        Customer,
        NONE,
        &[200, 304, 401, 403],
    ),
    route(
        ReplaceMe,
        "PUT",
        "/v1/customers/me",
        Customer,
        JSON,
        &[200, 400, 401, 403, 409, 412, 413, 415, 422, 428],
    ),
    route(
        PatchMe,
        "PATCH",
        "/v1/customers/me",
        Customer,
        PATCH,
        &[200, 400, 401, 403, 409, 412, 413, 415, 422, 428],
    ),
    route(
        PreflightMe,
        "OPTIONS",
        "/v1/customers/me",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        GetMySchema,
        "GET",
        "/v1/customers/me/schema",
        Customer,
        NONE,
        &[200, 401, 403],
    ),
    route(
        PreflightMySchema,
        "OPTIONS",
        "/v1/customers/me/schema",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        GetTenant,
        "GET",
        "/v1/tenants/{tenant}",
        Operator,
        NONE,
        &[200, 401, 404],
    ),
    route(
        PutTenant,
        "PUT",
        "/v1/tenants/{tenant}",
        Operator,
        JSON,
        &[200, 400, 401, 413, 415, 422],
    ),
    route(DevToken, "GET", "/dev/token", Dev, NONE, &[200]),
    route(DemoPage, "GET", "/demo", Dev, NONE, &[200]),
];

/// What a request's method and path lead to.
#[derive(Debug, PartialEq)]
pub enum Found<'a> {
    /// The route, and the values of its path's `{name}` segments in order.
    Route(&'static Route, Vec<&'a str>),
    /// The path exists, but not with this method: these are its methods.
    MethodNotAllowed(Vec<&'static str>),
    NotFound,
}

/// Finds the route of `method` and `path`; `dev`: whether the development
/// routes exist here.
pub fn find<'a>(method: &str, path: &'a str, dev: bool) -> Found<'a> {
    let mut methods = Vec::new();
    for route in ROUTES.iter().filter(|r| dev || r.caller != Dev) {
        let Some(values) = matches(route.path, path) else {
            continue;
        };
        if route.method == method {
            return Found::Route(route, values);
        }
        methods.push(route.method);
    }
    if methods.is_empty() {
        Found::NotFound
    } else {
        Found::MethodNotAllowed(methods)
    }
}

/// The values of `pattern`'s `{name}` segments if `path` matches it.
fn matches<'a>(pattern: &str, path: &'a str) -> Option<Vec<&'a str>> {
    let mut wanted = pattern.trim_matches('/').split('/');
    let mut given = path.trim_matches('/').split('/');
    let mut values = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(values),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {
                values.push(g);
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_route_and_every_route_its_own_method_and_path() {
        for operation in Operation::ALL {
            let count = ROUTES.iter().filter(|r| r.operation == operation).count();
            assert_eq!(count, 1, "{operation:?}");
        }
        for (i, route) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..i]
                    .iter()
                    .any(|r| r.method == route.method && r.path == route.path),
                "{} {} twice",
                route.method,
                route.path
            );
            assert!(
                route.statuses[0] < 300,
                "{:?} succeeds first",
                route.operation
            );
        }
    }

    #[test]
    fn finds_routes_their_parameters_and_the_methods_of_a_known_path() {
        let found = find("PUT", "/v1/tenants/demo", false);
        assert_eq!(found, Found::Route(&ROUTES[9], vec!["demo"]));
        assert_eq!(
            find("DELETE", "/v1/customers/me", false),
            Found::MethodNotAllowed(vec!["GET", "PUT", "PATCH", "OPTIONS"])
        );
        assert_eq!(
            find("GET", "/v1/customers/me/", false),
            Found::Route(&ROUTES[2], vec![])
        );
        assert_eq!(find("GET", "/v1/tenants/", false), Found::NotFound);
        assert_eq!(find("GET", "/v1/tenants/a/b", false), Found::NotFound);
        assert_eq!(find("GET", "/nothing", false), Found::NotFound);
        // Development routes exist only when asked for.
        assert_eq!(find("GET", "/demo", false), Found::NotFound);
        assert_eq!(
            find("GET", "/demo", true),
            Found::Route(&ROUTES[11], vec![])
        );
    }
}
