//! The tensor handle: shared storage plus a layout. Cloning a `Tensor` makes a
//! view of the same memory (an `Arc` bump and a small layout copy).

use crate::bail;
use crate::checked;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
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
    /// PyTorch's `checked_convert`: the value must be representable in
    /// `dtype` (ints in range, no NaN or infinity into an integer dtype, no
    /// finite float past a float dtype's largest value). Used where a Python
    /// number is *stored* (`full`, `fill_`, `x[i] = v`, `masked_fill`);
    /// arithmetic with a scalar keeps PyTorch's wrapping instead.
    pub fn check_fits(self, op: &str, dtype: DType) -> Result<()> {
        // c10's `overflows`: an unsigned type also takes negatives down to
        // -max (they wrap: -1 into uint8 is 255); a float type takes
        // infinities and NaN but no finite value past its largest.
        let ok = match (self, dtype.int_range(), dtype.float_max()) {
            (Scalar::Bool(_), _, _) => true,
            (Scalar::Int(i), Some((lo, hi)), _) => (if lo == 0 { -hi } else { lo }) <= i && i <= hi,
            (Scalar::Float(f), Some((lo, hi)), _) => {
                let lo = if lo == 0 { -hi } else { lo };
                f.is_finite() && f.trunc() >= lo as f64 && f.trunc() <= hi as f64
            }
            (Scalar::Float(f), None, Some(max)) => !f.is_finite() || f.abs() <= max,
            _ => true, // ints into floats, anything into bool
        };
        if !ok {
            let v = match self {
                Scalar::Float(f) => format!("{f}"),
                other => format!("{}", other.to_i64()),
            };
            bail!(Runtime, "{op}: value cannot be converted to type {} without overflow: {v}", dtype.name());
        }
        Ok(())
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
    /// A view of `storage` through `layout`, from code that derived `layout`
    /// from a layout already known to fit `storage` (the view maths in
    /// `layout.rs` keep every result inside the elements of their input). The
    /// check stays on in release: it is a handful of comparisons, and it keeps
    /// a bug in a view op from becoming an out-of-bounds access.
    pub(crate) fn from_parts(storage: Arc<Storage>, layout: Layout) -> Tensor {
        if !layout.fits_in(storage.len()) {
            checked::throw(escape_error("view", &layout, storage.len()));
        }
        Tensor { storage, layout }
    }

    /// A view with a user-given layout, checked against the storage.
    pub fn with_checked_layout(&self, op: &str, layout: Layout) -> Result<Tensor> {
        if !layout.fits_in(self.storage.len()) {
            return Err(escape_error(op, &layout, self.storage.len()));
        }
        Ok(Tensor { storage: self.storage.clone(), layout })
    }

    /// A new contiguous tensor of zeros on the CPU, or PyTorch's error when
    /// the shape's element or byte count overflows or the memory cannot be had.
    pub fn try_zeros(op: &str, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Tensor::try_zeros_on(op, Device::Cpu, dtype, shape)
    }

    /// [`Tensor::try_zeros`] on `device`.
    pub fn try_zeros_on(op: &str, device: Device, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        let layout = Layout::try_contiguous(op, shape)?;
        let storage = Storage::zeros(op, device, dtype, &layout)?;
        Ok(Tensor { storage: Arc::new(storage), layout })
    }

    /// [`Tensor::try_zeros`] for shapes derived from existing tensors, whose
    /// failure is rare enough to raise (NOTE [Errors that unwind]).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
        checked::or_throw(Tensor::try_zeros("zeros", dtype, shape))
    }

    /// Zeros on this tensor's device (PyTorch's `new_zeros`): the way ops
    /// make their outputs, so results stay where their inputs are.
    pub fn new_zeros(&self, dtype: DType, shape: &[usize]) -> Tensor {
        checked::or_throw(self.try_new_zeros("zeros", dtype, shape))
    }

    /// [`Tensor::new_zeros`] returning the error.
    pub fn try_new_zeros(&self, op: &str, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Tensor::try_zeros_on(op, self.device(), dtype, shape)
    }

    /// A new contiguous tensor on `device` for an elementwise op to fill.
    ///
    /// # Safety
    /// Every element must be written before the tensor is read or returned.
    pub(crate) unsafe fn for_overwrite(device: Device, dtype: DType, shape: &[usize]) -> Tensor {
        let layout = Layout::contiguous(shape);
        // SAFETY: forwarded to the caller.
        let storage = checked::or_throw(unsafe { Storage::uninit("empty", device, dtype, &layout) });
        Tensor { storage: Arc::new(storage), layout }
    }

    /// A contiguous tensor of `shape` whose elements, in row-major order, are
    /// `f(0), f(1), ...`. Fallible, unlike collecting into a `Vec` first (whose
    /// allocation failure aborts the process).
    pub fn from_fn<T: Element>(op: &str, shape: &[usize], mut f: impl FnMut(usize) -> T) -> Result<Tensor> {
        let layout = Layout::try_contiguous(op, shape)?;
        // SAFETY: the loop below writes all `numel` elements before anyone sees it.
        let storage = unsafe { Storage::uninit(op, Device::Cpu, T::DTYPE, &layout)? };
        let p = storage.typed_ptr::<T>();
        for i in 0..layout.numel() {
            // SAFETY: `i < numel == storage.len()`, and `p` is aligned for `T`.
            unsafe { p.add(i).write(f(i)) };
        }
        Ok(Tensor { storage: Arc::new(storage), layout })
    }

    pub fn from_vec<T: Element>(v: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        let layout = Layout::try_contiguous("from_vec", shape)?;
        if layout.numel() != v.len() {
            bail!(Runtime, "from_vec: {} values do not fill shape {}", v.len(), fmt_shape(shape));
        }
        Ok(Tensor { storage: Arc::new(Storage::from_vec(v)?), layout })
    }

    pub fn from_storage(storage: Arc<Storage>, layout: Layout) -> Result<Tensor> {
        let t = Tensor { storage, layout: Layout::contiguous(&[]) };
        t.with_checked_layout("from_storage", layout)
    }

    /// A 0-d CPU tensor holding `s` as `dtype`.
    pub fn scalar(s: Scalar, dtype: DType) -> Tensor {
        let t = Tensor::zeros(dtype, &[]);
        crate::with_dtype!(dtype, T, {
            // SAFETY: a fresh 1-element storage of dtype T that no one else sees.
            unsafe { *t.storage.typed_ptr::<T>() = s.to_elem::<T>() }
        });
        t
    }

    /// Another view of this tensor's storage. `layout` must fit the storage;
    /// a layout that does not is an error (it would reach outside the memory).
    pub fn view_of(&self, layout: Layout) -> Tensor {
        Tensor::from_parts(self.storage.clone(), layout)
    }

    /// [`Tensor::view_of`] returning the error instead of raising it.
    pub fn try_view_of(&self, op: &str, layout: Layout) -> Result<Tensor> {
        self.with_checked_layout(op, layout)
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
    pub fn device(&self) -> Device {
        self.storage.device()
    }
    pub fn shape(&self) -> &[usize] {
        self.layout.shape()
    }
    pub fn strides(&self) -> &[isize] {
        self.layout.strides()
    }
    pub fn offset(&self) -> usize {
        self.layout.offset()
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

    /// The bytes `[lo, hi)` of memory this view's elements occupy, or `None`
    /// when it has none. Addresses, not storage indices: two storages that
    /// wrap the same memory (two `from_numpy` of one array, `from_numpy` of
    /// `t.numpy()`) are compared correctly (NOTE [Aliasing by address]).
    pub fn byte_range(&self) -> Option<(usize, usize)> {
        let (lo, hi) = self.layout.extent()?;
        let (base, size) = (self.storage.address(), self.dtype().size());
        Some((base + lo as usize * size, base + (hi as usize + 1) * size))
    }

    /// True when some byte of this view's elements is also one of `other`'s.
    /// Conservative: interleaved views that share a range but no element
    /// (`x[::2]` and `x[1::2]`) count as overlapping.
    pub fn overlaps(&self, other: &Tensor) -> bool {
        match (self.byte_range(), other.byte_range()) {
            (Some((a0, a1)), Some((b0, b1))) => a0 < b1 && b0 < a1,
            _ => false,
        }
    }

    /// True when element `i` of both views is the same memory for every `i`
    /// (so an elementwise kernel may read one while writing the other).
    pub fn same_elements(&self, other: &Tensor) -> bool {
        self.data_ptr() == other.data_ptr()
            && self.dtype().size() == other.dtype().size()
            && self.shape() == other.shape()
            && self.strides() == other.strides()
    }
    /// Address of the first element of this view (`Tensor.data_ptr()`).
    pub fn data_ptr(&self) -> usize {
        self.storage.address().wrapping_add(self.layout.offset() * self.dtype().size())
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
        let host = self.to_host()?;
        Ok(crate::with_dtype!(self.dtype(), T, {
            // SAFETY: `host` is a contiguous CPU tensor with one element at its offset.
            let v: T = unsafe { *host.base::<T>().add(host.offset()) };
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
        let c = self.to_host()?;
        let n = c.numel();
        let mut v = checked::vec_with_capacity("tolist", n)?;
        // SAFETY: `c` is contiguous with `n` elements starting at its offset.
        unsafe {
            let p = c.base::<T>().add(c.offset());
            v.extend_from_slice(std::slice::from_raw_parts(p, n));
        }
        Ok(v)
    }

    /// A contiguous CPU tensor with this tensor's values (this tensor itself
    /// when it already is one). On another device this is where the host
    /// waits for the device (NOTE [Device seam]).
    pub fn to_host(&self) -> Result<Tensor> {
        if self.device() == Device::Cpu && self.is_contiguous() {
            return Ok(self.clone());
        }
        crate::backend::of(self.device()).to_host(self)
    }

    /// The version counter of the shared storage (NOTE [Version counter]).
    pub fn version(&self) -> u64 {
        self.storage.version()
    }
}

fn escape_error(op: &str, layout: &Layout, storage_len: usize) -> Error {
    Error::runtime(format!(
        "{op}: setStorage: sizes {}, strides {:?}, storage offset {} require more elements than the storage \
         holds ({storage_len}): out of bounds for storage of size {storage_len}",
        fmt_shape(layout.shape()),
        layout.strides(),
        layout.offset(),
    ))
}
