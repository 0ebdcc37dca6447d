//! The wgpu runtime (`rtensor_core::gpu`, NOTE [wgpu runtime]).
//!
//! Without a GPU: every WGSL kernel the generator can emit is validated with
//! naga, and the refusals are checked to be the documented ones.
//!
//! With an adapter (lavapipe counts: these tests set
//! `RTENSOR_WGPU_ALLOW_SOFTWARE=1`): small kernels over non-contiguous
//! layouts (transposed, stepped, negative strides, broadcast, offsets, an
//! output aliasing an input) against the CPU ops of the core, and the
//! allocator. Without one they print that they skipped, or fail when
//! `RTENSOR_GPU_TESTS_REQUIRED=1` (CI).

mod common;

use common::Rng;
use rtensor_core::gpu::shader::{all_keys, generate, Family, KernelKey, Variant};
use rtensor_core::gpu::{self, GpuBuffer, View};
use rtensor_core::ops::kinds::{BinaryRule, TernaryRule, UnaryRule};
use rtensor_core::ops::{self, binary::binary, ternary, unary::unary, Arg, BinaryOp, TernaryOp, UnaryOp};
use rtensor_core::{DType, ErrorKind, Layout, Scalar, Tensor};
use smallvec::SmallVec;
use DType::*;

// ---------------------------------------------------------------- naga

fn naga_check(src: &str) -> Result<(), String> {
    let module = naga::front::wgsl::parse_str(src).map_err(|e| e.emit_to_string(src))?;
    let mut v = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all());
    v.validate(&module).map_err(|e| format!("{:?}", e.into_inner()))?;
    Ok(())
}

/// Why a (family, dtypes) pair may be refused: a row without WGSL, or a
/// builtin Vulkan lacks in f64.
fn refusal_is_documented(key: &KernelKey, msg: &str) -> bool {
    let wgsl = match key.family {
        Family::Unary(op) => op.wgsl(),
        Family::Binary(op) => op.wgsl(),
        Family::Ternary(op) => op.wgsl(),
        _ => return false,
    };
    (wgsl.is_empty() && msg.contains("no WGSL expression")) || (key.dtypes.contains(&F64) && msg.contains("float64"))
}

#[test]
fn every_generated_kernel_passes_naga() {
    let keys = all_keys(&rtensor_core::dtype::ALL_DTYPES);
    let (mut ok, mut refused) = (0, Vec::new());
    for key in &keys {
        match generate(key) {
            Ok(src) => {
                if let Err(e) = naga_check(&src) {
                    panic!("{key:?} does not validate:\n{e}\n{src}");
                }
                ok += 1;
            }
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::NotImplemented, "{key:?}: {}", e.msg);
                assert!(refusal_is_documented(key, &e.msg), "{key:?}: undocumented refusal {}", e.msg);
                if key.variant == Variant::Strided {
                    refused.push(format!("{:?}{:?}", key.family, key.dtypes.as_slice()));
                }
            }
        }
    }
    println!("naga: {ok} kernels validated, {} (strided) refused: {refused:?}", refused.len());
    assert!(ok > 500, "only {ok} kernels generated");
}

/// Every row with WGSL generates for float32 (and integers where its rule allows).
#[test]
fn every_row_with_wgsl_generates_for_f32_and_i32() {
    let key = |family, dtypes: &[DType]| KernelKey {
        family,
        dtypes: SmallVec::from_slice(dtypes),
        variant: Variant::Strided,
        slots: (0..dtypes.len() as u8).collect(),
    };
    for &op in UnaryOp::ALL {
        let test = op.rule() == UnaryRule::Test;
        for dt in [F32, I32] {
            let skip = op.wgsl().is_empty() && !matches!(op, UnaryOp::IsInf | UnaryOp::IsFinite)
                || (dt == I32 && op.rule() == UnaryRule::Float)
                || (dt == F32 && op.rule() == UnaryRule::Integral);
            if !skip {
                generate(&key(Family::Unary(op), &[if test { Bool } else { dt }, dt])).unwrap();
            }
        }
    }
    for &op in BinaryOp::ALL {
        let out = |d| if op.rule() == BinaryRule::Compare { Bool } else { d };
        for dt in [F32, I32] {
            let skip = op.wgsl().is_empty()
                || (dt == I32 && matches!(op.rule(), BinaryRule::TrueDiv | BinaryRule::FloatOnly))
                || (dt == F32 && op.rule() == BinaryRule::Bitwise);
            if !skip {
                generate(&key(Family::Binary(op), &[out(dt), dt, dt])).unwrap();
            }
        }
    }
    for &op in TernaryOp::ALL {
        let c = if op.rule() == TernaryRule::Select { Bool } else { F32 };
        generate(&key(Family::Ternary(op), &[F32, c, F32, F32])).unwrap();
    }
    // Unwritten rows are NotImplemented and name the op.
    let e = generate(&key(Family::Unary(UnaryOp::Log1p), &[F32, F32])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotImplemented);
    assert!(e.msg.contains("log1p"), "{}", e.msg);
}

/// Operands sharing a buffer share a binding (in-place ops); those kernels validate too.
#[test]
fn aliased_bindings_validate() {
    for (family, dtypes, slots) in [
        (Family::Binary(BinaryOp::Add), vec![F32, F32, F32], vec![0u8, 0, 1]),
        (Family::Binary(BinaryOp::Mul), vec![I64, I64, I64], vec![0, 1, 1]),
        (Family::Ternary(TernaryOp::Where), vec![F16, Bool, F16, F16], vec![0, 1, 0, 2]),
        (Family::Unary(UnaryOp::Neg), vec![BF16, BF16], vec![0, 0]),
    ] {
        let key = KernelKey {
            family,
            dtypes: SmallVec::from_vec(dtypes),
            variant: Variant::Strided,
            slots: SmallVec::from_vec(slots),
        };
        naga_check(&generate(&key).unwrap()).unwrap_or_else(|e| panic!("{key:?}: {e}"));
    }
}

#[test]
fn size_classes_and_grid() {
    use gpu::size_class;
    assert_eq!(size_class(0), 256);
    assert_eq!(size_class(257), 512);
    assert_eq!(size_class(1 << 20), 1 << 20);
    assert_eq!(size_class((1 << 20) + 1), (1 << 20) + (1 << 18));
    assert_eq!(size_class(100 << 20), 112 << 20);
    for b in [1u64, 3, 255, 4097, 999_999, 5 << 20, 123_456_789] {
        let c = size_class(b);
        assert!(c >= b && c.is_multiple_of(4) && (b < 1 << 20 || c - b <= b / 4), "{b} -> {c}");
    }
    assert_eq!(gpu::grid(10, 65535), (10, 1));
    let (x, y) = gpu::grid(200_000, 65535);
    assert!(x <= 65535 && x as u64 * y as u64 >= 200_000);
}

/// Handles the backend will keep in `Arc`s and share between threads.
#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<GpuBuffer>();
    send_sync::<gpu::GpuContext>();
}

/// A device index past the visible adapters (all of them, without a GPU)
/// is an error that says why, never a panic.
#[test]
fn missing_device_is_an_error() {
    let n = gpu::device_count();
    let e = gpu::context(n).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(e.msg.contains("wgpu adapter"), "{}", e.msg);
    assert!(gpu::upload(n, F32, &[0; 4]).is_err());
    assert!(gpu::synchronize(n).is_err());
    assert!(gpu::memory_stats(n).is_err());
}

// ---------------------------------------------------------------- device runs

/// The test device, or `None` after printing why the device tests skip.
fn device() -> Option<usize> {
    common::gpu_device()
}

fn supported(dev: usize, dt: DType) -> bool {
    !matches!(gpu::dtype_support(dev, dt).unwrap(), gpu::DTypeSupport::Unavailable(_))
}

/// Host bytes of a CPU tensor's values in row-major order.
fn host_bytes(t: &Tensor) -> Vec<u8> {
    rtensor_core::with_dtype!(t.dtype(), T, bytemuck::cast_slice(&t.to_vec::<T>().unwrap()).to_vec())
}

/// A CPU tensor of `shape` from host bytes of `dt`.
fn from_bytes(dt: DType, bytes: &[u8], shape: &[usize]) -> Tensor {
    rtensor_core::with_dtype!(dt, T, {
        let v: Vec<T> = bytemuck::pod_collect_to_vec(bytes);
        Tensor::from_vec(v, shape).unwrap()
    })
}

fn as_f64(t: &Tensor) -> Vec<f64> {
    ops::to_dtype(t, F64).to_vec::<f64>().unwrap()
}

/// One operand: its storage (values as f64, cast by the core) and a view.
struct Operand {
    cpu: Tensor,
    gpu: GpuBuffer,
    layout: Layout,
}

impl Operand {
    fn new(dev: usize, dt: DType, storage: &[f64], layout: Layout) -> Operand {
        let base = ops::to_dtype(&Tensor::from_vec(storage.to_vec(), &[storage.len()]).unwrap(), dt);
        let gpu = gpu::upload(dev, dt, &host_bytes(&base)).unwrap();
        Operand { cpu: base.view_of(layout.clone()), gpu, layout }
    }
    fn view(&self) -> View<'_> {
        View::new(&self.gpu, &self.layout)
    }
}

const SHAPE: [usize; 3] = [3, 4, 5];

/// Layouts of `SHAPE` and the storage length each needs.
fn layouts() -> Vec<(&'static str, Layout, usize)> {
    let l = |shape: &[usize], strides: &[isize], off: usize| Layout::new("test", shape, strides, off).unwrap();
    vec![
        ("contiguous+offset", l(&SHAPE, &[20, 5, 1], 7), 67),
        ("transposed", l(&SHAPE, &[1, 3, 12], 0), 60),
        ("stepped", l(&SHAPE, &[80, 10, 2], 3), 202),
        ("negative", l(&SHAPE, &[-20, 5, -1], 44), 60),
        ("broadcast", l(&SHAPE, &[0, 1, 0], 2), 6),
        ("mixed", l(&SHAPE, &[-1, 15, -3], 14), 60),
    ]
}

/// Storage values for an operand of `dt` fit for `domain`.
fn values(rng: &mut Rng, dt: DType, n: usize, domain: Domain) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let u = rng.below(1 << 20) as f64 / (1 << 20) as f64;
            match (dt, domain) {
                (Bool, _) => rng.below(2) as f64,
                (_, Domain::NonZero) if !dt.is_float() => [1.0, -1.0, 2.0, -3.0, 5.0, 7.0][rng.below(6)],
                (_, Domain::Exponent) if !dt.is_float() => rng.int(-1, 4) as f64,
                (U8, _) => rng.int(0, 255) as f64,
                (I8, _) => rng.int(-128, 127) as f64,
                (I16, _) => rng.int(-3000, 3000) as f64,
                (I32 | I64, _) => rng.int(-100_000, 100_000) as f64,
                (_, Domain::Positive) => 0.1 + 3.0 * u,
                (_, Domain::Unit) => 1.8 * u - 0.9,
                (_, Domain::Exponent) => (rng.int(-4, 8) as f64) * 0.5,
                // Quarters are exact in every float dtype.
                _ => (rng.int(-12, 12) as f64) * 0.25 + if rng.one_in(3) { 0.0 } else { u * 0.2 },
            }
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Domain {
    Any,
    Positive,
    Unit,
    NonZero,
    Exponent,
}

fn tolerance(dt: DType) -> f64 {
    match dt {
        F16 => 2e-3,
        BF16 => 1e-2,
        F32 => 2e-5,
        F64 => 1e-12,
        _ => 0.0,
    }
}

fn assert_close(what: &str, dt: DType, got: &[f64], want: &[f64]) {
    assert_close_tol(what, tolerance(dt), got, want)
}

/// Vulkan's precision for the inverse trigonometric builtins is inherited
/// from atan (4096 ULP), and tan/sinh/cosh/tanh from exp and division;
/// lavapipe uses that latitude (asin off by 3e-4). Writing our own is a
/// later step; until then these rows get a float tolerance of 2e-3.
fn op_tolerance(op: UnaryOp, dt: DType) -> f64 {
    use UnaryOp::*;
    let loose = matches!(op, Asin | Acos | Atan | Tan | Sinh | Cosh | Tanh);
    if loose && dt.is_float() {
        tolerance(dt).max(2e-3)
    } else {
        tolerance(dt)
    }
}

fn assert_close_tol(what: &str, tol: f64, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let same = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * w.abs().max(1.0);
        assert!(same, "{what}: element {i}: gpu {g} vs cpu {w}\n gpu {got:?}\n cpu {want:?}");
    }
}

/// Runs `run` on the GPU into a `dst_layout` view of a fresh buffer and
/// compares with the CPU tensor `want`.
fn check(dev: usize, what: &str, want: &Tensor, dst_layout: &Layout, dst_len: usize, run: impl FnOnce(View)) {
    let dst = gpu::allocate(dev, want.dtype(), dst_len, true).unwrap();
    run(View::new(&dst, dst_layout));
    let got = from_bytes(want.dtype(), &gpu::download(View::new(&dst, dst_layout)).unwrap(), &SHAPE);
    assert_close(what, want.dtype(), &as_f64(&got), &as_f64(want));
}

fn unary_domain(op: UnaryOp) -> Domain {
    use UnaryOp::*;
    match op {
        Log | Log2 | Log10 | Sqrt | Rsqrt | Reciprocal => Domain::Positive,
        Asin | Acos => Domain::Unit,
        _ => Domain::Any,
    }
}

fn unary_dtypes(op: UnaryOp, dev: usize) -> Vec<DType> {
    let all = [F32, I32, Bool, F64, I64, F16, BF16, U8, I8, I16];
    all.into_iter()
        .filter(|&d| supported(dev, d))
        .filter(|&d| match op.rule() {
            UnaryRule::Negate | UnaryRule::Numeric => d != Bool,
            UnaryRule::Any | UnaryRule::Test => true,
            UnaryRule::Float => d.is_float(),
            UnaryRule::Integral => !d.is_float(),
        })
        .collect()
}

/// Whether the runtime refuses (op, dtype) by design (see the naga test).
fn refused(r: &rtensor_core::Result<()>) -> bool {
    matches!(r, Err(e) if e.kind == ErrorKind::NotImplemented)
}

#[test]
fn unary_ops_match_cpu_over_strided_layouts() {
    let Some(dev) = device() else { return };
    let mut rng = Rng::new(1);
    let ls = layouts();
    let mut ran = 0;
    for &op in UnaryOp::ALL {
        for dt in unary_dtypes(op, dev) {
            // One strided case (input and output each a different layout) and one contiguous.
            for (xi, oi) in [(3usize, 1usize), (0, 0)] {
                let (xname, xl, xn) = &ls[xi];
                let (_, ol, on) = &ls[oi];
                let x = Operand::new(dev, dt, &values(&mut rng, dt, *xn, unary_domain(op)), xl.clone());
                let want = unary(op, &x.cpu, None).unwrap();
                let what = format!("{}({dt}, {xname})", op.name());
                let dst = gpu::allocate(dev, want.dtype(), *on, true).unwrap();
                let r = gpu::unary(op, View::new(&dst, ol), x.view());
                if refused(&r) {
                    continue;
                }
                r.unwrap();
                let got = from_bytes(want.dtype(), &gpu::download(View::new(&dst, ol)).unwrap(), &SHAPE);
                assert_close_tol(&what, op_tolerance(op, want.dtype()), &as_f64(&got), &as_f64(&want));
                ran += 1;
            }
        }
    }
    println!("unary: {ran} GPU runs matched the CPU");
}

fn binary_domain(op: BinaryOp) -> (Domain, Domain) {
    use BinaryOp::*;
    match op {
        FloorDiv | Rem | Div => (Domain::Any, Domain::NonZero),
        Pow => (Domain::Positive, Domain::Exponent),
        _ => (Domain::Any, Domain::Any),
    }
}

#[test]
fn binary_ops_match_cpu_over_strided_layouts() {
    let Some(dev) = device() else { return };
    let mut rng = Rng::new(2);
    let ls = layouts();
    let mut ran = 0;
    let all = [F32, I32, Bool, F64, I64, F16, BF16, U8, I8, I16];
    for &op in BinaryOp::ALL {
        for dt in all.into_iter().filter(|&d| supported(dev, d)) {
            let ok = match op.rule() {
                BinaryRule::Arith => !(op == BinaryOp::Sub && dt == Bool),
                BinaryRule::Compare => true,
                BinaryRule::Division | BinaryRule::Power => dt != Bool,
                BinaryRule::TrueDiv | BinaryRule::FloatOnly => dt.is_float(),
                BinaryRule::Bitwise => !dt.is_float(),
            };
            if !ok {
                continue;
            }
            // (x, y, out): strided with broadcast and negative strides, then contiguous.
            for (xi, yi, oi) in [(1usize, 4usize, 3usize), (5, 2, 1), (0, 0, 0)] {
                let (dx, dy) = binary_domain(op);
                let x = Operand::new(dev, dt, &values(&mut rng, dt, ls[xi].2, dx), ls[xi].1.clone());
                let y = Operand::new(dev, dt, &values(&mut rng, dt, ls[yi].2, dy), ls[yi].1.clone());
                let want = binary(op, Arg::T(&x.cpu), Arg::T(&y.cpu), None).unwrap();
                let what = format!("{}({dt}; {}, {} -> {})", op.name(), ls[xi].0, ls[yi].0, ls[oi].0);
                let dst = gpu::allocate(dev, want.dtype(), ls[oi].2, true).unwrap();
                let r = gpu::binary(op, View::new(&dst, &ls[oi].1), x.view(), y.view());
                if refused(&r) {
                    continue;
                }
                r.unwrap();
                let got = from_bytes(want.dtype(), &gpu::download(View::new(&dst, &ls[oi].1)).unwrap(), &SHAPE);
                assert_close(&what, want.dtype(), &as_f64(&got), &as_f64(&want));
                ran += 1;
            }
        }
    }
    println!("binary: {ran} GPU runs matched the CPU");
}

#[test]
fn ternary_ops_match_cpu_over_strided_layouts() {
    let Some(dev) = device() else { return };
    let mut rng = Rng::new(3);
    let ls = layouts();
    let mut ran = 0;
    for dt in [F32, I32, F64, I64, F16, BF16, U8, Bool].into_iter().filter(|&d| supported(dev, d)) {
        for (xi, yi, zi, oi) in [(1usize, 4usize, 5usize, 2usize), (0, 0, 0, 0)] {
            let (lx, ly, lz) = (&ls[xi], &ls[yi], &ls[zi]);
            // where(cond, a, b)
            let c = Operand::new(dev, Bool, &values(&mut rng, Bool, lx.2, Domain::Any), lx.1.clone());
            let a = Operand::new(dev, dt, &values(&mut rng, dt, ly.2, Domain::Any), ly.1.clone());
            let b = Operand::new(dev, dt, &values(&mut rng, dt, lz.2, Domain::Any), lz.1.clone());
            let want = ternary::where_(&c.cpu, Arg::T(&a.cpu), Arg::T(&b.cpu)).unwrap();
            check(dev, &format!("where({dt})"), &want, &ls[oi].1, ls[oi].2, |o| {
                gpu::ternary(TernaryOp::Where, o, c.view(), a.view(), b.view()).unwrap()
            });
            ran += 1;
            let w = Operand::new(dev, dt, &values(&mut rng, dt, lx.2, Domain::Any), lx.1.clone());
            if dt != Bool {
                let want = ternary::clamp(&a.cpu, Some(Arg::T(&b.cpu)), Some(Arg::T(&w.cpu)), None).unwrap();
                check(dev, &format!("clamp({dt})"), &want, &ls[oi].1, ls[oi].2, |o| {
                    gpu::ternary(TernaryOp::Clamp, o, a.view(), b.view(), w.view()).unwrap()
                });
                ran += 1;
            }
            if dt.is_float() {
                let want = ternary::lerp(&a.cpu, &b.cpu, Arg::T(&w.cpu), None).unwrap();
                check(dev, &format!("lerp({dt})"), &want, &ls[oi].1, ls[oi].2, |o| {
                    gpu::ternary(TernaryOp::Lerp, o, a.view(), b.view(), w.view()).unwrap()
                });
                ran += 1;
            }
        }
    }
    println!("ternary: {ran} GPU runs matched the CPU");
}

#[test]
fn fill_and_copy_cast_between_layouts() {
    let Some(dev) = device() else { return };
    let mut rng = Rng::new(4);
    let ls = layouts();
    let dts: Vec<DType> =
        [Bool, U8, I8, I16, I32, I64, F16, BF16, F32, F64].into_iter().filter(|&d| supported(dev, d)).collect();
    let mut ran = 0;
    for &dt in &dts {
        for value in [Scalar::Float(-2.75), Scalar::Int(300), Scalar::Bool(true), Scalar::Float(f64::NAN)] {
            if !dt.is_float() && matches!(value, Scalar::Float(f) if f.is_nan()) {
                continue;
            }
            // The backend's fill converts as `Scalar::to_elem` (the CPU backend's fill).
            let want =
                rtensor_core::with_dtype!(dt, T, Tensor::from_vec(vec![value.to_elem::<T>(); 60], &SHAPE).unwrap());
            let (_, ol, on) = &ls[2];
            check(dev, &format!("fill({dt}, {value:?})"), &want, ol, *on, |o| gpu::fill(o, value).unwrap());
            ran += 1;
        }
        for &st in &dts {
            for (si, oi) in [(3usize, 2usize), (4, 1), (0, 0)] {
                let s = Operand::new(dev, st, &values(&mut rng, st, ls[si].2, Domain::Any), ls[si].1.clone());
                let want = ops::to_dtype(&s.cpu, dt);
                check(dev, &format!("copy({st} {} -> {dt} {})", ls[si].0, ls[oi].0), &want, &ls[oi].1, ls[oi].2, |o| {
                    gpu::copy_cast(o, s.view()).unwrap()
                });
                ran += 1;
            }
        }
    }
    println!("fill/copy: {ran} GPU runs matched the CPU");
}

/// NaN, infinities and signed zeros through the ops whose WGSL was written
/// for them (bit tests, NaN-propagating max/min/clamp, relu, sign).
#[test]
fn special_float_values() {
    let Some(dev) = device() else { return };
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 1.5, -2.0, 3.0e38, -1.0e-40, 7.0];
    let n = specials.len();
    let l = Layout::contiguous(&[n]);
    for dt in [F32, F64, F16, BF16].into_iter().filter(|&d| supported(dev, d)) {
        let x = Operand::new(dev, dt, &specials, l.clone());
        let mut rev = specials;
        rev.reverse();
        let y = Operand::new(dev, dt, &rev, l.clone());
        let run = |want: Tensor, f: &dyn Fn(View) -> rtensor_core::Result<()>| {
            let dst = gpu::allocate(dev, want.dtype(), n, false).unwrap();
            f(View::new(&dst, &l)).unwrap();
            let got = from_bytes(want.dtype(), &gpu::download(View::new(&dst, &l)).unwrap(), &[n]);
            (as_f64(&got), as_f64(&want))
        };
        for op in [
            UnaryOp::IsNan,
            UnaryOp::IsInf,
            UnaryOp::IsFinite,
            UnaryOp::Relu,
            UnaryOp::Sign,
            UnaryOp::Abs,
            UnaryOp::Neg,
        ] {
            let (g, w) = run(unary(op, &x.cpu, None).unwrap(), &|o| gpu::unary(op, o, x.view()));
            assert_close(&format!("{}({dt}) on specials", op.name()), dt, &g, &w);
        }
        for op in [
            BinaryOp::Maximum,
            BinaryOp::Minimum,
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Lt,
            BinaryOp::Add,
            BinaryOp::Mul,
        ] {
            let want = binary(op, Arg::T(&x.cpu), Arg::T(&y.cpu), None).unwrap();
            let (g, w) = run(want, &|o| gpu::binary(op, o, x.view(), y.view()));
            assert_close(&format!("{}({dt}) on specials", op.name()), dt, &g, &w);
        }
        let want = ternary::clamp(&x.cpu, Some(Arg::T(&y.cpu)), Some(Arg::T(&x.cpu)), None).unwrap();
        let (g, w) = run(want, &|o| gpu::ternary(TernaryOp::Clamp, o, x.view(), y.view(), x.view()));
        assert_close(&format!("clamp({dt}) on specials"), dt, &g, &w);
    }
}

/// An output that is also an input (`a.add_(b)`, `x.neg_()`): one binding.
#[test]
fn in_place_outputs() {
    let Some(dev) = device() else { return };
    let l = Layout::contiguous(&SHAPE);
    let t = Layout::new("t", &SHAPE, &[1, 3, 12], 0).unwrap();
    let a = Operand::new(dev, F32, &(0..60).map(|i| i as f64).collect::<Vec<_>>(), l.clone());
    let b = Operand::new(dev, F32, &(0..60).map(|i| (i * 7 % 11) as f64).collect::<Vec<_>>(), t.clone());
    let want = binary(BinaryOp::Add, Arg::T(&a.cpu), Arg::T(&b.cpu), None).unwrap();
    gpu::binary(BinaryOp::Add, a.view(), a.view(), b.view()).unwrap();
    assert_close("add_", F32, &as_f64(&from_bytes(F32, &gpu::download(a.view()).unwrap(), &SHAPE)), &as_f64(&want));
    let want = unary(UnaryOp::Neg, &want, None).unwrap();
    gpu::unary(UnaryOp::Neg, a.view(), a.view()).unwrap();
    assert_close("neg_", F32, &as_f64(&from_bytes(F32, &gpu::download(a.view()).unwrap(), &SHAPE)), &as_f64(&want));
}

/// More workgroups than one grid dimension holds (folded into y), and batching.
#[test]
fn large_grid_and_batching() {
    let Some(dev) = device() else { return };
    let n = 65_536 * 256 + 1000; // 65,540 workgroups of 256
    let l = Layout::contiguous(&[n]);
    let x = gpu::allocate(dev, I32, n, false).unwrap();
    gpu::fill(View::new(&x, &l), Scalar::Int(3)).unwrap();
    let y = gpu::allocate(dev, I32, n, false).unwrap();
    // Strided (a negative-stride view) so the folded grid runs the index maths too.
    let flipped = Layout::new("flip", &[n], &[-1], n - 1).unwrap();
    gpu::binary(BinaryOp::Mul, View::new(&y, &l), View::new(&x, &flipped), View::new(&x, &l)).unwrap();
    for _ in 0..(gpu::BATCH + 5) {
        gpu::binary(BinaryOp::Add, View::new(&y, &l), View::new(&y, &l), View::new(&x, &l)).unwrap();
    }
    let ctx = gpu::context(dev).unwrap();
    assert!(ctx.pending_dispatches() < gpu::BATCH, "batches are submitted every {} dispatches", gpu::BATCH);
    let tail = gpu::read(&y, n - 3, 3).unwrap();
    let want = 9 + 3 * (gpu::BATCH as i32 + 5);
    assert_eq!(bytemuck::pod_collect_to_vec::<u8, i32>(&tail), vec![want; 3]);
    let head = gpu::read(&y, 0, 2).unwrap();
    assert_eq!(bytemuck::pod_collect_to_vec::<u8, i32>(&head), vec![want; 2]);
    gpu::synchronize(dev).unwrap();
    assert_eq!(ctx.pending_dispatches(), 0);
}

#[test]
fn allocator_reuses_and_empties() {
    let Some(dev) = device() else { return };
    // Its own size class, so other tests running in parallel do not take it.
    let n = 3 * 1024 * 1024 + 17;
    let a = gpu::allocate(dev, F32, n, false).unwrap();
    let id = a.id();
    let class = a.capacity();
    assert!(class >= 4 * n as u64);
    let before = gpu::memory_stats(dev).unwrap();
    assert!(before.allocated >= class && before.max_allocated >= before.allocated);
    drop(a);
    let after = gpu::memory_stats(dev).unwrap();
    assert!(after.cached >= class, "{after:?}");
    let b = gpu::allocate(dev, F32, n, true).unwrap();
    assert_eq!(b.id(), id, "the freed block of the same class is reused");
    // A reused block asked for zeroed is zeroed.
    let z = gpu::read(&b, n - 4, 4).unwrap();
    assert_eq!(z, vec![0u8; 16]);
    drop(b);
    gpu::empty_cache(dev).unwrap();
    assert_eq!(gpu::memory_stats(dev).unwrap().cached, 0);
    let c = gpu::allocate(dev, F32, n, false).unwrap();
    assert!(c.address() != 0 && c.address().is_multiple_of(1 << 40));
    // Out of memory is an error in PyTorch's words, not an abort.
    let e = gpu::allocate(dev, F32, 1 << 40, false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(e.msg.starts_with("wgpu out of memory: tried to allocate 4194304.00 MiB;"), "{}", e.msg);
    assert!(e.msg.contains("MiB allocated") && e.msg.contains("MiB cached"), "{}", e.msg);
    let e = gpu::allocate(dev, F32, usize::MAX, false).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
}

#[test]
fn transfers_round_trip_every_dtype() {
    let Some(dev) = device() else { return };
    for dt in rtensor_core::dtype::ALL_DTYPES {
        if !supported(dev, dt) {
            let e = gpu::upload(dev, dt, &vec![0u8; dt.size() * 3]).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Type, "{}", e.msg);
            continue;
        }
        let vals: Vec<f64> = (0..7).map(|i| [0.0, 1.0, -2.0, 100.0, -128.0, 127.5, 3.25][i]).collect();
        let t = ops::to_dtype(&Tensor::from_vec(vals, &[7]).unwrap(), dt);
        let bytes = host_bytes(&t);
        let g = gpu::upload(dev, dt, &bytes).unwrap();
        assert_eq!(gpu::read(&g, 0, 7).unwrap(), bytes, "{dt}");
        // Partial reads and writes at odd element offsets (f16 mid-word).
        assert_eq!(gpu::read(&g, 3, 3).unwrap(), bytes[3 * dt.size()..6 * dt.size()], "{dt}");
        gpu::write(&g, 1, &bytes[..dt.size()]).unwrap();
        let mut want = bytes.clone();
        want.copy_within(..dt.size(), dt.size());
        assert_eq!(gpu::read(&g, 0, 7).unwrap(), want, "{dt} after write");
    }
}

#[test]
fn adapters_and_capabilities() {
    let Some(dev) = device() else { return };
    let list = gpu::adapters();
    let info = &list[dev];
    println!(
        "adapter: {} ({}, {}, driver {} {})",
        info.name, info.backend, info.device_type, info.driver, info.driver_info
    );
    assert!(["Vulkan", "Metal", "Dx12"].contains(&info.backend.as_str()));
    let ctx = gpu::context(dev).unwrap();
    assert_eq!(ctx.limits.max_storage_buffer_binding_size, info.limits.max_storage_buffer_binding_size);
    assert_eq!(gpu::dtype_support(dev, F32).unwrap(), gpu::DTypeSupport::Native);
    assert_eq!(gpu::dtype_support(dev, Bool).unwrap(), gpu::DTypeSupport::Widened);
    assert!(gpu::context(list.len()).is_err());
}

/// Per-op cost of a chain of small dependent ops (`cargo test --release
/// --test gpu_runtime -- --ignored --nocapture`); a figure, not a check.
#[test]
#[ignore]
fn chain_overhead() {
    let Some(dev) = device() else { return };
    let l = Layout::contiguous(&[1024]);
    let x = gpu::allocate(dev, F32, 1024, true).unwrap();
    let one = gpu::allocate(dev, F32, 1024, false).unwrap();
    gpu::fill(View::new(&one, &l), Scalar::Float(1.0)).unwrap();
    gpu::synchronize(dev).unwrap();
    for (n, label) in [(100, "warm-up"), (1000, "chain")] {
        let t = std::time::Instant::now();
        for _ in 0..n {
            gpu::binary(BinaryOp::Add, View::new(&x, &l), View::new(&x, &l), View::new(&one, &l)).unwrap();
        }
        let record = t.elapsed();
        gpu::synchronize(dev).unwrap();
        let total = t.elapsed();
        println!(
            "{label}: {n} adds of 1024 f32: {:.1} us/op recorded, {:.1} us/op with the device",
            record.as_secs_f64() * 1e6 / n as f64,
            total.as_secs_f64() * 1e6 / n as f64
        );
    }
    let v = bytemuck::pod_collect_to_vec::<u8, f32>(&gpu::read(&x, 0, 1).unwrap());
    assert_eq!(v, vec![1100.0]);
}
