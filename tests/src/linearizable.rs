//! A linearizability checker for a versioned register: the customer's
//! profile, read with its version (the ETag) and written with `If-Match`.
//! Because every successful write names the version it replaces and makes the
//! next one, the versions order all writes, and a history is linearizable
//! exactly when it agrees with that order: no version made twice, every read
//! sees the value of the version it names, no operation sees an older
//! version than one that finished before it began, and every refusal (412)
//! happened while its version was no longer current.

use std::collections::HashMap;

/// What one operation did.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// A read that saw `value` at `version`.
    Read { version: u64, value: String },
    /// A write of `value` against `if_match`: `Some(new version)` when it
    /// succeeded, `None` when it was refused as stale.
    Write {
        if_match: u64,
        value: String,
        made: Option<u64>,
    },
}

/// One operation with the times (any monotonic unit) it was invoked and returned.
#[derive(Clone, Debug)]
pub struct Event {
    pub invoked: u128,
    pub returned: u128,
    pub op: Op,
}

impl Event {
    /// The version this operation observed or made, if any.
    fn position(&self) -> Option<u64> {
        match &self.op {
            Op::Read { version, .. } => Some(*version),
            Op::Write { made, .. } => *made,
        }
    }
}

/// Checks the history of one register that started at `initial` (version,
/// value) and ended at `last` (read after every operation returned).
pub fn check(initial: (u64, &str), history: &[Event], last: (u64, &str)) -> Result<(), String> {
    // Every version and the value it holds, made once.
    let mut values: HashMap<u64, &str> = HashMap::from([(initial.0, initial.1)]);
    for event in history {
        if let Op::Write {
            if_match,
            value,
            made: Some(made),
        } = &event.op
        {
            if *made != if_match + 1 {
                return Err(format!("a write against v{if_match} made v{made}"));
            }
            if values.insert(*made, value).is_some() {
                return Err(format!("version v{made} was made twice"));
            }
        }
    }
    for event in history {
        if let Op::Read { version, value } = &event.op {
            match values.get(version) {
                Some(made) if made == value => {}
                Some(made) => {
                    return Err(format!("a read of v{version} saw {value:?}, not {made:?}"));
                }
                None => return Err(format!("a read saw v{version}, which no write made")),
            }
        }
    }
    // Real time: what finished before another began was not seen after it.
    for a in history {
        for b in history.iter().filter(|b| a.returned < b.invoked) {
            let (Some(seen), Some(later)) = (a.position(), b.position()) else {
                continue;
            };
            let b_writes = matches!(b.op, Op::Write { .. });
            if later < seen || (b_writes && later == seen) {
                return Err(format!(
                    "{:?} began after {:?} had returned, yet is ordered before it",
                    b.op, a.op
                ));
            }
        }
    }
    // A refusal needs a newer version made by a write begun before it returned.
    for event in history {
        if let Op::Write {
            if_match,
            made: None,
            ..
        } = &event.op
        {
            let overtaken = history.iter().any(|w| {
                w.invoked < event.returned
                    && matches!(w.op, Op::Write { made: Some(v), .. } if v > *if_match)
            }) || !values.contains_key(if_match)
                || *if_match < initial.0;
            if !overtaken {
                return Err(format!(
                    "a write against v{if_match} was refused while v{if_match} was current"
                ));
            }
        }
    }
    // No acknowledged write is lost: the end holds the newest version made.
    let newest = values.keys().max().copied().unwrap_or(initial.0);
    if last.0 != newest || values.get(&last.0) != Some(&last.1) {
        return Err(format!(
            "the end is v{} {:?}, but v{newest} {:?} was acknowledged",
            last.0,
            last.1,
            values.get(&newest)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(invoked: u128, returned: u128, version: u64, value: &str) -> Event {
        Event {
            invoked,
            returned,
            op: Op::Read {
                version,
                value: value.into(),
            },
        }
    }

    fn write(
        invoked: u128,
        returned: u128,
        if_match: u64,
        value: &str,
        made: Option<u64>,
    ) -> Event {
        Event {
            invoked,
            returned,
            op: Op::Write {
                if_match,
                value: value.into(),
                made,
            },
        }
    }

    #[test]
    fn an_overlapping_history_in_version_order_is_linearizable() {
        let history = [
            write(0, 10, 1, "a", Some(2)),
            write(1, 12, 1, "b", None),
            read(5, 8, 1, "init"),
            read(11, 20, 2, "a"),
            write(13, 30, 2, "c", Some(3)),
            read(14, 15, 2, "a"),
        ];
        assert_eq!(check((1, "init"), &history, (3, "c")), Ok(()));
    }

    #[test]
    fn planted_histories_that_are_not_linearizable_are_rejected() {
        let cases: [(&str, Vec<Event>, (u64, &str)); 6] = [
            (
                "a stale read after a write returned",
                vec![write(0, 10, 1, "a", Some(2)), read(11, 12, 1, "init")],
                (2, "a"),
            ),
            (
                "one version made twice",
                vec![write(0, 10, 1, "a", Some(2)), write(0, 10, 1, "b", Some(2))],
                (2, "a"),
            ),
            (
                "a read of a value never written",
                vec![read(0, 1, 1, "ghost")],
                (1, "init"),
            ),
            (
                "a refusal while its version was current",
                vec![write(0, 10, 1, "a", None)],
                (1, "init"),
            ),
            (
                "an acknowledged write lost",
                vec![write(0, 10, 1, "a", Some(2))],
                (1, "init"),
            ),
            (
                "a write that skipped a version",
                vec![write(0, 10, 1, "a", Some(3))],
                (3, "a"),
            ),
        ];
        for (name, history, last) in cases {
            assert!(check((1, "init"), &history, last).is_err(), "{name}");
        }
    }
}
