//! `Var`: a tensor plus optional autograd metadata, and `SavedVar`, a tensor a
//! backward formula keeps, checked against in-place modification.

use super::accumulate::AccumulateGrad;
use super::node::{Edge, Node};
use crate::bail;
use crate::error::Result;
use crate::layout::fmt_shape;
use crate::tensor::Tensor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// A hook on a tensor's gradient: may return a replacement.
pub type Hook = Arc<dyn Fn(&Var) -> Result<Option<Var>> + Send + Sync>;

/// How a view was made from its base (replayable on any tensor of the base's shape).
pub type ViewFn = dyn Fn(&Tensor) -> Result<Tensor> + Send + Sync;

/// Autograd metadata, shared by every handle on one Python tensor object.
#[derive(Default)]
pub struct Meta {
    requires_grad: AtomicBool,
    /// The node that produced this tensor and which of its outputs it is;
    /// `None` for a leaf.
    grad_fn: Mutex<Option<(Arc<Node>, usize)>>,
    pub grad: Mutex<Option<Var>>,
    /// A leaf's accumulator, held weakly (the accumulator holds the leaf).
    accumulator: Mutex<Weak<Node>>,
    pub retains_grad: AtomicBool,
    /// Leaf hooks, run by the accumulator before accumulating: (id, hook).
    pub hooks: Mutex<Vec<(u64, Hook)>>,
    /// For a view of a tensor in the graph: the base and how to re-derive the
    /// view, so an in-place write through the view can update the base's
    /// history (NOTE [In-place through views]).
    pub view_base: Mutex<Option<(Var, Arc<ViewFn>)>>,
}

impl Drop for Meta {
    /// What the metadata owns is dropped from a worklist (see NOTE [Iterative teardown] in teardown.rs).
    fn drop(&mut self) {
        use super::teardown::{defer, Owned};
        let grad_fn = self.grad_fn.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        let grad = self.grad.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        let base = self.view_base.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        if grad_fn.is_none() && grad.is_none() && base.is_none() {
            return;
        }
        defer(
            grad_fn
                .map(|(n, _)| Owned::Node(n))
                .into_iter()
                .chain(grad.map(Owned::Var))
                .chain(base.map(|(v, _)| Owned::Var(v))),
        );
    }
}

/// A tensor as autograd sees it. Cloning is cheap and shares the metadata.
#[derive(Clone)]
pub struct Var {
    pub data: Tensor,
    pub meta: Option<Arc<Meta>>,
}

impl std::fmt::Debug for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Var({:?}, requires_grad={})", self.data, self.requires_grad())
    }
}

impl Var {
    pub fn new(data: Tensor) -> Var {
        Var { data, meta: None }
    }

    /// A leaf that requires grad.
    pub fn leaf(data: Tensor) -> Var {
        let m = Meta::default();
        m.requires_grad.store(true, Ordering::Relaxed);
        Var { data, meta: Some(Arc::new(m)) }
    }

    /// The output `nr` of `node`.
    pub fn from_node(data: Tensor, node: Arc<Node>, nr: usize) -> Var {
        let m = Meta::default();
        m.requires_grad.store(true, Ordering::Relaxed);
        *m.grad_fn.lock().unwrap_or_else(|e| e.into_inner()) = Some((node, nr));
        Var { data, meta: Some(Arc::new(m)) }
    }

    pub fn requires_grad(&self) -> bool {
        self.meta.as_ref().is_some_and(|m| m.requires_grad.load(Ordering::Relaxed))
    }

    pub fn grad_fn(&self) -> Option<(Arc<Node>, usize)> {
        self.meta.as_ref().and_then(|m| m.grad_fn.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    pub fn is_leaf(&self) -> bool {
        self.grad_fn().is_none()
    }

    /// Meta for this handle, created on demand (setting `requires_grad` or `.grad`).
    pub fn meta_mut(&mut self) -> &Arc<Meta> {
        self.meta.get_or_insert_with(|| Arc::new(Meta::default()))
    }

    /// `requires_grad_()`: only leaves may change it, and only floats require grad.
    pub fn set_requires_grad(&mut self, on: bool) -> Result<()> {
        if on && !self.data.dtype().is_float() {
            bail!(
                Runtime,
                "only Tensors of floating point and complex dtype can require gradients (got {})",
                self.data.dtype()
            );
        }
        if !self.is_leaf() {
            if !on {
                bail!(
                    Runtime,
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed \
                     variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                );
            }
            return Ok(());
        }
        self.meta_mut().requires_grad.store(on, Ordering::Relaxed);
        Ok(())
    }

    /// The edge a gradient for this tensor flows along: its grad_fn, or the
    /// leaf's accumulator (created on first use). `None` if it needs no grad.
    pub fn edge(&self) -> Option<Edge> {
        let meta = self.meta.as_ref()?;
        if let Some((node, nr)) = meta.grad_fn.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Some(Edge { node, input_nr: nr });
        }
        if !meta.requires_grad.load(Ordering::Relaxed) {
            return None;
        }
        let mut acc = meta.accumulator.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(node) = acc.upgrade() {
            return Some(Edge { node, input_nr: 0 });
        }
        let node = AccumulateGrad::node(self.clone());
        *acc = Arc::downgrade(&node);
        Some(Edge { node, input_nr: 0 })
    }

    /// Replaces this tensor's history after an in-place op (PyTorch's rebase).
    pub fn set_grad_fn(&self, node: Arc<Node>, nr: usize) {
        if let Some(m) = &self.meta {
            m.requires_grad.store(true, Ordering::Relaxed);
            *m.grad_fn.lock().unwrap_or_else(|e| e.into_inner()) = Some((node, nr));
        }
    }

    pub fn view_base(&self) -> Option<(Var, Arc<ViewFn>)> {
        self.meta.as_ref().and_then(|m| m.view_base.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Records that `self` is the view `f(base)` sharing `base`'s memory.
    pub fn mark_view_of(&self, base: &Var, f: Arc<ViewFn>) {
        let Some(m) = &self.meta else { return };
        if !self.data.same_storage(&base.data) || !base.requires_grad() {
            return;
        }
        let entry = match base.view_base() {
            // A view of a view is a view of the root, through both functions.
            Some((root, bf)) => (root, Arc::new(move |t: &Tensor| f(&bf(t)?)) as Arc<ViewFn>),
            None => (base.clone(), f),
        };
        *m.view_base.lock().unwrap_or_else(|e| e.into_inner()) = Some(entry);
    }

    /// Links a view whose base does not require grad yet, just before an
    /// in-place write that will bring the base into the graph (NOTE [Untracked
    /// views]). `base` must be the root of its views.
    pub fn set_view_base(&self, base: &Var, f: Arc<ViewFn>) {
        if let Some(m) = &self.meta {
            *m.view_base.lock().unwrap_or_else(|e| e.into_inner()) = Some((base.clone(), f));
        }
    }

    pub fn grad(&self) -> Option<Var> {
        self.meta.as_ref().and_then(|m| m.grad.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    pub fn set_grad(&mut self, g: Option<Var>) -> Result<()> {
        if let Some(g) = &g {
            if g.data.shape() != self.data.shape() {
                bail!(
                    Runtime,
                    "assigned grad has data of a different size: grad {} but tensor {}",
                    fmt_shape(g.data.shape()),
                    fmt_shape(self.data.shape())
                );
            }
            if g.data.dtype() != self.data.dtype() {
                bail!(
                    Runtime,
                    "assigned grad has data of a different type ({} vs {})",
                    g.data.dtype(),
                    self.data.dtype()
                );
            }
        }
        *self.meta_mut().grad.lock().unwrap_or_else(|e| e.into_inner()) = g;
        Ok(())
    }

    /// A new handle on the same data with no history (`detach()`).
    pub fn detach(&self) -> Var {
        Var::new(self.data.clone())
    }
}

/// A tensor saved for backward, with the storage version it had.
pub struct SavedVar {
    data: Tensor,
    version: u64,
    /// The full Var, so double backward can flow through it.
    var: Var,
    /// For messages: which op saved it and which argument it was.
    what: String,
}

impl SavedVar {
    /// Saves an input of the op (never its output: that would make a cycle
    /// output → node → output; formulas recompute from inputs instead).
    pub fn new(v: &Var, what: &str) -> SavedVar {
        SavedVar { data: v.data.clone(), version: v.data.version(), var: v.clone(), what: what.into() }
    }

    /// The saved tensor, or PyTorch's error if it was modified in place since.
    pub fn unpack(&self, node_name: &str) -> Result<Var> {
        let now = self.data.version();
        if now != self.version {
            let by = self.data.storage().last_write().map(|w| format!(" It was modified by {w}.")).unwrap_or_default();
            let hint = if super::is_anomaly_enabled() {
                ""
            } else {
                " Hint: use .clone() before the in-place op, or enable rtensor.autograd.set_detect_anomaly(True) \
                 to see where the tensor was used in the forward pass and modified."
            };
            bail!(
                Runtime,
                "one of the variables needed for gradient computation has been modified by an inplace operation: \
                 [{}{}] ({} of {node_name}) is at version {now}; expected version {} instead.{by}{hint}",
                self.data.dtype().scalar_name(),
                fmt_shape(self.data.shape()),
                self.what,
                self.version
            );
        }
        Ok(self.var.clone())
    }

    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }
}
