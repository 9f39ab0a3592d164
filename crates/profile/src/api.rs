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
        VerifyMyEmail = "verifyMyEmail",
        PreflightMyEmailVerify = "preflightMyEmailVerify",
        SendMyEmailCode = "sendMyEmailCode",
        PreflightMyEmailCode = "preflightMyEmailCode",
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
        ListWebhooks = "listWebhooks",
        CreateWebhook = "createWebhook",
        UpdateWebhook = "updateWebhook",
        DeleteWebhook = "deleteWebhook",
        RotateWebhookSecret = "rotateWebhookSecret",
        TestWebhook = "testWebhook",
        ListDeliveries = "listDeliveries",
        ListDeadLetters = "listDeadLetters",
        ReplayDeadLetters = "replayDeadLetters",
        UtilityPatchCustomer = "utilityPatchCustomer",
        ClientUpdate = "clientUpdate",
        ExtranetUpdateCustomer = "extranetUpdateCustomer",
        BookingUpdateCustomer = "bookingUpdateCustomer",
        StormUpdateCustomer = "stormUpdateCustomer",
        DevToken = "devToken",
        DevEvents = "devEvents",
        DevReceive = "devReceive",
        DevFixture = "devFixture",
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
        /// Manage the tenant's webhook endpoints, read their delivery log and replay dead letters.
        WebhooksWrite = "webhooks:write",
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
    /// The operator, or a tenant's backend with an admin key that has this scope.
    Manager(Scope),
    /// A source API's route (see `sources`): the customer with their token,
    /// or a tenant's backend with an admin key that has this scope. It
    /// answers in the source API's own shapes and takes no `Idempotency-Key`,
    /// which its clients never send.
    Source(Scope),
    /// A source API's route for the customer alone, with their token.
    SourceCustomer,
    /// A source API's route for a tenant's backend alone, with an admin key
    /// that has this scope.
    SourceAdmin(Scope),
    /// Local development only, when `DEV_ENDPOINTS` is set; not in the document.
    Dev,
}

impl Caller {
    /// The OpenAPI document's security requirements, any one of which
    /// suffices: each a scheme and the role (an admin key's scope) it needs;
    /// none for routes without credentials.
    pub fn security(self) -> Vec<(&'static str, Option<Scope>)> {
        match self {
            Caller::Customer | Caller::SourceCustomer => vec![("customer", None)],
            Caller::Operator => vec![("operator", None)],
            Caller::Admin(scope) | Caller::SourceAdmin(scope) => vec![("admin", Some(scope))],
            Caller::Manager(scope) => vec![("operator", None), ("admin", Some(scope))],
            Caller::Source(scope) => vec![("customer", None), ("admin", Some(scope))],
            Caller::Anyone | Caller::Preflight | Caller::Dev => Vec::new(),
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

pub use table::ROUTES;
use table::{IMAGES, NDJSON};

impl Route {
    /// The largest body it takes, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        if self.operation == Operation::ExtranetUpdateCustomer {
            // The customer with a photo in `PhotoBase64`: its base64 is 4/3 of it.
            MAX_JSON_BYTES + crate::photo::MAX_BYTES.div_ceil(3) * 4
        } else if self.accepts == NDJSON {
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
                Caller::Customer | Caller::Admin(_) | Caller::Operator | Caller::Manager(_)
            )
    }
}

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
    let routes = || ROUTES.iter().filter(|r| dev || r.caller != Caller::Dev);
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

/// A route with no schemas, recording nothing; the builders below add them.
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
}

mod table;
#[cfg(test)]
mod tests;
