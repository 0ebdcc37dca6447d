//! The tensor handle: shared storage plus a layout. Cloning a `Tensor` makes a
//! view of the same memory (an `Arc` bump and a small layout copy).

use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::layout::{fmt_shape, Layout};
use crate::storage::Storage;
use std::sync::Arc;

/// A Python number as ops see it: it only contributes a category to promotion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }
    pub fn category(self) -> crate::dtype::Category {
        use crate::dtype::Category;
        match self {
            Scalar::Bool(_) => Category::Bool,
            Scalar::Int(_) => Category::Int,
            Scalar::Float(_) => Category::Float,
        }
    }
    /// The value as an element of type `T` (floats truncate into ints).
    pub fn to_elem<T: Element>(self) -> T {
        match self {
            Scalar::Float(f) => T::from_f64(f),
            _ => T::from_i64(self.to_i64()),
        }
    }
}

#[derive(Clone)]
pub struct Tensor {
    storage: Arc<Storage>,
    layout: Layout,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor(shape={:?}, strides={:?}, offset={}, dtype={})",
            self.shape(),
            self.strides(),
            self.offset(),
            self.dtype()
        )
    }
}

impl Tensor {
    /// A view of `storage` through `layout`. The layout must satisfy
    /// `Layout`'s invariants for this storage; view ops guarantee it.
    pub(crate) fn from_parts(storage: Arc<Storage>, layout: Layout) -> Tensor {
        debug_assert!(layout.fits_in(storage.len()), "layout {layout:?} escapes storage of {}", storage.len());
        Tensor { storage, layout }
    }

    /// A view with a user-given layout, checked against the storage.
    pub fn with_checked_layout(&self, op: &str, layout: Layout) -> Result<Tensor> {
        if !layout.fits_in(self.storage.len()) {
            bail!(
                Runtime,
                "{op}: setStorage: sizes {}, strides {:?}, storage offset {} require more elements \
                 than the storage holds ({})",
                fmt_shape(&layout.shape),
                layout.strides.as_slice(),
                layout.offset,
                self.storage.len()
            );
        }
        Ok(Tensor { storage: self.storage.clone(), layout })
    }

    /// A new contiguous tensor of zeros.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
        let layout = Layout::contiguous(shape);
        Tensor { storage: Arc::new(Storage::zeros(dtype, layout.numel())), layout }
    }

    /// A new contiguous tensor for an elementwise op to fill.
    ///
    /// # Safety
    /// Every element must be written before the tensor is read or returned.
    pub(crate) unsafe fn for_overwrite(dtype: DType, shape: &[usize]) -> Tensor {
        let layout = Layout::contiguous(shape);
        // SAFETY: forwarded to the caller.
        let storage = unsafe { Storage::uninit(dtype, layout.numel()) };
        Tensor { storage: Arc::new(storage), layout }
    }

    pub fn from_vec<T: Element>(v: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        let layout = Layout::contiguous(shape);
        if layout.numel() != v.len() {
            bail!(Runtime, "from_vec: {} values do not fill shape {}", v.len(), fmt_shape(shape));
        }
        Ok(Tensor { storage: Arc::new(Storage::from_vec(v)), layout })
    }

    pub fn from_storage(storage: Arc<Storage>, layout: Layout) -> Result<Tensor> {
        let t = Tensor { storage, layout: Layout::contiguous(&[]) };
        t.with_checked_layout("from_storage", layout)
    }

    /// A 0-d tensor holding `s` as `dtype`.
    pub fn scalar(s: Scalar, dtype: DType) -> Tensor {
        let t = Tensor::zeros(dtype, &[]);
        crate::with_dtype!(dtype, T, {
            // SAFETY: a fresh 1-element storage of dtype T that no one else sees.
            unsafe { *t.storage.typed_ptr::<T>() = s.to_elem::<T>() }
        });
        t
    }

    pub fn view_of(&self, layout: Layout) -> Tensor {
        Tensor::from_parts(self.storage.clone(), layout)
    }

    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn dtype(&self) -> DType {
        self.storage.dtype()
    }
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    pub fn strides(&self) -> &[isize] {
        &self.layout.strides
    }
    pub fn offset(&self) -> usize {
        self.layout.offset
    }
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }
    /// Address of the first element of this view (`Tensor.data_ptr()`).
    pub fn data_ptr(&self) -> usize {
        self.storage.as_ptr() as usize + self.layout.offset * self.dtype().size()
    }

    /// Typed pointer to the storage base; element `i` of the view lives at
    /// `base + layout.offset_of(i)`.
    pub(crate) fn base<T: Element>(&self) -> *mut T {
        self.storage.typed_ptr::<T>()
    }

    /// The single value of a one-element tensor (`Tensor.item()`).
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            bail!(
                Runtime,
                "a Tensor with {} elements cannot be converted to Scalar (item() needs exactly one element; shape {})",
                self.numel(),
                fmt_shape(self.shape())
            );
        }
        let off = self.layout.extent().map(|(lo, _)| lo).unwrap_or(0) as usize;
        Ok(crate::with_dtype!(self.dtype(), T, {
            // SAFETY: the layout fits the storage and has one element at `off`.
            let v: T = unsafe { *self.base::<T>().add(off) };
            match self.dtype() {
                DType::Bool => Scalar::Bool(v.to_i64() != 0),
                d if d.is_float() => Scalar::Float(v.to_f64()),
                _ => Scalar::Int(v.to_i64()),
            }
        }))
    }

    /// All values in row-major order.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.dtype() {
            bail!(Runtime, "to_vec: tensor is {}, not {}", self.dtype(), T::DTYPE);
        }
        let c = self.contiguous();
        let n = c.numel();
        let mut v = Vec::with_capacity(n);
        // SAFETY: `c` is contiguous with `n` elements starting at its offset.
        unsafe {
            let p = c.base::<T>().add(c.offset());
            v.extend_from_slice(std::slice::from_raw_parts(p, n));
        }
        Ok(v)
    }

    /// The version counter of the shared storage (NOTE [Version counter]).
    pub fn version(&self) -> u64 {
        self.storage.version()
    }
}
