"""Side-by-side benchmark: scratchml's MLP against scikit-learn's MLPClassifier.

Both train the same network on the same data with the same schedule:

- data: ``scratchml.load_digits()`` (1797 8x8 images, identical to
  ``sklearn.datasets.load_digits``), pixels divided by 16 into [0, 1], float32, one
  seeded 80/20 split (``scratchml.train_test_split(rng=0)``) shared by both;
- network: 64 -> 128 ReLU -> 10, softmax cross-entropy;
- optimizer: Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay / L2;
- batches of 32, reshuffled every epoch, a fixed number of epochs (default 100), no
  early stopping.

scikit-learn settings: ``solver="adam"``, ``batch_size=32``,
``learning_rate_init=1e-3``, ``max_iter=epochs``, ``alpha=0.0`` (no L2 penalty),
``early_stopping=False``, ``tol=0.0`` and ``n_iter_no_change=epochs + 1`` (so it never
stops early and runs all epochs), ``shuffle=True``, ``random_state=seed``. It receives
the same float32 arrays (scikit-learn then trains in float32, which is faster for it
than float64).

Each repeat trains both models once with seed ``r`` (the order of the two alternates
between repeats, so slow phases of a shared machine hit both); the table reports the
median wall time of ``fit`` and the mean test accuracy. Run from the repository root::

    python benchmarks/bench_mlp.py --repeats 5
    python benchmarks/bench_mlp.py --repeats 5 --threads 1

``--threads N`` limits the BLAS thread pool (through threadpoolctl, which scikit-learn
installs) for both libraries alike; without it numpy's default applies.
"""

import argparse
import contextlib
import statistics
import time
import warnings

import numpy as np

import scratchml as sm


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = sm.load_digits()
    X = X / 16  # (1797, 64), float32 in [0, 1]
    return sm.train_test_split(X, y, test_fraction=0.2, rng=0)


def run_scratchml(data, epochs: int, seed: int) -> tuple[float, float]:
    X_train, X_test, y_train, y_test = data
    model = sm.MLP([64, 128, 10], activation="relu", rng=seed)
    optimizer = sm.Adam(model, lr=1e-3)
    start = time.perf_counter()
    sm.fit(
        model,
        X_train,
        y_train,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=32,
        rng=seed,
    )
    seconds = time.perf_counter() - start
    return seconds, sm.accuracy(model.predict(X_test), y_test)


def run_sklearn(data, epochs: int, seed: int) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = data
    clf = MLPClassifier(
        hidden_layer_sizes=(128,),
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=32,
        learning_rate_init=1e-3,
        max_iter=epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        random_state=seed,
    )
    with warnings.catch_warnings():
        # "max_iter reached": intended
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    return seconds, float(np.mean(clf.predict(X_test) == y_test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (both)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.threads is not None:
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(limits=args.threads, user_api="blas"))
        compare(args)


def compare(args: argparse.Namespace) -> None:
    """Train both libraries ``args.repeats`` times, alternating, and print the table."""
    data = load_split()
    runners = {"scratchml": run_scratchml, "scikit-learn": run_sklearn}
    times: dict[str, list[float]] = {name: [] for name in runners}
    accs: dict[str, list[float]] = {name: [] for name in runners}
    for r in range(args.repeats):
        order = list(runners) if r % 2 == 0 else list(runners)[::-1]
        for name in order:
            seconds, acc = runners[name](data, args.epochs, seed=r)
            times[name].append(seconds)
            accs[name].append(acc)
            print(
                f"repeat {r + 1}/{args.repeats}  {name:12s} {seconds:6.2f} s  acc "
                f"{acc:.4f}"
            )

    med = {name: statistics.median(t) for name, t in times.items()}
    print()
    threads = "default" if args.threads is None else args.threads
    print(
        f"digits, 64-128-10 ReLU, Adam lr 1e-3, batch 32, {args.epochs} epochs, ",
        end="",
    )
    print(
        f"{len(data[0])} train / {len(data[1])} test, {args.repeats} repeats, ", end=""
    )
    print(f"BLAS threads: {threads}")
    print()
    print("| library | median fit time (s) | test accuracy (mean, min-max) |")
    print("|---|---|---|")
    for name in runners:
        a = accs[name]
        print(
            f"| {name} | {med[name]:.2f} | {np.mean(a):.4f} "
            f"({min(a):.4f}-{max(a):.4f}) |"
        )
    print()
    print(
        "time ratio scratchml / scikit-learn: "
        f"{med['scratchml'] / med['scikit-learn']:.2f}"
    )


if __name__ == "__main__":
    main()
