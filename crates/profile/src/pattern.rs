//! The tenant's patterns for its own text fields. With the `regex` feature
//! (the Worker) they are compiled by `regex-lite`; without it (the widget,
//! where `regex-lite` would cost about 11 KB gzip of its budget) the host
//! matches them with its own engine, given by [`set_matcher`]: the browser's
//! `RegExp`, which reads the anchored patterns alike for the syntax tenants
//! use (classes, repetition, groups, alternation). The server's answer is
//! the one that counts; without a matcher every value passes here.

/// A compiled, anchored pattern: the whole value must match.
#[derive(Clone, Debug)]
pub struct Pattern {
    #[cfg(feature = "regex")]
    regex: regex_lite::Regex,
    #[cfg(not(feature = "regex"))]
    source: String,
}

impl Pattern {
    /// Compiles `pattern`, anchored at both ends; `None` if it is not valid.
    pub fn new(pattern: &str) -> Option<Pattern> {
        let anchored = format!("^(?:{pattern})$");
        #[cfg(feature = "regex")]
        {
            regex_lite::Regex::new(&anchored)
                .ok()
                .map(|regex| Pattern { regex })
        }
        #[cfg(not(feature = "regex"))]
        {
            Some(Pattern { source: anchored })
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        #[cfg(feature = "regex")]
        {
            self.regex.is_match(text)
        }
        #[cfg(not(feature = "regex"))]
        {
            MATCHER
                .get()
                .is_none_or(|matches| matches(&self.source, text))
        }
    }
}

#[cfg(not(feature = "regex"))]
static MATCHER: std::sync::OnceLock<fn(&str, &str) -> bool> = std::sync::OnceLock::new();

/// Gives the engine that matches patterns: `matches(anchored_pattern, text)`.
/// With the `regex` feature, `regex-lite` matches and this does nothing.
pub fn set_matcher(matches: fn(&str, &str) -> bool) {
    #[cfg(not(feature = "regex"))]
    let _ = MATCHER.set(matches);
    #[cfg(feature = "regex")]
    let _ = matches;
}
