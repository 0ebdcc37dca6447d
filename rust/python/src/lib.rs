#![allow(non_snake_case)]
// `call::guarded!` handles one function per recursion step.
#![recursion_limit = "512"]
//! `rtensor._C`: the compiled half of rtensor. A thin layer: convert Python
//! values, call `rtensor-core` through `call::run`, wrap the result. No maths here.

mod arith;
mod autograd;
mod call;
mod convert;
mod functions;
mod indexing;
mod numpy;
mod out;
mod random;
mod tensor;
mod types;
mod views;

use pyo3::prelude::*;

#[pymodule]
fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    call::install_panic_hook();
    rtensor_core::init();
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
        arith::where_,
        arith::lerp,
        indexing::index_select,
        indexing::masked_select,
        indexing::masked_fill,
        indexing::nonzero,
        indexing::gather,
        indexing::scatter,
        numpy::from_numpy,
        out::_resize_out,
        out::_check_out_overlap,
        functions::py_tensor,
        functions::zeros,
        functions::ones,
        functions::empty,
        functions::full,
        functions::arange,
        functions::linspace,
        functions::eye,
        random::manual_seed,
        random::initial_seed,
        random::rand,
        random::randn,
        random::randint,
        random::randperm,
        random::normal,
        functions::set_num_threads,
        functions::get_num_threads,
        functions::reduction,
        functions::var,
        functions::norm,
        functions::logsumexp,
        functions::arg_extreme,
        functions::cumulative,
        functions::linalg,
        functions::cat,
        functions::stack,
        functions::result_type,
        functions::promote_types,
        functions::can_cast,
        functions::copy_,
        functions::fill_,
        autograd::backward,
        autograd::grad,
        autograd::is_grad_enabled,
        autograd::_set_grad_enabled,
        autograd::is_anomaly_enabled,
        autograd::_set_anomaly_enabled,
    );
    Ok(())
}
