//! Data types and PyTorch's type-promotion rules. The element types kernels are
//! generic over live in `element.rs`, their arithmetic in `compute.rs`, and the
//! dtype -> type dispatch macros in `dispatch.rs`.

mod compute;
mod dispatch;
mod element;

pub use compute::{Compute, FloatC};
pub use element::{cast, Bool8, Element};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// The dtype categories that weak (Python scalar) promotion compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Int,
    Float,
}

pub const ALL_DTYPES: [DType; 10] = [
    DType::Bool,
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
];

/// PyTorch's default floating dtype (`torch.get_default_dtype()`).
pub const DEFAULT_FLOAT: DType = DType::F32;
pub const DEFAULT_INT: DType = DType::I64;

impl DType {
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// The PyTorch name, as in `torch.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The name PyTorch's kernel errors use ("Float", "Long", ...).
    pub fn scalar_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == name)
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// The values an integer dtype holds (bool and floats: `None`).
    pub fn int_range(self) -> Option<(i64, i64)> {
        Some(match self {
            DType::U8 => (0, u8::MAX as i64),
            DType::I8 => (i8::MIN as i64, i8::MAX as i64),
            DType::I16 => (i16::MIN as i64, i16::MAX as i64),
            DType::I32 => (i32::MIN as i64, i32::MAX as i64),
            DType::I64 => (i64::MIN, i64::MAX),
            _ => return None,
        })
    }

    /// The largest finite value of a float dtype.
    pub fn float_max(self) -> Option<f64> {
        Some(match self {
            DType::F16 => 65504.0,
            DType::BF16 => 3.3895313892515355e38,
            DType::F32 => f32::MAX as f64,
            DType::F64 => f64::MAX,
            _ => return None,
        })
    }

    /// Integer dtypes, bool excluded.
    pub fn is_int(self) -> bool {
        matches!(self, DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    pub fn category(self) -> Category {
        if self == DType::Bool {
            Category::Bool
        } else if self.is_int() {
            Category::Int
        } else {
            Category::Float
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `torch.promote_types`: the smallest dtype both values fit in.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    match (a.is_float(), b.is_float()) {
        (true, false) => a,
        (false, true) => b,
        (true, true) => {
            if matches!((a, b), (F16, BF16) | (BF16, F16)) {
                F32
            } else {
                a.max(b)
            }
        }
        (false, false) => {
            // uint8 mixes with signed types by widening to the next signed type.
            let (u, s) = match (a, b) {
                (U8, s) | (s, U8) => (true, s),
                _ => (false, a.max(b)),
            };
            if u && s == I8 {
                I16
            } else {
                s
            }
        }
    }
}

/// One operand as promotion sees it (`torch.result_type`).
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A tensor with at least one dimension.
    Dim(DType),
    /// A 0-d tensor: it only takes part when its category is higher.
    ZeroDim(DType),
    /// A Python scalar ("wrapped number"): it only contributes a category.
    Scalar(Category),
}

/// PyTorch's result type: dimensioned tensors first, then 0-d tensors, then
/// Python scalars, each only allowed to raise the category.
pub fn result_type(ops: &[Operand]) -> DType {
    let mut dim: Option<DType> = None;
    let mut zero: Option<DType> = None;
    let mut wrapped: Option<DType> = None;
    let merge = |slot: &mut Option<DType>, d: DType| {
        *slot = Some(match *slot {
            None => d,
            Some(s) => promote_types(s, d),
        })
    };
    for op in ops {
        match *op {
            Operand::Dim(d) => merge(&mut dim, d),
            Operand::ZeroDim(d) => merge(&mut zero, d),
            Operand::Scalar(c) => merge(
                &mut wrapped,
                match c {
                    Category::Bool => DType::Bool,
                    Category::Int => DEFAULT_INT,
                    Category::Float => DEFAULT_FLOAT,
                },
            ),
        }
    }
    combine(dim, combine(zero, wrapped)).unwrap_or(DEFAULT_FLOAT)
}

fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (h, None) => h,
        // A float in the higher group wins outright; otherwise the lower group
        // only matters if the higher one is bool or the lower one is a float.
        (Some(h), Some(l)) => Some(if h.is_float() {
            h
        } else if h == DType::Bool || l.is_float() {
            promote_types(h, l)
        } else {
            h
        }),
    }
}

/// Whether a value of dtype `from` may be written into `to` by an op
/// (`torch.can_cast`): never down a category.
pub fn can_cast(from: DType, to: DType) -> bool {
    from.category() <= to.category()
}
