//! CPU kernels. Each kernel is generic over element types and closures, so
//! every (dtype, op) pair is its own monomorphised loop: no per-element dispatch.
//! Kernels see operands that already share the output's shape and never check
//! user input: the `ops` layer does that. So they are `pub(crate)`: a kernel
//! writes through raw pointers without checking that the storage is writable
//! or that the layouts match, which only the `ops` layer may promise.

pub mod alloc;
pub mod elementwise;
pub mod index;
pub mod iter;
pub mod matmul;
pub mod reduce;
pub mod sgemm;
pub mod table;
pub mod threads;
