//! The autograd surface: `grad_fn` objects, `.grad`, hooks, `backward`,
//! `autograd.grad`, grad mode and anomaly mode.

use crate::call::guarded;
use crate::call::{to_py, IntoPyResult};
use crate::tensor::{wrap_var, PyTensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rtensor_core::autograd::node::{hook_id, PreHook};
use rtensor_core::autograd::{self as ag, engine, Meta, Node, Var};
use std::sync::{Arc, Weak};

/// What `register_hook` returns: `handle.remove()` unregisters the hook.
#[pyclass(name = "RemovableHandle", module = "rtensor.utils.hooks")]
pub struct HookHandle {
    id: u64,
    node: Weak<Node>,
    meta: Weak<Meta>,
}

guarded! {
#[pymethods]
impl HookHandle {
    fn remove(&self) {
        if let Some(n) = self.node.upgrade() {
            n.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).retain(|h| h.id != self.id);
        }
        if let Some(m) = self.meta.upgrade() {
            m.hooks.lock().unwrap_or_else(|e| e.into_inner()).retain(|(id, _)| *id != self.id);
        }
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __exit__(&self, _a: &Bound<'_, PyAny>, _b: &Bound<'_, PyAny>, _c: &Bound<'_, PyAny>) -> PyResult<()> {
        self.remove()
    }
}
}

fn node_hook(node: &Arc<Node>, nr: usize, retain: bool, f: rtensor_core::autograd::var::Hook) -> HookHandle {
    let id = hook_id();
    node.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).push(PreHook { id, nr, retain, f });
    HookHandle { id, node: Arc::downgrade(node), meta: Weak::new() }
}

/// A node of the backward graph, as `tensor.grad_fn` shows it. Each node
/// name gets its own subclass (`type(y.grad_fn).__name__ == "AddBackward0"`,
/// as in PyTorch), made on first use by [`node_object`].
#[pyclass(name = "Node", module = "rtensor.autograd", frozen, subclass)]
pub struct PyNode {
    pub node: Arc<Node>,
}

/// What a `Node` subclass is constructed from: only [`node_object`] makes one.
#[pyclass(module = "rtensor._C", frozen)]
pub struct NodeRef(Arc<Node>);

/// The Python object for `node`: an instance of the subclass named after it.
pub fn node_object(py: Python<'_>, node: Arc<Node>) -> PyResult<Py<PyAny>> {
    static CLASSES: pyo3::sync::PyOnceLock<Py<PyDict>> = pyo3::sync::PyOnceLock::new();
    let classes = CLASSES.get_or_init(py, || PyDict::new(py).unbind()).bind(py);
    let cls = match classes.get_item(node.name.as_str())? {
        Some(cls) => cls,
        None => {
            let ns = PyDict::new(py);
            // No __dict__: the subclass only renames the type.
            ns.set_item("__slots__", PyTuple::empty(py))?;
            ns.set_item("__module__", "rtensor.autograd")?;
            let bases = PyTuple::new(py, [py.get_type::<PyNode>()])?;
            let cls = py.get_type::<pyo3::types::PyType>().call1((node.name.as_str(), bases, ns))?;
            classes.set_item(node.name.as_str(), &cls)?;
            cls
        }
    };
    Ok(cls.call1((NodeRef(node),))?.unbind())
}

guarded! {
#[pymethods]
impl PyNode {
    #[new]
    fn py_new(r: PyRef<'_, NodeRef>) -> Self {
        PyNode { node: r.0.clone() }
    }
    fn name(&self) -> String {
        self.node.name.clone()
    }
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!("<{} object at {:#x}>", slf.get().node.name, slf.as_ptr() as usize)
    }
    /// ((next node or None, output index), ...) as in PyTorch.
    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<Bound<'py, PyTuple>> = self
            .node
            .next
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.node.hidden.get(*i).copied().unwrap_or(false))
            .map(|(_, e)| match e {
                Some(e) => PyTuple::new(
                    py,
                    [node_object(py, e.node.clone())?, e.input_nr.into_pyobject(py)?.into_any().unbind()],
                ),
                None => PyTuple::new(py, [py.None(), 0i64.into_pyobject(py)?.into_any().unbind()]),
            })
            .collect::<PyResult<_>>()?;
        PyTuple::new(py, items)
    }
    /// The leaf tensor of an `AccumulateGrad` node.
    #[getter]
    fn variable(&self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        self.node.leaf.clone().map(|v| wrap_var(py, v)).transpose()
    }
    #[getter]
    fn _saved(&self) -> Vec<String> {
        self.node.saved_desc().to_vec()
    }
    #[getter]
    fn _input_shapes(&self) -> Vec<Vec<usize>> {
        self.node.input_shapes.iter().map(|s| s.to_vec()).collect()
    }
    #[getter]
    fn _trace(&self) -> Option<String> {
        self.node.trace.clone()
    }
    fn _id(&self) -> usize {
        Arc::as_ptr(&self.node) as usize
    }
    fn register_hook(&self, hook: Py<PyAny>) -> HookHandle {
        node_hook(&self.node, 0, false, py_hook(hook))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyNode>().is_ok_and(|o| Arc::ptr_eq(&o.get().node, &self.node))
    }
    fn __hash__(&self) -> isize {
        Arc::as_ptr(&self.node) as isize
    }
}
}

/// PyTorch's legacy type name of a dtype (`rtensor.FloatTensor`), as its hook
/// errors and `Tensor.type()` spell it.
pub fn tensor_type_name(dt: rtensor_core::DType) -> String {
    use rtensor_core::DType::*;
    let n = match dt {
        F32 => "FloatTensor",
        F64 => "DoubleTensor",
        F16 => "HalfTensor",
        BF16 => "BFloat16Tensor",
        I64 => "LongTensor",
        I32 => "IntTensor",
        I16 => "ShortTensor",
        I8 => "CharTensor",
        U8 => "ByteTensor",
        Bool => "BoolTensor",
    };
    format!("rtensor.{n}")
}

/// A Python callable as a gradient hook: `hook(grad) -> Tensor or None`. As in
/// PyTorch, a replacement must keep the gradient's dtype and shape.
fn py_hook(f: Py<PyAny>) -> rtensor_core::autograd::var::Hook {
    use rtensor_core::{Error, ErrorKind};
    Arc::new(move |g: &Var| {
        Python::attach(|py| {
            let r = f
                .call1(py, (wrap_var(py, g.clone()).map_err(|e| Error::runtime(e.to_string()))?,))
                .map_err(|e| crate::call::stash("a gradient hook raised", e))?;
            if r.is_none(py) {
                return Ok(None);
            }
            let Ok(t) = r.bind(py).cast::<PyTensor>() else {
                let ty = r.bind(py).get_type().name().map(|n| n.to_string()).unwrap_or_default();
                return Err(Error {
                    kind: ErrorKind::Type,
                    msg: format!("expected Variable, but hook returned '{ty}'"),
                });
            };
            let v = t.borrow().var();
            let name = || {
                f.bind(py)
                    .getattr("__name__")
                    .and_then(|n| n.extract::<String>())
                    .unwrap_or_else(|_| "<unknown>".to_string())
            };
            if v.data.dtype() != g.data.dtype() {
                return Err(Error::runtime(format!(
                    "hook '{}' has changed the type of value (was {} got {})",
                    name(),
                    tensor_type_name(g.data.dtype()),
                    tensor_type_name(v.data.dtype())
                )));
            }
            if v.data.shape() != g.data.shape() {
                return Err(Error::runtime(format!(
                    "hook '{}' has changed the size of value (was {} got {})",
                    name(),
                    rtensor_core::layout::fmt_shape(g.data.shape()),
                    rtensor_core::layout::fmt_shape(v.data.shape())
                )));
            }
            Ok(Some(v))
        })
    })
}

fn opt_var(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Var>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => Ok(Some(
            o.cast::<PyTensor>().map_err(|_| PyTypeError::new_err("gradient must be a Tensor or None"))?.borrow().var(),
        )),
    }
}

fn vars(ob: &Bound<'_, PyAny>) -> PyResult<Vec<Var>> {
    if let Ok(t) = ob.cast::<PyTensor>() {
        return Ok(vec![t.borrow().var()]);
    }
    ob.try_iter()?
        .map(|x| {
            Ok(x?
                .cast::<PyTensor>()
                .map_err(|_| PyTypeError::new_err("expected a Tensor or a sequence of Tensors"))?
                .borrow()
                .var())
        })
        .collect()
}

/// One gradient (or None) per output; PyTorch's error when the counts differ
/// (never a silent `zip` truncation).
fn opt_vars(ob: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<Var>>> {
    let gs: Vec<Option<Var>> = match ob {
        None => return Ok(vec![None; n]),
        Some(o) if o.is_none() => return Ok(vec![None; n]),
        Some(o) if o.cast::<PyTensor>().is_ok() => vec![opt_var(Some(o))?],
        Some(o) => o.try_iter()?.map(|x| opt_var(Some(&x?))).collect::<PyResult<_>>()?,
    };
    if gs.len() != n {
        return Err(PyRuntimeError::new_err(format!("got {n} tensors and {} gradients", gs.len())));
    }
    Ok(gs)
}

/// `inputs=` of `backward`: None, or a non-empty sequence of tensors.
fn backward_inputs(inputs: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<Var>>> {
    let Some(ob) = inputs.filter(|i| !i.is_none()) else { return Ok(None) };
    if ob.cast::<PyTensor>().is_err() {
        for x in ob.try_iter()? {
            let x = x?;
            if x.cast::<PyTensor>().is_err() {
                return Err(PyRuntimeError::new_err(format!(
                    "all inputs have to be Tensors or GradientEdges, but got {}",
                    x.get_type().name()?
                )));
            }
        }
    }
    let ins = vars(ob)?;
    if ins.is_empty() {
        return Err(PyRuntimeError::new_err("`inputs` argument to `backward()` cannot be empty."));
    }
    Ok(Some(ins))
}

guarded! {
/// `torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph, inputs)`.
#[pyfunction]
#[pyo3(signature = (tensors, grad_tensors=None, retain_graph=None, create_graph=false, inputs=None))]
pub fn backward(
    tensors: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let outs = vars(tensors)?;
    let grads = opt_vars(grad_tensors, outs.len())?;
    let pairs: Vec<(Var, Option<Var>)> = outs.into_iter().zip(grads).collect();
    let inputs = backward_inputs(inputs)?;
    engine::backward(&pairs, retain_graph.unwrap_or(create_graph), create_graph, inputs.as_deref()).py()
}
}

guarded! {
/// `torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)`.
#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=false))]
pub fn grad<'py>(
    py: Python<'py>,
    outputs: &Bound<'_, PyAny>,
    inputs: &Bound<'_, PyAny>,
    grad_outputs: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let outs = vars(outputs)?;
    let grads = opt_vars(grad_outputs, outs.len())?;
    let pairs: Vec<(Var, Option<Var>)> = outs.into_iter().zip(grads).collect();
    let ins = vars(inputs)?;
    if ins.is_empty() {
        return Err(PyRuntimeError::new_err("`inputs` argument to `grad()` cannot be empty."));
    }
    // The same tensor may be asked for twice (`grad(y, [x, x])`): ask the
    // engine once per distinct tensor and hand each its gradient.
    let key = |v: &Var| v.meta.as_ref().map(|m| Arc::as_ptr(m) as usize);
    let mut distinct: Vec<Var> = Vec::with_capacity(ins.len());
    let mut slot: Vec<usize> = Vec::with_capacity(ins.len());
    for v in &ins {
        let k = key(v);
        match distinct.iter().position(|d| k.is_some() && key(d) == k) {
            Some(i) => slot.push(i),
            None => {
                slot.push(distinct.len());
                distinct.push(v.clone());
            }
        }
    }
    let got =
        engine::grad(&pairs, &distinct, retain_graph.unwrap_or(create_graph), create_graph, allow_unused).py()?;
    let objs: Vec<Py<PyAny>> = slot
        .into_iter()
        .map(|i| got.get(i).cloned().flatten())
        .map(|g| match g {
            Some(g) => wrap_var(py, g).map(|t| t.into_any()),
            None => Ok(py.None()),
        })
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, objs)
}
}

guarded! {
#[pyfunction]
pub fn is_grad_enabled() -> bool {
    ag::is_grad_enabled()
}
}

guarded! {
#[pyfunction]
pub fn _set_grad_enabled(on: bool) {
    ag::set_grad_enabled(on)
}
}

guarded! {
#[pyfunction]
pub fn is_anomaly_enabled() -> bool {
    ag::is_anomaly_enabled()
}
}

guarded! {
#[pyfunction]
pub fn _set_anomaly_enabled(on: bool) {
    ag::set_anomaly_enabled(on)
}
}

/// In anomaly mode, records the Python caller's `file:line` for the next op.
pub fn note_location(py: Python<'_>) {
    if !ag::is_anomaly_enabled() {
        return;
    }
    static PKG_DIR: pyo3::sync::PyOnceLock<String> = pyo3::sync::PyOnceLock::new();
    let loc = (|| -> PyResult<String> {
        let pkg = PKG_DIR.get_or_try_init(py, || -> PyResult<String> {
            let file: String = py.import("rtensor")?.getattr("__file__")?.extract()?;
            Ok(std::path::Path::new(&file).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default())
        })?;
        // The first frame outside the rtensor package is the user's code.
        let mut f = py.import("sys")?.call_method1("_getframe", (0,))?;
        loop {
            let file: String = f.getattr("f_code")?.getattr("co_filename")?.extract()?;
            let back = f.getattr("f_back")?;
            if !file.starts_with(pkg.as_str()) || back.is_none() {
                return Ok(format!("{file}:{}", f.getattr("f_lineno")?));
            }
            f = back;
        }
    })();
    ag::set_anomaly_location(loc.ok());
}

guarded! {
#[pymethods]
impl PyTensor {
    #[getter]
    fn grad_fn(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.var().grad_fn().map(|(node, _)| node_object(py, node)).transpose()
    }
    /// The same Python object on every access while the gradient is the same
    /// tensor (PyTorch users compare `x.grad is x.grad`, and hold on to it).
    #[getter]
    fn get_grad(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        let Some(g) = self.var().grad() else {
            self.grad_cache = None;
            return Ok(None);
        };
        if let Some(c) = &self.grad_cache {
            let b = c.borrow(py);
            if b.t.same_storage(&g.data) && b.t.layout() == g.data.layout() {
                return Ok(Some(c.clone_ref(py)));
            }
        }
        let obj = wrap_var(py, g)?;
        self.grad_cache = Some(obj.clone_ref(py));
        Ok(Some(obj))
    }
    #[setter]
    fn set_grad(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let g = opt_var(value)?;
        let mut v = self.var();
        v.set_grad(g).py()?;
        self.meta = v.meta;
        self.grad_cache = None;
        Ok(())
    }
    /// `del x.grad` sets it to None, as in PyTorch.
    #[deleter(grad)]
    fn del_grad(&mut self) -> PyResult<()> {
        self.set_grad(None)
    }
    /// Keeps `.grad` for a non-leaf tensor after backward.
    fn retain_grad(&mut self) -> PyResult<()> {
        if self.retains_grad()? {
            return Ok(());
        }
        let v = self.var();
        let Some((node, nr)) = v.grad_fn() else {
            if !v.requires_grad() {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "can't retain_grad on Tensor that has requires_grad=False",
                ));
            }
            return Ok(());
        };
        let Some(m) = v.meta.as_ref() else { return Ok(()) };
        let meta = Arc::downgrade(m);
        let hook: rtensor_core::autograd::var::Hook = Arc::new(move |g: &Var| {
            if let Some(m) = meta.upgrade() {
                let mut slot = m.grad.lock().unwrap_or_else(|e| e.into_inner());
                *slot = Some(match slot.take() {
                    None => Var::new(rtensor_core::ops::clone(&g.data)),
                    Some(old) => rtensor_core::autograd::functions::add(&old.detach(), &g.detach())?,
                });
            }
            Ok(None)
        });
        node_hook(&node, nr, true, hook);
        if let Some(m) = &v.meta {
            m.retains_grad.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
    #[getter]
    fn retains_grad(&self) -> bool {
        self.meta.as_ref().is_some_and(|m| m.retains_grad.load(std::sync::atomic::Ordering::Relaxed))
    }
    /// Registers `hook(grad)`; it may return a replacement gradient.
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<HookHandle> {
        let v = self.var();
        if !v.requires_grad() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "cannot register a hook on a tensor that doesn't require gradient",
            ));
        }
        Ok(match v.grad_fn() {
            Some((node, nr)) => node_hook(&node, nr, false, py_hook(hook)),
            // Leaf: the accumulator runs the tensor's hooks before accumulating.
            None => {
                let Some(m) = v.meta.as_ref() else {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "cannot register a hook on a tensor that doesn't require gradient",
                    ));
                };
                let id = hook_id();
                m.hooks.lock().unwrap_or_else(|e| e.into_inner()).push((id, py_hook(hook)));
                HookHandle { id, node: Weak::new(), meta: Arc::downgrade(m) }
            }
        })
    }
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        &self,
        gradient: Option<&Bound<'_, PyAny>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let g = opt_var(gradient)?;
        let inputs = backward_inputs(inputs)?;
        engine::backward(&[(self.var(), g)], retain_graph.unwrap_or(create_graph), create_graph, inputs.as_deref())
            .map_err(to_py)
    }
}
}
