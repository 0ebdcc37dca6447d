//! Freeing long graphs without deep recursion.
//!
//! NOTE [Iterative teardown]: a graph is a chain of owners: a `Var`'s `Meta`
//! holds its `grad_fn` node, a node holds the nodes of its inputs and the
//! `Var`s its formula saved, a view's `Meta` holds its base `Var`. Dropping
//! the last output of a 200,000-op chain (`for _ in range(200000): y = y * 1.0`)
//! would recurse through every link and overflow the 8 MiB stack, as the
//! outside campaign found. PyTorch frees its graphs iteratively for the same
//! reason. Here `Node` and `Meta` hand what they own to [`defer`] from their
//! `Drop`: the outermost drop on a thread drains a worklist, and drops that
//! happen while it drains only add to the list. The stack depth is constant,
//! whatever the graph's depth.

use super::node::{Backward, Node};
use super::var::Var;
use std::cell::RefCell;
use std::sync::Arc;

/// Something a dropped node or meta owned, to be dropped from the worklist
/// (the fields are held only to be dropped).
#[allow(dead_code)]
pub(crate) enum Owned {
    Node(Arc<Node>),
    Var(Var),
    Formula(Arc<dyn Backward>),
}

thread_local! {
    static WORKLIST: RefCell<Option<Vec<Owned>>> = const { RefCell::new(None) };
}

/// Drops `items`, iteratively (see the note above).
pub(crate) fn defer(items: impl IntoIterator<Item = Owned>) {
    let mut items = Some(items);
    let started = WORKLIST.try_with(|w| {
        let mut w = w.borrow_mut();
        match w.as_mut() {
            Some(list) => {
                list.extend(items.take().into_iter().flatten());
                false
            }
            None => {
                *w = Some(items.take().into_iter().flatten().collect());
                true
            }
        }
    });
    match started {
        Ok(true) => {}
        Ok(false) => return,
        // Thread teardown: the list is gone; drop in place (recursively).
        Err(_) => {
            drop(items);
            return;
        }
    }
    /// Ends the drain even if a drop panics, so later drops still work.
    struct End;
    impl Drop for End {
        fn drop(&mut self) {
            let _ = WORKLIST.try_with(|w| *w.borrow_mut() = None);
        }
    }
    let _end = End;
    loop {
        // The borrow ends before the item drops (its drop re-enters `defer`).
        let next = WORKLIST.with(|w| w.borrow_mut().as_mut().and_then(|l| l.pop()));
        match next {
            Some(item) => drop(item),
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::autograd::functions::mul;
    use crate::autograd::Var;
    use crate::tensor::{Scalar, Tensor};

    #[test]
    fn a_long_chain_drops_on_a_small_stack() {
        // 256 KiB of stack: a recursive drop of 100,000 nodes needs far more.
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(|| {
                let x = Var::leaf(Tensor::scalar(Scalar::Float(1.0), crate::DType::F32));
                let mut y = x.clone();
                let one = Var::new(Tensor::scalar(Scalar::Float(1.0), crate::DType::F32));
                for _ in 0..100_000 {
                    y = mul(&y, &one).unwrap();
                }
                drop(y);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
