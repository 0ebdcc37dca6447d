"""The "from scratch" chapters of Dive into Deep Learning (d2l.ai), run with
`import rtensor as torch`: linear regression (3.2), softmax regression (4.4) and a
one-hidden-layer MLP (5.2), with hand-written models, losses and minibatch SGD.

The D2L code is kept close to the book (data_iter with random.shuffle and index tensors,
`param -= lr * param.grad / batch_size` under no_grad, `param.grad.zero_()`, relu as
`torch.max(X, zeros)`, cross-entropy as `-log(y_hat[range(n), y])`).  Classification uses
scikit-learn's bundled digits data (no download), standardized, with an 80/20 split by a
fixed seed; the targets (w, b recovered; >= 0.95 test accuracy) are independent of rtensor.
"""
from __future__ import annotations

import random
import time

import numpy as np
import pytest

from _oracle import torch


# --------------------------------------------------------------------------------------
# 3.2 linear regression from scratch
# --------------------------------------------------------------------------------------
def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def test_linear_regression_from_scratch():
    torch.manual_seed(0)
    random.seed(0)
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    assert tuple(features.shape) == (1000, 2) and tuple(labels.shape) == (1000, 1)

    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, num_epochs, batch_size = 0.03, 3, 10
    net, loss = linreg, squared_loss
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            losses.append(float(train_l.mean()))
    assert w.is_leaf and b.is_leaf and w.requires_grad and b.requires_grad
    assert w.grad is not None and float(w.grad.abs().sum()) == 0.0  # zeroed after the step
    assert losses[-1] < losses[0] and losses[-1] < 1e-3, losses
    w_np = w.detach().numpy().reshape(-1)
    assert abs(w_np[0] - 2.0) < 0.01 and abs(w_np[1] + 3.4) < 0.01, w_np
    assert abs(float(b.detach()) - 4.2) < 0.01, float(b.detach())
    err_w = true_w - w.reshape(true_w.shape)
    assert float(err_w.abs().max()) < 0.01


# --------------------------------------------------------------------------------------
# digits data: 8x8 images, 10 classes, 1797 samples
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    X = d.data.astype(np.float32)
    y = d.target.astype(np.int64)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    n_train = int(0.8 * len(X))
    tr, te = perm[:n_train], perm[n_train:]
    mean = X[tr].mean(axis=0)
    std = X[tr].std(axis=0)
    std[std == 0] = 1.0  # constant (always blank) pixels
    Xs = (X - mean) / std
    return (torch.tensor(Xs[tr]), torch.tensor(y[tr]), torch.tensor(Xs[te]), torch.tensor(y[te]))


def accuracy(y_hat, y):
    return float((y_hat.argmax(dim=1) == y).float().mean())


def evaluate_accuracy(net, X, y):
    with torch.no_grad():
        return accuracy(net(X), y)


def train_classifier(net, loss, params, features, labels, *, lr, batch_size, num_epochs, seed):
    random.seed(seed)
    history = []
    for epoch in range(num_epochs):
        total, count = 0.0, 0
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X), y)
            l.sum().backward()
            sgd(params, lr, len(y))
            total += float(l.sum().detach())
            count += len(y)
        history.append(total / count)
    return history


# 4.4 softmax regression from scratch -----------------------------------------------------
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


def test_softmax_regression_from_scratch(digits):
    X_train, y_train, X_test, y_test = digits
    torch.manual_seed(0)
    num_inputs, num_outputs = 64, 10
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    # sanity of the hand-written pieces against NumPy
    probs = softmax(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(probs.numpy(), [e / e.sum(), [1 / 3] * 3], rtol=1e-6)
    ce = cross_entropy(torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), torch.tensor([0, 2]))
    np.testing.assert_allclose(ce.numpy(), [-np.log(0.1), -np.log(0.5)], rtol=1e-6)

    start = time.perf_counter()
    before = evaluate_accuracy(net, X_test, y_test)
    history = train_classifier(net, cross_entropy, [W, b], X_train, y_train,
                               lr=0.1, batch_size=32, num_epochs=10, seed=0)
    elapsed = time.perf_counter() - start
    acc = evaluate_accuracy(net, X_test, y_test)
    assert history[-1] < history[0], history
    assert before < 0.5
    print(f"test accuracy {acc:.4f}, loss {history[0]:.3f} -> {history[-1]:.3f}")
    assert acc >= 0.95, (acc, history)
    assert elapsed < 30, f"training took {elapsed:.1f} s"


# 5.2 multilayer perceptron from scratch --------------------------------------------------
def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def log_softmax_cross_entropy(logits, y):
    # -log softmax(logits)[y] = logsumexp(logits) - logits[y]
    lse = torch.logsumexp(logits, dim=1)
    picked = logits.gather(1, y.reshape(-1, 1)).reshape(-1)
    return lse - picked


def log_softmax_via_exp(logits, y):
    # the same loss written with exp/sum/log and the max-shift for stability
    m = logits.max(dim=1, keepdim=True).values.detach()
    shifted = logits - m
    log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()
    return -log_probs[range(len(y)), y]


@pytest.mark.parametrize("loss_name", ["logsumexp", "exp_sum_log"])
def test_mlp_from_scratch(digits, loss_name):
    X_train, y_train, X_test, y_test = digits
    torch.manual_seed(1)
    num_inputs, num_outputs, num_hiddens = 64, 10, 128
    W1 = torch.nn.Parameter(torch.randn(num_inputs, num_hiddens) * 0.1)
    b1 = torch.nn.Parameter(torch.zeros(num_hiddens))
    W2 = torch.nn.Parameter(torch.randn(num_hiddens, num_outputs) * 0.1)
    b2 = torch.nn.Parameter(torch.zeros(num_outputs))
    params = [W1, b1, W2, b2]
    assert all(p.is_leaf and p.requires_grad for p in params)

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)  # "@" stands for matrix multiplication
        return H @ W2 + b2

    loss = log_softmax_cross_entropy if loss_name == "logsumexp" else log_softmax_via_exp
    # both losses against NumPy on a small case
    lg = torch.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    yy = torch.tensor([1, 0])
    z = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    ref = np.log(np.exp(z).sum(1)) - z[[0, 1], [1, 0]]
    np.testing.assert_allclose(loss(lg, yy).numpy(), ref, rtol=1e-6)

    start = time.perf_counter()
    history = train_classifier(net, loss, params, X_train, y_train,
                               lr=0.1, batch_size=32, num_epochs=10, seed=1)
    elapsed = time.perf_counter() - start
    acc = evaluate_accuracy(net, X_test, y_test)
    assert history[-1] < history[0] * 0.2, history
    print(f"test accuracy {acc:.4f}, loss {history[0]:.3f} -> {history[-1]:.3f}")
    assert acc >= 0.95, (acc, history)
    assert elapsed < 30, f"training took {elapsed:.1f} s"
    assert all(type(p) is torch.nn.Parameter and p.is_leaf for p in params)
