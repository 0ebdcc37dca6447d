//! f32 matrix products on x86-64 with AVX-512 or AVX2+FMA: a register-blocked
//! micro-kernel over tiles of C.
//!
//! NOTE [Own sgemm]: the `gemm` crate only has AVX2 kernels on stable Rust and
//! reached ~60 GFLOP/s per core on the small, skinny products of a training
//! step (256×64·64×256, 256×256·256×10), where PyTorch's MKL gets ~160.
//! AVX-512 intrinsics are stable since Rust 1.89, so this file carries its own
//! kernels (16-lane AVX-512, 8-lane AVX2) behind one driver; other machines
//! and dtypes keep using `gemm`.
//!
//! Small products are where the time goes, so the design avoids packing:
//! - A is read in place: the kernel broadcasts one element of each of its
//!   `MR` rows per k, from any strides (rows past the edge re-read the last
//!   row; their results are never stored).
//! - B is read in place when its rows are contiguous (`csb == 1`), with masked
//!   loads at the right edge; otherwise a `KC×n` slice is packed into
//!   tile-wide panels first (a transposed B, as in `x @ w.T`).
//! - Only products large in every dimension pack both operands (BLIS-style
//!   MC×KC blocks of A, KC-deep panels of B), for cache locality.
//! - Tiles are `MR` rows by one or two vectors: one when `n` is at most a vector
//!   (256×256·256×10 would waste two thirds of a two-vector tile).

use std::cell::RefCell;

/// One product `C = A·B`, with element strides.
#[derive(Clone, Copy, Debug)]
pub struct Problem {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: *const f32,
    pub rsa: isize,
    pub csa: isize,
    pub b: *const f32,
    pub rsb: isize,
    pub csb: isize,
    pub c: *mut f32,
    pub rsc: isize,
    pub csc: isize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Isa {
    Avx512,
    Avx2,
}

/// The kernel f32 products use: the best this CPU runs, or none (the `gemm`
/// crate then). `RTENSOR_SGEMM=avx2` or `=off` picks a lesser one, so tests
/// on an AVX-512 machine can check the paths other CPUs take. Read once.
pub fn detect() -> Option<Isa> {
    static CHOICE: std::sync::OnceLock<Option<Isa>> = std::sync::OnceLock::new();
    *CHOICE.get_or_init(|| {
        let best = best_supported();
        match std::env::var("RTENSOR_SGEMM").as_deref() {
            Ok("off") => None,
            Ok("avx2") if best.is_some() && supports_avx2() => Some(Isa::Avx2),
            _ => best,
        }
    })
}

fn supports_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn best_supported() -> Option<Isa> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Some(Isa::Avx512);
        }
    }
    supports_avx2().then_some(Isa::Avx2)
}

impl Isa {
    /// Rows per tile.
    const fn mr(self) -> usize {
        match self {
            Isa::Avx512 => 12,
            Isa::Avx2 => 6,
        }
    }
    /// Lanes per vector.
    const fn lanes(self) -> usize {
        match self {
            Isa::Avx512 => 16,
            Isa::Avx2 => 8,
        }
    }
}

/// Depth of one pass over C: a B slice of `KC` rows stays in cache while
/// every tile uses it.
const KC: usize = 256;
/// Rows of A packed at a time in big products: 96×256 floats stay in L2.
const MC: usize = 96;
/// Products at least this large in every dimension pack both operands.
const BIG: usize = 256;

/// Floats of packing buffer a thread keeps between calls (16 MiB).
const PACK_KEEP: usize = 4 << 20;

thread_local! {
    /// Packing buffers for A and B, reused across calls.
    static PACK: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// A problem whose pointers may cross threads: each thread writes its own
/// part of C (see [`sgemm`]).
#[derive(Clone, Copy)]
struct Shared(Problem);
// SAFETY: the pointers are only read (A, B) or written in disjoint blocks (C)
// by the threads of one `sgemm` call, which outlives them.
unsafe impl Sync for Shared {}
// SAFETY: as above.
unsafe impl Send for Shared {}

impl Shared {
    // A method, not a field access, so closures capture the whole `Shared`.
    fn get(&self) -> Problem {
        self.0
    }
}

/// Products smaller than this many multiply-adds stay on one thread: a
/// helper's share would take less time than handing it over.
const PAR_MIN_FMAS: usize = 64 * 64 * 64;

/// `C = A·B` with `isa`, on up to `threads` threads of the pool.
///
/// # Safety
/// `isa` must be supported by this CPU (see [`detect`]). `a`, `b` and `c`
/// must address `m×k`, `k×n` and `m×n` matrices with the given strides; `c`
/// must not overlap `a` or `b` and must not be touched by anyone else during
/// the call.
pub unsafe fn sgemm(isa: Isa, p: Problem, threads: usize) {
    if p.m == 0 || p.n == 0 {
        return;
    }
    let threads = if p.m * p.n * p.k >= PAR_MIN_FMAS { threads } else { 1 };
    // Split the longer side of C into blocks of whole tiles, a couple per
    // thread so a late helper leaves less for the caller.
    let split_rows = p.m >= p.n;
    let (len, unit) = if split_rows { (p.m, isa.mr()) } else { (p.n, 2 * isa.lanes()) };
    // Big products repack the other operand per block: one block per thread.
    let per_thread = if p.m.min(p.n).min(p.k) >= BIG { 1 } else { 2 };
    let blocks = (threads * per_thread).min(len.div_ceil(unit));
    if threads <= 1 || blocks <= 1 {
        // SAFETY: forwarded from the caller.
        return unsafe { sgemm_block(isa, p) };
    }
    let step = len.div_ceil(blocks).next_multiple_of(unit);
    let shared = Shared(p);
    crate::backend::cpu::threads::for_each_index(len.div_ceil(step), |i| {
        let mut q = shared.get();
        let (start, end) = (i * step, ((i + 1) * step).min(len));
        // SAFETY: block i covers rows (or columns) start..end of C, disjoint from
        // every other block, and the matching rows of A (or columns of B).
        unsafe {
            if split_rows {
                q.m = end - start;
                q.a = q.a.offset(start as isize * q.rsa);
                q.c = q.c.offset(start as isize * q.rsc);
            } else {
                q.n = end - start;
                q.b = q.b.offset(start as isize * q.csb);
                q.c = q.c.offset(start as isize * q.csc);
            }
            sgemm_block(isa, q)
        }
    });
}

/// Runs one product on the calling thread.
///
/// # Safety
/// As [`sgemm`].
unsafe fn sgemm_block(isa: Isa, p: Problem) {
    let (mr, lanes) = (isa.mr(), isa.lanes());
    let nv = if p.n <= lanes { 1 } else { 2 };
    let nr = nv * lanes;
    // Big products pack both operands into tile-shaped panels: contiguous
    // panels keep a tile's working set in L1 whatever the strides (a 2048-wide
    // row-major B otherwise maps every k row to the same cache sets).
    let big = p.m >= BIG && p.n >= BIG && p.k >= BIG;
    let pack_b = big || p.csb != 1;
    let mc = if big { MC } else { p.m };
    PACK.with(|cell| {
        let mut bufs = cell.borrow_mut();
        let (pa, pb) = &mut *bufs;
        let mut pc = 0;
        loop {
            let kc = KC.min(p.k - pc);
            // The first k-slice overwrites C, later ones add to it.
            let add = pc > 0;
            // SAFETY (all pointer offsets below): they stay inside the matrices the
            // caller described, by the loop bounds, or inside the packed buffers,
            // which hold whole zero-padded panels.
            unsafe {
                if pack_b {
                    pack(pb, p.n, kc, nr, p.b.offset(pc as isize * p.rsb), p.csb, p.rsb);
                }
                for ic in (0..p.m).step_by(mc) {
                    let m_blk = mc.min(p.m - ic);
                    // wrapping: with k == 0, A may be an empty (dangling) buffer.
                    let a_blk = p.a.wrapping_offset(ic as isize * p.rsa + pc as isize * p.csa);
                    if big {
                        pack(pa, m_blk, kc, mr, a_blk, p.rsa, p.csa);
                    }
                    for j in (0..p.n).step_by(nr) {
                        let (b, rsb) = if pack_b {
                            (pb.as_ptr().add(j / nr * kc * nr), nr as isize)
                        } else {
                            (p.b.offset(pc as isize * p.rsb).add(j), p.rsb)
                        };
                        for i in (0..m_blk).step_by(mr) {
                            let a = if big {
                                Panel { p: pa.as_ptr().add(i / mr * kc * mr), rs: 1, cs: mr as isize, k: kc }
                            } else {
                                Panel { p: a_blk.offset(i as isize * p.rsa), rs: p.rsa, cs: p.csa, k: kc }
                            };
                            let tile = Tile {
                                c: p.c.offset((ic + i) as isize * p.rsc + j as isize * p.csc),
                                rsc: p.rsc,
                                csc: p.csc,
                                m: mr.min(m_blk - i),
                                n: nr.min(p.n - j),
                                add,
                            };
                            match (isa, nv) {
                                (Isa::Avx512, 1) => x86::avx512::<1>(a, b, rsb, tile),
                                (Isa::Avx512, _) => x86::avx512::<2>(a, b, rsb, tile),
                                (Isa::Avx2, 1) => x86::avx2::<1>(a, b, rsb, tile),
                                (Isa::Avx2, _) => x86::avx2::<2>(a, b, rsb, tile),
                            }
                        }
                    }
                }
            }
            pc += kc;
            if pc >= p.k {
                break;
            }
        }
        // Keep small buffers for the next call; give back what one wide product
        // needed (a 32,000-column B packs 32 MB per thread).
        for buf in [pa, pb] {
            if buf.capacity() > PACK_KEEP {
                *buf = Vec::new();
            }
        }
    });
}

/// Copies `count` lines of a matrix, each `depth` long (stride `sl` between
/// lines, `sd` along a line), into panels of `w` lines stored depth-major
/// (`w` values per depth step), zero-padding the last panel: B's columns for
/// the kernel's vector loads, or A's rows for its broadcasts.
///
/// # Safety
/// `src` must address such a matrix.
unsafe fn pack(dst: &mut Vec<f32>, count: usize, depth: usize, w: usize, src: *const f32, sl: isize, sd: isize) {
    let panels = count.div_ceil(w);
    dst.clear();
    dst.resize(panels * w * depth, 0.0);
    for p in 0..panels {
        let first = p * w;
        let lines = w.min(count - first);
        let out = &mut dst[p * w * depth..(p + 1) * w * depth];
        // SAFETY: line first + l < count and step d < depth stay inside the matrix.
        let at = |l: usize, d: usize| unsafe { *src.offset((first + l) as isize * sl + d as isize * sd) };
        // Walk the source in its contiguous direction.
        if sl.unsigned_abs() <= sd.unsigned_abs() {
            for d in 0..depth {
                for l in 0..lines {
                    out[d * w + l] = at(l, d);
                }
            }
        } else {
            for l in 0..lines {
                for d in 0..depth {
                    out[d * w + l] = at(l, d);
                }
            }
        }
    }
}

/// `MR` rows of A, `k` deep, read in place. Only the first `Tile::m` rows are
/// real; the kernel re-reads the last real row for the others.
#[derive(Clone, Copy)]
struct Panel {
    p: *const f32,
    rs: isize,
    cs: isize,
    k: usize,
}

impl Panel {
    /// Start of row `i`, clamped to the last of `m >= 1` real rows. Wrapping
    /// arithmetic: with k == 0 the rows hold nothing and may not exist.
    #[inline(always)]
    fn row(self, i: usize, m: usize) -> *const f32 {
        self.p.wrapping_offset(i.min(m - 1) as isize * self.rs)
    }
}

/// Where one tile of C lives and how much of it is real.
#[derive(Clone, Copy)]
struct Tile {
    c: *mut f32,
    rsc: isize,
    csc: isize,
    m: usize,
    n: usize,
    add: bool,
}

impl Tile {
    /// Writes (or adds) the real part of a row-major accumulator block with
    /// `nr` columns into C.
    ///
    /// # Safety
    /// `self` must describe memory the caller may write.
    #[inline(always)]
    unsafe fn store_scalar(self, acc: &[f32], nr: usize) {
        for i in 0..self.m {
            for j in 0..self.n {
                // SAFETY: (i, j) is inside the tile.
                unsafe {
                    let p = self.c.offset(i as isize * self.rsc + j as isize * self.csc);
                    *p = if self.add { *p + acc[i * nr + j] } else { acc[i * nr + j] };
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Panel, Tile};
    use std::arch::x86_64::*;

    /// What the kernel needs from a SIMD register type. Every method is
    /// `inline(always)` so that it lands inside a `target_feature` wrapper
    /// below and its intrinsics inline there. Methods are unsafe: callers must
    /// run where the ISA is enabled.
    trait Vector: Copy {
        const LANES: usize;
        /// Which lanes are real: a bit mask or a lane mask, per ISA.
        type Mask: Copy;
        unsafe fn zero() -> Self;
        unsafe fn splat(x: f32) -> Self;
        unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self;
        unsafe fn add(a: Self, b: Self) -> Self;
        unsafe fn mask(real: usize) -> Self::Mask;
        /// Masked-off lanes read as zero and are neither read nor faulted on.
        unsafe fn load(p: *const f32, m: Self::Mask) -> Self;
        unsafe fn store(p: *mut f32, m: Self::Mask, v: Self);
        unsafe fn store_all(p: *mut f32, v: Self);
    }

    impl Vector for __m512 {
        const LANES: usize = 16;
        type Mask = __mmask16;
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm512_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm512_fmadd_ps(a, b, c) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm512_add_ps(a, b) }
        }
        #[inline(always)]
        unsafe fn mask(real: usize) -> __mmask16 {
            ((1u32 << real.min(16)) - 1) as __mmask16
        }
        #[inline(always)]
        unsafe fn load(p: *const f32, m: __mmask16) -> Self {
            // SAFETY: the caller vouches for the unmasked lanes.
            unsafe { _mm512_maskz_loadu_ps(m, p) }
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, m: __mmask16, v: Self) {
            // SAFETY: as for `load`.
            unsafe { _mm512_mask_storeu_ps(p, m, v) }
        }
        #[inline(always)]
        unsafe fn store_all(p: *mut f32, v: Self) {
            // SAFETY: the caller vouches for 16 values at p.
            unsafe { _mm512_storeu_ps(p, v) }
        }
    }

    impl Vector for __m256 {
        const LANES: usize = 8;
        type Mask = __m256i;
        #[inline(always)]
        unsafe fn zero() -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm256_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn fmadd(a: Self, b: Self, c: Self) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm256_fmadd_ps(a, b, c) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe { _mm256_add_ps(a, b) }
        }
        #[inline(always)]
        unsafe fn mask(real: usize) -> __m256i {
            // SAFETY: only called inside a wrapper that enables this ISA.
            unsafe {
                _mm256_cmpgt_epi32(_mm256_set1_epi32(real.min(8) as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
            }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32, m: __m256i) -> Self {
            // SAFETY: the caller vouches for the unmasked lanes.
            unsafe { _mm256_maskload_ps(p, m) }
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, m: __m256i, v: Self) {
            // SAFETY: as for `load`.
            unsafe { _mm256_maskstore_ps(p, m, v) }
        }
        #[inline(always)]
        unsafe fn store_all(p: *mut f32, v: Self) {
            // SAFETY: the caller vouches for 8 values at p.
            unsafe { _mm256_storeu_ps(p, v) }
        }
    }

    /// 12 × (16·NV) tiles: 12·NV zmm accumulators.
    ///
    /// # Safety
    /// AVX-512F must be available; otherwise as [`kernel`].
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn avx512<const NV: usize>(a: Panel, b: *const f32, rsb: isize, t: Tile) {
        // SAFETY: forwarded.
        unsafe { kernel::<__m512, 12, NV>(a, b, rsb, t) }
    }

    /// 6 × (8·NV) tiles: 6·NV ymm accumulators.
    ///
    /// # Safety
    /// AVX2 and FMA must be available; otherwise as [`kernel`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2<const NV: usize>(a: Panel, b: *const f32, rsb: isize, t: Tile) {
        // SAFETY: forwarded.
        unsafe { kernel::<__m256, 6, NV>(a, b, rsb, t) }
    }

    /// One MR × (LANES·NV) tile of C: NV loads of B and MR broadcasts of A per
    /// k, MR·NV fused multiply-adds. Lanes past `t.n` are masked off.
    ///
    /// # Safety
    /// `V`'s instructions must be available. `a` is a panel of at least `t.m`
    /// real rows; `b` addresses `a.k` rows (stride `rsb`) of at least `t.n`
    /// contiguous values.
    #[inline(always)]
    unsafe fn kernel<V: Vector, const MR: usize, const NV: usize>(a: Panel, b: *const f32, rsb: isize, t: Tile) {
        // SAFETY (whole body): intrinsics are available by the contract; every
        // pointer stays inside the panel, B's rows or the tile, and masked-off
        // lanes are never touched.
        unsafe {
            let mask: [V::Mask; NV] = std::array::from_fn(|v| V::mask(t.n.saturating_sub(v * V::LANES)));
            let rows: [*const f32; MR] = std::array::from_fn(|i| a.row(i, t.m));
            let mut acc = [[V::zero(); NV]; MR];
            for kk in 0..a.k as isize {
                let bk = b.offset(kk * rsb);
                // wrapping_add: a fully masked vector's address may lie past B's row.
                let bv: [V; NV] = std::array::from_fn(|v| V::load(bk.wrapping_add(v * V::LANES), mask[v]));
                let off = kk * a.cs;
                for i in 0..MR {
                    let ai = V::splat(*rows[i].offset(off));
                    for v in 0..NV {
                        acc[i][v] = V::fmadd(ai, bv[v], acc[i][v]);
                    }
                }
            }
            if t.m == MR && t.csc == 1 {
                for (i, row) in acc.iter().enumerate() {
                    let p = t.c.offset(i as isize * t.rsc);
                    for v in 0..NV {
                        let q = p.wrapping_add(v * V::LANES);
                        let x = if t.add { V::add(row[v], V::load(q, mask[v])) } else { row[v] };
                        V::store(q, mask[v], x);
                    }
                }
            } else {
                // Partial rows or a strided C: through a buffer, one value at a time.
                let mut buf = [0f32; 12 * 2 * 16];
                let nr = NV * V::LANES;
                for (i, row) in acc.iter().enumerate() {
                    for v in 0..NV {
                        V::store_all(buf.as_mut_ptr().add(i * nr + v * V::LANES), row[v]);
                    }
                }
                t.store_scalar(&buf, nr);
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod x86 {
    use super::{Panel, Tile};
    pub(super) unsafe fn avx512<const NV: usize>(_: Panel, _: *const f32, _: isize, _: Tile) {
        unreachable!("detect() never picks an x86 kernel elsewhere")
    }
    pub(super) unsafe fn avx2<const NV: usize>(_: Panel, _: *const f32, _: isize, _: Tile) {
        unreachable!("detect() never picks an x86 kernel elsewhere")
    }
}
