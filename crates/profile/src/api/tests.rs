use super::*;
use Operation::*;

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
    let route = |operation| ROUTES.iter().find(|r| r.operation == operation).unwrap();
    let found = find("PUT", "/v1/tenants/demo", false);
    assert_eq!(found, Found::Route(route(PutTenant), vec!["demo"]));
    assert_eq!(
        find("DELETE", "/v1/tenants/demo/keys/k1", false),
        Found::Route(route(RevokeKey), vec!["demo", "k1"])
    );
    // A fixed path wins over a `{name}` one.
    assert_eq!(
        find("GET", "/v1/customers/c-42", false),
        Found::Route(route(GetCustomer), vec!["c-42"])
    );
    assert_eq!(
        find("GET", "/v1/customers/me/", false),
        Found::Route(route(GetMe), vec![])
    );
    assert_eq!(
        find("DELETE", "/v1/tenants/demo", false),
        Found::MethodNotAllowed(vec!["GET", "PUT"])
    );
    assert_eq!(
        find("POST", "/v1/customers/me", false),
        Found::MethodNotAllowed(vec!["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
    );
    assert_eq!(
        find("GET", "/v1/customers/me/history", false),
        Found::Route(route(GetMyHistory), vec![])
    );
    assert_eq!(
        find("DELETE", "/v1/customers/c-42/suppression", false),
        Found::Route(route(LiftSuppression), vec!["c-42"])
    );
    assert_eq!(find("GET", "/v1/tenants/", false), Found::NotFound);
    assert_eq!(find("GET", "/v1/tenants/a/b", false), Found::NotFound);
    assert_eq!(find("GET", "/nothing", false), Found::NotFound);
    // Development routes exist only when asked for.
    assert_eq!(find("GET", "/demo", false), Found::NotFound);
    assert_eq!(
        find("GET", "/demo", true),
        Found::Route(route(DemoPage), vec![])
    );
}

/// A write that takes an `Idempotency-Key` may answer for the key itself: 400
/// (not well formed), 409 (its first request still runs), 422 (it came with
/// another request).
#[test]
fn every_route_that_takes_an_idempotency_key_lists_its_answers() {
    for route in ROUTES.iter().filter(|r| r.takes_idempotency_key()) {
        for status in [400, 409, 422] {
            assert!(
                route.statuses.contains(&status),
                "{:?} lacks {status}",
                route.operation
            );
        }
    }
}
