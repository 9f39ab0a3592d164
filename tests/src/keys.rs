//! Signing keys made for these tests only: a tenant's backend would hold the
//! private halves; the tenant's configuration holds the public ones.

/// Ed25519, PKCS#8 DER in base64, and its public key as a JWK's `x`.
pub const ED25519_PRIVATE: &str =
    "MC4CAQAwBQYDK2VwBCIEIIwjN5G/hUCb4UpXAQO4NhKvM0zgRmpN3sPKruMnXUQt";
pub const ED25519_X: &str = "UusOVBbLHFsD_fuRehW2iFWsWMNHMusL0O3AJCXfXxw";
/// P-256, PKCS#8 DER in base64, and its public point as a JWK's `x` and `y`.
pub const P256_PRIVATE: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFQTF3L0i0vH+QqSDtwGHmsg+h9rA7ElzBbeK4e46UY+hRANCAAQQo25QRMuk0WiAoubrLTlVi0VWvye6b1rsEOOj7Ul5ioeEoC3wzDUfIrymWLXW/bD+Mw5Q62lVmE4mv72eg84z";
pub const P256_X: &str = "EKNuUETLpNFogKLm6y05VYtFVr8num9a7BDjo-1JeYo";
pub const P256_Y: &str = "h4SgLfDMNR8ivKZYtdb9sP4zDlDraVWYTia_vZ6DzjM";

/// The bytes of a base64 (standard alphabet) key.
pub fn der(base64: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .expect("a test key in base64")
}
