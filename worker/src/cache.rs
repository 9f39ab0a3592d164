//! A per-isolate cache with a bound on its entries and a lifetime per entry.
//! Anyone can make the Worker look up a name (an unverified token's issuer,
//! an origin), so no cache may grow with what strangers send.

use std::collections::HashMap;

pub struct BoundedCache<V> {
    entries: HashMap<String, (f64, V)>,
    max_entries: usize,
}

impl<V: Clone> BoundedCache<V> {
    pub fn new(max_entries: usize) -> Self {
        BoundedCache {
            entries: HashMap::new(),
            max_entries,
        }
    }

    /// The value of `key`, unless it expired before `now` (milliseconds).
    pub fn get(&self, key: &str, now: f64) -> Option<V> {
        self.entries
            .get(key)
            .filter(|(expires, _)| now < *expires)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` until `now + ttl_ms`. When full, expired entries go
    /// first, then the one that would expire soonest.
    pub fn insert(&mut self, key: &str, value: V, ttl_ms: f64, now: f64) {
        if !self.entries.contains_key(key) && self.entries.len() >= self.max_entries {
            self.entries.retain(|_, (expires, _)| now < *expires);
            if self.entries.len() >= self.max_entries
                && let Some(soonest) = self
                    .entries
                    .iter()
                    .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
                    .map(|(k, _)| k.clone())
            {
                self.entries.remove(&soonest);
            }
        }
        self.entries.insert(key.to_owned(), (now + ttl_ms, value));
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lives_for_its_own_lifetime() {
        let mut cache = BoundedCache::new(10);
        cache.insert("tenant/a", Some(1), 30_000.0, 0.0);
        cache.insert("tenant/nobody", None, 5_000.0, 0.0);
        assert_eq!(cache.get("tenant/a", 29_999.0), Some(Some(1)));
        assert_eq!(cache.get("tenant/nobody", 4_999.0), Some(None));
        assert_eq!(
            cache.get("tenant/nobody", 5_000.0),
            None,
            "negative entries are short"
        );
        assert_eq!(cache.get("tenant/a", 30_000.0), None);
    }

    #[test]
    fn a_flood_of_names_never_grows_it_past_its_bound() {
        let mut cache = BoundedCache::new(100);
        cache.insert("tenant/real", 1, 30_000.0, 0.0);
        for i in 0..10_000 {
            cache.insert(&format!("tenant/forged-{i}"), 0, 5_000.0, 1.0);
            assert!(cache.len() <= 100);
        }
        assert_eq!(cache.len(), 100);
        // The soonest to expire go first: the long-lived entry stays.
        assert_eq!(cache.get("tenant/real", 2.0), Some(1));
        // Expired entries make room before live ones are dropped.
        cache.insert("tenant/late", 2, 30_000.0, 10_000.0);
        assert_eq!(cache.get("tenant/real", 10_000.0), Some(1));
        assert_eq!(cache.len(), 2);
    }
}
