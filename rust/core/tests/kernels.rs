//! Ops per dtype against naive loops: binary ops with broadcasting and
//! non-contiguous inputs, type promotion, unary maps, reductions, matmul, cat,
//! advanced indexing, creation ops, and the error paths users hit.
//! Inputs are exactly representable values, so most comparisons are exact.

mod common;

use common::naive::*;
use common::*;
use rtensor_core::dtype::{promote_types, result_type, Category, Operand, ALL_DTYPES};
use rtensor_core::ops::index::{index, IndexItem};
use rtensor_core::ops::reduce::{arg_reduce, mean, reduce, var};
use rtensor_core::ops::{ArgReduceOp, ReduceOp};

/// `max`/`min` along a dim, as the tests below were first written.
fn arg_extreme(t: &Tensor, dim: i64, keepdim: bool, is_max: bool) -> rtensor_core::Result<(Tensor, Tensor)> {
    arg_reduce(if is_max { ArgReduceOp::Max } else { ArgReduceOp::Min }, t, dim, keepdim)
}
use rtensor_core::ops::{self, binary::binary, creation, shape, Arg, BinaryOp, UnaryOp};
use rtensor_core::{DType, ErrorKind, Scalar, Tensor};
use BinaryOp::*;
use DType::*;

/// Checks `binary(op, a, b)` (dtypes may differ) against `reference` in the promoted dtype.
fn check_binary(op: BinaryOp, a: &Tensor, b: &Tensor, ctx: &str) {
    let cdt = promote_types(a.dtype(), b.dtype());
    let rdt = if matches!(op, Eq | Lt) {
        Bool
    } else if op == Div && !cdt.is_float() {
        F32
    } else {
        cdt
    };
    let r = binary(op, Arg::T(a), Arg::T(b), None).unwrap_or_else(|e| panic!("{ctx}: {e}"));
    let shape = broadcast(a.shape(), b.shape());
    assert_eq!((r.shape(), r.dtype()), (&shape[..], rdt), "{ctx}");
    let (xs, ys) = (round_to(&read_f64(a), cdt), round_to(&read_f64(b), cdt));
    let mut want = vec![];
    for_each_index(&shape, |i| want.push(reference(op, cdt, xs[bcast_pos(a.shape(), i)], ys[bcast_pos(b.shape(), i)])));
    assert_close(&read_f64(&r), &round_to(&want, rdt), tol(rdt), ctx);
}

const SHAPES: [(&[usize], &[usize]); 7] = [
    (&[3, 4], &[3, 4]),
    (&[2, 3, 4], &[3, 1]),
    (&[4, 1], &[1, 5]),
    (&[], &[3, 2]),
    (&[5], &[]),
    (&[2, 1, 3], &[2, 4, 1]),
    (&[3, 0], &[1]),
];

/// Every binary op on every dtype where it is defined, with broadcasting, strided
/// and flipped inputs, explicitly expanded (stride-0) inputs and the same-shape fast path.
#[test]
fn binary_ops_match_naive_loops_for_every_dtype() {
    for dt in ALL_DTYPES {
        for op in [Add, Sub, Mul, Div, FloorDiv, Rem, Maximum, Eq, Lt] {
            if dt == Bool && matches!(op, Sub | FloorDiv | Rem) {
                continue;
            }
            for (case, (sa, sb)) in SHAPES.iter().enumerate() {
                let mut rng = Rng::new(case as u64 * 1000 + dt as u64 * 31 + op as u64);
                let av = samples(dt, numel(sa), &mut rng);
                let mut bv = samples(dt, numel(sb), &mut rng);
                if matches!(op, Div | FloorDiv | Rem) {
                    bv.iter_mut()
                        .filter(|v| **v == 0.0)
                        .for_each(|v| *v = if dt == I8 || dt.is_float() { -3.0 } else { 3.0 });
                }
                let a = if case == 0 { tensor(&av, sa, dt) } else { strided(&av, sa, dt, &mut rng) };
                let mut b = if case == 0 { tensor(&bv, sb, dt) } else { strided(&bv, sb, dt, &mut rng) };
                if rng.one_in(3) {
                    let full: Vec<i64> = broadcast(sa, sb).iter().map(|&d| d as i64).collect();
                    b = shape::expand(&b, &full).unwrap();
                }
                check_binary(op, &a, &b, &format!("{dt} {op:?} case {case}: {a:?} and {b:?}"));
            }
        }
    }
}

/// Mixed dtypes: the result has the promoted dtype and the values of the op
/// computed in it (`sub` with a bool tensor is an error, as in PyTorch).
#[test]
fn binary_ops_promote_mixed_dtypes() {
    for da in ALL_DTYPES {
        for db in ALL_DTYPES {
            let mut rng = Rng::new(da as u64 * 16 + db as u64);
            let a = strided(&samples(da, 6, &mut rng), &[2, 3], da, &mut rng);
            let b = strided(&samples(db, 3, &mut rng), &[3], db, &mut rng);
            assert_eq!(promote_types(da, db), result_type(&[Operand::Dim(da), Operand::Dim(db)]));
            for op in [Add, Mul, Maximum, Lt] {
                check_binary(op, &a, &b, &format!("{da} {op:?} {db}"));
            }
            let sub = binary(Sub, Arg::T(&a), Arg::T(&b), None);
            if da == Bool || db == Bool {
                assert_eq!(sub.map(|_| ()).map_err(|e| e.kind), Err(ErrorKind::Runtime), "{da} - {db}");
            } else {
                check_binary(Sub, &a, &b, &format!("{da} - {db}"));
            }
        }
    }
}

/// PyTorch's promotion table: Python scalars and 0-d tensors only count when
/// they raise the category; `binary` really produces the dtype `result_type` names.
#[test]
fn type_promotion_table() {
    use Operand::{Dim, Scalar as S, ZeroDim};
    let cases: &[(&[Operand], DType)] = &[
        (&[Dim(I32), S(Category::Float)], F32),
        (&[Dim(I8), ZeroDim(I64)], I8),
        (&[Dim(I32), ZeroDim(F64)], F64),
        (&[Dim(Bool), S(Category::Int)], I64),
        (&[Dim(U8), Dim(I8)], I16),
        (&[Dim(F16), Dim(BF16)], F32),
        (&[Dim(F16), S(Category::Float)], F16),
        (&[Dim(F16), ZeroDim(F64)], F16),
        (&[Dim(U8), S(Category::Int)], U8),
        (&[Dim(Bool), ZeroDim(U8)], U8),
        (&[ZeroDim(I32), S(Category::Float)], F32),
        (&[ZeroDim(F64), Dim(F32)], F32),
        (&[Dim(I64), Dim(F16)], F16),
        (&[S(Category::Int), S(Category::Bool)], I64),
    ];
    for (ops, want) in cases {
        assert_eq!(result_type(ops), *want, "result_type({ops:?})");
    }
    let t = |dt, shape: &[usize]| Tensor::zeros(dt, shape);
    let (i32v, i8v, boolv, u8v) = (t(I32, &[2]), t(I8, &[2]), t(Bool, &[2]), t(U8, &[2]));
    let got = |a: &Tensor, b: Arg| binary(Add, Arg::T(a), b, None).unwrap().dtype();
    assert_eq!(got(&i32v, Arg::S(Scalar::Float(2.5))), F32);
    assert_eq!(got(&i8v, Arg::T(&t(I64, &[]))), I8);
    assert_eq!(got(&i32v, Arg::T(&t(F64, &[]))), F64);
    assert_eq!(got(&boolv, Arg::S(Scalar::Int(3))), I64);
    assert_eq!(got(&u8v, Arg::T(&i8v)), I16);
    assert_eq!(got(&t(F16, &[2]), Arg::T(&t(BF16, &[2]))), F32);
    // Values too: 200u8 + 100 wraps in uint8; int32 + 2.5 is a float32 2.5.
    let u = tensor(&[200.0, 1.0], &[2], U8);
    assert_eq!(read_i64(&binary(Add, Arg::T(&u), Arg::S(Scalar::Int(100)), None).unwrap()), vec![44, 101]);
    assert_eq!(read_f64(&binary(Add, Arg::T(&i32v), Arg::S(Scalar::Float(2.5)), None).unwrap()), vec![2.5, 2.5]);
}

/// exp, sqrt, neg, abs on float32, float64 and int32 (exp/sqrt of ints are float32).
#[test]
fn unary_ops_match_std() {
    let mut rng = Rng::new(7);
    for dt in [F32, F64, I32] {
        let vals: Vec<f64> =
            (0..24).map(|_| if dt == I32 { rng.int(-20, 20) as f64 } else { sample(dt, &mut rng) }).collect();
        let x = strided(&vals, &[2, 3, 4], dt, &mut rng);
        let fdt = if dt == I32 { F32 } else { dt };
        let cases: [(UnaryOp, DType, fn(f64) -> f64); 4] = [
            (UnaryOp::Exp, fdt, f64::exp),
            (UnaryOp::Sqrt, fdt, |v| v.abs().sqrt()),
            (UnaryOp::Neg, dt, |v| -v),
            (UnaryOp::Abs, dt, f64::abs),
        ];
        for (op, rdt, f) in cases {
            let input =
                if op == UnaryOp::Sqrt { ops::unary::unary(UnaryOp::Abs, &x, None).unwrap() } else { x.clone() };
            let r = ops::unary::unary(op, &input, None).unwrap();
            assert_eq!((r.dtype(), r.shape()), (rdt, x.shape()), "{op:?} {dt}");
            let want: Vec<f64> = vals.iter().map(|&v| f(v)).collect();
            assert_close(&read_f64(&r), &round_to(&want, rdt), tol(rdt) * 4.0, &format!("{op:?} {dt}"));
        }
    }
    let b = Tensor::zeros(Bool, &[2]);
    assert_eq!(ops::unary::unary(UnaryOp::Neg, &b, None).map(|_| ()).map_err(|e| e.kind), Err(ErrorKind::Runtime));
}

/// sum/amax over random dim sets (negative dims too) with and without keepdim,
/// on strided inputs; mean and var (corrections 0, 1, 2) likewise.
#[test]
fn reductions_over_dims_match_naive() {
    let shape = [3usize, 4, 5];
    for seed in 0..60 {
        let mut rng = Rng::new(seed);
        let mask: Vec<bool> = (0..3).map(|_| rng.one_in(2)).collect();
        let dims: Vec<i64> =
            (0..3).filter(|&k| mask[k]).map(|k| if rng.one_in(2) { k as i64 - 3 } else { k as i64 }).collect();
        let mask = if dims.is_empty() { vec![true; 3] } else { mask }; // [] means all
        let keepdim = rng.one_in(2);
        let out_shape: Vec<usize> =
            (0..3).filter(|&k| keepdim || !mask[k]).map(|k| if mask[k] { 1 } else { shape[k] }).collect();
        let ctx = format!("seed {seed}: dims {dims:?} keepdim {keepdim}");
        for dt in [F64, I32, F32] {
            let vals = samples(dt, 60, &mut rng);
            let x = strided(&vals, &shape, dt, &mut rng);
            let sum = reduce(ReduceOp::Sum, &x, Some(&dims), keepdim, None).unwrap();
            assert_eq!((sum.shape(), sum.dtype()), (&out_shape[..], if dt == I32 { I64 } else { dt }), "{ctx}");
            assert_close(
                &read_f64(&sum),
                &naive_fold(&vals, &shape, &mask, 0.0, |a, b| a + b),
                tol(dt),
                &format!("sum {dt} {ctx}"),
            );
            let amax = reduce(ReduceOp::Amax, &x, Some(&dims), keepdim, None).unwrap();
            assert_eq!((amax.shape(), amax.dtype()), (&out_shape[..], dt), "{ctx}");
            assert_eq!(
                read_f64(&amax),
                naive_fold(&vals, &shape, &mask, f64::NEG_INFINITY, f64::max),
                "amax {dt} {ctx}"
            );
            if dt == I32 {
                continue;
            }
            let count = (0..3).filter(|&k| mask[k]).map(|k| shape[k]).product::<usize>() as f64;
            let m: Vec<f64> = naive_fold(&vals, &shape, &mask, 0.0, |a, b| a + b).iter().map(|s| s / count).collect();
            assert_close(
                &read_f64(&mean(&x, Some(&dims), keepdim, None).unwrap()),
                &m,
                tol(dt),
                &format!("mean {ctx}"),
            );
            // Sum of squared deviations: sum(x^2) - count * mean^2 (exact enough here).
            let sq: Vec<f64> = vals.iter().map(|v| v * v).collect();
            let ss: Vec<f64> = naive_fold(&sq, &shape, &mask, 0.0, |a, b| a + b)
                .iter()
                .zip(&m)
                .map(|(s, m)| s - count * m * m)
                .collect();
            for c in [0.0, 1.0, 2.0] {
                let want: Vec<f64> = ss.iter().map(|s| s / (count - c).max(0.0)).collect();
                let got = read_f64(&var(&x, Some(&dims), c, keepdim).unwrap());
                assert_close(&got, &want, tol(dt) * 4.0, &format!("var {dt} correction {c} {ctx}"));
            }
        }
    }
}

/// Reductions read broadcast (stride-0) views without materialising them.
#[test]
fn reductions_of_broadcast_views() {
    let row = shape::expand(&tensor(&[1.0, 2.0, 3.0], &[3], F64), &[4, 3]).unwrap();
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &row, Some(&[0]), false, None).unwrap()), vec![4.0, 8.0, 12.0]);
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &row, Some(&[1]), true, None).unwrap()), vec![6.0; 4]);
    assert_eq!(read_f64(&mean(&row, None, false, None).unwrap()), vec![2.0]);
    let (_, i) = arg_extreme(&row, 1, false, true).unwrap();
    assert_eq!(read_i64(&i), vec![2; 4]);
    let (_, i) = arg_extreme(&row, 0, false, false).unwrap();
    assert_eq!(read_i64(&i), vec![0; 3], "ties along a stride-0 dim pick index 0");
}

/// Reductions big enough to be split over threads (by runs and by chunks) are exact.
#[test]
fn large_reductions_split_over_threads() {
    let n = 100_003;
    let vals: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
    let x = tensor(&vals, &[n], F64);
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &x, None, false, None).unwrap()), vec![vals.iter().sum::<f64>()]);
    let mut big = vals.clone();
    big[n / 3] = 100.0;
    assert_eq!(read_f64(&reduce(ReduceOp::Amax, &tensor(&big, &[n], F32), None, false, None).unwrap()), vec![100.0]);
    let m = n / 3;
    let rows = tensor(&vals[..3 * m], &[3, m], I32);
    let want_rows = naive_fold(&vals[..3 * m], &[3, m], &[false, true], 0.0, |a, b| a + b);
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &rows, Some(&[1]), false, None).unwrap()), want_rows);
    let cols = shape::transpose(&rows, 0, 1).unwrap(); // (n/3, 3), reduce the long dim
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &cols, Some(&[0]), false, None).unwrap()), want_rows);
    // One long run of kept elements, split into chunks with their own accumulators.
    let lone = shape::unsqueeze(&tensor(&vals[..60_000], &[60_000], F64), 0).unwrap();
    assert_eq!(read_f64(&reduce(ReduceOp::Sum, &lone, Some(&[0]), false, None).unwrap()), &vals[..60_000]);
}

/// max/min along a dim return the first index among ties, and NaN wins.
#[test]
fn arg_extreme_ties_pick_first_index() {
    for dt in [F32, I32] {
        let t = tensor(&[1.0, 3.0, 3.0, 2.0, 2.0, 1.0], &[2, 3], dt);
        let (v, i) = arg_extreme(&t, 1, false, true).unwrap();
        assert_eq!((read_f64(&v), read_i64(&i)), (vec![3.0, 2.0], vec![1, 0]), "max {dt}");
        let (v, i) = arg_extreme(&t, -1, true, false).unwrap();
        assert_eq!((read_f64(&v), read_i64(&i), i.shape()), (vec![1.0, 1.0], vec![0, 2], &[2usize, 1][..]), "min {dt}");
        let (_, i) = arg_extreme(&shape::transpose(&t, 0, 1).unwrap(), 0, false, true).unwrap();
        assert_eq!(read_i64(&i), vec![1, 0], "max of a transposed view {dt}");
        let (_, i) = arg_extreme(&t, 0, false, true).unwrap();
        assert_eq!(read_i64(&i), vec![1, 0, 0], "max over dim 0 {dt}");
    }
    let t = tensor(&[1.0, f64::NAN, 5.0, f64::NAN], &[4], F64);
    for is_max in [true, false] {
        let (v, i) = arg_extreme(&t, 0, false, is_max).unwrap();
        assert!(read_f64(&v)[0].is_nan() && read_i64(&i) == vec![1], "NaN must win (is_max {is_max})");
    }
}

/// matmul for float32/64, float16, bfloat16 and int64 on strided/transposed
/// inputs, 1-d operands, broadcast batches, k = 0, and one product big enough
/// for gemm's threaded path.
#[test]
fn matmul_matches_naive_triple_loop() {
    let cases: [(&[usize], &[usize]); 9] = [
        (&[3, 4], &[4, 5]),
        (&[2, 1, 3, 4], &[3, 4, 2]),
        (&[4], &[2, 4, 3]),
        (&[2, 3, 4], &[4]),
        (&[4], &[4]),
        (&[1, 3], &[3, 1]),
        (&[2, 3, 0], &[0, 4]),
        (&[65, 64], &[64, 70]),
        (&[8, 1, 2, 3], &[5, 3, 9]),
    ];
    for dt in [F32, F64, F16, I64, BF16] {
        for (c, (sa, sb)) in cases.iter().enumerate() {
            let mut rng = Rng::new(c as u64 + 100 * dt as u64);
            let av: Vec<f64> = (0..numel(sa)).map(|_| rng.int(-3, 3) as f64).collect();
            let bv: Vec<f64> = (0..numel(sb)).map(|_| rng.int(-3, 3) as f64).collect();
            let (a, b) = (strided(&av, sa, dt, &mut rng), strided(&bv, sb, dt, &mut rng));
            let r = ops::matmul::matmul(&a, &b).unwrap_or_else(|e| panic!("{dt} {sa:?}@{sb:?}: {e}"));
            let (want, shape) = naive_matmul(&av, sa, &bv, sb);
            assert_eq!((r.shape(), r.dtype()), (&shape[..], dt), "{dt} {sa:?}@{sb:?}");
            // Exact for small integers, except that bfloat16 rounds sums above 256.
            assert_close(&read_f64(&r), &round_to(&want, dt), 0.0, &format!("{dt} {sa:?} @ {sb:?} with {a:?} @ {b:?}"));
        }
    }
    // Broadcast (stride-0) rows and columns inside the matrices themselves.
    for dt in [F32, F64, F16, I64, BF16] {
        let a = shape::expand(&tensor(&[1.0, -2.0, 3.0, 2.0], &[1, 4], dt), &[3, 4]).unwrap();
        let b = shape::expand(&tensor(&[2.0, 1.0, -1.0, 4.0], &[4, 1], dt), &[4, 5]).unwrap();
        let r = ops::matmul::matmul(&a, &b).unwrap();
        assert_eq!((r.shape(), read_f64(&r)), (&[3usize, 5][..], vec![5.0; 15]), "{dt} expanded operands");
    }
    let e = |a: &[usize], da, b: &[usize], db| {
        ops::matmul::matmul(&Tensor::zeros(da, a), &Tensor::zeros(db, b)).unwrap_err().kind
    };
    assert_eq!(e(&[2, 3], F32, &[4, 2], F32), ErrorKind::Runtime);
    assert_eq!(e(&[], F32, &[2], F32), ErrorKind::Runtime);
    assert_eq!(e(&[2, 2], F32, &[2, 2], F64), ErrorKind::Runtime);
}

/// cat promotes dtypes, takes strided inputs, negative dims and skips legacy [0] tensors.
#[test]
fn cat_joins_along_a_dim() {
    let mut rng = Rng::new(3);
    let a = strided(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], I32, &mut rng);
    let b = tensor(&[0.5, 1.5], &[2, 1], F32);
    let r = ops::join::cat(&[a.clone(), b, Tensor::zeros(I64, &[2, 0])], -1).unwrap();
    assert_eq!((r.shape(), r.dtype()), (&[2usize, 4][..], F32));
    assert_eq!(read_f64(&r), vec![1.0, 2.0, 3.0, 0.5, 4.0, 5.0, 6.0, 1.5]);
    let r = ops::join::cat(&[shape::t(&a).unwrap(), tensor(&[7.0, 8.0], &[1, 2], I32), Tensor::zeros(I32, &[0])], 0)
        .unwrap();
    assert_eq!((r.shape(), read_i64(&r)), (&[4usize, 2][..], vec![1, 4, 2, 5, 3, 6, 7, 8]));
    let err = |ts: &[Tensor]| ops::join::cat(ts, 0).unwrap_err().kind;
    assert_eq!(err(&[a.clone(), Tensor::zeros(I32, &[2, 4])]), ErrorKind::Runtime);
    assert_eq!(err(&[Tensor::zeros(I32, &[])]), ErrorKind::Runtime);
}

/// Advanced indexing against hand-computed results on x = arange(60).view(3, 4, 5),
/// where x[a, b, c] = 20a + 5b + c.
#[test]
fn advanced_indexing_matches_hand_computed_results() {
    let x = tensor(&(0..60).map(|v| v as f64).collect::<Vec<_>>(), &[3, 4, 5], I64);
    let ix = |v: &[f64], s: &[usize], dt| IndexItem::Tensor(tensor(v, s, dt));
    let all = IndexItem::Slice(None, None, 1);
    let get = |x: &Tensor, items: &[IndexItem]| {
        let r = index(x, items).unwrap();
        (r.shape().to_vec(), read_i64(&r))
    };
    // Non-adjacent index tensors: the broadcast index shape [2, 2] goes first.
    let items = [ix(&[0.0, 2.0, 1.0, 0.0], &[2, 2], I64), all.clone(), ix(&[1.0, -1.0], &[2], I32)];
    let want = vec![1, 6, 11, 16, 44, 49, 54, 59, 21, 26, 31, 36, 4, 9, 14, 19];
    assert_eq!(get(&x, &items), (vec![2, 2, 4], want));
    // Adjacent index tensors: the broadcast shape [2, 2] replaces them in place.
    let items = [all.clone(), ix(&[3.0, 0.0], &[2], I64), ix(&[1.0, 2.0], &[2, 1], I64)];
    let want = vec![16, 1, 17, 2, 36, 21, 37, 22, 56, 41, 57, 42];
    assert_eq!(get(&x, &items), (vec![3, 2, 2], want));
    // A bool mask over the first two dims picks rows x[0, 1] and x[2, 3].
    let mut mask = vec![0.0; 12];
    (mask[1], mask[11]) = (1.0, 1.0);
    assert_eq!(get(&x, &[ix(&mask, &[3, 4], Bool)]), (vec![2, 5], vec![5, 6, 7, 8, 9, 55, 56, 57, 58, 59]));
    // An int, a stepped slice and an index tensor together.
    let items = [IndexItem::Int(1), IndexItem::Slice(Some(1), Some(4), 2), ix(&[0.0, -1.0], &[2], I64)];
    assert_eq!(get(&x, &items), (vec![2, 2], vec![25, 29, 35, 39]));
    // On a permuted (non-contiguous) tensor: xt[i, a, b] = x[a, b, i].
    let xt = shape::permute(&x, &[2, 0, 1]).unwrap();
    let (s, v) = get(&xt, &[ix(&[4.0, 0.0], &[2], I64), IndexItem::Int(2)]);
    assert_eq!((s, v), (vec![2, 4], vec![44, 49, 54, 59, 40, 45, 50, 55]));
    // Out of range and float indices are IndexErrors.
    assert_eq!(index(&x, &[ix(&[3.0], &[1], I64)]).unwrap_err().kind, ErrorKind::Index);
    assert_eq!(index(&x, &[ix(&[0.0], &[1], F32)]).unwrap_err().kind, ErrorKind::Index);
}

/// arange / linspace / eye values and shapes, and their argument errors.
#[test]
fn creation_ops() {
    let (i, f) = (Scalar::Int, Scalar::Float);
    let ar = |s, e, st, dt| read_f64(&creation::arange(s, e, st, dt).unwrap());
    assert_eq!(ar(i(0), i(10), i(3), I64), vec![0.0, 3.0, 6.0, 9.0]);
    assert_eq!(ar(i(10), i(0), i(-3), I32), vec![10.0, 7.0, 4.0, 1.0]);
    assert_eq!(ar(f(0.0), f(1.0), f(0.25), F32), vec![0.0, 0.25, 0.5, 0.75]);
    assert_eq!(ar(i(2), i(2), i(1), I64), Vec::<f64>::new());
    assert_eq!(creation::arange(i(0), i(5), i(0), I64).unwrap_err().kind, ErrorKind::Runtime);
    assert_eq!(creation::arange(i(0), i(5), i(-1), I64).unwrap_err().kind, ErrorKind::Runtime);
    let ls = |s, e, n, dt| read_f64(&creation::linspace(s, e, n, dt).unwrap());
    assert_eq!(ls(0.0, 1.0, 5, F64), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(ls(-1.0, 1.0, 1, F32), vec![-1.0]);
    assert_eq!(ls(0.0, 1.0, 0, F32), Vec::<f64>::new());
    assert_eq!(ls(0.0, 10.0, 4, I64), vec![0.0, 3.0, 6.0, 10.0]);
    assert!(creation::linspace(0.0, 1.0, -1, F32).is_err());
    let eye = creation::eye(2, 3, F32).unwrap();
    assert_eq!((eye.shape(), read_f64(&eye)), (&[2usize, 3][..], vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]));
    assert_eq!(read_i64(&creation::eye(3, 2, I64).unwrap()), vec![1, 0, 0, 1, 0, 0]);
    assert_eq!(creation::eye(0, 2, Bool).unwrap().shape(), &[0, 2]);
}

/// The errors users see: right kind, informative message, never a panic.
#[test]
fn error_paths() {
    let (a, b) = (Tensor::zeros(F32, &[2, 3]), Tensor::zeros(F32, &[4]));
    let e = binary(Add, Arg::T(&a), Arg::T(&b), None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(e.msg.contains("[2, 3]") && e.msg.contains("[4]"), "message must name both shapes: {}", e.msg);

    let kind = |r: rtensor_core::Result<Tensor>| r.map(|_| ()).unwrap_err().kind;
    assert_eq!(kind(reduce(ReduceOp::Sum, &a, Some(&[2]), false, None)), ErrorKind::Index);
    assert_eq!(kind(shape::transpose(&a, 0, -3)), ErrorKind::Index);
    assert_eq!(kind(shape::select(&a, 2, 0)), ErrorKind::Index);
    assert_eq!(kind(shape::select(&a, 0, 2)), ErrorKind::Index);
    assert_eq!(arg_extreme(&a, 5, false, true).unwrap_err().kind, ErrorKind::Index);

    // Integer division by zero is an error (never a panic), whatever the path.
    let x = tensor(&[1.0, 2.0, 3.0, 4.0], &[2, 2], I32);
    let z = tensor(&[1.0, 0.0, 1.0, 1.0], &[2, 2], I32);
    for op in [FloorDiv, Rem] {
        assert!(binary(op, Arg::T(&x), Arg::T(&z), None).is_err(), "{op:?} same-shape");
        assert!(binary(op, Arg::T(&x), Arg::T(&shape::t(&z).unwrap()), None).is_err(), "{op:?} strided");
        assert!(binary(op, Arg::T(&x), Arg::S(Scalar::Int(0)), None).is_err(), "{op:?} scalar 0");
        assert!(binary(op, Arg::T(&x), Arg::T(&Tensor::zeros(Bool, &[2])), None).is_err(), "{op:?} by False");
        assert!(binary(op, Arg::T(&x), Arg::T(&Tensor::zeros(I64, &[])), None).is_err(), "{op:?} by 0-d 0");
    }
    // True division of integers is float division: 1 / 0 = inf, not an error.
    assert_eq!(read_f64(&binary(Div, Arg::T(&x), Arg::T(&z), None).unwrap())[1], f64::INFINITY);

    assert_eq!(Tensor::zeros(F32, &[2]).item().unwrap_err().kind, ErrorKind::Runtime);
    let one = shape::select(&tensor(&[5.0, 6.0], &[2], I64), 0, -1).unwrap();
    assert_eq!(one.item().unwrap(), Scalar::Int(6));
    let e = shape::view(&shape::transpose(&a, 0, 1).unwrap(), &[6]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(shape::view(&a, &[3, -1]).is_ok() && shape::reshape(&shape::t(&a).unwrap(), &[6]).is_ok());
}
