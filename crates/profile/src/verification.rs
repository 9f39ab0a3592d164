//! Proof that an e-mail address belongs to its customer. A customer's new
//! address waits as `pending_email` until the customer types the 6-digit code
//! sent to it; only then is it claimed, so that nobody can squat another
//! person's address, and the answer to a change is the same whether the
//! address is free or another member's. The code goes out as the event
//! `email.verification_requested.v1`: the programme mails it in its own brand.
//!
//! What is decided here is pure (the Worker stores and sends): whether a
//! code may go out, and what a try of a code does.

use crate::error::{Code, FieldError};
use serde::{Deserialize, Serialize};

/// A code is valid this long after it went out, unless the tenant says otherwise.
pub const CODE_SECONDS: u32 = 600;
/// The longest a tenant may let a code live.
pub const MAX_CODE_SECONDS: u32 = 3600;
/// Tries of one code, after which it is spent.
pub const CODE_ATTEMPTS: u32 = 5;
/// Codes per customer in any hour.
pub const CODES_PER_HOUR: usize = 5;
/// Codes to one address in any 24 hours, from all of the tenant's customers
/// together: nobody can mail-bomb a victim from many accounts.
pub const CODES_PER_ADDRESS_PER_DAY: usize = 10;
/// A new code for the same address waits this long after the last one.
pub const RESEND_SECONDS: u32 = 60;

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: f64 = 24.0 * HOUR_MS;

/// How the tenant's codes work (in its configuration, the operator's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct VerificationSettings {
    /// How long a code works, in seconds (1 to 3600; 600 by default).
    pub code_seconds: u32,
}

impl Default for VerificationSettings {
    fn default() -> Self {
        VerificationSettings {
            code_seconds: CODE_SECONDS,
        }
    }
}

impl VerificationSettings {
    /// Every problem of the settings, with pointers below `at`.
    pub fn errors(&self, at: &str) -> Vec<FieldError> {
        let pointer = format!("{at}/code_seconds");
        match self.code_seconds {
            0 => vec![FieldError::new(pointer, Code::BelowMinimum).with("min", 1)],
            s if s > MAX_CODE_SECONDS => {
                vec![FieldError::new(pointer, Code::AboveMaximum).with("max", MAX_CODE_SECONDS)]
            }
            _ => Vec::new(),
        }
    }
}

/// What `POST /v1/customers/me/email/verify` takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailCode {
    /// The 6 digits sent to the pending address.
    pub code: String,
}

/// What `POST /v1/customers/me/email/code` answers: a new code went out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    /// Where it went.
    pub pending_email: String,
    /// When it stops working (RFC 3339).
    pub expires: String,
    /// Seconds until another code may be asked for.
    pub resend_after: u32,
}

/// A code that went out, as the customer's object keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The address it went to (the profile's `pending_email`).
    pub email: String,
    pub code: String,
    /// When it went out and when it expires (ms since 1970).
    pub sent_ms: f64,
    pub expires_ms: f64,
    pub attempts_left: u32,
}

/// What one try of a code does.
#[derive(Debug, PartialEq)]
pub enum Tried {
    /// The right code, in time: the address is proven.
    Confirmed,
    /// Refused, with the error to answer; the pending code as it is now
    /// (one attempt fewer for a wrong one).
    Refused(FieldError),
}

impl Pending {
    /// A code that works for `seconds` from `now_ms`.
    pub fn new(email: String, code: String, now_ms: f64, seconds: u32) -> Pending {
        Pending {
            email,
            code,
            sent_ms: now_ms,
            expires_ms: now_ms + f64::from(seconds) * 1000.0,
            attempts_left: CODE_ATTEMPTS,
        }
    }

    /// Tries `given`. A malformed code costs no attempt (it cannot be a
    /// guess); an expired or spent one is refused before it is compared.
    pub fn try_code(&mut self, given: &str, now_ms: f64) -> Tried {
        if let Some(error) = check_code_shape(given) {
            return Tried::Refused(error);
        }
        if now_ms >= self.expires_ms || self.attempts_left == 0 {
            return Tried::Refused(FieldError::new("/code", Code::CodeExpired));
        }
        // Compared byte by byte to the end, so that the time taken says
        // nothing of how much of the code was right.
        let same = given.len() == self.code.len()
            && given
                .bytes()
                .zip(self.code.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if same {
            return Tried::Confirmed;
        }
        self.attempts_left -= 1;
        let error = if self.attempts_left == 0 {
            FieldError::new("/code", Code::CodeExpired)
        } else {
            FieldError::new("/code", Code::CodeWrong).with("attempts_left", self.attempts_left)
        };
        Tried::Refused(error)
    }

    /// Seconds until another code for this address may go out.
    pub fn resend_after(&self, now_ms: f64) -> u32 {
        let wait = self.sent_ms + f64::from(RESEND_SECONDS) * 1000.0 - now_ms;
        (wait / 1000.0).ceil().max(0.0) as u32
    }
}

/// Six ASCII digits, or the error that says so.
pub fn check_code_shape(code: &str) -> Option<FieldError> {
    (code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| FieldError::new("/code", Code::PatternMismatch).with("pattern", "^[0-9]{6}$"))
}

/// The 6 digits of a code from a random number whose low 48 bits at least
/// are uniform (a v4 UUID's are): the modulo's bias is below one in 10^8.
pub fn code_from(random: u64) -> String {
    format!("{:06}", random % 1_000_000)
}

/// Whether another code may go out, given when the earlier ones went (ms,
/// oldest first, as the stores read them): `Err(seconds)` to wait when
/// `max` went out within `window_ms`.
fn room(sent: &[f64], now_ms: f64, window_ms: f64, max: usize) -> Result<(), u32> {
    let recent: Vec<f64> = sent
        .iter()
        .copied()
        .filter(|at| now_ms - at < window_ms)
        .collect();
    if recent.len() < max {
        return Ok(());
    }
    // Room comes back when the oldest of the last `max` leaves the window.
    // (No sort: the callers' order is time's, and a sort cost the Worker 3 KB.)
    let oldest = recent[recent.len() - max];
    Err(((oldest + window_ms - now_ms) / 1000.0).ceil().max(1.0) as u32)
}

/// The customer's limit: `CODES_PER_HOUR`.
pub fn customer_room(sent: &[f64], now_ms: f64) -> Result<(), u32> {
    room(sent, now_ms, HOUR_MS, CODES_PER_HOUR)
}

/// The address's limit: `CODES_PER_ADDRESS_PER_DAY`.
pub fn address_room(sent: &[f64], now_ms: f64) -> Result<(), u32> {
    room(sent, now_ms, DAY_MS, CODES_PER_ADDRESS_PER_DAY)
}

/// Sends older than this count for no limit and may be forgotten.
pub const FORGET_AFTER_MS: f64 = DAY_MS;

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_800_000_000_000.0;

    fn pending() -> Pending {
        Pending::new("ana@example.com".into(), "042917".into(), NOW, CODE_SECONDS)
    }

    #[test]
    fn the_right_code_in_time_confirms() {
        assert_eq!(
            pending().try_code("042917", NOW + 599_000.0),
            Tried::Confirmed
        );
    }

    #[test]
    fn a_wrong_code_counts_down_and_the_fifth_spends_the_code() {
        let mut code = pending();
        for left in (1..CODE_ATTEMPTS).rev() {
            let Tried::Refused(error) = code.try_code("000000", NOW) else {
                panic!("a wrong code was taken");
            };
            assert_eq!(error.code, Code::CodeWrong);
            assert_eq!(error.params["attempts_left"], left);
        }
        let Tried::Refused(last) = code.try_code("000000", NOW) else {
            panic!("a wrong code was taken");
        };
        assert_eq!(last.code, Code::CodeExpired);
        // Spent: even the right code is refused now.
        let Tried::Refused(after) = code.try_code("042917", NOW) else {
            panic!("a spent code was taken");
        };
        assert_eq!(after.code, Code::CodeExpired);
    }

    #[test]
    fn an_expired_code_is_refused_even_when_right() {
        let mut code = pending();
        let Tried::Refused(error) = code.try_code("042917", NOW + 600_000.0) else {
            panic!("an expired code was taken");
        };
        assert_eq!(error.code, Code::CodeExpired);
        assert_eq!(code.attempts_left, CODE_ATTEMPTS);
    }

    #[test]
    fn a_malformed_code_costs_no_attempt() {
        let mut code = pending();
        for bad in ["", "42917", "0429170", "04291a", "٠٤٢٩١٧", " 042917"] {
            let Tried::Refused(error) = code.try_code(bad, NOW) else {
                panic!("{bad:?} was taken");
            };
            assert_eq!(error.code, Code::PatternMismatch, "{bad:?}");
        }
        assert_eq!(code.attempts_left, CODE_ATTEMPTS);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(code_from(0), "000000");
        assert_eq!(code_from(1_000_042), "000042");
        assert!(check_code_shape(&code_from(u64::MAX)).is_none());
    }

    #[test]
    fn the_limits_count_a_sliding_window() {
        let minutes = |m: &[f64]| m.iter().map(|m| NOW - m * 60_000.0).collect::<Vec<_>>();
        assert_eq!(
            customer_room(&minutes(&[50.0, 40.0, 30.0, 20.0]), NOW),
            Ok(())
        );
        // Five in the last hour: the one 50 minutes ago leaves in 10 minutes.
        assert_eq!(
            customer_room(&minutes(&[50.0, 40.0, 30.0, 20.0, 10.0]), NOW),
            Err(600)
        );
        assert_eq!(
            customer_room(&minutes(&[70.0, 40.0, 30.0, 20.0, 10.0]), NOW),
            Ok(())
        );
        let day: Vec<f64> = (0..10)
            .rev()
            .map(|h| NOW - f64::from(h) * HOUR_MS)
            .collect();
        assert!(address_room(&day[1..], NOW).is_ok());
        assert_eq!(address_room(&day, NOW), Err(15 * 3600));
    }

    #[test]
    fn a_code_lives_one_second_to_an_hour() {
        let settings = |code_seconds| VerificationSettings { code_seconds };
        assert!(VerificationSettings::default().errors("").is_empty());
        assert!(settings(1).errors("").is_empty() && settings(3600).errors("").is_empty());
        assert_eq!(settings(0).errors("/v")[0].code, Code::BelowMinimum);
        assert_eq!(settings(3601).errors("/v")[0].pointer, "/v/code_seconds");
    }

    #[test]
    fn a_resend_waits_its_minute() {
        let code = pending();
        assert_eq!(code.resend_after(NOW), RESEND_SECONDS);
        assert_eq!(code.resend_after(NOW + 59_500.0), 1);
        assert_eq!(code.resend_after(NOW + 61_000.0), 0);
    }
}
