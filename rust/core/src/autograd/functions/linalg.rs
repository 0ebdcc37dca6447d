//! Matrix products with their derivatives (batch broadcasting undone by `sum_to`).

use super::{grad_for, needs_grad, record1, sum_to};
use crate::autograd::var::{SavedVar, Var};
use crate::error::Result;
use crate::ops;
use crate::tensor::Tensor;

/// The products of `torch.matmul` and its fixed-rank relatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    Matmul,
    Mm,
    Bmm,
    Mv,
    /// `dot` (and `inner`, which is `dot` for the 1-d operands rtensor takes).
    Dot,
    /// `outer` (and its alias `ger`).
    Outer,
}

impl Product {
    pub const ALL: [Product; 6] =
        [Product::Matmul, Product::Mm, Product::Bmm, Product::Mv, Product::Dot, Product::Outer];

    /// The PyTorch name, as errors report it.
    pub fn name(self) -> &'static str {
        match self {
            Product::Matmul => "matmul",
            Product::Mm => "mm",
            Product::Bmm => "bmm",
            Product::Mv => "mv",
            Product::Dot => "dot",
            Product::Outer => "outer",
        }
    }

    /// The product a PyTorch function or method name calls, aliases included.
    pub fn from_name(name: &str) -> Option<Product> {
        Some(match name {
            "inner" => Product::Dot,
            "ger" => Product::Outer,
            _ => *Product::ALL.iter().find(|p| p.name() == name)?,
        })
    }

    /// The forward on plain tensors.
    fn forward(self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        match self {
            Product::Matmul => ops::matmul::matmul(a, b),
            Product::Mm => ops::matmul::mm(a, b),
            Product::Bmm => ops::matmul::bmm(a, b),
            Product::Mv => ops::matmul::mv(a, b),
            Product::Dot => ops::matmul::dot(a, b),
            Product::Outer => ops::matmul::outer(a, b),
        }
    }
}

/// `op(a, b)`, recorded when autograd is involved: the fixed-rank products
/// are `matmul` once their ranks are checked (so they share its backward and
/// its node names, `MmBackward0`...), and `outer` is `a[:, None] * b`, as
/// PyTorch builds it (its node is `MulBackward0`).
pub fn product(op: Product, a: &Var, b: &Var) -> Result<Var> {
    if !needs_grad(&[Some(a), Some(b)]) {
        return op.forward(&a.data, &b.data).map(Var::new);
    }
    ops::matmul::check(op.name(), &a.data, &b.data)?;
    match op {
        Product::Outer => super::mul(&super::unsqueeze(a, 1)?, b),
        Product::Matmul | Product::Mm | Product::Bmm | Product::Mv | Product::Dot => matmul(a, b),
    }
}

pub fn matmul(a: &Var, b: &Var) -> Result<Var> {
    let out = ops::matmul::matmul(&a.data, &b.data)?;
    if !needs_grad(&[Some(a), Some(b)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let name = match (a.data.ndim(), b.data.ndim()) {
        (1, 1) => "DotBackward0",
        (2, 1) => "MvBackward0",
        (2, 2) => "MmBackward0",
        (3, 3) => "BmmBackward0",
        _ => "MatmulBackward0",
    };
    let b_needs = b.requires_grad();
    let a_needs = a.requires_grad();
    let keep_a = b_needs.then(|| SavedVar::new(a, "self"));
    let keep_b = a_needs.then(|| SavedVar::new(b, "mat2"));
    let (sa, sb) = (a.data.shape().to_vec(), b.data.shape().to_vec());
    let mut saved = vec![];
    if keep_a.is_some() {
        saved.push("self".to_string());
    }
    if keep_b.is_some() {
        saved.push("mat2".to_string());
    }
    Ok(record1(name, &[Some(a), Some(b)], out, saved, move |g, n| {
        // Work with matrices: 1-d operands become a row / a column.
        let mat = |v: &Var, shape: &[usize], row: bool| -> Result<Var> {
            match (shape.len(), row) {
                (1, true) => super::unsqueeze(v, 0),
                (1, false) => super::unsqueeze(v, 1),
                _ => Ok(v.clone()),
            }
        };
        let mut gshape: Vec<i64> = g.data.shape().iter().map(|&d| d as i64).collect();
        if sa.len() == 1 {
            let at = gshape.len() - usize::from(sb.len() > 1);
            gshape.insert(at, 1);
        }
        if sb.len() == 1 {
            gshape.push(1);
        }
        let g2 = super::reshape(g, &gshape)?;
        let ga = grad_for(&n.next[0], || {
            let b = keep_b.as_ref().expect("saved").unpack(&n.name)?;
            let b2 = mat(&b, &sb, false)?;
            let r = matmul(&g2, &super::transpose(&b2, -2, -1)?)?;
            let a2_shape: Vec<usize> = if sa.len() == 1 { vec![1, sa[0]] } else { sa.clone() };
            let r = sum_to(&r, &a2_shape)?;
            super::reshape(&r, &sa.iter().map(|&d| d as i64).collect::<Vec<_>>())
        })?;
        let gb = grad_for(&n.next[1], || {
            let a = keep_a.as_ref().expect("saved").unpack(&n.name)?;
            let a2 = mat(&a, &sa, true)?;
            let r = matmul(&super::transpose(&a2, -2, -1)?, &g2)?;
            let b2_shape: Vec<usize> = if sb.len() == 1 { vec![sb[0], 1] } else { sb.clone() };
            let r = sum_to(&r, &b2_shape)?;
            super::reshape(&r, &sb.iter().map(|&d| d as i64).collect::<Vec<_>>())
        })?;
        Ok(vec![ga, gb])
    }))
}
