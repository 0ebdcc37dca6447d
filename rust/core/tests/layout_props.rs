//! Property tests of the `Layout` invariants written at the top of layout.rs.
//!
//! Each case starts from a random contiguous layout (rank 0-4, sizes 0-5) and
//! applies a random chain of up to 8 view ops. Next to the layout we keep a naive
//! model: the storage offset of every logical element in row-major order (the
//! "index map"), derived from the previous step's map by brute force from what
//! the op means (`x.T[i, j] == x[j, i]`, ...), never from the layout maths. After
//! every step the layout must fit its storage and reach exactly the modelled
//! offsets, and `is_contiguous` / `may_overlap` / `extent` must agree with them.

mod common;

use common::{for_each_index, linear, numel, offsets, Rng};
use rtensor_core::ops::shape::slice_indices;
use rtensor_core::{ErrorKind, Layout, Tensor};

const SEEDS: u64 = 20_000;
const MAX_RANK: usize = 6;
const MAX_NUMEL: usize = 4000;

struct Model {
    layout: Layout,
    /// Offsets of the logical elements, row-major.
    map: Vec<isize>,
    storage_len: usize,
}

impl Model {
    /// The map of a new view of shape `shape` whose element `j` is the current
    /// element `old_index(j)`.
    fn remap(&self, shape: &[usize], old_index: impl Fn(&[usize]) -> Vec<usize>) -> Vec<isize> {
        let old_shape = &self.layout.shape();
        let mut map = Vec::with_capacity(numel(shape));
        for_each_index(shape, |j| {
            let i = old_index(j);
            assert_eq!(i.len(), old_shape.len());
            assert!(i.iter().zip(old_shape.iter()).all(|(&a, &n)| a < n), "model index {i:?} outside {old_shape:?}");
            map.push(self.map[linear(old_shape, &i)]);
        });
        map
    }
}

/// Runs one random op. Returns a description, and the new layout and map when
/// the op applies (invalid arguments must give the expected error instead).
fn step(m: &Model, rng: &mut Rng) -> (String, Option<(Layout, Vec<isize>)>) {
    let l = &m.layout;
    let shape: Vec<usize> = l.shape().to_vec();
    let nd = shape.len();
    let pick_dim = |rng: &mut Rng| rng.below(nd);
    match rng.below(11) {
        0 => {
            let p = rng.perm(nd);
            let new = l.permute(&p).unwrap();
            let map = m.remap(new.shape(), |j| {
                let mut i = vec![0; nd];
                for k in 0..nd {
                    i[p[k]] = j[k];
                }
                i
            });
            (format!("permute({p:?})"), Some((new, map)))
        }
        1 if nd > 0 => {
            let (a, b) = (pick_dim(rng), pick_dim(rng));
            let new = l.transpose(a, b);
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                i.swap(a, b);
                i
            });
            (format!("transpose({a}, {b})"), Some((new, map)))
        }
        2 if nd > 0 => {
            let d = pick_dim(rng);
            let n = shape[d] as i64;
            let bound = |rng: &mut Rng| if rng.one_in(4) { None } else { Some(rng.int(-n - 2, n + 2)) };
            let (start, stop) = (bound(rng), bound(rng));
            let st = [-3, -2, -1, 1, 2, 3][rng.below(6)];
            let (s, len) = slice_indices(n, start, stop, st);
            let new = l.slice(d, s, len, st as isize).unwrap();
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                i[d] = (s as i64 + j[d] as i64 * st) as usize;
                i
            });
            (format!("slice(dim {d}, {start:?}:{stop:?}:{st}) -> start {s}, len {len}"), Some((new, map)))
        }
        3 if nd > 0 => {
            let d = pick_dim(rng);
            let n = shape[d] as i64;
            let idx = rng.int(-n - 1, n);
            let desc = format!("select({d}, {idx})");
            let r = l.select(d, idx);
            if idx < -n || idx >= n {
                assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::Index), "{desc} should fail");
                return (desc, None);
            }
            let new = r.unwrap();
            let i0 = if idx < 0 { idx + n } else { idx } as usize;
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                i.insert(d, i0);
                i
            });
            (desc, Some((new, map)))
        }
        4 if nd > 0 => {
            let d = pick_dim(rng);
            let n = shape[d] as i64;
            // Mostly valid arguments; one in five may be out of range.
            let start = if rng.one_in(5) { rng.int(-n - 1, n + 1) } else { rng.int(-n, n) };
            let s0 = if start < 0 { start + n } else { start };
            let len = if rng.one_in(5) || s0 < 0 || s0 > n { rng.int(0, n + 1) } else { rng.int(0, n - s0) };
            let desc = format!("narrow({d}, {start}, {len})");
            let r = l.narrow("narrow", d, start, len);
            if s0 < 0 || s0 + len > n {
                // PyTorch: a start outside the dim is an IndexError, a length
                // running past its end a RuntimeError.
                let kind = if start < -n || start > n { ErrorKind::Index } else { ErrorKind::Runtime };
                assert_eq!(r.map_err(|e| e.kind), Err(kind), "{desc} should fail");
                return (desc, None);
            }
            let new = r.unwrap();
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                i[d] += s0 as usize;
                i
            });
            (desc, Some((new, map)))
        }
        5 if nd < MAX_RANK => {
            let d = rng.below(nd + 1);
            let new = l.unsqueeze(d);
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                i.remove(d);
                i
            });
            (format!("unsqueeze({d})"), Some((new, map)))
        }
        6 => {
            let dims: Option<Vec<usize>> =
                if rng.one_in(2) { None } else { Some((0..nd).filter(|_| rng.one_in(2)).collect()) };
            let new = l.squeeze(dims.as_deref());
            let removed: Vec<bool> =
                (0..nd).map(|k| shape[k] == 1 && dims.as_ref().is_none_or(|ds| ds.contains(&k))).collect();
            let map = m.remap(new.shape(), |j| {
                let mut js = j.iter();
                removed.iter().map(|&r| if r { 0 } else { *js.next().unwrap() }).collect()
            });
            (format!("squeeze({dims:?})"), Some((new, map)))
        }
        7 => {
            let lead = if nd < MAX_RANK && rng.one_in(3) { 1 } else { 0 };
            let mut want: Vec<i64> = (0..lead).map(|_| rng.int(1, 3)).collect();
            let mut bad = false;
            for &d in &shape {
                want.push(match d {
                    1 => rng.int(0, 4),
                    _ if rng.one_in(10) => {
                        bad = true;
                        d as i64 + 1
                    }
                    _ if rng.one_in(2) => -1,
                    _ => d as i64,
                });
            }
            let desc = format!("expand({want:?})");
            let r = l.expand("expand", &want);
            if bad {
                assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::Runtime), "{desc} should fail");
                return (desc, None);
            }
            let new = r.unwrap();
            if new.numel() > MAX_NUMEL {
                return (desc, None);
            }
            let map = m.remap(new.shape(), |j| (0..nd).map(|k| if shape[k] == 1 { 0 } else { j[k + lead] }).collect());
            (desc, Some((new, map)))
        }
        8 => {
            let dims: Vec<usize> = (0..nd).filter(|_| rng.one_in(2)).collect();
            let new = l.flip(&dims);
            let map = m.remap(new.shape(), |j| {
                let mut i = j.to_vec();
                for &d in &dims {
                    i[d] = shape[d] - 1 - j[d];
                }
                i
            });
            (format!("flip({dims:?})"), Some((new, map)))
        }
        9 if nd >= 2 => {
            let (d1, d2) = (pick_dim(rng), pick_dim(rng));
            let off = rng.int(-(shape[d1] as i64) - 1, shape[d2] as i64 + 1);
            let desc = format!("diagonal({off}, {d1}, {d2})");
            let r = l.diagonal(off, d1, d2);
            if d1 == d2 {
                assert_eq!(r.map_err(|e| e.kind), Err(ErrorKind::Runtime), "{desc} should fail");
                return (desc, None);
            }
            let new = r.unwrap();
            let (r1, r2) = (off.min(0).unsigned_abs() as usize, off.max(0) as usize);
            let map = m.remap(new.shape(), |j| {
                let t = *j.last().unwrap();
                let mut rest = j[..j.len() - 1].iter();
                (0..nd)
                    .map(|k| {
                        if k == d1 {
                            t + r1
                        } else if k == d2 {
                            t + r2
                        } else {
                            *rest.next().unwrap()
                        }
                    })
                    .collect()
            });
            (desc, Some((new, map)))
        }
        10 => {
            let target = view_shape(&shape, rng);
            let desc = format!("view({target:?})");
            match l.view_strides(&target) {
                // Same elements in the same row-major order: the map is unchanged.
                Some(strides) => (desc, Some((l.with_shape(&target, strides), m.map.clone()))),
                None => {
                    assert!(!l.is_contiguous(), "{desc}: a contiguous layout {l:?} must always be viewable");
                    if let Some(st) = strides_reproducing(&target, &m.map) {
                        panic!("{desc}: view_strides said no, but strides {st:?} give the same elements (from {l:?})");
                    }
                    (desc, None)
                }
            }
        }
        _ => ("(skipped)".into(), None),
    }
}

/// Strides (if any) under which `shape` reaches exactly `map` in row-major order:
/// each dim's stride is read off the map at the unit index of that dim.
fn strides_reproducing(shape: &[usize], map: &[isize]) -> Option<Vec<isize>> {
    if map.is_empty() {
        return None;
    }
    let strides: Vec<isize> = (0..shape.len())
        .map(|k| {
            let mut e = vec![0; shape.len()];
            e[k] = (shape[k] > 1) as usize;
            map[linear(shape, &e)] - map[0]
        })
        .collect();
    let l = Layout::new("test", shape, &strides, map[0] as usize).ok()?;
    (offsets(&l) == map).then_some(strides)
}

/// A shape with the same number of elements as `shape`, by merging or splitting
/// dims, adding or dropping 1s, or from scratch.
fn view_shape(shape: &[usize], rng: &mut Rng) -> Vec<usize> {
    let n = numel(shape);
    let mut s = shape.to_vec();
    match rng.below(5) {
        0 if s.len() >= 2 => {
            let k = rng.below(s.len() - 1);
            let merged = s[k] * s[k + 1];
            s.splice(k..k + 2, [merged]);
        }
        1 if !s.is_empty() && s.len() < MAX_RANK => {
            let k = rng.below(s.len());
            let divs: Vec<usize> = (1..=s[k].max(1)).filter(|f| s[k] == 0 || s[k] % f == 0).collect();
            let f = divs[rng.below(divs.len())];
            let (a, b) = if s[k] == 0 { (f, 0) } else { (f, s[k] / f) };
            s.splice(k..=k, [a, b]);
        }
        2 if s.len() < MAX_RANK => s.insert(rng.below(s.len() + 1), 1),
        3 => s.retain(|&d| d != 1 || rng.one_in(2)),
        _ => {
            // From scratch: rank 0-4, factors of n in random order.
            s.clear();
            let mut left = n;
            for _ in 0..rng.below(4) {
                let divs: Vec<usize> = (1..=left.clamp(1, 5)).filter(|f| left == 0 || left % f == 0).collect();
                let f = divs[rng.below(divs.len())];
                s.push(f);
                left = if left == 0 { 0 } else { left / f };
            }
            if left != 1 {
                s.push(left);
            }
            rng.shuffle(&mut s);
        }
    }
    assert_eq!(numel(&s), n, "view_shape bug: {shape:?} -> {s:?}");
    s
}

/// The invariants, checked against the model after every step.
fn check(m: &Model, ctx: &dyn Fn() -> String) {
    let l = &m.layout;
    assert_eq!(l.shape().len(), l.strides().len(), "{}", ctx());
    assert!(l.fits_in(m.storage_len), "layout {l:?} escapes storage of {}\n{}", m.storage_len, ctx());
    let offs = offsets(l);
    assert_eq!(offs, m.map, "layout {l:?} reaches the wrong elements\n{}", ctx());
    if offs.is_empty() {
        assert!(l.extent().is_none(), "{}", ctx());
        return;
    }
    let (lo, hi) = (*offs.iter().min().unwrap(), *offs.iter().max().unwrap());
    assert_eq!(l.extent(), Some((lo, hi)), "extent of {l:?}\n{}", ctx());
    let dense = offs.iter().enumerate().all(|(i, &o)| o == l.offset() as isize + i as isize);
    assert_eq!(l.is_contiguous(), dense, "is_contiguous of {l:?} (offsets {offs:?})\n{}", ctx());
    let mut sorted = offs.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        assert!(l.may_overlap(), "may_overlap of {l:?} (offsets {offs:?})\n{}", ctx());
    }
}

/// Random chains of view ops keep every invariant, for thousands of seeds.
#[test]
fn random_view_chains_keep_invariants() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(seed);
        let shape: Vec<usize> = (0..rng.below(5)).map(|_| rng.below(6)).collect();
        let n = numel(&shape);
        let mut m = Model { layout: Layout::contiguous(&shape), map: (0..n as isize).collect(), storage_len: n };
        let mut history = vec![format!("start {shape:?}")];
        check(&m, &|| format!("seed {seed}: {history:?}"));
        for _ in 0..rng.int(1, 8) {
            let (desc, next) = step(&m, &mut rng);
            history.push(desc);
            if let Some((layout, map)) = next {
                m.layout = layout;
                m.map = map;
                check(&m, &|| format!("seed {seed}: {history:?}"));
            }
        }
    }
}

/// Tensor-level `slice` (through `slice_indices`) picks exactly the elements of
/// Python's `range(n)[start:stop:step]`, for any bounds and steps of both signs.
#[test]
fn tensor_slices_match_python_slicing() {
    use rtensor_core::ops::shape;
    for seed in 0..500 {
        let mut rng = Rng::new(seed);
        let n = rng.below(8);
        let t = Tensor::from_vec((0..n as i64).collect::<Vec<_>>(), &[n]).unwrap();
        let bound = |rng: &mut Rng| if rng.one_in(4) { None } else { Some(rng.int(-9, 9)) };
        let (start, stop) = (bound(&mut rng), bound(&mut rng));
        let step = [-3, -1, 1, 2][rng.below(4)];
        let v = shape::slice(&t, 0, start, stop, step).unwrap();
        // Python's range(n)[start:stop:step], computed by walking the range.
        let want: Vec<i64> = python_slice(n as i64, start, stop, step);
        assert_eq!(v.to_vec::<i64>().unwrap(), want, "seed {seed}: range({n})[{start:?}:{stop:?}:{step}]");
        assert!(v.layout().fits_in(n), "seed {seed}");
    }
}

/// Python slicing, stated as a filter over `0..n`: bounds are normalised and
/// clamped, then every index between them on the step's lattice is kept.
fn python_slice(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i64> {
    let norm = |v: i64| if v < 0 { v + n } else { v };
    if step > 0 {
        let lo = start.map_or(0, |v| norm(v).clamp(0, n));
        let hi = stop.map_or(n, |v| norm(v).clamp(0, n));
        (0..n).filter(|&i| lo <= i && i < hi && (i - lo) % step == 0).collect()
    } else {
        let hi = start.map_or(n - 1, |v| norm(v).clamp(-1, n - 1));
        let lo = stop.map_or(-1, |v| norm(v).clamp(-1, n - 1));
        (0..n).rev().filter(|&i| lo < i && i <= hi && (hi - i) % -step == 0).collect()
    }
}

/// `flip` with a repeated dim (here `0` and `-1` of a 1-d tensor) must not build a
/// layout outside the storage: PyTorch rejects repeated dims.
#[test]
fn flip_with_repeated_dim_stays_in_storage() {
    use rtensor_core::ops::shape;
    let t = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
    for dims in [vec![0i64, 0], vec![0, -1]] {
        if let Ok(v) = shape::flip(&t, &dims) {
            assert!(v.layout().fits_in(3), "flip({dims:?}) gave {:?}, outside a storage of 3", v.layout());
        }
    }
}
