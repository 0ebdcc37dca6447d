//! Reverse-mode autograd with PyTorch's semantics: a dynamic graph of
//! [`Node`]s built by differentiable ops on [`Var`]s, run backwards by the
//! [`engine`].
//!
//! Ownership (no reference cycles, so graphs are freed when the last output
//! is dropped): a non-leaf `Var` holds its `grad_fn` node strongly; nodes hold
//! their next nodes strongly and their saved tensors; a leaf's
//! `AccumulateGrad` node holds the leaf strongly while the leaf holds the node
//! only weakly. Saved *outputs* of a node keep only a weak link back to it.

pub mod accumulate;
pub mod engine;
pub mod functions;
pub mod node;
mod teardown;
pub mod var;

pub use node::{Backward, Edge, Node};
pub use var::{Meta, SavedVar, Var};

// Anomaly mode lives in a leaf module so `storage.rs` can read it too.
pub use crate::context::{anomaly_location, is_anomaly_enabled, set_anomaly_enabled, set_anomaly_location};

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
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
