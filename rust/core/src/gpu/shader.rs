//! WGSL generation (NOTE [wgpu runtime], "Kernels").
//!
//! One template for every elementwise family: a header (bindings), helper
//! functions, an `op` function built from the op table's WGSL expression (or
//! a documented override below), and an entry point that turns the linear
//! invocation id into one storage index per operand. The slots are the
//! operand dtypes, the op, the variant (contiguous or strided) and the
//! binding of each operand; [`KernelKey`] is exactly those slots, so it is
//! also the pipeline cache key.
//!
//! Device representation (why: WGSL has no 8/16-bit integers and no
//! host-shareable `bool`; 16-bit stores from neighbouring invocations would
//! race on one word):
//!
//! | dtype | stored as | computed in |
//! |---|---|---|
//! | bool, uint8, int8, int16 | one `i32` word per element (bool 0/1) | `i32`, wrapped back on store |
//! | int32 | `i32` | `i32` |
//! | int64 | `vec2<u32>` (lo, hi: the host layout) | `i64` (shader-int64) |
//! | float16 | `f16` (shader-f16) | `f32`, as the CPU does |
//! | bfloat16 | `f32` rounded to bf16 on every store | `f32` |
//! | float32 | `f32` | `f32` |
//! | float64 | `f64` (shader-f64) | `f64` |

use crate::bail;
use crate::dtype::{DType, ALL_DTYPES};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::kinds::{BinaryRule, TernaryRule, UnaryRule};
use crate::ops::{BinaryOp, TernaryOp, UnaryOp};
use smallvec::SmallVec;
use std::fmt::Write;

/// Invocations per workgroup (the template's workgroup-size slot).
pub const WORKGROUP: u32 = 256;
/// Metadata words before the shape: numel, rank, and two value words (fill).
pub const HEADER: usize = 4;

/// A register (compute) type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reg {
    Bool,
    I32,
    I64,
    F32,
    F64,
}

impl Reg {
    pub fn wgsl(self) -> &'static str {
        match self {
            Reg::Bool => "bool",
            Reg::I32 => "i32",
            Reg::I64 => "i64",
            Reg::F32 => "f32",
            Reg::F64 => "f64",
        }
    }
    pub fn is_float(self) -> bool {
        matches!(self, Reg::F32 | Reg::F64)
    }
}

/// The register a dtype computes in (the CPU's NOTE [Compute types], with
/// i32 for the narrow integers: their results wrap back on store).
pub fn reg_of(dt: DType) -> Reg {
    match dt {
        DType::Bool | DType::U8 | DType::I8 | DType::I16 | DType::I32 => Reg::I32,
        DType::I64 => Reg::I64,
        DType::F16 | DType::BF16 | DType::F32 => Reg::F32,
        DType::F64 => Reg::F64,
    }
}

/// The WGSL element type of a dtype's storage array.
pub fn storage_ty(dt: DType) -> &'static str {
    match dt {
        DType::Bool | DType::U8 | DType::I8 | DType::I16 | DType::I32 => "i32",
        DType::I64 => "vec2<u32>",
        DType::F16 => "f16",
        DType::BF16 | DType::F32 => "f32",
        DType::F64 => "f64",
    }
}

/// Bytes per element on the device.
pub fn device_size(dt: DType) -> usize {
    match dt {
        DType::F16 => 2,
        DType::I64 | DType::F64 => 8,
        _ => 4,
    }
}

/// Storage width classes: fills and same-dtype copies move raw words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    W4,
    W8,
    H16,
}

pub fn width_of(dt: DType) -> Width {
    match device_size(dt) {
        2 => Width::H16,
        8 => Width::W8,
        _ => Width::W4,
    }
}

impl Width {
    fn ty(self) -> &'static str {
        match self {
            Width::W4 => "u32",
            Width::W8 => "vec2<u32>",
            Width::H16 => "f16",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Every element of operand 0 becomes the value in metadata words 2..4.
    Fill(Width),
    /// Operand 0 = operand 1, raw words (same dtype).
    CopyRaw(Width),
    /// Operand 0 = operand 1 converted (`Tensor.to(dtype)`'s rules).
    Cast,
    Unary(UnaryOp),
    Binary(BinaryOp),
    Ternary(TernaryOp),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Every operand is `offset + i` (rank 0 in the metadata).
    Contiguous,
    /// Each operand walks its own strides over the shared shape.
    Strided,
}

/// Everything a generated kernel depends on; the pipeline cache key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelKey {
    pub family: Family,
    /// Operand dtypes, output first (empty for the raw families).
    pub dtypes: SmallVec<[DType; 4]>,
    pub variant: Variant,
    /// The binding slot of each operand: operands on one buffer share a slot
    /// (wgpu refuses a buffer bound both read-only and read-write in one
    /// dispatch, which an in-place `a.add_(b)` would need). Slot 0 is the output's.
    pub slots: SmallVec<[u8; 4]>,
}

fn not_implemented(msg: String) -> Error {
    Error { kind: ErrorKind::NotImplemented, msg }
}

/// The register of operand `k` as the op sees it, the expression, its result.
pub struct OpFn {
    pub params: SmallVec<[Reg; 3]>,
    pub result: Reg,
    pub expr: String,
}

/// Builtins that Vulkan's GLSL.std.450 only has for 16/32-bit floats (and
/// whose f64 forms are wrong elsewhere, gfx-rs/wgpu#6087): refused for f64
/// until we write our own.
const F32_ONLY_BUILTINS: &[&str] =
    &["exp", "exp2", "log", "log2", "pow", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh"];

fn calls(expr: &str) -> impl Iterator<Item = &str> {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '('))
        .filter_map(|w| w.find('(').map(|i| &w[..i]))
        .filter(|w| !w.is_empty())
}

fn unsupported(name: &str, dt: DType) -> Error {
    not_implemented(format!("\"{name}_wgpu\" not implemented for '{}'", dt.scalar_name()))
}

/// Resolves the table's expression for a register type, with the overrides
/// the table's plain WGSL cannot express (NaN rules of the CPU kernels,
/// integer forms, bit tests that survive "no NaN" assumptions). `{T}` is the
/// register type.
fn resolve(name: &str, table: &str, over: Option<&str>, c: Reg) -> Result<String> {
    let expr = match over {
        Some(e) => e,
        None if table.is_empty() => {
            return Err(not_implemented(format!(
                "{name} is not implemented on wgpu yet (its op-table row has no WGSL expression)"
            )))
        }
        None => table,
    };
    if c == Reg::F64 && calls(expr).any(|f| F32_ONLY_BUILTINS.contains(&f)) {
        return Err(not_implemented(format!(
            "{name} is not implemented for float64 on wgpu yet (Vulkan has no 64-bit {}); use float32",
            calls(expr).find(|f| F32_ONLY_BUILTINS.contains(f)).unwrap_or("builtin")
        )));
    }
    Ok(expr.replace("{T}", c.wgsl()))
}

pub fn unary_fn(op: UnaryOp, dt: DType) -> Result<OpFn> {
    use UnaryOp as U;
    let c = reg_of(dt);
    let float = c.is_float();
    let name = op.name();
    match op.rule() {
        UnaryRule::Float if !float => return Err(unsupported(name, dt)),
        UnaryRule::Integral if float => return Err(unsupported(name, dt)),
        _ => {}
    }
    let over: Option<&str> = match op {
        // NaN and -0.0 give 0, as the CPU kernel; WGSL's sign(NaN) is unspecified.
        U::Sign => Some("select(select({T}(0), {T}(-1), x < {T}(0)), {T}(1), x > {T}(0))"),
        U::Floor | U::Ceil | U::Round | U::Trunc if !float => Some("x"),
        // relu keeps NaN (WGSL's max may not).
        U::Relu if float => Some("select({T}(0), x, x > {T}(0) || is_nan_{T}(x))"),
        U::Relu => Some("max(x, {T}(0))"),
        U::BitNot if dt == DType::Bool => Some("x ^ 1"),
        // Bit tests: WGSL lets the compiler assume no NaN/Inf (gpuweb#3533).
        U::IsNan => Some(if float { "is_nan_{T}(x)" } else { "false" }),
        U::IsInf => Some(if float { "is_inf_{T}(x)" } else { "false" }),
        U::IsFinite => Some(if float { "!(is_nan_{T}(x) || is_inf_{T}(x))" } else { "true" }),
        _ => None,
    };
    let expr = resolve(name, op.wgsl(), over, c)?;
    let result = if op.rule() == UnaryRule::Test { Reg::Bool } else { c };
    Ok(OpFn { params: SmallVec::from_slice(&[c]), result, expr })
}

pub fn binary_fn(op: BinaryOp, dt: DType) -> Result<OpFn> {
    use BinaryOp as B;
    let c = reg_of(dt);
    let float = c.is_float();
    let name = op.name();
    match op.rule() {
        BinaryRule::TrueDiv | BinaryRule::FloatOnly if !float => return Err(unsupported(name, dt)),
        BinaryRule::Bitwise if float => return Err(unsupported(name, dt)),
        _ => {}
    }
    let over: Option<&str> = match op {
        B::FloorDiv if !float => Some("floordiv_{T}(x, y)"),
        B::Rem if !float => Some("rem_{T}(x, y)"),
        // No 64-bit pow in Vulkan: the f64 form is refused by `resolve`.
        B::Pow if c == Reg::F64 => Some("pow(x, y)"),
        B::Pow if float => Some("powf_{T}(x, y)"),
        // naga emits an *ordered* not-equal, false when either side is NaN.
        B::Ne if float => Some("!(x == y)"),
        B::Pow => Some("ipow_{T}(x, y)"),
        // NaN-propagating, as torch.maximum/minimum.
        B::Maximum if float => Some("max_nan_{T}(x, y)"),
        B::Minimum if float => Some("min_nan_{T}(x, y)"),
        _ => None,
    };
    let expr = resolve(name, op.wgsl(), over, c)?;
    let result = if op.rule() == BinaryRule::Compare { Reg::Bool } else { c };
    Ok(OpFn { params: SmallVec::from_slice(&[c, c]), result, expr })
}

/// `dt` is the dtype of the values (operands 1 and 2 of `where`, all three otherwise).
pub fn ternary_fn(op: TernaryOp, dt: DType) -> Result<OpFn> {
    use TernaryOp as T;
    let c = reg_of(dt);
    let float = c.is_float();
    let name = op.name();
    if op.rule() == TernaryRule::Float3 && !float {
        return Err(unsupported(name, dt));
    }
    let over: Option<&str> = match op {
        // The CPU's two-sided lerp, exact at both ends.
        T::Lerp => Some("select(y - (y - x) * ({T}(1) - z), x + z * (y - x), abs(z) < {T}(0.5))"),
        // NaN in any operand gives NaN; min after max even when lo > hi
        // (WGSL's clamp is undefined there).
        T::Clamp if float => Some("select(min_nan_{T}(max_nan_{T}(x, y), z), x, is_nan_{T}(x))"),
        T::Clamp => Some("min(max(x, y), z)"),
        _ => None,
    };
    let expr = resolve(name, op.wgsl(), over, c)?;
    let params = if op == T::Where { [Reg::Bool, c, c] } else { [c, c, c] };
    Ok(OpFn { params: SmallVec::from_slice(&params), result: c, expr })
}

/// `e` (of register `from`) as register `to`.
pub fn conv(e: &str, from: Reg, to: Reg) -> String {
    let t = to.wgsl();
    match (from, to) {
        _ if from == to => e.to_string(),
        (Reg::Bool, _) => format!("select({t}(0), {t}(1), {e})"),
        (_, Reg::Bool) => format!("({e} != {}(0))", from.wgsl()),
        _ => format!("{t}({e})"),
    }
}

/// The register value of storage element `e` of dtype `dt`.
pub fn load(dt: DType, e: &str) -> String {
    match dt {
        // Any non-zero word reads as true, as `Bool8` does on the host.
        DType::Bool => format!("select(0, 1, {e} != 0)"),
        DType::I64 => format!("ld_i64({e})"),
        DType::F16 => format!("f32({e})"),
        _ => e.to_string(),
    }
}

/// The storage element of dtype `dt` for value `e` of register `from`, with
/// the host's conversion rules (`dtype::cast`): bool is `!= 0` of the value
/// itself, narrow integers wrap, float16/bfloat16 round from f32.
pub fn store(dt: DType, e: &str, from: Reg) -> String {
    match dt {
        DType::Bool => format!("select(0, 1, {})", conv(e, from, Reg::Bool)),
        DType::U8 => format!("st_u8({})", conv(e, from, Reg::I32)),
        DType::I8 => format!("st_i8({})", conv(e, from, Reg::I32)),
        DType::I16 => format!("st_i16({})", conv(e, from, Reg::I32)),
        DType::I32 => conv(e, from, Reg::I32),
        DType::I64 => format!("st_i64({})", conv(e, from, Reg::I64)),
        DType::F16 => format!("f16({})", conv(e, from, Reg::F32)),
        DType::BF16 => format!("st_bf16({})", conv(e, from, Reg::F32)),
        DType::F32 => conv(e, from, Reg::F32),
        DType::F64 => conv(e, from, Reg::F64),
    }
}

/// The op function of an elementwise family, and the register of each operand.
fn op_fn(key: &KernelKey) -> Result<Option<OpFn>> {
    let d = &key.dtypes;
    let need = |n: usize| -> Result<()> {
        if d.len() != n {
            bail!(Runtime, "internal: {:?} needs {n} dtypes, got {}", key.family, d.len());
        }
        Ok(())
    };
    Ok(Some(match key.family {
        Family::Fill(_) | Family::CopyRaw(_) | Family::Cast => return Ok(None),
        Family::Unary(op) => {
            need(2)?;
            unary_fn(op, d[1])?
        }
        Family::Binary(op) => {
            need(3)?;
            binary_fn(op, d[1])?
        }
        Family::Ternary(op) => {
            need(4)?;
            ternary_fn(op, if op == TernaryOp::Where { d[2] } else { d[1] })?
        }
    }))
}

/// The WGSL of a kernel. Errors name unsupported (op, dtype) pairs.
pub fn generate(key: &KernelKey) -> Result<String> {
    let nops = key.slots.len();
    let raw = matches!(key.family, Family::Fill(_) | Family::CopyRaw(_));
    let expected = match key.family {
        Family::Fill(_) => 1,
        Family::CopyRaw(_) | Family::Cast | Family::Unary(_) => 2,
        Family::Binary(_) => 3,
        Family::Ternary(_) => 4,
    };
    if nops != expected || (!raw && key.dtypes.len() != nops) || key.slots.first() != Some(&0) {
        bail!(Runtime, "internal: malformed kernel key {key:?}");
    }
    let f = op_fn(key)?;
    // Registers in use decide the helpers; every dtype's own register is loaded.
    let mut regs: Vec<Reg> = key.dtypes.iter().map(|&d| reg_of(d)).collect();
    if let Some(f) = &f {
        regs.extend(f.params.iter().copied());
    }
    let uses_f16 = key.dtypes.contains(&DType::F16)
        || key.family == Family::Fill(Width::H16)
        || key.family == Family::CopyRaw(Width::H16);
    let mut s = String::new();
    if uses_f16 {
        s.push_str("enable f16;\n");
    }
    s.push_str("@group(0) @binding(0) var<storage, read> md: array<u32>;\n");
    let nslots = key.slots.iter().copied().max().unwrap_or(0) as usize + 1;
    for slot in 0..nslots {
        let k = key.slots.iter().position(|&x| x as usize == slot);
        let Some(k) = k else { bail!(Runtime, "internal: binding slot {slot} unused in {key:?}") };
        let ty = match key.family {
            Family::Fill(w) | Family::CopyRaw(w) => w.ty(),
            _ => storage_ty(key.dtypes[k]),
        };
        let access = if slot == 0 { "read_write" } else { "read" };
        let _ = writeln!(s, "@group(0) @binding({}) var<storage, {access}> d{slot}: array<{ty}>;", slot + 1);
    }
    super::helpers::emit(&regs, &mut s);
    if let Some(f) = &f {
        let names = ["x", "y", "z"];
        let params: Vec<String> = f.params.iter().zip(names).map(|(r, n)| format!("{n}: {}", r.wgsl())).collect();
        let _ = writeln!(s, "fn op({}) -> {} {{ return {}; }}", params.join(", "), f.result.wgsl(), f.expr);
    }
    let _ = writeln!(
        s,
        "@compute @workgroup_size({WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {{
    let i = (wid.y * nwg.x + wid.x) * {WORKGROUP}u + lid;
    if (i >= md[0]) {{ return; }}
    let rank = md[1];
    let base = {HEADER}u + rank;
    let step = rank + 1u;"
    );
    for k in 0..nops {
        let _ = writeln!(s, "    var o{k} = md[base + {k}u * step];");
    }
    match key.variant {
        Variant::Contiguous => {
            for k in 0..nops {
                let _ = writeln!(s, "    o{k} = o{k} + i;");
            }
        }
        Variant::Strided => {
            // Innermost dim first; strides are i32 bits: u32 arithmetic wraps
            // to the same (non-negative) final index.
            s.push_str("    var rem = i;\n    for (var d = rank; d > 0u; d = d - 1u) {\n");
            s.push_str("        let size = md[");
            let _ = writeln!(s, "{HEADER}u + d - 1u];");
            s.push_str("        let c = rem % size;\n        rem = rem / size;\n");
            for k in 0..nops {
                let _ = writeln!(s, "        o{k} = o{k} + c * md[base + {k}u * step + d];");
            }
            s.push_str("    }\n");
        }
    }
    let src = |k: usize| format!("d{}[o{k}]", key.slots[k]);
    match key.family {
        Family::Fill(w) => {
            let v = match w {
                Width::W4 => "md[2]",
                Width::W8 => "vec2<u32>(md[2], md[3])",
                Width::H16 => "f16(bitcast<f32>(md[2]))",
            };
            let _ = writeln!(s, "    d0[o0] = {v};");
        }
        Family::CopyRaw(_) => {
            let _ = writeln!(s, "    d0[o0] = {};", src(1));
        }
        Family::Cast => {
            let (dd, sd) = (key.dtypes[0], key.dtypes[1]);
            let _ = writeln!(s, "    d0[o0] = {};", store(dd, &load(sd, &src(1)), reg_of(sd)));
        }
        _ => {
            let f = f.as_ref().expect("elementwise families have an op");
            let mut args = Vec::new();
            for (j, &p) in f.params.iter().enumerate() {
                let dt = key.dtypes[j + 1];
                args.push(conv(&load(dt, &src(j + 1)), reg_of(dt), p));
            }
            let _ =
                writeln!(s, "    d0[o0] = {};", store(key.dtypes[0], &format!("op({})", args.join(", ")), f.result));
        }
    }
    s.push_str("}\n");
    Ok(s)
}

/// Dtypes a unary op's input may have, and its output dtype for each.
fn unary_pairs(op: UnaryOp) -> Vec<(DType, DType)> {
    ALL_DTYPES
        .iter()
        .filter(|&&d| match op.rule() {
            UnaryRule::Negate | UnaryRule::Numeric => d != DType::Bool,
            UnaryRule::Any | UnaryRule::Test => true,
            UnaryRule::Float => d.is_float(),
            UnaryRule::Integral => !d.is_float(),
        })
        .map(|&d| (d, if op.rule() == UnaryRule::Test { DType::Bool } else { d }))
        .collect()
}

/// Every kernel key the runtime can be asked for over `dtypes` (contiguous
/// and strided, slots all distinct), whether or not it generates: the
/// naga test validates the ones that do and lists the refusals.
pub fn all_keys(dtypes: &[DType]) -> Vec<KernelKey> {
    let mut keys = Vec::new();
    let has = |d: DType| dtypes.contains(&d);
    let mut push = |family: Family, dts: &[DType]| {
        for variant in [Variant::Contiguous, Variant::Strided] {
            let n = match family {
                Family::Fill(_) => 1,
                Family::CopyRaw(_) => 2,
                _ => dts.len(),
            };
            keys.push(KernelKey { family, dtypes: SmallVec::from_slice(dts), variant, slots: (0..n as u8).collect() });
        }
    };
    let widths: Vec<Width> =
        [Width::W4, Width::W8, Width::H16].into_iter().filter(|&w| dtypes.iter().any(|&d| width_of(d) == w)).collect();
    for &w in &widths {
        push(Family::Fill(w), &[]);
        push(Family::CopyRaw(w), &[]);
    }
    for &a in dtypes {
        for &b in dtypes {
            push(Family::Cast, &[a, b]);
        }
    }
    for &op in UnaryOp::ALL {
        for (i, o) in unary_pairs(op) {
            if has(i) && has(o) {
                push(Family::Unary(op), &[o, i]);
            }
        }
    }
    for &op in BinaryOp::ALL {
        for &d in dtypes {
            let ok = match op.rule() {
                BinaryRule::Arith | BinaryRule::Compare => true,
                BinaryRule::Division | BinaryRule::Power => d != DType::Bool,
                BinaryRule::TrueDiv | BinaryRule::FloatOnly => d.is_float(),
                BinaryRule::Bitwise => !d.is_float(),
            };
            let out = if op.rule() == BinaryRule::Compare { DType::Bool } else { d };
            if ok && has(out) {
                push(Family::Binary(op), &[out, d, d]);
            }
        }
    }
    for &op in TernaryOp::ALL {
        for &d in dtypes {
            match op.rule() {
                TernaryRule::Select if has(DType::Bool) => push(Family::Ternary(op), &[d, DType::Bool, d, d]),
                TernaryRule::Float3 if d.is_float() => push(Family::Ternary(op), &[d, d, d, d]),
                TernaryRule::Arith3 if d != DType::Bool => push(Family::Ternary(op), &[d, d, d, d]),
                _ => {}
            }
        }
    }
    keys
}
