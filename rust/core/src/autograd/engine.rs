//! Runs a graph backwards: dependency counting from the roots, one input
//! buffer per node that sums the gradients arriving from several paths, and
//! ready nodes taken latest-created first (PyTorch's engine, single-threaded).

use super::functions;
use super::node::{Edge, Node};
use super::var::Var;
use crate::bail;
use crate::error::Result;
use crate::layout::fmt_shape;
use crate::ops;
use crate::tensor::Scalar;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

type NodeId = *const Node;

struct Ready(Arc<Node>);
impl PartialEq for Ready {
    fn eq(&self, o: &Self) -> bool {
        self.0.seq == o.0.seq
    }
}
impl Eq for Ready {}
impl PartialOrd for Ready {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ready {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.seq.cmp(&o.0.seq)
    }
}

/// The gradient to start from: the given one, or 1 for a one-element output.
fn root_grad(out: &Var, grad: Option<Var>, i: usize) -> Result<Var> {
    match grad {
        Some(g) => {
            if g.data.shape() != out.data.shape() {
                bail!(
                    Runtime,
                    "Mismatch in shape: grad_output[{i}] has a shape of {} and output[{i}] has a shape of {}",
                    fmt_shape(g.data.shape()),
                    fmt_shape(out.data.shape())
                );
            }
            Ok(g)
        }
        None => {
            if out.data.numel() != 1 {
                bail!(
                    Runtime,
                    "grad can be implicitly created only for scalar outputs (this output has shape {}). \
                     Pass a gradient of the same shape, e.g. y.backward(torch.ones_like(y)), or reduce first, \
                     e.g. y.sum().backward()",
                    fmt_shape(out.data.shape())
                );
            }
            Ok(Var::new(crate::ops::creation::full_on("full", out.data.device(), out.data.shape(), Scalar::Int(1), out.data.dtype())?))
        }
    }
}

fn add_grads(a: Var, b: Var) -> Result<Var> {
    if super::is_grad_enabled() {
        return functions::add(&a, &b);
    }
    Ok(Var::new(ops::binary::binary(ops::BinaryOp::Add, ops::Arg::T(&a.data), ops::Arg::T(&b.data), None)?))
}

/// What to collect instead of accumulating (for `autograd.grad`): the
/// gradient arriving at (node, output nr).
type Capture = HashMap<(NodeId, usize), usize>;

fn execute(
    roots: Vec<(Edge, Var)>,
    retain_graph: bool,
    capture: &Capture,
    n_capture: usize,
) -> Result<Vec<Option<Var>>> {
    // Dependency counts over every node reachable from the roots.
    let mut deps: HashMap<NodeId, usize> = HashMap::new();
    let mut seen: HashMap<NodeId, Arc<Node>> = HashMap::new();
    let mut stack: Vec<Arc<Node>> = roots.iter().map(|(e, _)| e.node.clone()).collect();
    for n in &stack {
        seen.insert(Arc::as_ptr(n), n.clone());
    }
    while let Some(n) = stack.pop() {
        for e in n.next.iter().flatten() {
            *deps.entry(Arc::as_ptr(&e.node)).or_insert(0) += 1;
            if seen.insert(Arc::as_ptr(&e.node), e.node.clone()).is_none() {
                stack.push(e.node.clone());
            }
        }
    }
    let mut buffers: HashMap<NodeId, Vec<Option<Var>>> = HashMap::new();
    let add_to = |buffers: &mut HashMap<NodeId, Vec<Option<Var>>>, node: &Arc<Node>, nr: usize, g: Var| -> Result<()> {
        let buf = buffers.entry(Arc::as_ptr(node)).or_insert_with(|| vec![None; node.outputs.len().max(1)]);
        buf[nr] = Some(match buf[nr].take() {
            None => g,
            Some(old) => add_grads(old, g)?,
        });
        Ok(())
    };
    let mut ready = BinaryHeap::new();
    for (edge, g) in roots {
        add_to(&mut buffers, &edge.node, edge.input_nr, g)?;
    }
    for n in seen.values() {
        if deps.get(&Arc::as_ptr(n)).copied().unwrap_or(0) == 0 {
            ready.push(Ready(n.clone()));
        }
    }
    let mut captured: Vec<Option<Var>> = vec![None; n_capture];
    while let Some(Ready(node)) = ready.pop() {
        let id = Arc::as_ptr(&node);
        let mut grads = buffers.remove(&id).unwrap_or_else(|| vec![None; node.outputs.len().max(1)]);
        // Tensor hooks (and retain_grad) see the gradient before the node uses it.
        let mut hooks: Vec<_> = node.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).clone();
        hooks.sort_by_key(|h| h.retain); // stable: user hooks first, retain_grad last
        for h in hooks {
            if let Some(g) = grads.get(h.nr).cloned().flatten() {
                if let Some(new) = (h.f)(&g)? {
                    grads[h.nr] = Some(new);
                }
            }
        }
        for (nr, g) in grads.iter().enumerate() {
            if let Some(&slot) = capture.get(&(id, nr)) {
                captured[slot] = g.clone();
            }
        }
        // `autograd.grad` (and `backward(inputs=...)`) never accumulate into leaves.
        let skip_node = n_capture > 0 && node.is_accumulator();
        let outs = if skip_node || grads.iter().all(|g| g.is_none()) {
            vec![None; node.next.len()]
        } else {
            let outs = node.run(&grads, !retain_graph)?;
            if super::is_anomaly_enabled() {
                check_nan(&node, &outs)?;
            }
            outs
        };
        for (i, edge) in node.next.iter().enumerate() {
            let Some(edge) = edge else { continue };
            if let Some(Some(g)) = outs.get(i) {
                let want = &edge.node.outputs[edge.input_nr];
                let mut g = g.clone();
                if g.data.shape() != want.shape.as_slice() {
                    bail!(
                        Runtime,
                        "Function {} returned an invalid gradient at index {i} - got {} but expected shape compatible with {}",
                        node.name,
                        fmt_shape(g.data.shape()),
                        fmt_shape(&want.shape)
                    );
                }
                if g.data.dtype() != want.dtype {
                    g = functions::to_dtype(&g, want.dtype)?;
                }
                add_to(&mut buffers, &edge.node, edge.input_nr, g)?;
            }
            let d = deps.get_mut(&Arc::as_ptr(&edge.node)).expect("every edge target was counted");
            *d -= 1;
            if *d == 0 {
                ready.push(Ready(edge.node.clone()));
            }
        }
    }
    Ok(captured)
}

/// Anomaly mode: PyTorch's error for a backward formula that produced NaN.
fn check_nan(node: &Node, outs: &[Option<Var>]) -> Result<()> {
    for (i, g) in outs.iter().enumerate() {
        let Some(g) = g else { continue };
        if !g.data.dtype().is_float() {
            continue;
        }
        let vals = crate::ops::to_dtype(&g.data, crate::DType::F64).to_vec::<f64>()?;
        if vals.iter().any(|v| v.is_nan()) {
            let at = node.trace.as_deref().map(|t| format!(" [the forward op was called at {t}]")).unwrap_or_default();
            bail!(Runtime, "Function '{}' returned nan values in its {i}th output.{at}", node.name);
        }
    }
    Ok(())
}

fn root_edges(outputs: &[(Var, Option<Var>)]) -> Result<Vec<(Edge, Var)>> {
    let mut roots = Vec::new();
    for (i, (out, g)) in outputs.iter().enumerate() {
        let Some(edge) = out.edge() else {
            bail!(
                Runtime,
                "element {i} of tensors does not require grad and does not have a grad_fn: \
                 set requires_grad=True on the leaf tensors you want gradients for (before computing this output)"
            );
        };
        roots.push((edge, root_grad(out, g.clone(), i)?));
    }
    Ok(roots)
}

/// `Tensor.backward()` / `torch.autograd.backward`: accumulates into leaves' `.grad`.
pub fn backward(
    outputs: &[(Var, Option<Var>)],
    retain_graph: bool,
    create_graph: bool,
    inputs: Option<&[Var]>,
) -> Result<()> {
    if let Some(inputs) = inputs {
        let grads = grad(outputs, inputs, retain_graph, create_graph, true)?;
        for (x, g) in inputs.iter().zip(grads) {
            if let Some(g) = g {
                let mut x = x.clone();
                let new = match x.grad() {
                    None => Var::new(ops::clone(&g.data)),
                    Some(old) => add_grads(old, g)?,
                };
                x.set_grad(Some(new))?;
            }
        }
        return Ok(());
    }
    let roots = root_edges(outputs)?;
    super::with_grad_mode(create_graph, || execute(roots, retain_graph, &Capture::new(), 0)).map(|_| ())
}

/// `torch.autograd.grad`: the gradients of `outputs` w.r.t. `inputs`, without
/// touching any `.grad`.
pub fn grad(
    outputs: &[(Var, Option<Var>)],
    inputs: &[Var],
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Var>>> {
    let roots = root_edges(outputs)?;
    let mut capture = Capture::new();
    for (k, x) in inputs.iter().enumerate() {
        let Some(edge) = x.edge() else {
            bail!(Runtime, "One of the differentiated Tensors (input {k}) does not require grad");
        };
        capture.insert((Arc::as_ptr(&edge.node), edge.input_nr), k);
    }
    let got = super::with_grad_mode(create_graph, || execute(roots, retain_graph, &capture, inputs.len()))?;
    for (k, g) in got.iter().enumerate() {
        if g.is_none() && !allow_unused {
            bail!(
                Runtime,
                "One of the differentiated Tensors (input {k}) appears to not have been used in the graph. \
                 Set allow_unused=True if this is the desired behavior."
            );
        }
    }
    Ok(got)
}
