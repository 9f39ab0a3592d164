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
        EraseMe = "eraseMe",
        PreflightMe = "preflightMe",
        GetMySchema = "getMySchema",
        PreflightMySchema = "preflightMySchema",
        GetMyHistory = "getMyHistory",
        PreflightMyHistory = "preflightMyHistory",
        GetMyConsents = "getMyConsents",
        PreflightMyConsents = "preflightMyConsents",
        ExportMe = "exportMe",
        PreflightMyExport = "preflightMyExport",
        PutMyPhoto = "putMyPhoto",
        DeleteMyPhoto = "deleteMyPhoto",
        PreflightMyPhoto = "preflightMyPhoto",
        GetPhoto = "getPhoto",
        GetTenant = "getTenant",
        PutTenant = "putTenant",
        IssueKey = "issueKey",
        ListKeys = "listKeys",
        RevokeKey = "revokeKey",
        GetAudit = "getAudit",
        GetCustomer = "getCustomer",
        ReplaceCustomer = "replaceCustomer",
        PatchCustomer = "patchCustomer",
        EraseCustomer = "eraseCustomer",
        GetCustomerHistory = "getCustomerHistory",
        GetCustomerConsents = "getCustomerConsents",
        ExportCustomer = "exportCustomer",
        LiftSuppression = "liftSuppression",
        PutCustomerPhoto = "putCustomerPhoto",
        DeleteCustomerPhoto = "deleteCustomerPhoto",
        ListCustomers = "listCustomers",
        GetRules = "getRules",
        PutRules = "putRules",
        SearchCustomers = "searchCustomers",
        ImportCustomers = "importCustomers",
        GetImport = "getImport",
        DevToken = "devToken",
        DemoPage = "demoPage",
    }
}

crate::wire_enum! {
    /// What a tenant's admin key may do.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Scope {
        /// Read customers' whole profiles (`GET /v1/customers/{id}`), search and list them.
        CustomersRead = "customers:read",
        /// Write customers' customer-editable and admin-only fields, and import.
        CustomersWrite = "customers:write",
        /// Erase customers.
        CustomersErase = "customers:erase",
        /// Manage the tenant's rules: its fields, custom fields and messages.
        RulesWrite = "rules:write",
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
    /// A tenant's backend, with an admin key that has this scope (`admin`
    /// in the document, the scope as its role).
    Admin(Scope),
    /// Local development only, when `DEV_ENDPOINTS` is set; not in the document.
    Dev,
}

impl Caller {
    /// The OpenAPI document's security requirement: the scheme, and the role
    /// (an admin key's scope) it needs; `None` for routes without credentials.
    pub fn security(self) -> Option<(&'static str, Option<Scope>)> {
        match self {
            Caller::Customer => Some(("customer", None)),
            Caller::Operator => Some(("operator", None)),
            Caller::Admin(scope) => Some(("admin", Some(scope))),
            Caller::Anyone | Caller::Preflight | Caller::Dev => None,
        }
    }
}

impl Route {
    /// The names of the path's `{name}` segments, in order.
    pub fn parameters(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
    }
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
    /// The schema of the body it takes (a name in the document's
    /// `components/schemas`), if it takes one.
    pub takes: Option<&'static str>,
    /// The schema of its success's body, if it has one.
    pub answers: Option<&'static str>,
    /// Whether it records who changed what, through which channel
    /// (`X-Profile-Source`) and where (`X-Profile-Point-Of-Sale`).
    pub records: bool,
}

/// The largest JSON body a route takes.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

const JSON: &[&str] = &["application/json"];
const PATCH: &[&str] = &["application/merge-patch+json", "application/json"];
const NONE: &[&str] = &[];
const NDJSON: &[&str] = &["application/x-ndjson"];
const IMAGES: &[&str] = &crate::photo::MEDIA_TYPES;

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
        takes: None,
        answers: None,
        records: false,
    }
}

impl Route {
    const fn takes(mut self, schema: &'static str) -> Route {
        self.takes = Some(schema);
        self
    }

    const fn answers(mut self, schema: &'static str) -> Route {
        self.answers = Some(schema);
        self
    }

    const fn records(mut self) -> Route {
        self.records = true;
        self
    }

    /// The largest body it takes, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        if self.accepts == NDJSON {
            crate::imports::MAX_BYTES
        } else if self.accepts == IMAGES {
            crate::photo::MAX_BYTES
        } else {
            MAX_JSON_BYTES
        }
    }

    /// Whether it takes an `Idempotency-Key`: every write of a caller with credentials.
    pub fn takes_idempotency_key(&self) -> bool {
        matches!(self.method, "PATCH" | "PUT" | "POST" | "DELETE")
            && matches!(
                self.caller,
                Caller::Customer | Caller::Admin(_) | Caller::Operator
            )
    }
}

use Caller::{Admin, Anyone, Customer, Dev, Operator, Preflight};
use Operation::*;
use Scope::{CustomersErase, CustomersRead, CustomersWrite, RulesWrite};

/// Every route. The methods of one path are listed in the order a 405's
/// `Allow` header names them.
/// The fixed paths come before the `{name}` ones they would also match
/// (`/v1/customers/me` before `/v1/customers/{id}`).
pub const ROUTES: [Route; 43] = [
    route(Health, "GET", "/healthz", Anyone, NONE, &[200]),
    route(OpenApi, "GET", "/openapi.json", Anyone, NONE, &[200]),
    route(
        GetMe,
        "GET",
        "/v1/customers/me",
        Customer,
        NONE,
        &[200, 304, 400, 401, 403, 410],
    )
    .answers("Profile")
    .records(),
    route(
        ReplaceMe,
        "PUT",
        "/v1/customers/me",
        Customer,
        JSON,
        &[200, 400, 401, 403, 409, 410, 412, 413, 415, 422, 428, 429],
    )
    .takes("Profile")
    .answers("Profile")
    .records(),
    route(
        PatchMe,
        "PATCH",
        "/v1/customers/me",
        Customer,
        PATCH,
        &[200, 400, 401, 403, 409, 410, 412, 413, 415, 422, 428, 429],
    )
    .takes("Profile")
    .answers("Profile")
    .records(),
    route(
        EraseMe,
        "DELETE",
        "/v1/customers/me",
        Customer,
        NONE,
        &[204, 400, 401, 403, 404, 409, 412, 422, 428, 429],
    )
    .records(),
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
    )
    .answers("FormSchema"),
    route(
        PreflightMySchema,
        "OPTIONS",
        "/v1/customers/me/schema",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        GetMyHistory,
        "GET",
        "/v1/customers/me/history",
        Customer,
        NONE,
        &[200, 400, 401, 403],
    )
    .answers("HistoryPage"),
    route(
        PreflightMyHistory,
        "OPTIONS",
        "/v1/customers/me/history",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        GetMyConsents,
        "GET",
        "/v1/customers/me/consents",
        Customer,
        NONE,
        &[200, 401, 403],
    )
    .answers("ConsentRecord"),
    route(
        PreflightMyConsents,
        "OPTIONS",
        "/v1/customers/me/consents",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        ExportMe,
        "GET",
        "/v1/customers/me/export",
        Customer,
        NONE,
        &[200, 401, 403],
    )
    .answers("Export"),
    route(
        PreflightMyExport,
        "OPTIONS",
        "/v1/customers/me/export",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        PutMyPhoto,
        "PUT",
        "/v1/customers/me/photo",
        Customer,
        IMAGES,
        &[200, 400, 401, 403, 409, 410, 412, 413, 415, 422, 429],
    )
    .answers("Profile")
    .records(),
    route(
        DeleteMyPhoto,
        "DELETE",
        "/v1/customers/me/photo",
        Customer,
        NONE,
        &[200, 400, 401, 403, 409, 410, 412, 422, 429],
    )
    .answers("Profile")
    .records(),
    route(
        PreflightMyPhoto,
        "OPTIONS",
        "/v1/customers/me/photo",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        GetPhoto,
        "GET",
        "/v1/photos/{photo_id}",
        Anyone,
        NONE,
        &[200, 404],
    ),
    route(
        GetTenant,
        "GET",
        "/v1/tenants/{tenant}",
        Operator,
        NONE,
        &[200, 401, 404],
    )
    .answers("TenantConfig"),
    route(
        PutTenant,
        "PUT",
        "/v1/tenants/{tenant}",
        Operator,
        JSON,
        &[200, 400, 401, 409, 412, 413, 415, 422],
    )
    .takes("TenantConfig")
    .answers("TenantConfig"),
    route(
        GetRules,
        "GET",
        "/v1/tenants/{tenant}/rules",
        Admin(RulesWrite),
        NONE,
        &[200, 401, 403, 404],
    )
    .answers("TenantRules"),
    route(
        PutRules,
        "PUT",
        "/v1/tenants/{tenant}/rules",
        Admin(RulesWrite),
        JSON,
        &[200, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428],
    )
    .takes("TenantRules")
    .answers("TenantRules"),
    route(
        IssueKey,
        "POST",
        "/v1/tenants/{tenant}/keys",
        Operator,
        JSON,
        &[201, 400, 401, 404, 409, 413, 415, 422],
    )
    .takes("KeyRequest")
    .answers("IssuedKey"),
    route(
        ListKeys,
        "GET",
        "/v1/tenants/{tenant}/keys",
        Operator,
        NONE,
        &[200, 401, 404],
    )
    .answers("KeyList"),
    route(
        RevokeKey,
        "DELETE",
        "/v1/tenants/{tenant}/keys/{key_id}",
        Operator,
        NONE,
        &[204, 400, 401, 404, 409, 422],
    ),
    route(
        GetAudit,
        "GET",
        "/v1/tenants/{tenant}/audit",
        Operator,
        NONE,
        &[200, 400, 401, 404],
    )
    .answers("AuditPage"),
    route(
        ListCustomers,
        "GET",
        "/v1/customers",
        Admin(CustomersRead),
        NONE,
        &[200, 400, 401, 403],
    )
    .answers("CustomerPage"),
    route(
        SearchCustomers,
        "POST",
        "/v1/customers/search",
        Admin(CustomersRead),
        JSON,
        &[200, 400, 401, 403, 409, 413, 415, 422],
    )
    .takes("Search")
    .answers("Found"),
    route(
        ImportCustomers,
        "POST",
        "/v1/customers/import",
        Admin(CustomersWrite),
        NDJSON,
        &[202, 400, 401, 403, 409, 413, 415, 422],
    )
    .answers("ImportStarted")
    .records(),
    route(
        GetImport,
        "GET",
        "/v1/customers/import/{import_id}",
        Admin(CustomersWrite),
        NONE,
        &[200, 401, 403, 404],
    )
    .answers("ImportStatus"),
    route(
        GetCustomer,
        "GET",
        "/v1/customers/{id}",
        Admin(CustomersRead),
        NONE,
        &[200, 304, 401, 403, 404],
    )
    .answers("Profile"),
    route(
        ReplaceCustomer,
        "PUT",
        "/v1/customers/{id}",
        Admin(CustomersWrite),
        JSON,
        &[200, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429],
    )
    .takes("Profile")
    .answers("Profile")
    .records(),
    route(
        PatchCustomer,
        "PATCH",
        "/v1/customers/{id}",
        Admin(CustomersWrite),
        PATCH,
        &[200, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429],
    )
    .takes("Profile")
    .answers("Profile")
    .records(),
    route(
        EraseCustomer,
        "DELETE",
        "/v1/customers/{id}",
        Admin(CustomersErase),
        NONE,
        &[204, 400, 401, 403, 404, 409, 412, 422, 429],
    )
    .records(),
    route(
        GetCustomerHistory,
        "GET",
        "/v1/customers/{id}/history",
        Admin(CustomersRead),
        NONE,
        &[200, 400, 401, 403, 404],
    )
    .answers("HistoryPage"),
    route(
        GetCustomerConsents,
        "GET",
        "/v1/customers/{id}/consents",
        Admin(CustomersRead),
        NONE,
        &[200, 401, 403, 404],
    )
    .answers("ConsentRecord"),
    route(
        ExportCustomer,
        "GET",
        "/v1/customers/{id}/export",
        Admin(CustomersRead),
        NONE,
        &[200, 401, 403, 404],
    )
    .answers("Export"),
    route(
        LiftSuppression,
        "DELETE",
        "/v1/customers/{id}/suppression",
        Admin(CustomersErase),
        NONE,
        &[204, 400, 401, 403, 404, 409, 422],
    ),
    route(
        PutCustomerPhoto,
        "PUT",
        "/v1/customers/{id}/photo",
        Admin(CustomersWrite),
        IMAGES,
        &[200, 400, 401, 403, 404, 409, 412, 413, 415, 422, 429],
    )
    .answers("Profile")
    .records(),
    route(
        DeleteCustomerPhoto,
        "DELETE",
        "/v1/customers/{id}/photo",
        Admin(CustomersWrite),
        NONE,
        &[200, 400, 401, 403, 404, 409, 412, 422, 429],
    )
    .answers("Profile")
    .records(),
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
/// Of the paths that match, the most fixed one wins: `/v1/customers/me` is
/// never the customer `{id}` "me".
pub fn find<'a>(method: &str, path: &'a str, dev: bool) -> Found<'a> {
    let routes = || ROUTES.iter().filter(|r| dev || r.caller != Dev);
    let Some(fewest) = routes()
        .filter_map(|route| matches(route.path, path).map(|values| values.len()))
        .min()
    else {
        return Found::NotFound;
    };
    let mut methods = Vec::new();
    for route in routes() {
        let Some(values) = matches(route.path, path).filter(|v| v.len() == fewest) else {
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
mod tests;
