//! In-place ops in the graph: the autograd checks, and the rebase that gives
//! the written tensor (and, through a view, its base) its new history.

use super::{grad_for, record1};
use crate::autograd::var::Var;
use crate::bail;
use crate::error::Result;
use crate::ops;
use crate::tensor::Scalar;

/// Checks an in-place op on `a` is allowed by autograd.
pub fn check_inplace(a: &Var, op: &str) -> Result<()> {
    if !crate::autograd::is_grad_enabled() {
        return Ok(());
    }
    if let Some((base, _)) = a.view_base() {
        if base.is_leaf() && base.requires_grad() {
            bail!(
                Runtime,
                "a view of a leaf Variable that requires grad is being used in an in-place operation ({op}). \
                 Wrap the update in `with torch.no_grad():`, or clone() the leaf first."
            );
        }
    }
    if a.requires_grad() && a.is_leaf() {
        bail!(
            Runtime,
            "a leaf Variable that requires grad is being used in an in-place operation ({op}). \
             Wrap the update in `with torch.no_grad():` (as optimisers do), or operate on a clone()."
        );
    }
    Ok(())
}

/// Writes the recorded out-of-place result `r` into `a` and gives `a` its
/// history (in-place ops on tensors in the graph, PyTorch's "rebase").
pub fn rebase(a: &Var, r: Var, op: &str) -> Result<Var> {
    ops::assign(op, &a.data, ops::Arg::T(&r.data))?;
    if let (Some((base, f)), true) = (a.view_base(), r.grad_fn().is_some()) {
        return copy_slices(a, base, f, r);
    }
    match r.grad_fn() {
        Some((node, nr)) => {
            let mut a = a.clone();
            a.meta_mut();
            a.set_grad_fn(node, nr);
            Ok(a)
        }
        None => Ok(a.clone()),
    }
}

/// NOTE [In-place through views]: writing `r` into the view `a = f(base)`
/// changes `base`. Its new history is a `CopySlices` node: the gradient of the
/// positions the view covers flows to `r`, the rest to the old `base`. The
/// view is then re-derived from the new base, so both stay consistent.
fn copy_slices(a: &Var, base: Var, f: std::sync::Arc<crate::autograd::var::ViewFn>, r: Var) -> Result<Var> {
    use super::views::{index_map, index_map_op, take};
    let shape = base.data.shape().to_vec();
    let idx = index_map(&shape, &*f)?;
    let snap = Var { data: base.data.clone(), meta: base.meta.clone() };
    let new_base = record1("CopySlices", &[Some(&snap), Some(&r)], base.data.clone(), vec![], move |g, n| {
        let gb = grad_for(&n.next[0], || {
            let keep = crate::ops::creation::full("full", &[g.data.numel()], Scalar::Int(1), g.data.dtype())?;
            let flat_idx = crate::ops::shape::reshape(&idx, &[-1])?;
            crate::ops::index::scatter_(&keep, 0, &flat_idx, ops::Arg::S(Scalar::Int(0)), false)?;
            let keep = crate::ops::shape::reshape(&keep, &super::shape_i64(g.data.shape()))?;
            super::mul(g, &Var::new(keep))
        })?;
        let gr = grad_for(&n.next[1], || take(g, &idx))?;
        Ok(vec![gb, gr])
    });
    let (node, nr) = new_base.grad_fn().expect("recorded");
    base.set_grad_fn(node, nr);
    let view = index_map_op(&base, "AsStridedBackward0", f)?;
    let mut a = a.clone();
    a.meta_mut();
    if let Some((vnode, vnr)) = view.grad_fn() {
        a.set_grad_fn(vnode, vnr);
    }
    Ok(a)
}
