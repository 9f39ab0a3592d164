//! The customer object's alarm: one alarm for all of its duties, each of
//! which says when it is due next.

use super::CustomerObject;
use crate::clock::now_ms;
use worker::Response;

impl CustomerObject {
    /// Tells the index, drops old history, deletes replaced photos and
    /// delivers events; then sets the alarm for what is due next. A duty
    /// that fails does not keep the others from running; the alarm then
    /// fails, and the platform tries it again.
    pub(super) async fn duties(&self) -> worker::Result<Response> {
        self.woken.set(false);
        let mut failed = None;
        let mut next: Option<f64> = None;
        let mut due = |at: Option<f64>| {
            next = match (next, at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        if let Err(error) = self.tell_index().await {
            failed = Some(error);
        }
        match self.drop_old_history().await {
            Ok(at) => due(at),
            Err(error) => failed = Some(error),
        }
        if let Err(error) = self.delete_old_photos().await {
            failed = Some(error);
        }
        match self.deliver_events().await {
            Ok(at) => due(at),
            Err(error) => {
                // The tenant's object could not be asked: the outbox waits half a minute.
                due(Some(now_ms() + 30_000.0));
                failed = Some(error);
            }
        }
        let storage = self.state.storage();
        match next {
            // A request asked for the alarm meanwhile: it runs again at once.
            _ if self.woken.get() => storage.set_alarm(0i64).await?,
            Some(at) => storage.set_alarm((at - now_ms()).max(0.0) as i64).await?,
            None => storage.delete_alarm().await?,
        }
        failed.map_or_else(|| Response::ok("done"), Err)
    }
}
