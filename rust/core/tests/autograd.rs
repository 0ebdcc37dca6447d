//! The autograd engine on its own (no Python): gradients against hand-worked
//! values, accumulation, freed graphs, and the version-counter check.

use rtensor_core::autograd::functions::{self as F, VArg};
use rtensor_core::autograd::{engine, Var};
use rtensor_core::ops::BinaryOp;
use rtensor_core::{ErrorKind, Tensor};

fn leaf(v: &[f64]) -> Var {
    Var::leaf(Tensor::from_vec(v.to_vec(), &[v.len()]).unwrap())
}

fn grad_of(x: &Var) -> Vec<f64> {
    x.grad().expect("grad").data.to_vec::<f64>().unwrap()
}

#[test]
fn sum_of_squares_has_gradient_two_x_and_accumulates() {
    let x = leaf(&[1.0, -2.0, 3.0]);
    for round in 1..=2 {
        let y = F::sum(&F::mul(&x, &x).unwrap(), None, false, None).unwrap();
        engine::backward(&[(y, None)], false, false, None).unwrap();
        let want: Vec<f64> = [1.0, -2.0, 3.0].iter().map(|v| 2.0 * v * round as f64).collect();
        assert_eq!(grad_of(&x), want, "round {round}");
    }
}

#[test]
fn broadcasting_is_undone_and_matmul_grads_match_hand_values() {
    // y = sum(a @ b + c) with a (2,3), b (3,1), c (1,): d/dc = 2, d/da = b^T per row, d/db = column sums of a.
    let a = Var::leaf(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap());
    let b = Var::leaf(Tensor::from_vec(vec![1.0, 0.5, -1.0], &[3, 1]).unwrap());
    let c = leaf(&[10.0]);
    let y = F::sum(&F::add(&F::matmul(&a, &b).unwrap(), &c).unwrap(), None, false, None).unwrap();
    engine::backward(&[(y, None)], false, false, None).unwrap();
    assert_eq!(grad_of(&c), vec![2.0]);
    assert_eq!(grad_of(&a), vec![1.0, 0.5, -1.0, 1.0, 0.5, -1.0]);
    assert_eq!(grad_of(&b), vec![5.0, 7.0, 9.0]);
}

#[test]
fn second_backward_through_a_freed_graph_is_an_error_unless_retained() {
    let x = leaf(&[2.0]);
    let y = F::binary(BinaryOp::Mul, VArg::V(&x), VArg::V(&x)).unwrap();
    engine::backward(&[(y.clone(), None)], true, false, None).unwrap();
    engine::backward(&[(y.clone(), None)], false, false, None).unwrap();
    assert_eq!(grad_of(&x), vec![8.0]);
    let e = engine::backward(&[(y, None)], false, false, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert!(e.msg.contains("second time"), "{}", e.msg);
}

#[test]
fn modifying_a_saved_tensor_in_place_is_reported_with_the_op() {
    let x = leaf(&[0.5, 1.0]);
    let a = F::unary(rtensor_core::ops::UnaryOp::Exp, &x).unwrap();
    let b = F::unary(rtensor_core::ops::UnaryOp::Sin, &a).unwrap();
    F::binary_(BinaryOp::Add, &a, VArg::S(rtensor_core::Scalar::Float(1.0))).unwrap();
    let y = F::sum(&b, None, false, None).unwrap();
    let e = engine::backward(&[(y, None)], false, false, None).unwrap_err();
    assert!(e.msg.contains("modified by an inplace operation"), "{}", e.msg);
    assert!(e.msg.contains("add_"), "{}", e.msg);
}

#[test]
fn non_scalar_output_needs_an_explicit_gradient() {
    let x = leaf(&[1.0, 2.0]);
    let y = F::mul_s(&x, 3.0).unwrap();
    let e = engine::backward(&[(y.clone(), None)], false, false, None).unwrap_err();
    assert!(e.msg.contains("grad can be implicitly created only for scalar outputs"));
    let w = Var::new(Tensor::from_vec(vec![1.0, 0.1], &[2]).unwrap());
    engine::backward(&[(y, Some(w))], false, false, None).unwrap();
    assert_eq!(grad_of(&x), vec![3.0, 0.30000000000000004]);
}
