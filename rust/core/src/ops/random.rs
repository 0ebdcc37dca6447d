//! Random numbers: a seedable generator (`torch.manual_seed`, `torch.Generator`)
//! and the sampling ops. Streams are reproducible within rtensor; they are not
//! bit-identical to PyTorch's (nobody can rely on that across versions anyway).
//!
//! The generator is xoshiro256++ seeded through splitmix64: small, fast, and
//! statistically strong enough for initialisation and shuffling.

use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::tensor::Tensor;
use std::sync::{Mutex, OnceLock};

#[derive(Clone, Debug)]
pub struct Generator {
    s: [u64; 4],
    seed: u64,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        let mut x = seed;
        Generator { s: [splitmix(&mut x), splitmix(&mut x), splitmix(&mut x), splitmix(&mut x)], seed }
    }

    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let r = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Box-Muller (one value per call; simple over fast).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform integer in [0, n) without modulo bias (Lemire's method).
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = (self.next_u64() as u128) * (n as u128);
        if (m as u64) < n {
            let t = n.wrapping_neg() % n;
            while (m as u64) < t {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }
}

/// The default generator, seeded with a fixed value like PyTorch's (67280421310721).
pub fn default_generator() -> &'static Mutex<Generator> {
    static GEN: OnceLock<Mutex<Generator>> = OnceLock::new();
    GEN.get_or_init(|| Mutex::new(Generator::new(67280421310721)))
}

/// Creates the default generator and, on Linux, holds its lock across `fork`
/// so a child never inherits it locked (NOTE [Fork safety] in `lib.rs`).
pub fn init() {
    default_generator();
    #[cfg(target_os = "linux")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: the three handlers are `extern "C"` functions that only
        // lock or unlock the generator's mutex on the forking thread.
        ONCE.call_once(|| unsafe {
            libc::pthread_atfork(Some(fork_prepare), Some(fork_release), Some(fork_release));
        });
    }
}

#[cfg(target_os = "linux")]
thread_local! {
    /// The generator's guard, held by the forking thread from `prepare` until
    /// `parent`/`child` (the same thread in both processes).
    static FORK_GUARD: std::cell::RefCell<Option<std::sync::MutexGuard<'static, Generator>>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(target_os = "linux")]
extern "C" fn fork_prepare() {
    let g = default_generator().lock().unwrap_or_else(|e| e.into_inner());
    let _ = FORK_GUARD.try_with(|slot| *slot.borrow_mut() = Some(g));
}

#[cfg(target_os = "linux")]
extern "C" fn fork_release() {
    let _ = FORK_GUARD.try_with(|slot| slot.borrow_mut().take());
}

pub fn manual_seed(seed: u64) {
    *default_generator().lock().unwrap_or_else(|e| e.into_inner()) = Generator::new(seed);
}

/// Runs `f` with the given generator, or the default one.
pub fn with_gen<R>(g: Option<&mut Generator>, f: impl FnOnce(&mut Generator) -> R) -> R {
    match g {
        Some(g) => f(g),
        None => f(&mut default_generator().lock().unwrap_or_else(|e| e.into_inner())),
    }
}

fn float_only(op: &str, dtype: DType) -> Result<()> {
    if !dtype.is_float() {
        bail!(Runtime, "\"{op}\" not implemented for '{}': {op} needs a floating point dtype", dtype.scalar_name());
    }
    Ok(())
}

fn fill_with(op: &str, shape: &[usize], dtype: DType, mut f: impl FnMut() -> f64) -> Result<Tensor> {
    crate::with_dtype!(dtype, T, Tensor::from_fn::<T>(op, shape, |_| T::from_f64(f())))
}

pub fn rand(shape: &[usize], dtype: DType, g: Option<&mut Generator>) -> Result<Tensor> {
    float_only("rand", dtype)?;
    with_gen(g, |g| fill_with("rand", shape, dtype, || g.uniform()))
}

pub fn randn(shape: &[usize], dtype: DType, g: Option<&mut Generator>) -> Result<Tensor> {
    float_only("randn", dtype)?;
    with_gen(g, |g| fill_with("randn", shape, dtype, || g.normal()))
}

pub fn normal(mean: f64, std: f64, shape: &[usize], dtype: DType, g: Option<&mut Generator>) -> Result<Tensor> {
    float_only("normal", dtype)?;
    if !(std >= 0.0) {
        bail!(Runtime, "normal expects std >= 0.0, but found std {std}");
    }
    with_gen(g, |g| fill_with("normal", shape, dtype, || mean + std * g.normal()))
}

pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType, g: Option<&mut Generator>) -> Result<Tensor> {
    if high <= low {
        bail!(Runtime, "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}");
    }
    if let Some((lo, hi)) = dtype.int_range() {
        // `high` is exclusive: the largest value drawn is high - 1.
        if low < lo || high - 1 > hi {
            bail!(
                Runtime,
                "random_ expects 'from' and 'to - 1' to be within [{lo}, {hi}] for dtype {}, but got from={low}, to={high}",
                dtype.scalar_name()
            );
        }
    }
    let span = (high as i128 - low as i128) as u64;
    with_gen(g, |g| {
        crate::with_dtype!(
            dtype,
            T,
            Tensor::from_fn::<T>("randint", shape, |_| { T::from_i64((low as i128 + g.below(span) as i128) as i64) })
        )
    })
}

pub fn randperm(n: usize, dtype: DType, g: Option<&mut Generator>) -> Result<Tensor> {
    if dtype == DType::Bool || dtype.int_range().is_some_and(|(_, hi)| n > 0 && (n - 1) as i64 > hi) {
        bail!(
            Runtime,
            "randperm: n ({n}) is too large for dtype {} (or the dtype is not supported)",
            dtype.scalar_name()
        );
    }
    // A float dtype holds every integer up to 2**(mantissa bits + 1); PyTorch
    // allows one more (n - 1 is the largest value stored).
    let float_limit = match dtype {
        DType::F16 => Some(2049usize),
        DType::BF16 => Some(257),
        DType::F32 => Some((1 << 24) + 1),
        _ => None,
    };
    if let Some(limit) = float_limit.filter(|&l| n > l) {
        bail!(Runtime, "randperm: n cannot be greater than {limit} for {} type.", dtype.scalar_name());
    }
    let mut v: Vec<i64> = crate::checked::vec_with_capacity("randperm", n)?;
    v.extend(0..n as i64);
    with_gen(g, |g| {
        for i in (1..n).rev() {
            let j = g.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    });
    let t = Tensor::from_vec(v, &[n])?;
    Ok(super::to_dtype(&t, dtype))
}
