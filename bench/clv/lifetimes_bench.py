"""Times lifetimes 0.11.3 on the summary written by `bench_clv` and compares it with the Rust run.

Reads `summary.csv`, `rust_results.json` and `rust_predictions.csv` from --out, fits lifetimes'
BetaGeoFitter on every customer and ParetoNBDFitter on the first --pareto-subset customers (the
same rows the Rust run fitted), times each, and prints a table of times, ratios and relative
parameter differences. Log-likelihoods of both parameter sets are computed with lifetimes' own
likelihood functions, so a parameter difference can be judged by which fit is better. Finally
lifetimes' prediction formulas are evaluated at the Rust parameters for the first customers and
compared with the Rust predictions.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, ParetoNBDFitter


def rel(a, b):
    return abs(a - b) / abs(b)


def bg_mean_nll(params, f, r, t):
    """lifetimes' BG/NBD mean negative log-likelihood at parameters in the data's time unit."""
    log_params = np.log(np.array([params["r"], params["alpha"], params["a"], params["b"]]))
    return BetaGeoFitter._negative_log_likelihood(log_params, f, r, t, np.ones_like(f), 0.0)


def pareto_total_ll(params, f, r, t):
    p = np.array([params["r"], params["alpha"], params["s"], params["beta"]])
    return float(np.sum(ParetoNBDFitter._conditional_log_likelihood(p, f, r, t)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pareto-subset", type=int, default=100_000)
    args = ap.parse_args()

    rust = json.load(open(os.path.join(args.out, "rust_results.json")))
    df = pd.read_csv(os.path.join(args.out, "summary.csv"))
    f, r, t = df["frequency"].values, df["recency"].values, df["T"].values
    n = len(df)
    k = min(args.pareto_subset, n)
    print(f"lifetimes {lifetimes.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{n} customers, Pareto/NBD on the first {k}", flush=True)

    t0 = time.perf_counter()
    bgf = BetaGeoFitter().fit(f, r, t)
    bg_s = time.perf_counter() - t0
    print(f"lifetimes BG/NBD fit: {bg_s:.2f} s {dict(bgf.params_)}", flush=True)

    np.random.seed(0)  # lifetimes starts Pareto/NBD from random parameters
    t0 = time.perf_counter()
    pnf = ParetoNBDFitter().fit(f[:k], r[:k], t[:k])
    pnbd_s = time.perf_counter() - t0
    print(f"lifetimes Pareto/NBD fit: {pnbd_s:.2f} s {dict(pnf.params_)}", flush=True)

    # Predictions in lifetimes for every customer, horizon 39 (as in the Rust run).
    h = rust.get("prediction_horizon", 39.0)
    t0 = time.perf_counter()
    bgf.conditional_probability_alive(f, r, t)
    bgf.conditional_expected_number_of_purchases_up_to_time(h, f, r, t)
    bg_pred_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pnf.conditional_probability_alive(f, r, t)
    pnf.conditional_expected_number_of_purchases_up_to_time(h, f, r, t)
    pnbd_pred_s = time.perf_counter() - t0

    # Rust predictions recomputed with lifetimes' formulas at the Rust parameters.
    pred = pd.read_csv(os.path.join(args.out, "rust_predictions.csv"))
    m = len(pred)
    chk_bg = BetaGeoFitter()
    chk_bg.params_ = pd.Series(rust["bgnbd_params"])
    chk_p = ParetoNBDFitter()
    chk_p.params_ = pd.Series(rust["pareto_params"])
    fm, rm, tm = f[:m], r[:m], t[:m]
    diffs = {
        "BG/NBD P(alive)": chk_bg.conditional_probability_alive(fm, rm, tm) - pred["p_alive_bgnbd"].values,
        "BG/NBD E[X(39)]": chk_bg.conditional_expected_number_of_purchases_up_to_time(h, fm, rm, tm)
        - pred["expected_bgnbd"].values,
        "Pareto/NBD P(alive)": chk_p.conditional_probability_alive(fm, rm, tm) - pred["p_alive_pareto"].values,
        "Pareto/NBD E[X(39)]": chk_p.conditional_expected_number_of_purchases_up_to_time(h, fm, rm, tm)
        - pred["expected_pareto"].values,
    }
    scale = {
        "BG/NBD P(alive)": pred["p_alive_bgnbd"].values,
        "BG/NBD E[X(39)]": pred["expected_bgnbd"].values,
        "Pareto/NBD P(alive)": pred["p_alive_pareto"].values,
        "Pareto/NBD E[X(39)]": pred["expected_pareto"].values,
    }

    print()
    print(f"| task | lifetimes 0.11.3 (s) | strata-models (s) | speed-up |")
    print(f"|---|---:|---:|---:|")
    rows = [
        (f"BG/NBD fit, {n:,} customers", bg_s, rust["bgnbd_fit_s"]),
        (f"Pareto/NBD fit, {k:,} customers", pnbd_s, rust["pareto_subset_fit_s"]),
        (f"BG/NBD P(alive) + E[X(39)], {n:,} customers", bg_pred_s, rust["bgnbd_predict_s"]),
        (f"Pareto/NBD P(alive) + E[X(39)], {n:,} customers", pnbd_pred_s, rust["pareto_predict_s"]),
    ]
    for name, py, rs in rows:
        print(f"| {name} | {py:.3f} | {rs:.3f} | {py / rs:.1f}x |")
    print(f"| Pareto/NBD fit, {n:,} customers (strata only) | - | {rust['pareto_fit_s']:.3f} | - |")

    print()
    print("| model | parameter | lifetimes | strata-models | relative difference |")
    print("|---|---|---:|---:|---:|")
    for name in ["r", "alpha", "a", "b"]:
        a, b = bgf.params_[name], rust["bgnbd_params"][name]
        print(f"| BG/NBD ({n:,}) | {name} | {a:.6f} | {b:.6f} | {rel(a, b):.2e} |")
    for name in ["r", "alpha", "s", "beta"]:
        a, b = pnf.params_[name], rust["pareto_subset_params"][name]
        print(f"| Pareto/NBD ({k:,}) | {name} | {a:.6f} | {b:.6f} | {rel(a, b):.2e} |")

    # Which optimum is better, by lifetimes' own likelihood functions.
    bg_py = -bg_mean_nll(dict(bgf.params_), f, r, t) * n
    bg_rs = -bg_mean_nll(rust["bgnbd_params"], f, r, t) * n
    p_py = pareto_total_ll(dict(pnf.params_), f[:k], r[:k], t[:k])
    p_rs = pareto_total_ll(rust["pareto_subset_params"], f[:k], r[:k], t[:k])
    print()
    print("| model | log-likelihood at lifetimes' parameters | at strata-models' | difference |")
    print("|---|---:|---:|---:|")
    print(f"| BG/NBD | {bg_py:.6f} | {bg_rs:.6f} | {bg_rs - bg_py:+.6f} |")
    print(f"| Pareto/NBD | {p_py:.6f} | {p_rs:.6f} | {p_rs - p_py:+.6f} |")
    print(f"(strata-models reports {rust['bgnbd_ll']:.4f} and {rust['pareto_subset_ll']:.4f}: same"
          " likelihood, its own implementation)")

    print()
    print(f"Rust predictions vs lifetimes' formulas at the Rust parameters, first {m:,} customers:")
    print("| quantity | max absolute difference | max relative difference |")
    print("|---|---:|---:|")
    for name, d in diffs.items():
        s = np.abs(scale[name])
        relative = np.abs(d) / np.where(s > 1e-300, s, 1.0)
        print(f"| {name} | {np.nanmax(np.abs(d)):.2e} | {np.nanmax(relative):.2e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
