//! rtensor-core: shared storage, strided layouts, broadcasting and CPU kernels
//! behind rtensor's PyTorch-shaped Python API. No Python in here: the
//! `rtensor-python` crate is a thin binding over this one.
//!
//! Reading order for newcomers: `layout.rs` (views are layout → layout
//! functions), `storage.rs` (what views share), `iter.rs` (the one strided walk),
//! `ops/binary.rs` (how an op is put together), `docs/design.md` (why).

pub mod alloc;
pub mod autograd;
pub mod checked;
pub mod cpu;
pub mod device;
pub mod dtype;
pub mod error;
pub mod iter;
pub mod layout;
pub mod ops;
pub mod storage;
pub mod tensor;
pub mod threads;

pub use device::Device;
pub use dtype::DType;
pub use error::{Error, ErrorKind, Result};
pub use layout::Layout;
pub use storage::Storage;
pub use tensor::{Scalar, Tensor};
