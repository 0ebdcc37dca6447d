//! Helpers shared by the integration tests: a deterministic PRNG (no proptest
//! dependency), brute-force index walks, and builders for non-contiguous tensors.
#![allow(dead_code)]

pub mod naive;

use rtensor_core::ops::{self, shape};
use rtensor_core::{DType, Layout, Tensor};

/// splitmix64: tiny, deterministic, good enough to drive property tests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
    pub fn perm(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Calls `f` with every multi-index of `shape`, in row-major order.
pub fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if numel(shape) == 0 {
        return;
    }
    let mut idx = vec![0usize; shape.len()];
    loop {
        f(&idx);
        let mut k = shape.len();
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// Row-major linear position of `idx` in `shape`.
pub fn linear(shape: &[usize], idx: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// Storage offset of every logical element of `l`, in row-major order (brute force).
pub fn offsets(l: &Layout) -> Vec<isize> {
    let mut v = Vec::with_capacity(l.numel());
    for_each_index(l.shape(), |idx| {
        let mut o = l.offset() as isize;
        for (i, s) in idx.iter().zip(l.strides()) {
            o += *i as isize * s;
        }
        v.push(o)
    });
    v
}

pub fn read_f64(t: &Tensor) -> Vec<f64> {
    ops::to_dtype(t, DType::F64).to_vec::<f64>().unwrap()
}

pub fn read_i64(t: &Tensor) -> Vec<i64> {
    ops::to_dtype(t, DType::I64).to_vec::<i64>().unwrap()
}

/// A contiguous tensor of dtype `dt` holding `vals` (exactly representable values).
pub fn tensor(vals: &[f64], shape: &[usize], dt: DType) -> Tensor {
    ops::to_dtype(&Tensor::from_vec(vals.to_vec(), shape).unwrap(), dt)
}

/// A value exactly representable in `dt`; integer ranges are wide enough that
/// add/mul wrap for the 8-bit types.
pub fn sample(dt: DType, rng: &mut Rng) -> f64 {
    match dt {
        DType::Bool => rng.int(0, 1) as f64,
        DType::U8 => rng.int(0, 200) as f64,
        DType::I8 => rng.int(-100, 100) as f64,
        DType::I16 | DType::I32 | DType::I64 => rng.int(-1000, 1000) as f64,
        _ => rng.int(-40, 40) as f64 / 4.0,
    }
}

pub fn samples(dt: DType, n: usize, rng: &mut Rng) -> Vec<f64> {
    (0..n).map(|_| sample(dt, rng)).collect()
}

/// A tensor of dtype `dt` whose logical values (row-major over `shape`) are
/// `vals`, usually laid out non-contiguously: the storage holds the dims
/// permuted, padded at the front, every other element (step 2), and some dims
/// reversed; the view is built with `ops::shape::{narrow, slice, permute}`.
pub fn strided(vals: &[f64], shape: &[usize], dt: DType, rng: &mut Rng) -> Tensor {
    let r = shape.len();
    if r == 0 || rng.one_in(5) {
        return tensor(vals, shape, dt);
    }
    let p = rng.perm(r); // storage dim k holds logical dim p[k]
    let pad: Vec<usize> = (0..r).map(|_| rng.below(2)).collect();
    let step: Vec<usize> = (0..r).map(|_| 1 + rng.below(2)).collect();
    let flip: Vec<bool> = (0..r).map(|_| rng.one_in(3)).collect();
    let base_shape: Vec<usize> = (0..r).map(|k| pad[k] + shape[p[k]] * step[k]).collect();
    let mut inv = vec![0i64; r];
    for (k, &pk) in p.iter().enumerate() {
        inv[pk] = k as i64;
    }
    let chain = |base: &Tensor| -> Tensor {
        let mut v = base.clone();
        for k in 0..r {
            let len = (shape[p[k]] * step[k]) as i64;
            v = shape::narrow(&v, k as i64, pad[k] as i64, len).unwrap();
            let st = if flip[k] { -(step[k] as i64) } else { step[k] as i64 };
            v = shape::slice(&v, k, None, None, st).unwrap();
        }
        shape::permute(&v, &inv).unwrap()
    };
    // First find where each logical element lands, then fill a storage so.
    let probe = chain(&Tensor::zeros(DType::F64, &base_shape));
    assert_eq!(probe.shape(), shape);
    let mut store = vec![77.0; numel(&base_shape)];
    for (lin, off) in offsets(probe.layout()).into_iter().enumerate() {
        store[off as usize] = vals[lin];
    }
    let t = chain(&tensor(&store, &base_shape, dt));
    assert_eq!(read_f64(&t), read_f64(&tensor(vals, shape, dt)), "strided() built the wrong view");
    t
}

/// `vals` rounded to `dt` and back (uses the core's own casts).
pub fn round_to(vals: &[f64], dt: DType) -> Vec<f64> {
    read_f64(&tensor(vals, &[vals.len()], dt))
}

/// Relative tolerance of about one rounding step of `dt`.
pub fn tol(dt: DType) -> f64 {
    match dt {
        DType::F16 => 2e-3,
        DType::BF16 => 1.6e-2,
        DType::F32 => 2e-6,
        DType::F64 => 1e-12,
        _ => 0.0,
    }
}

pub fn assert_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= rel * w.abs().max(1.0);
        assert!(ok, "{what}: element {i}: got {g}, want {w}\n got  {got:?}\n want {want:?}");
    }
}

/// `cuda:0` for the GPU tests (software adapters allowed), or `None` after
/// printing why they skip; with `RTENSOR_GPU_TESTS_REQUIRED=1` (CI) a missing
/// adapter fails instead.
pub fn gpu_device() -> Option<usize> {
    use rtensor_core::gpu;
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        if std::env::var_os(gpu::context::ENV_ALLOW_SOFTWARE).is_none() {
            std::env::set_var(gpu::context::ENV_ALLOW_SOFTWARE, "1");
        }
    });
    if gpu::is_available() {
        return Some(0);
    }
    let msg =
        "no wgpu adapter: GPU tests skipped (apt-get install mesa-vulkan-drivers libvulkan1 for lavapipe)";
    if std::env::var("RTENSOR_GPU_TESTS_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("{msg}, but RTENSOR_GPU_TESTS_REQUIRED=1");
    }
    println!("{msg}");
    None
}
