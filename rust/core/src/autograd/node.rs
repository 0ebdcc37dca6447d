//! Graph nodes: a backward function, edges to the nodes of its inputs. The
//! leaf accumulator's formula is in `accumulate.rs`.

use super::var::{Hook, Var};
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Dims;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A backward formula: gradients w.r.t. the node's outputs in, gradients
/// w.r.t. its inputs out (one per edge, `None` where no grad flows).
pub trait Backward: Send + Sync {
    fn apply(&self, grads: &[Option<Var>], node: &Node) -> Result<Vec<Option<Var>>>;
    /// Descriptions of what the formula saved, for `autograd.graph`.
    fn saved(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A hook on the gradient of output `nr`. `retain` hooks (from `retain_grad`)
/// run after the others, so the retained gradient is the final one.
#[derive(Clone)]
pub struct PreHook {
    pub id: u64,
    pub nr: usize,
    pub retain: bool,
    pub f: Hook,
}

static HOOK_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh id for a hook, so a handle can remove exactly that one.
pub fn hook_id() -> u64 {
    HOOK_ID.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    /// Which output of `node` the gradient is for.
    pub input_nr: usize,
}

/// Shape and dtype of one forward output, for zero-filling missing gradients.
#[derive(Clone, Debug)]
pub struct OutputInfo {
    pub shape: Dims,
    pub dtype: DType,
}

pub struct Node {
    pub name: String,
    pub next: Vec<Option<Edge>>,
    pub outputs: Vec<OutputInfo>,
    /// Creation order: later nodes run first when both are ready.
    pub seq: u64,
    /// The forward op's Python location (anomaly mode only).
    pub trace: Option<String>,
    /// Shapes of the forward inputs, for `autograd.graph`.
    pub input_shapes: Vec<Dims>,
    /// `None` once the graph has been freed by a backward without retain_graph.
    /// Behind an `Arc` so `run` can call it without holding the lock: a hook
    /// the formula calls may start another backward through this same node
    /// (re-entrant backward), which must not wait for itself.
    state: Mutex<Option<Arc<dyn Backward>>>,
    saved_desc: Vec<String>,
    /// Hooks on the gradients of this node's outputs (tensor hooks, retain_grad).
    pub pre_hooks: Mutex<Vec<PreHook>>,
    /// Inputs that were Python numbers: kept as `None` edges for index
    /// alignment, hidden from `next_functions` as in PyTorch.
    pub hidden: Vec<bool>,
    /// The leaf, for an accumulator node.
    pub leaf: Option<Var>,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl Node {
    pub fn new(
        name: &str,
        f: Box<dyn Backward>,
        next: Vec<Option<Edge>>,
        outputs: Vec<OutputInfo>,
        input_shapes: Vec<Dims>,
        hidden: Vec<bool>,
    ) -> Arc<Node> {
        let saved_desc = f.saved();
        Arc::new(Node {
            name: name.to_string(),
            next,
            outputs,
            seq: SEQ.fetch_add(1, Ordering::Relaxed),
            trace: super::anomaly_location(),
            input_shapes,
            state: Mutex::new(Some(Arc::from(f))),
            saved_desc,
            pre_hooks: Mutex::new(Vec::new()),
            hidden,
            leaf: None,
        })
    }

    /// The accumulator node of `leaf` (its formula is `AccumulateGrad`, in
    /// `accumulate.rs`, so this graph type needs nothing from the op library).
    pub fn accumulator(leaf: Var, f: Arc<dyn Backward>) -> Arc<Node> {
        let info = OutputInfo { shape: leaf.data.shape().into(), dtype: leaf.data.dtype() };
        Arc::new(Node {
            name: "AccumulateGrad".into(),
            next: vec![],
            outputs: vec![info],
            seq: u64::MAX, // runs last among ready nodes; order does not matter for leaves
            trace: None,
            input_shapes: vec![leaf.data.shape().into()],
            state: Mutex::new(Some(f)),
            saved_desc: vec![],
            pre_hooks: Mutex::new(Vec::new()),
            hidden: vec![],
            leaf: Some(leaf),
        })
    }

    pub fn is_accumulator(&self) -> bool {
        self.leaf.is_some()
    }

    pub fn saved_desc(&self) -> &[String] {
        &self.saved_desc
    }

    /// Runs the formula; `release` frees what it saved afterwards.
    pub fn run(&self, grads: &[Option<Var>], release: bool) -> Result<Vec<Option<Var>>> {
        let formula = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(f) = formula else {
            bail!(
                Runtime,
                "Trying to backward through the graph a second time (or directly access saved tensors after they \
                 have already been freed): {} was freed by the first backward. Specify retain_graph=True if you need \
                 to backward through the graph a second time.",
                self.name
            );
        };
        let r = f.apply(grads, self).map_err(|mut e| {
            if let Some(t) = &self.trace {
                e.msg = format!("{} [the forward op of {} was called at {t}]", e.msg, self.name);
            }
            e
        });
        // Accumulators hold no saved state and are shared by later graphs.
        if release && self.leaf.is_none() {
            *self.state.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        r
    }
}

impl Drop for Node {
    /// What the node owns is dropped from a worklist (see NOTE [Iterative teardown] in teardown.rs).
    fn drop(&mut self) {
        use super::teardown::{defer, Owned};
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        let next = std::mem::take(&mut self.next);
        defer(
            next.into_iter()
                .flatten()
                .map(|e| Owned::Node(e.node))
                .chain(state.map(Owned::Formula))
                .chain(self.leaf.take().map(Owned::Var)),
        );
    }
}
