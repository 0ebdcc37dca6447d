//! The one strided walker every CPU kernel goes through.
//!
//! A [`Plan`] takes N operands that share one shape (inputs are broadcast to the
//! output shape beforehand, as stride-0 views), drops size-1 dims, orders dims by
//! the lead operand's strides (largest outermost) and merges neighbours that are
//! contiguous for *every* operand. What is left is a set of inner *runs*: a
//! kernel receives `(offsets, len, inner_strides)` for each run and picks its
//! loop from the inner strides: all 1 (a slice loop the compiler vectorises),
//! some 0 (scalar broadcast), or anything else (generic, negative included).
//!
//! Large plans are split over the thread pool by whole runs, or by chunks of the
//! single run when there are too few runs.

use crate::layout::{Dims, Layout, Strides};
use smallvec::SmallVec;

/// Below this many elements a kernel runs on the calling thread: splitting a
/// cache-resident 256×256 operand over two threads made `h + b` and `h.sum(0)`
/// slower (7 → 9 µs), even with the pool's helpers awake (measured on the MLP
/// benchmark with 1 << 16 here).
pub const PAR_MIN: usize = 1 << 18;

#[derive(Clone, Debug)]
pub struct Plan<const N: usize> {
    /// Merged shape, innermost last; empty for a single element.
    pub shape: Dims,
    pub strides: [Strides; N],
    pub offsets: [isize; N],
    pub numel: usize,
}

impl<const N: usize> Plan<N> {
    /// Builds a plan for operands that all have `shape`. `lead` picks the operand
    /// whose memory order the walk follows (the output, or a reduction's input).
    pub fn new(shape: &[usize], layouts: [&Layout; N], lead: usize) -> Plan<N> {
        let numel: usize = shape.iter().product();
        let mut dims: SmallVec<[usize; 6]> = (0..shape.len()).filter(|&k| shape[k] != 1).collect();
        // Stable insertion sort: larger |stride| of the lead operand goes outward;
        // ties keep their order, so contiguous inputs are never reordered.
        for i in 1..dims.len() {
            let mut j = i;
            while j > 0 {
                let (a, b) = (dims[j - 1], dims[j]);
                let sa = layouts[lead].strides()[a].unsigned_abs();
                let sb = layouts[lead].strides()[b].unsigned_abs();
                if sa < sb {
                    dims.swap(j - 1, j);
                    j -= 1;
                } else {
                    break;
                }
            }
        }
        let mut m_shape: Dims = Dims::new();
        let mut m_strides: [Strides; N] = std::array::from_fn(|_| Strides::new());
        for &k in &dims {
            // The outer (already placed) dim and dim k form one run for every
            // operand when outer stride == inner stride * inner size.
            let can_merge = !m_shape.is_empty()
                && (0..N)
                    .all(|o| m_strides[o].last() == layouts[o].strides()[k].checked_mul(shape[k] as isize).as_ref());
            if can_merge {
                let n = m_shape.len() - 1;
                m_shape[n] *= shape[k];
                for o in 0..N {
                    m_strides[o][n] = layouts[o].strides()[k];
                }
            } else {
                m_shape.push(shape[k]);
                for o in 0..N {
                    m_strides[o].push(layouts[o].strides()[k]);
                }
            }
        }
        Plan {
            shape: m_shape,
            strides: m_strides,
            offsets: std::array::from_fn(|o| layouts[o].offset() as isize),
            numel,
        }
    }

    fn inner_len(&self) -> usize {
        self.shape.last().copied().unwrap_or(1)
    }

    fn inner_strides(&self) -> [isize; N] {
        std::array::from_fn(|o| self.strides[o].last().copied().unwrap_or(1))
    }

    fn n_runs(&self) -> usize {
        if self.numel == 0 {
            0
        } else {
            self.numel / self.inner_len()
        }
    }

    /// Offsets of the first element of run number `r` (row-major over outer dims).
    fn run_offsets(&self, mut r: usize) -> [isize; N] {
        let mut offs = self.offsets;
        let outer = self.shape.len().saturating_sub(1);
        for k in (0..outer).rev() {
            let i = r % self.shape[k];
            r /= self.shape[k];
            for o in 0..N {
                offs[o] += i as isize * self.strides[o][k];
            }
        }
        offs
    }

    /// Calls `f(offsets, len, inner_strides)` for runs `start..end` in order.
    fn walk_runs(&self, start: usize, end: usize, f: &mut impl FnMut([isize; N], usize, [isize; N])) {
        if start >= end {
            return;
        }
        let len = self.inner_len();
        let inner = self.inner_strides();
        let outer = self.shape.len().saturating_sub(1);
        // An odometer over the outer dims, started at run `start`.
        let mut idx: SmallVec<[usize; 6]> = SmallVec::from_elem(0, outer);
        let mut r = start;
        for k in (0..outer).rev() {
            idx[k] = r % self.shape[k];
            r /= self.shape[k];
        }
        let mut offs = self.run_offsets(start);
        for _ in start..end {
            f(offs, len, inner);
            for k in (0..outer).rev() {
                idx[k] += 1;
                for o in 0..N {
                    offs[o] += self.strides[o][k];
                }
                if idx[k] < self.shape[k] {
                    break;
                }
                for o in 0..N {
                    offs[o] -= self.strides[o][k] * self.shape[k] as isize;
                }
                idx[k] = 0;
            }
        }
    }

    /// Runs every run on the calling thread.
    pub fn for_each(&self, mut f: impl FnMut([isize; N], usize, [isize; N])) {
        self.walk_runs(0, self.n_runs(), &mut f);
    }

    /// Splits the plan into at most `parts` disjoint pieces, each a list of runs
    /// (possibly a chunk of one run), and calls `f(piece_index, sub_walk)`.
    /// Pieces cover every element exactly once.
    pub fn pieces(&self, parts: usize) -> Vec<Piece> {
        let runs = self.n_runs();
        let len = self.inner_len();
        if runs == 0 {
            return vec![];
        }
        if runs >= parts {
            let per = runs.div_ceil(parts);
            (0..parts)
                .map(|p| Piece::Runs(p * per, ((p + 1) * per).min(runs)))
                .filter(|p| matches!(p, Piece::Runs(a, b) if a < b))
                .collect()
        } else {
            // Few long runs: cut each run into chunks (64-element aligned).
            let chunks = (parts / runs).max(1);
            let per = len.div_ceil(chunks).next_multiple_of(64);
            let mut v = Vec::new();
            for r in 0..runs {
                let mut s = 0;
                while s < len {
                    v.push(Piece::Chunk(r, s, (s + per).min(len)));
                    s += per;
                }
            }
            v
        }
    }

    /// Runs one piece from [`Plan::pieces`].
    pub fn run_piece(&self, piece: &Piece, mut f: impl FnMut([isize; N], usize, [isize; N])) {
        match *piece {
            Piece::Runs(a, b) => self.walk_runs(a, b, &mut f),
            Piece::Chunk(r, s, e) => {
                let inner = self.inner_strides();
                let mut offs = self.run_offsets(r);
                for o in 0..N {
                    offs[o] += s as isize * inner[o];
                }
                f(offs, e - s, inner)
            }
        }
    }

    /// Runs every run, on the thread pool when the plan is large. `f` must only
    /// write elements that belong to the runs it is given.
    pub fn par_for_each(&self, f: impl Fn([isize; N], usize, [isize; N]) + Sync) {
        let threads = crate::backend::cpu::threads::num_threads();
        if self.numel < PAR_MIN || threads <= 1 {
            return self.for_each(f);
        }
        let pieces = self.pieces(threads * 4);
        crate::backend::cpu::threads::for_each_index(pieces.len(), |i| self.run_piece(&pieces[i], &f));
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Piece {
    /// Whole runs `start..end`.
    Runs(usize, usize),
    /// Elements `start..end` of run `r`.
    Chunk(usize, usize, usize),
}

/// A raw pointer that may cross threads. Kernels hand each thread disjoint
/// elements (see `Plan::par_for_each`), which is what makes sharing it sound.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
// SAFETY: only used to carry a storage base pointer into pool threads; the
// plan gives every thread disjoint output elements, and inputs are only read.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}
