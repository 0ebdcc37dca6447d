//! The strided walker `iter::Plan`: every element visited exactly once at the
//! right offsets (against brute force), dims merged into long runs, and the
//! `pieces` split used for threading covering every element exactly once.

mod common;

use common::{for_each_index, numel, Rng};
use rtensor_core::backend::cpu::iter::{Piece, Plan, PAR_MIN};
use rtensor_core::layout::contiguous_strides;
use rtensor_core::Layout;
use std::sync::atomic::{AtomicU32, Ordering};

/// A random layout of `shape` whose lowest element is at a small offset, of one of the
/// kinds kernels meet: contiguous, transposed, broadcast (stride 0), flipped
/// (negative strides), stepped with an offset, or arbitrary signed strides.
fn random_layout(shape: &[usize], rng: &mut Rng) -> Layout {
    let r = shape.len();
    let base = rng.below(4);
    let mut strides: Vec<isize> = contiguous_strides(shape).to_vec();
    match rng.below(6) {
        0 => {}
        1 => {
            let p = rng.perm(r);
            let permuted: Vec<usize> = p.iter().map(|&k| shape[k]).collect();
            let cs = contiguous_strides(&permuted);
            for (k, &pk) in p.iter().enumerate() {
                strides[pk] = cs[k];
            }
        }
        2 => {
            for s in strides.iter_mut() {
                if rng.one_in(2) {
                    *s = 0;
                }
            }
        }
        3 => {
            for s in strides.iter_mut() {
                if rng.one_in(2) {
                    *s = -*s;
                }
            }
        }
        4 => {
            for s in strides.iter_mut() {
                *s *= 2 * if rng.one_in(3) { -1 } else { 1 };
            }
        }
        _ => {
            for s in strides.iter_mut() {
                *s = rng.int(-6, 6) as isize;
            }
        }
    }
    // Shift so the lowest reachable element is at `base`.
    let low: isize = shape.iter().zip(&strides).map(|(&d, &s)| ((d as isize - 1) * s).min(0)).sum();
    let offset = if numel(shape) == 0 { base } else { (base as isize - low) as usize };
    Layout::new("test", shape, &strides, offset).unwrap()
}

fn random_shape(rng: &mut Rng) -> Vec<usize> {
    (0..rng.below(5)).map(|_| if rng.one_in(8) { 9 } else { rng.below(6) }).collect()
}

/// Offset tuples of every logical element, by brute force, sorted.
fn brute<const N: usize>(shape: &[usize], ls: [&Layout; N]) -> Vec<[isize; N]> {
    let mut v = vec![];
    for_each_index(shape, |idx| v.push(std::array::from_fn(|o| ls[o].offset_of(idx))));
    v.sort_unstable();
    v
}

/// Appends the offsets of every element of one run.
fn push_run<const N: usize>(out: &mut Vec<[isize; N]>, offs: [isize; N], len: usize, st: [isize; N]) {
    for i in 0..len as isize {
        out.push(std::array::from_fn(|o| offs[o] + i * st[o]));
    }
}

fn walked<const N: usize>(plan: &Plan<N>) -> Vec<[isize; N]> {
    let mut v = vec![];
    plan.for_each(|offs, len, st| push_run(&mut v, offs, len, st));
    v.sort_unstable();
    v
}

fn walked_in_pieces<const N: usize>(plan: &Plan<N>, k: usize) -> Vec<[isize; N]> {
    let mut v = vec![];
    for p in plan.pieces(k) {
        plan.run_piece(&p, |offs, len, st| push_run(&mut v, offs, len, st));
    }
    v.sort_unstable();
    v
}

fn check_random<const N: usize>(seed: u64) {
    let mut rng = Rng::new(seed);
    let shape = random_shape(&mut rng);
    let ls: [Layout; N] = std::array::from_fn(|_| random_layout(&shape, &mut rng));
    let refs: [&Layout; N] = std::array::from_fn(|o| &ls[o]);
    let lead = rng.below(N);
    let plan = Plan::new(&shape, refs, lead);
    let ctx = format!("seed {seed}, shape {shape:?}, layouts {ls:?}, lead {lead}, plan {plan:?}");
    assert_eq!(plan.numel, numel(&shape), "{ctx}");
    assert!(plan.shape.len() <= shape.iter().filter(|&&d| d != 1).count(), "size-1 dims must be dropped: {ctx}");
    let want = brute(&shape, refs);
    assert_eq!(walked(&plan), want, "for_each: {ctx}");
    for k in 1..8 {
        assert_eq!(walked_in_pieces(&plan, k), want, "pieces({k}): {ctx}");
    }
}

/// `for_each` and every `pieces(k)` split visit each element once, at the
/// offsets brute force gives, for 1, 2 and 3 operands with random layouts.
#[test]
fn random_layouts_visit_every_element_once() {
    for seed in 0..1500 {
        check_random::<1>(seed);
        check_random::<2>(seed + 100_000);
        check_random::<3>(seed + 200_000);
    }
}

/// The runs of a plan, in walk order.
fn runs<const N: usize>(plan: &Plan<N>) -> Vec<([isize; N], usize, [isize; N])> {
    let mut v = vec![];
    plan.for_each(|offs, len, st| v.push((offs, len, st)));
    v
}

/// Contiguous operands merge into one run of stride 1, whatever their offsets
/// and size-1 dims; so does a transposed operand walked alone (dims are
/// reordered by stride), and a fully flipped one (stride -1).
#[test]
fn contiguous_dims_merge_into_one_run() {
    for shape in [vec![], vec![7], vec![2, 3], vec![1, 3, 1, 4], vec![2, 3, 4, 5]] {
        let n = numel(&shape);
        let a = Layout::new("test", &shape, &contiguous_strides(&shape), 5).unwrap();
        let b = Layout::contiguous(&shape);
        let plan = Plan::new(&shape, [&a, &b, &b], 0);
        assert_eq!(runs(&plan), vec![([5, 0, 0], n, [1, 1, 1])], "contiguous {shape:?}");

        let p: Vec<usize> = (0..shape.len()).rev().collect();
        let t = Layout::contiguous(&shape).permute(&p).unwrap();
        let plan = Plan::new(t.shape(), [&t], 0);
        assert_eq!(runs(&plan), vec![([0], n, [1])], "transposed {shape:?}");

        let all: Vec<usize> = (0..shape.len()).collect();
        let f = Layout::contiguous(&shape).flip(&all);
        let plan = Plan::new(&shape, [&f], 0);
        let want_stride = if shape.iter().any(|&d| d > 1) { -1 } else { 1 };
        assert_eq!(runs(&plan), vec![([n as isize - 1], n, [want_stride])], "flipped {shape:?}");
    }
}

/// Broadcast inputs: a scalar (all strides 0) still merges with a contiguous
/// output into one run of input stride 0; a row or column broadcast cannot merge.
#[test]
fn broadcast_operands_merge_only_where_contiguous_for_all() {
    let out = Layout::contiguous(&[4, 5]);
    let scalar = Layout::contiguous(&[]).expand("t", &[4, 5]).unwrap();
    let plan = Plan::new(&[4, 5], [&out, &scalar], 0);
    assert_eq!(runs(&plan), vec![([0, 0], 20, [1, 0])]);

    let row = Layout::contiguous(&[5]).expand("t", &[4, 5]).unwrap();
    let plan = Plan::new(&[4, 5], [&out, &row], 0);
    assert_eq!(plan.shape.as_slice(), &[4, 5]);
    assert_eq!(runs(&plan).len(), 4);

    let col = Layout::contiguous(&[4, 1]).expand("t", &[4, 5]).unwrap();
    let plan = Plan::new(&[4, 5], [&out, &col], 0);
    assert_eq!(plan.shape.as_slice(), &[4, 5]);
    assert_eq!(runs(&plan)[1], ([5, 1], 5, [1, 0]));
}

/// Plans with few long runs are split into chunks of runs; the chunks still
/// cover every element exactly once, for every number of parts.
#[test]
fn few_long_runs_are_chunked_and_covered_once() {
    // (shape, layout): one run of 1000, two stepped runs of 300, three of 130.
    let long = Layout::contiguous(&[1000]);
    let two = Layout::contiguous(&[4, 300]).slice(0, 0, 2, 2).unwrap();
    let three = Layout::contiguous(&[3, 131]).slice(1, 1, 130, 1).unwrap().flip(&[1]);
    for l in [long, two, three] {
        let out = Layout::contiguous(l.shape());
        let plan = Plan::new(l.shape(), [&out, &l], 0);
        let n_runs = runs(&plan).len();
        let want = brute(l.shape(), [&out, &l]);
        for k in 1..8 {
            let pieces = plan.pieces(k);
            if k > n_runs {
                assert!(pieces.iter().all(|p| matches!(p, Piece::Chunk(..))), "{l:?}: {k} parts of {n_runs} runs");
            }
            assert_eq!(walked_in_pieces(&plan, k), want, "{l:?}, pieces({k}) = {pieces:?}");
        }
    }
}

/// `pieces(k)` is documented to return at most `k` pieces.
#[test]
fn pieces_respects_the_part_count() {
    let l = Layout::contiguous(&[4, 300]).slice(0, 0, 2, 2).unwrap(); // 2 runs of 300
    let out = Layout::contiguous(l.shape());
    let plan = Plan::new(l.shape(), [&out, &l], 0);
    for k in 1..8 {
        let n = plan.pieces(k).len();
        assert!(n <= k, "pieces({k}) returned {n} pieces");
    }
}

/// `par_for_each` on plans large enough to use the thread pool (as runs and as
/// chunks of one run) writes every output element exactly once.
#[test]
fn par_for_each_visits_each_output_element_once() {
    let n = 2 * PAR_MIN + 77;
    let transposed = Layout::contiguous(&[n / 97, 97]).transpose(0, 1);
    let cases = [
        (Layout::contiguous(&[n]), Layout::contiguous(&[n]).flip(&[0])),
        (transposed.clone(), Layout::contiguous(&[97]).unsqueeze(1).expand("t", &[97, n as i64 / 97]).unwrap()),
        (
            Layout::contiguous(&[3, n / 3]).flip(&[1]),
            Layout::contiguous(&[n / 3]).expand("t", &[3, n as i64 / 3]).unwrap(),
        ),
    ];
    for (out, input) in cases {
        let counts: Vec<AtomicU32> = (0..n + 1).map(|_| AtomicU32::new(0)).collect();
        let plan = Plan::new(out.shape(), [&out, &input], 0);
        plan.par_for_each(|offs, len, st| {
            for i in 0..len as isize {
                counts[(offs[0] + i * st[0]) as usize].fetch_add(1, Ordering::Relaxed);
            }
        });
        let mut want = vec![0u32; n + 1];
        for o in common::offsets(&out) {
            want[o as usize] += 1;
        }
        let got: Vec<u32> = counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert!(got == want, "par_for_each over {out:?} missed or repeated elements");
    }
}
