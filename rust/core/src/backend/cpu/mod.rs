//! CPU kernels. Each kernel is generic over element types and closures, so
//! every (dtype, op) pair is its own monomorphised loop: no per-element dispatch.
//! Kernels see operands that already share the output's shape and never check
//! user input: the `ops` layer does that. So they are `pub(crate)`: a kernel
//! writes through raw pointers without checking that the storage is writable
//! or that the layouts match, which only the `ops` layer may promise.

pub mod alloc;
pub mod buffer;
pub mod elementwise;
pub mod index;
pub mod iter;
pub mod matmul;
pub mod reduce;
pub mod sgemm;
pub mod table;
pub mod threads;

use super::{Backend, Buffer, MatDims, ScatterMode};
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::{ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};
use crate::tensor::{Scalar, Tensor};

/// The host backend: each method is the kernel of the same name above.
pub(crate) struct CpuBackend;

impl Backend for CpuBackend {
    fn allocate(&self, op: &str, _dtype: DType, bytes: usize, zeroed: bool) -> Result<Buffer> {
        Ok(Buffer::Cpu(buffer::CpuBuffer::allocate(op, bytes, zeroed)?))
    }
    fn fill(&self, dst: &Tensor, value: Scalar) {
        elementwise::fill_scalar(dst, value)
    }
    fn copy(&self, dst: &Tensor, src: &Tensor) {
        elementwise::copy_cast(dst, src)
    }
    fn unary(&self, op: UnaryOp, dst: &Tensor, x: &Tensor) {
        table::unary(op, dst, x)
    }
    fn binary(&self, op: BinaryOp, dst: &Tensor, x: &Tensor, y: &Tensor) {
        table::binary(op, dst, x, y)
    }
    fn ternary(&self, op: TernaryOp, dst: &Tensor, x: &Tensor, y: &Tensor, z: &Tensor) {
        table::ternary(op, dst, x, y, z)
    }
    fn reduce(&self, op: ReduceOp, dst: &Tensor, x: &Tensor, mask: &[bool]) {
        table::reduce(op, dst, x, mask)
    }
    fn arg_reduce(&self, op: ArgReduceOp, values: &Tensor, indices: &Tensor, x: &Tensor, dim: usize) {
        table::arg_reduce(op, values, indices, x, dim)
    }
    fn scan(&self, op: ScanOp, dst: &Tensor, x: &Tensor, dim: usize) {
        table::scan(op, dst, x, dim)
    }
    fn gather(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout) {
        index::gather_blocks(dst, src, offsets, rest)
    }
    fn scatter(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout, mode: ScatterMode) {
        index::scatter_blocks(dst, src, offsets, rest, mode)
    }
    fn matmul(&self, dst: &Tensor, x: &Tensor, y: &Tensor, dims: MatDims) {
        matmul::batched_matmul(dst, x, y, dims)
    }
    fn to_host(&self, src: &Tensor) -> Result<Tensor> {
        let out = src.try_new_zeros("to_host", src.dtype(), src.shape())?;
        elementwise::copy_cast(&out, src);
        Ok(out)
    }
    fn from_host(&self, src: &Tensor) -> Result<Tensor> {
        self.to_host(src)
    }
}
