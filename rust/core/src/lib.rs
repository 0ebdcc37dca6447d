//! rtensor-core: shared storage, strided layouts, broadcasting and CPU kernels
//! behind rtensor's PyTorch-shaped Python API. No Python in here: the
//! `rtensor-python` crate is a thin binding over this one.
//!
//! Reading order for newcomers: `layout.rs` (views are layout → layout
//! functions), `storage.rs` (what views share), `backend/cpu/iter.rs` (the one strided walk),
//! `ops/binary.rs` (how an op is put together), `docs/design.md` (why).

pub mod autograd;
pub mod backend;
pub mod checked;
pub mod context;
pub mod device;
pub mod dtype;
pub mod error;
pub mod gpu;
pub mod layout;
pub mod ops;
pub mod storage;
pub mod tensor;

/// Makes the core's lazily created globals (thread pool, allocation limit,
/// f32 kernel choice, default generator) now, and makes `fork` wait for the
/// default generator's lock. Call once, early, from a single thread (the
/// binding does it at import).
///
/// NOTE [Fork safety]: a child forked while another thread was *creating* one
/// of these globals (a `OnceLock` mid-initialisation) or holding the
/// generator's lock would wait for that thread forever: it does not exist in
/// the child. Created before any thread can race for them, and with the
/// generator lock taken around `fork` (`pthread_atfork`), a child can always
/// use rtensor. Other locks are either never waited on (the buffer cache),
/// skipped in a child (the thread pool runs inline there), or belong to one
/// tensor (its last-writer record).
pub fn init() {
    backend::cpu::threads::num_threads();
    backend::cpu::alloc::init();
    backend::cpu::sgemm::detect();
    ops::random::init();
}

pub use device::Device;
pub use dtype::DType;
pub use error::{Error, ErrorKind, Result};
pub use layout::Layout;
pub use storage::Storage;
pub use tensor::{Scalar, Tensor};
