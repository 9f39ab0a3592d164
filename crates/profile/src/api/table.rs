//! The route table itself: every route with its operation, method, path,
//! caller, media types and statuses (see the module above for what each means).

use super::{Caller, Operation, Route, Scope, route};

const JSON: &[&str] = &["application/json"];
const PATCH: &[&str] = &["application/merge-patch+json", "application/json"];
const NONE: &[&str] = &[];
/// The source APIs' media types: ASP.NET Web API's JSON, and XML.
const DOTNET_JSON: &[&str] = &["application/json", "text/json"];
const DOTNET_JSON_XML: &[&str] = &[
    "application/json",
    "text/json",
    "application/xml",
    "text/xml",
];
/// ServiceStack's JSON, and its own JSV.
const SERVICESTACK: &[&str] = &["application/json", "text/jsv"];
pub(super) const NDJSON: &[&str] = &["application/x-ndjson"];
pub(super) const IMAGES: &[&str] = &crate::photo::MEDIA_TYPES;

use Caller::{
    Admin, Anyone, Customer, Dev, Manager, Operator, Preflight, Source, SourceAdmin, SourceCustomer,
};
use Operation::*;
use Scope::{CustomersErase, CustomersRead, CustomersWrite, RulesWrite, WebhooksWrite};

/// Every route. The methods of one path are listed in the order a 405's
/// `Allow` header names them.
/// The fixed paths come before the `{name}` ones they would also match
/// (`/v1/customers/me` before `/v1/customers/{id}`).
pub const ROUTES: [Route; 64] = [
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
        VerifyMyEmail,
        "POST",
        "/v1/customers/me/email/verify",
        Customer,
        JSON,
        &[200, 400, 401, 403, 409, 410, 413, 415, 422, 429],
    )
    .takes("EmailCode")
    .answers("Profile")
    .records(),
    route(
        PreflightMyEmailVerify,
        "OPTIONS",
        "/v1/customers/me/email/verify",
        Preflight,
        NONE,
        &[204, 403],
    ),
    route(
        SendMyEmailCode,
        "POST",
        "/v1/customers/me/email/code",
        Customer,
        NONE,
        &[200, 400, 401, 403, 409, 410, 422, 429],
    )
    .answers("CodeSent")
    .records(),
    route(
        PreflightMyEmailCode,
        "OPTIONS",
        "/v1/customers/me/email/code",
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
        ListWebhooks,
        "GET",
        "/v1/tenants/{tenant}/webhooks",
        Manager(WebhooksWrite),
        NONE,
        &[200, 401, 403, 404],
    )
    .answers("WebhookList"),
    route(
        CreateWebhook,
        "POST",
        "/v1/tenants/{tenant}/webhooks",
        Manager(WebhooksWrite),
        JSON,
        &[201, 400, 401, 403, 404, 409, 413, 415, 422],
    )
    .takes("WebhookRequest")
    .answers("CreatedWebhook"),
    route(
        ListDeliveries,
        "GET",
        "/v1/tenants/{tenant}/webhooks/deliveries",
        Manager(WebhooksWrite),
        NONE,
        &[200, 400, 401, 403, 404],
    )
    .answers("DeliveryPage"),
    route(
        UpdateWebhook,
        "PATCH",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}",
        Manager(WebhooksWrite),
        JSON,
        &[200, 400, 401, 403, 404, 409, 413, 415, 422],
    )
    .takes("WebhookChange")
    .answers("Webhook"),
    route(
        DeleteWebhook,
        "DELETE",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}",
        Manager(WebhooksWrite),
        NONE,
        &[204, 400, 401, 403, 404, 409, 422],
    ),
    route(
        RotateWebhookSecret,
        "POST",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}/secret",
        Manager(WebhooksWrite),
        JSON,
        &[200, 400, 401, 403, 404, 409, 413, 415, 422],
    )
    .takes("RotateSecret")
    .answers("RotatedSecret"),
    route(
        TestWebhook,
        "POST",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}/test",
        Manager(WebhooksWrite),
        NONE,
        &[200, 400, 401, 403, 404, 409, 422],
    )
    .answers("TestDelivery"),
    route(
        ListDeadLetters,
        "GET",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}/dead-letters",
        Manager(WebhooksWrite),
        NONE,
        &[200, 400, 401, 403, 404],
    )
    .answers("DeadLetterPage"),
    route(
        ReplayDeadLetters,
        "POST",
        "/v1/tenants/{tenant}/webhooks/{webhook_id}/dead-letters/replay",
        Manager(WebhooksWrite),
        NONE,
        &[202, 400, 401, 403, 404, 409, 422],
    )
    .answers("Replay"),
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
    // The source APIs (see `sources`), each on its own path, switched on per tenant.
    route(
        UtilityPatchCustomer,
        "PATCH",
        "/api/customers/{customerId}",
        Source(CustomersWrite),
        DOTNET_JSON,
        &[200, 400, 401, 403, 404, 409, 410, 413, 415, 429],
    )
    .takes("UtilityCustomer")
    .answers("UtilityCustomer"),
    route(
        ClientUpdate,
        "POST",
        "/api/client/ClientUpdate",
        Source(CustomersWrite),
        DOTNET_JSON_XML,
        &[200, 400, 401, 403, 404, 413, 415, 429],
    )
    .takes("SetClientUpdateRequest"),
    route(
        ExtranetUpdateCustomer,
        "PUT",
        "/api/v1/extranet/customers/me",
        SourceCustomer,
        DOTNET_JSON_XML,
        &[200, 400, 401, 404, 409, 410, 413, 415, 429],
    )
    .takes("ExtranetCustomer")
    .answers("ExtranetCustomer"),
    route(
        BookingUpdateCustomer,
        "PUT",
        "/customers/{Id}",
        Source(CustomersWrite),
        SERVICESTACK,
        &[200, 400, 401, 403, 404, 409, 410, 413, 415, 429],
    )
    .takes("BookingCustomer")
    .answers("BookingCustomer"),
    route(
        StormUpdateCustomer,
        "POST",
        "/CustomerService.svc/rest/UpdateCustomer",
        SourceAdmin(CustomersWrite),
        JSON,
        &[200, 400, 401, 403, 404, 409, 413, 415, 429],
    )
    .takes("StormCustomer")
    .answers("StormCustomer"),
    route(DevToken, "GET", "/dev/token", Dev, NONE, &[200]),
    route(DemoPage, "GET", "/demo", Dev, NONE, &[200]),
    route(DevEvents, "GET", "/dev/events", Dev, NONE, &[200]),
    route(DevReceive, "POST", "/dev/events", Dev, JSON, &[204, 401]),
    route(DevFixture, "POST", "/dev/fixture", Dev, JSON, &[204, 400]),
];
