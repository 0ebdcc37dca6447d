//! The leaf accumulator: adds the gradients arriving at a leaf into its
//! `.grad`. Kept out of `node.rs` because it calls ops (`clone`, in-place
//! `add`), and the graph types should not depend on the op library.

use super::node::{Backward, Node};
use super::var::Var;
use crate::bail;
use crate::error::Result;
use crate::layout::fmt_shape;
use std::sync::Arc;

/// The accumulator of a leaf: adds incoming gradients into `leaf.grad`.
pub struct AccumulateGrad;

impl AccumulateGrad {
    pub fn node(leaf: Var) -> Arc<Node> {
        Node::accumulator(leaf, Arc::new(AccumulateGrad))
    }
}

impl Backward for AccumulateGrad {
    fn apply(&self, grads: &[Option<Var>], node: &Node) -> Result<Vec<Option<Var>>> {
        let (Some(leaf), Some(mut g)) = (&node.leaf, grads.first().cloned().flatten()) else { return Ok(vec![]) };
        let meta = leaf.meta.as_ref().expect("a leaf with an accumulator has metadata");
        let hooks: Vec<_> = meta.hooks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut replaced = false;
        for (_, h) in hooks {
            if let Some(new) = h(&g)? {
                g = new;
                replaced = true;
            }
        }
        let mut slot = meta.grad.lock().unwrap_or_else(|e| e.into_inner());
        if g.data.shape() != leaf.data.shape() {
            bail!(
                Runtime,
                "AccumulateGrad: gradient of shape {} does not match the leaf's shape {}",
                fmt_shape(g.data.shape()),
                fmt_shape(leaf.data.shape())
            );
        }
        let create_graph = super::is_grad_enabled();
        *slot = Some(match slot.take() {
            // First gradient: keep our own copy, so later in-place accumulation
            // never writes into a tensor the user (or the graph) also holds.
            None if create_graph => g,
            // A fresh gradient nobody else holds (the engine's buffer and `g`
            // are the two references) is kept as it is, as PyTorch steals it:
            // the copy would cost as much as the backward of a view. A hook's
            // result may be the user's tensor, so it is always copied.
            None if !replaced
                && g.meta.is_none()
                && g.data.dtype() == leaf.data.dtype()
                && g.data.is_contiguous()
                && g.data.offset() == 0
                && g.data.storage().len() == g.data.numel()
                && std::sync::Arc::strong_count(g.data.storage()) <= 2 =>
            {
                Var::new(g.data.clone())
            }
            None => Var::new(crate::ops::clone(&crate::ops::to_dtype(&g.data, leaf.data.dtype()))),
            Some(old) if create_graph => super::functions::add(&old, &g)?,
            Some(old) => {
                crate::ops::binary::binary(
                    crate::ops::BinaryOp::Add,
                    crate::ops::Arg::T(&old.data),
                    crate::ops::Arg::T(&g.data),
                    Some(&old.data),
                )?;
                old
            }
        });
        Ok(vec![])
    }
}
