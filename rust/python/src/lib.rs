#![allow(non_snake_case)]
// `call::guarded!` handles one function per recursion step.
#![recursion_limit = "512"]
//! `rtensor._C`: the compiled half of rtensor. A thin layer: convert Python
//! values, call `rtensor-core` through `call::run` (one core entry point per
//! op), wrap the result. No maths here: composite ops, autograd graphs and
//! node names live in `rtensor_core::autograd::functions`.
//!
//! NOTE [Binding layers]: modules import one way, downwards. A module uses
//! (`crate::...`) only modules of lower layers, never one of its own layer, so
//! no two modules import each other (`tests/test_binding_layers.py` checks
//! this list against the `crate::` paths of every file):
//!
//! ```text
//! layer 5: arith assign attrs gpu indexing join linalg promote random reduce table threads views
//! layer 4: creation
//! layer 3: out
//! layer 2: autograd convert numpy
//! layer 1: tensor types
//! layer 0: call
//! ```
//!
//! - `call`: core errors -> Python exceptions, the panic guard, GIL release.
//! - `tensor`: the `PyTensor` struct and the helpers that wrap core results
//!   and link views (the bottom every op module builds on); `types`: the
//!   `dtype` and `device` classes.
//! - `convert`: the one conversion module (Python values -> core values:
//!   ints, scalars, op arguments, sizes, dims, dtypes, devices, nested data);
//!   `autograd`: the Python autograd API (`backward`, `grad`, nodes, hooks,
//!   anomaly locations); `numpy`: NumPy interop.
//! - `out`: `out=` arguments and `resize_`; `creation`: `tensor()` and the
//!   sized creation functions (used by `attrs` and `indexing` to build
//!   tensors from data).
//! - layer 5: the entry points, one module per op family of the core.

mod arith;
mod assign;
mod attrs;
mod autograd;
mod call;
mod convert;
mod creation;
mod gpu;
mod indexing;
mod join;
mod linalg;
mod numpy;
mod out;
mod promote;
mod random;
mod reduce;
mod table;
mod tensor;
mod threads;
mod types;
mod views;

use pyo3::prelude::*;

#[pymodule]
fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    call::install_panic_hook();
    rtensor_core::init();
    m.add("_wgpu_version", rtensor_core::gpu::WGPU_VERSION)?;
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<types::PyDType>()?;
    m.add_class::<types::PyDevice>()?;
    m.add_class::<random::PyGenerator>()?;
    m.add_class::<numpy::StorageOwner>()?;
    m.add_class::<autograd::PyNode>()?;
    m.add_class::<autograd::NodeRef>()?;
    m.add_class::<autograd::HookHandle>()?;
    for &dt in rtensor_core::dtype::ALL_DTYPES.iter() {
        m.add(dt.name(), types::dtype_obj(py, dt))?;
    }
    macro_rules! add_fns {
        ($($f:path),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add_fns!(
        convert::_set_size_type,
        arith::binary,
        arith::binary_,
        arith::unary,
        arith::unary_,
        arith::clamp,
        arith::clamp_,
        arith::where_,
        arith::lerp,
        arith::div_trunc,
        indexing::index_select,
        indexing::masked_select,
        indexing::masked_fill,
        indexing::nonzero,
        indexing::gather,
        indexing::scatter,
        numpy::from_numpy,
        out::_resize_out,
        out::_check_out_overlap,
        creation::py_tensor,
        gpu::_gpu_device_count,
        gpu::_gpu_adapters,
        gpu::_gpu_synchronize,
        gpu::_gpu_memory_stats,
        gpu::_gpu_reset_peak,
        gpu::_gpu_empty_cache,
        gpu::_gpu_dtypes,
        gpu::_gpu_unavailable_reason,
        creation::zeros,
        creation::ones,
        creation::empty,
        creation::full,
        creation::arange,
        creation::linspace,
        creation::eye,
        random::manual_seed,
        random::initial_seed,
        random::rand,
        random::randn,
        random::randint,
        random::randperm,
        random::normal,
        threads::set_num_threads,
        threads::get_num_threads,
        reduce::reduction,
        reduce::var,
        reduce::norm,
        reduce::logsumexp,
        reduce::arg_reduce,
        reduce::scan,
        table::op_table,
        linalg::linalg,
        join::cat,
        join::stack,
        promote::result_type,
        promote::promote_types,
        promote::can_cast,
        assign::copy_,
        assign::fill_,
        autograd::backward,
        autograd::grad,
        autograd::is_grad_enabled,
        autograd::_set_grad_enabled,
        autograd::is_anomaly_enabled,
        autograd::_set_anomaly_enabled,
    );
    Ok(())
}
