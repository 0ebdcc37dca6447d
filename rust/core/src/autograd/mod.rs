//! Reverse-mode autograd with PyTorch's semantics: a dynamic graph of
//! [`Node`]s built by differentiable ops on [`Var`]s, run backwards by the
//! [`engine`].
//!
//! Ownership (no reference cycles, so graphs are freed when the last output
//! is dropped): a non-leaf `Var` holds its `grad_fn` node strongly; nodes hold
//! their next nodes strongly and their saved tensors; a leaf's
//! `AccumulateGrad` node holds the leaf strongly while the leaf holds the node
//! only weakly. Saved *outputs* of a node keep only a weak link back to it.

pub mod engine;
pub mod functions;
pub mod node;
mod teardown;
pub mod var;

pub use node::{Backward, Edge, Node};
pub use var::{Meta, SavedVar, Var};

use std::cell::{Cell, RefCell};

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static ANOMALY: Cell<bool> = const { Cell::new(false) };
    /// Where the Python caller is, set by the binding while anomaly mode is on.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

pub fn set_grad_enabled(on: bool) {
    GRAD_ENABLED.with(|g| g.set(on));
}

/// Runs `f` with grad mode set to `on`, restoring the previous mode after.
pub fn with_grad_mode<R>(on: bool, f: impl FnOnce() -> R) -> R {
    let prev = is_grad_enabled();
    set_grad_enabled(on);
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_grad_enabled(self.0);
        }
    }
    let _r = Restore(prev);
    f()
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

pub fn anomaly_location() -> Option<String> {
    if !is_anomaly_enabled() {
        return None;
    }
    LOCATION.with(|l| l.borrow().clone())
}
