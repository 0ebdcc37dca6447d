//! WGSL helper functions the generated kernels call, one set per register
//! type in use (`shader.rs`). They carry the CPU kernels' semantics where a
//! WGSL builtin is unspecified or missing: NaN bit tests, NaN-propagating
//! max/min, C's `pow` for negative bases, Python's integer `//` and `%`,
//! integer power, the narrow-integer wraps and the bfloat16 rounding.

use super::shader::Reg;

const HELPERS_I32: &str = "
fn st_u8(x: i32) -> i32 { return x & 255; }
fn st_i8(x: i32) -> i32 { return (x << 24u) >> 24u; }
fn st_i16(x: i32) -> i32 { return (x << 16u) >> 16u; }
";

const HELPERS_I64: &str = "
fn ld_i64(v: vec2<u32>) -> i64 { return (i64(v.y) << 32u) | i64(v.x); }
fn st_i64(x: i64) -> vec2<u32> { return vec2<u32>(u32(x & 0xffffffffli), u32((x >> 32u) & 0xffffffffli)); }
";

const HELPERS_F32: &str = "
fn is_nan_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn st_bf16(x: f32) -> f32 {
    // Round to nearest even on the top 16 bits; NaN stays a quiet NaN.
    let b = bitcast<u32>(x);
    if (is_nan_f32(x)) { return bitcast<f32>((b | 0x00400000u) & 0xffff0000u); }
    return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);
}
fn powf_f32(x: f32, y: f32) -> f32 {
    // pow(x, y) is exp2(y * log2(x)) in WGSL: NaN for x < 0. The C rules:
    if (y == 0.0 || x == 1.0) { return 1.0; }
    if (x < 0.0 && floor(y) == y) {
        let m = pow(-x, y);
        let ay = abs(y);
        let odd = ay < 16777216.0 && floor(ay * 0.5) * 2.0 != ay;
        return select(m, -m, odd);
    }
    return pow(x, y);
}
";

const HELPERS_F64: &str = "
// f64 -> f32 keeps NaN and maps nothing else to NaN; no 64-bit bitcast without shader-int64.
fn is_nan_f64(x: f64) -> bool { return (bitcast<u32>(f32(x)) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf_f64(x: f64) -> bool { return abs(x) > 1.7976931348623157e308lf; }
";

/// Float helpers shared by f32 and f64 (`T` substituted).
const HELPERS_FLOAT: &str = "
fn max_nan_T(a: T, b: T) -> T { return select(b, a, is_nan_T(a) || a > b); }
fn min_nan_T(a: T, b: T) -> T { return select(b, a, is_nan_T(a) || a < b); }
";

/// Integer helpers shared by i32 and i64: Python's `//` and `%`, and the
/// CPU's integer power (negative exponents: 1, -1 and 0 only).
const HELPERS_INT: &str = "
fn floordiv_T(x: T, y: T) -> T {
    if (y == T(0)) { return T(0); }
    let q = x / y;
    if (x % y != T(0) && ((x < T(0)) != (y < T(0)))) { return q - T(1); }
    return q;
}
fn rem_T(x: T, y: T) -> T {
    if (y == T(0)) { return T(0); }
    let r = x % y;
    if (r != T(0) && ((r < T(0)) != (y < T(0)))) { return r + y; }
    return r;
}
fn ipow_T(x: T, y: T) -> T {
    if (y < T(0)) {
        if (x == T(1)) { return T(1); }
        if (x == T(-1)) { return select(T(-1), T(1), (y & T(1)) == T(0)); }
        return T(0);
    }
    var r = T(1);
    var b = x;
    var e = y;
    while (e != T(0)) {
        if ((e & T(1)) == T(1)) { r = r * b; }
        b = b * b;
        e = e >> 1u;
    }
    return r;
}
";

/// Appends the helpers of every register type in `regs`.
pub(super) fn emit(regs: &[Reg], out: &mut String) {
    let has = |r: Reg| regs.contains(&r);
    if has(Reg::I32) {
        out.push_str(HELPERS_I32);
        out.push_str(&HELPERS_INT.replace('T', "i32"));
    }
    if has(Reg::I64) {
        out.push_str(HELPERS_I64);
        out.push_str(&HELPERS_INT.replace('T', "i64"));
    }
    if has(Reg::F32) {
        out.push_str(HELPERS_F32);
        out.push_str(&HELPERS_FLOAT.replace('T', "f32"));
    }
    if has(Reg::F64) {
        out.push_str(HELPERS_F64);
        out.push_str(&HELPERS_FLOAT.replace('T', "f64"));
    }
}
