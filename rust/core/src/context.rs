//! Per-thread context that both the storage layer and autograd read: whether
//! anomaly detection is on and, while it is, the Python caller's location.
//! A leaf module (it imports nothing from the crate), so `storage.rs` can name
//! the location of an in-place write without depending on autograd.

use std::cell::{Cell, RefCell};

thread_local! {
    static ANOMALY: Cell<bool> = const { Cell::new(false) };
    /// Where the Python caller is, set by the binding while anomaly mode is on.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn is_anomaly_enabled() -> bool {
    ANOMALY.with(|a| a.get())
}

pub fn set_anomaly_enabled(on: bool) {
    ANOMALY.with(|a| a.set(on));
}

/// The caller's `file:line`, recorded by the binding before each op while
/// anomaly detection is on (the core itself knows nothing about Python).
pub fn set_anomaly_location(loc: Option<String>) {
    LOCATION.with(|l| *l.borrow_mut() = loc);
}

/// The recorded location, or `None` when anomaly detection is off.
pub fn anomaly_location() -> Option<String> {
    if !is_anomaly_enabled() {
        return None;
    }
    LOCATION.with(|l| l.borrow().clone())
}
