"""Farrington-flexible outbreak detection (Noufaily et al. 2013), as R's ``surveillance::farringtonFlexible``.

References
----------
- Farrington C.P., Andrews N.J., Beale A.D., Catchpole M.A. (1996). A statistical algorithm for
  the early detection of outbreaks of infectious disease. JRSS A 159(3), 547-563.
- Noufaily A., Enki D.G., Farrington P., Garthwaite P., Andrews N., Charlett A. (2013). An
  improved algorithm for outbreak detection in multiple surveillance systems. Stat. Med. 32,
  1206-1222.
- R package ``surveillance`` 1.20.3, functions ``farringtonFlexible``,
  ``algo.farrington.fitGLM.flexible``, ``algo.farrington.glm``, ``algo.farrington.threshold.farrington``,
  ``anscombe.residuals``, ``algo.farrington.assign.weights``, ``blocks``, ``algo.farrington.data.glm``
  (source read from the installed package; this module follows it step by step).

What is computed for time point ``k`` of a count series ``y`` (``freq`` points per year):

1. Reference points: for each of the ``b`` previous years, the same point ± ``w``
   (``k - i*freq + d``, ``i = 1..b``, ``d = -w..w``). The current point and the ``w`` before it
   never enter (R: ``pastWeeksNotIncluded = w``), so the baseline is the past only; seasonal
   effects (Spring Festival dip in Jan/Feb, year-end closing push) enter through these windows.
2. Quasi-Poisson GLM ``log mu = a + b * t`` (t = absolute time index) fitted by IRLS; dispersion
   ``phi = max(1, Pearson X^2 / (n - p))``.
3. Reweighting: Anscombe residuals ``s = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h))``
   of that fit; points with ``s > 2.58`` get weight ``gamma * s^-2``, the others ``gamma``, with
   ``gamma`` making the weights sum to n; the model is refitted with these prior weights, which
   keeps past outbreaks from inflating the baseline.
4. The time trend is kept only when its t-test p-value < 0.05 (``pThresholdTrend``), ``b >= 3``
   and the prediction does not exceed the largest reference count (no extrapolation); otherwise
   steps 2-3 are repeated without trend.
5. Threshold on the 2/3-power scale (delta method): with ``mu0`` the prediction and ``se.fit`` its
   standard error, ``tau = phi + se.fit^2 / mu0``, ``se = sqrt(4/9 mu0^(1/3) tau)``,
   upper bound ``U = (mu0^(2/3) + z_(1-alpha) se)^(3/2)``. In ``farringtonFlexible`` the
   quantile is **one-sided** ``qnorm(1 - alpha)`` (the original ``algo.farrington`` used
   ``1 - alpha/2``); with the default ``alpha = 0.05`` U is the upper 95% limit.
   p-value ``P = 1 - Phi((y^(2/3) - mu0^(2/3)) / se)``.
6. Alarm when ``y > U``, ``y > 0`` and at least 5 cases in the last 4 points (``limit54``).

Details of the R code, reproduced with ``r_compat=True`` (the tests' setting when comparing with
R; the app uses ``r_compat=False``, see ``FarringtonConfig``): ``se.fit`` and the trend's t-test
(t distribution with n - p df) do not use ``phi``: R passes ``dispersion = phi`` inside
``newdata``, where ``predict.glm`` ignores it, and after reweighting ``model$weights`` holds the
prior weights, so ``summary.glm`` recomputes the dispersion as ``sum(omega ((y - mu)/mu)^2)/(n - p)``
(see ``_pred_dispersion``); hat values come from the first, unweighted fit.

Two implementations share no code: ``farrington_one`` (statsmodels GLM, one series, the reference)
and ``farrington_many`` (numpy, all series at once, used by the app: ~1,000 series x 100 months
in well under a second). Tests check both against values computed once with R.

Choices for monthly court filings (documented defaults of ``FarringtonConfig``): ``freq = 12``,
``b = 3`` years, ``w = 1`` month (so 9 reference months: same month ± 1 in each of the 3 previous
years), other parameters as R's defaults. Series whose reference months are all zero have no
baseline and are not tested (R would fit mu ~ 0 and alarm on any 5 cases).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

EPS = 1e-12


@dataclass(frozen=True)
class FarringtonConfig:
    """Parameters of farringtonFlexible (names as in R's ``control`` list)."""

    freq: int = 12
    b: int = 3
    w: int = 1
    alpha: float = 0.05
    weights_threshold: float = 2.58
    p_threshold_trend: float = 0.05
    trend: bool = True
    reweight: bool = True
    limit_cases: int = 5  # limit54[1]
    limit_period: int = 4  # limit54[2]
    max_iter: int = 50
    # True: reproduce R exactly, including the dispersion R's predict/summary use after
    # reweighting (see ``_pred_dispersion``): on flat Poisson series with 9 reference months that
    # gives ~8% alarms at alpha = 0.05. False (default): the prediction variance and the trend test
    # use phi, as in Farrington et al. (1996) eq. for var(mu0): ~4% alarms, near the nominal 5%.
    r_compat: bool = False

    @property
    def first_index(self) -> int:
        """First 0-based time index with a full set of reference points."""
        return self.freq * self.b + self.w


@dataclass(frozen=True)
class Result:
    """Farrington output for one time point (scalar) or many series (arrays)."""

    expected: np.ndarray  # mu0, prediction from the baseline
    upper: np.ndarray  # upper bound U
    se: np.ndarray  # sd of the prediction error on the 2/3-power scale
    pvalue: np.ndarray  # upper-tail p-value of the observation (R: 2/3-power normal approximation)
    pvalue_nb: np.ndarray  # P(Y >= y) under the negative binomial predictive (used for BH)
    phi: np.ndarray  # dispersion used (>= 1)
    trend: np.ndarray  # bool: time trend kept
    enough: np.ndarray  # bool: limit54 satisfied
    alarm: np.ndarray  # bool
    tested: np.ndarray  # bool: a baseline could be fitted


def reference_indices(k: int, cfg: FarringtonConfig) -> np.ndarray:
    """0-based indices of the reference points of time point k (oldest first)."""
    out = [k - i * cfg.freq + d for i in range(cfg.b, 0, -1) for d in range(-cfg.w, cfg.w + 1)]
    if out[0] < 0:
        raise ValueError(f"time point {k} has no full baseline (needs index >= {cfg.first_index})")
    return np.asarray(out, dtype=int)


def threshold(mu0: np.ndarray, se_fit: np.ndarray, phi: np.ndarray, y: np.ndarray,
              alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper bound, sd on the 2/3 scale and p-value (R ``algo.farrington.threshold.farrington``)."""
    mu0 = np.maximum(mu0, EPS)
    tau = phi + se_fit**2 / mu0
    se = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau)
    upper = (mu0 ** (2.0 / 3.0) + stats.norm.ppf(1 - alpha) * se) ** 1.5
    p = stats.norm.sf(np.asarray(y, dtype=float) ** (2.0 / 3.0), loc=mu0 ** (2.0 / 3.0), scale=se)
    return upper, se, p


def predictive_pvalue(y: np.ndarray, mu0: np.ndarray, se: np.ndarray) -> np.ndarray:
    """P(Y >= y) for a negative binomial with mean mu0 and variance tau * mu0 (Poisson if tau <= 1).

    ``tau = phi + se.fit^2 / mu0`` is recovered from the 2/3-scale sd (``se^2 = 4/9 mu0^(1/3) tau``),
    so the estimation error of the baseline is part of the spread. Used for the Benjamini-Hochberg
    step, which works far in the tail (p ~ 1e-4), where the 2/3-power normal approximation of
    Farrington's threshold is anti-conservative for small counts (Noufaily et al. 2013 recommend
    negative binomial quantiles for the same reason).
    """
    mu0 = np.maximum(np.asarray(mu0, dtype=float), EPS)
    tau = np.asarray(se, dtype=float) ** 2 / (4.0 / 9.0 * mu0 ** (1.0 / 3.0))
    var = mu0 * np.maximum(tau, 1.0)
    extra = var - mu0
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(extra > 1e-9 * mu0, mu0**2 / np.maximum(extra, EPS), np.inf)
    y = np.asarray(y, dtype=float)
    nb = stats.nbinom.sf(y - 1, np.where(np.isfinite(size), size, 1.0), np.where(
        np.isfinite(size), size / (size + mu0), 0.5))
    return np.where(np.isfinite(size), nb, stats.poisson.sf(y - 1, mu0))


def _limit54(y: np.ndarray, k: int, cfg: FarringtonConfig) -> np.ndarray:
    """Cases in the last ``limit_period`` points (current included) >= ``limit_cases``."""
    lo = max(0, k - cfg.limit_period + 1)
    return y[..., lo:k + 1].sum(axis=-1) >= cfg.limit_cases


# --- reference implementation: one series, statsmodels ---------------------------------------

def _sm_fit(y: np.ndarray, t: np.ndarray, trend: bool, weights: np.ndarray | None, offset: np.ndarray | None):
    import statsmodels.api as sm

    x = np.column_stack([np.ones_like(t), t]) if trend else np.ones((len(t), 1))
    model = sm.GLM(y, x, family=sm.families.Poisson(), var_weights=weights, offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(maxiter=100, tol=1e-10)  # Poisson scale 1; the Pearson dispersion is taken below
    return res, x


def _sm_fit_flexible(y: np.ndarray, t: np.ndarray, trend: bool, offset: np.ndarray | None, cfg: FarringtonConfig):
    """R ``algo.farrington.fitGLM.flexible``: fit, Anscombe residuals, reweight, refit."""
    res, x = _sm_fit(y, t, trend, None, offset)
    phi = max(float(res.pearson_chi2 / res.df_resid), 1.0)
    weights = None
    if cfg.reweight:
        mu = res.mu
        h = res.get_hat_matrix_diag()
        s = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - mu ** 0.5) / np.sqrt(phi * (1 - h))
        big = s > cfg.weights_threshold
        raw = np.where(big, 1.0 / np.where(big, s, 1.0) ** 2, 1.0)
        weights = raw * len(s) / raw.sum()
        res, x = _sm_fit(y, t, trend, weights, offset)
        phi = max(float(res.pearson_chi2 / res.df_resid), 1.0)
    return res, phi, (_pred_dispersion(y, res.mu, weights, x.shape[1]) if cfg.r_compat else phi)


def _pred_dispersion(y: np.ndarray, mu: np.ndarray, weights: np.ndarray | None, p: int) -> float:
    """The dispersion R's ``summary.glm``/``predict.glm`` use after reweighting.

    ``fitGLM.flexible`` overwrites ``model$weights`` (the IRLS working weights ``omega * mu``) with
    the prior weights ``omega``; both functions then recompute the dispersion as
    ``sum(omega * ((y - mu) / mu)^2) / (n - p)`` = Pearson / mu, not Pearson. Reproduced as is.
    """
    if weights is None:
        return float(((y - mu) ** 2 / mu).sum() / (len(y) - p))
    return float((weights * (y - mu) ** 2 / mu**2).sum() / (len(y) - p))


def farrington_one(y: np.ndarray, k: int, cfg: FarringtonConfig = FarringtonConfig(),
                   population: np.ndarray | None = None) -> dict[str, float | bool]:
    """Farrington-flexible for time point ``k`` (0-based) of one series, with statsmodels."""
    y = np.asarray(y, dtype=float)
    idx = reference_indices(k, cfg)
    offset = None if population is None else np.log(np.asarray(population, dtype=float)[idx])
    off_now = 0.0 if population is None else float(np.log(population[k]))
    yr = y[idx]
    enough = bool(_limit54(y, k, cfg))
    if yr.sum() == 0:
        return {"tested": False, "expected": float("nan"), "upper": float("nan"), "pvalue": float("nan"),
                "pvalue_nb": float("nan"),
                "phi": float("nan"), "trend": False, "enough": enough, "alarm": False}
    t = (idx + 1).astype(float)  # R's 1-based wtime
    t_now = float(k + 1)
    res, phi, dpred = _sm_fit_flexible(yr, t, cfg.trend, offset, cfg)
    keep = False
    if cfg.trend:
        pred = float(np.exp(off_now + res.params[0] + res.params[1] * t_now))
        se_b = float(np.sqrt(dpred * res.normalized_cov_params[1, 1]))
        p_trend = 2 * float(stats.t.sf(abs(float(res.params[1]) / se_b), df=len(yr) - 2))
        keep = (cfg.b >= 3 and p_trend < cfg.p_threshold_trend and pred <= yr.max())
        if not keep:
            res, phi, dpred = _sm_fit_flexible(yr, t, False, offset, cfg)
    x0 = np.array([1.0, t_now]) if keep else np.array([1.0])
    eta = off_now + float(x0 @ res.params)
    mu0 = float(np.exp(eta))
    se_fit = mu0 * float(np.sqrt(dpred * x0 @ res.normalized_cov_params @ x0))
    upper, se, p = threshold(np.array(mu0), np.array(se_fit), np.array(phi), np.array(y[k]), cfg.alpha)
    alarm = enough and y[k] > float(upper) and y[k] != 0
    return {"tested": True, "expected": mu0, "upper": float(upper), "pvalue": float(p), "phi": phi,
            "pvalue_nb": float(predictive_pvalue(np.array(y[k]), np.array(mu0), np.array(se))),
            "trend": keep, "enough": enough, "alarm": bool(alarm), "se": float(se)}


# --- fast implementation: all series at once, numpy -------------------------------------------

def _irls_trend(y: np.ndarray, t: np.ndarray, w: np.ndarray, off: np.ndarray,
                max_iter: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted Poisson log-linear fit ``off + a + b t`` per row of ``y`` (m x n). Returns beta
    (m x 2), mu (m x n), converged (m)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _irls_loop(y, t, w, off, max_iter)


def _irls_loop(y: np.ndarray, t: np.ndarray, w: np.ndarray, off: np.ndarray,
               max_iter: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, _n = y.shape
    mu = y + 0.1  # R's poisson mustart
    eta = np.log(mu)
    beta = np.zeros((m, 2))
    dev_old = np.full(m, np.inf)
    conv = np.zeros(m, dtype=bool)
    act = np.arange(m)  # rows still iterating (R's criterion per row: relative deviance change)
    for _ in range(max_iter):
        ya, wa, oa, mua = y[act], w[act], off[act], mu[act]
        ww = wa * mua
        z = eta[act] - oa + (ya - mua) / mua
        s0, s1, s2 = ww.sum(1), (ww * t).sum(1), (ww * t * t).sum(1)
        r0, r1 = (ww * z).sum(1), (ww * z * t).sum(1)
        det = s0 * s2 - s1 * s1
        det = np.where(np.abs(det) < EPS, EPS, det)
        new = np.column_stack([(s2 * r0 - s1 * r1) / det, (s0 * r1 - s1 * r0) / det])
        beta[act] = new
        eta_a = oa + new[:, :1] + new[:, 1:] * t
        mu_a = np.exp(np.clip(eta_a, -700, 700))
        eta[act], mu[act] = eta_a, mu_a
        term = np.where(ya > 0, ya * np.log(np.where(ya > 0, ya, 1.0) / mu_a), 0.0) - (ya - mu_a)
        dev = 2 * (wa * term).sum(1)
        done = np.abs(dev - dev_old[act]) / (np.abs(dev) + 0.1) < 1e-8
        dev_old[act] = dev
        conv[act[done]] = True
        act = act[~done]
        if not len(act):
            break
    return beta, mu, conv


def _fit_many(y: np.ndarray, t: np.ndarray, trend: bool, w: np.ndarray, off: np.ndarray, cfg: FarringtonConfig):
    """One weighted quasi-Poisson fit per row: mu, raw dispersion, cov(beta) (unscaled), beta, conv."""
    m, n = y.shape
    if trend:
        beta, mu, conv = _irls_trend(y, t, w, off, cfg.max_iter)
        ww = w * mu
        s0, s1, s2 = ww.sum(1), (ww * t).sum(1), (ww * t * t).sum(1)
        det = np.where(np.abs(s0 * s2 - s1 * s1) < EPS, EPS, s0 * s2 - s1 * s1)
        inv = np.stack([np.stack([s2 / det, -s1 / det], 1), np.stack([-s1 / det, s0 / det], 1)], 1)
        p = 2
    else:
        rate = (w * y).sum(1) / (w * np.exp(off)).sum(1)  # closed form of the intercept-only fit
        mu = np.maximum(rate, EPS)[:, None] * np.exp(off)
        beta = np.log(np.maximum(rate, EPS))[:, None]
        inv = (1.0 / (w * mu).sum(1))[:, None, None]
        conv = np.ones(m, dtype=bool)
        p = 1
    disp = (w * (y - mu) ** 2 / np.maximum(mu, EPS)).sum(1) / (n - p)
    return mu, disp, inv, beta, conv, p


def _hat(mu: np.ndarray, w: np.ndarray, t: np.ndarray, inv: np.ndarray, trend: bool) -> np.ndarray:
    ww = w * mu
    if not trend:
        return ww * inv[:, 0, 0][:, None]
    return ww * (inv[:, 0, 0][:, None] + 2 * inv[:, 0, 1][:, None] * t + inv[:, 1, 1][:, None] * t * t)


def _fit_flexible_many(y: np.ndarray, t: np.ndarray, trend: bool, off: np.ndarray, cfg: FarringtonConfig):
    m, n = y.shape
    ones = np.ones((m, n))
    mu, disp, inv, beta, conv, p = _fit_many(y, t, trend, ones, off, cfg)
    phi = np.maximum(disp, 1.0)
    dpred = disp if cfg.r_compat else phi
    if cfg.reweight:
        h = np.minimum(_hat(mu, ones, t, inv, trend), 1 - 1e-9)
        s = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - mu ** 0.5) / np.sqrt(phi[:, None] * (1 - h))
        big = s > cfg.weights_threshold
        raw = np.where(big, 1.0 / np.where(big, s, 1.0) ** 2, 1.0)
        wts = raw * n / raw.sum(1, keepdims=True)
        mu, disp, inv, beta, conv2, p = _fit_many(y, t, trend, wts, off, cfg)
        conv = conv & conv2
        phi = np.maximum(disp, 1.0)
        r_disp = (wts * (y - mu) ** 2 / np.maximum(mu, EPS) ** 2).sum(1) / (n - p)  # see _pred_dispersion
        dpred = r_disp if cfg.r_compat else phi
    return dpred, phi, inv, beta, conv


def farrington_many(counts: np.ndarray, k: int, cfg: FarringtonConfig = FarringtonConfig(),
                    population: np.ndarray | None = None) -> Result:
    """Farrington-flexible at time index ``k`` for every row (series) of ``counts`` (m x T).

    ``population`` (m x T, > 0), when given, enters as the offset ``log(population)``, as R's
    ``populationOffset = TRUE`` with ``population(sts)``: the baseline is then a rate per unit of
    population and the prediction is scaled by the current month's population.
    """
    r = farrington_months(counts, [k], cfg, population)
    return Result(*(a[:, 0] for a in (r.expected, r.upper, r.se, r.pvalue, r.pvalue_nb, r.phi, r.trend,
                                      r.enough, r.alarm, r.tested)))


def farrington_months(counts: np.ndarray, ks: list[int] | np.ndarray, cfg: FarringtonConfig = FarringtonConfig(),
                      population: np.ndarray | None = None) -> Result:
    """``farrington_many`` for several time indices at once: arrays of shape (m, len(ks)).

    Every (series, month) pair is an independent fit on its own reference months; they are
    stacked into one batch (the reference pattern relative to k, hence the centred time, is the
    same for every k), so a whole history costs one vectorised IRLS.
    """
    counts = np.asarray(counts, dtype=float)
    ks = np.asarray(ks, dtype=int)
    m, nk = len(counts), len(ks)
    rel = reference_indices(int(ks.min()), cfg) - int(ks.min())  # offsets of the reference months
    idx = ks[:, None] + rel[None, :]  # nk x n
    y = counts[:, idx].reshape(m * nk, len(rel))  # row = series * nk + month
    logpop = np.zeros_like(counts) if population is None else np.log(np.maximum(population, EPS))
    off = logpop[:, idx].reshape(m * nk, len(rel))
    off_now = logpop[:, ks].reshape(-1)
    tested = y.sum(1) > 0
    tc = rel - rel.mean()  # centred time: same fit, better conditioned
    t_now = -rel.mean()
    ysafe = np.where(tested[:, None], y, 1.0)

    disp0, phi0, inv0, beta0, _ = _fit_flexible_many(ysafe, tc, False, off, cfg)
    mu0 = np.exp(off_now + beta0[:, 0])
    var0 = disp0 * inv0[:, 0, 0]
    phi, keep = phi0, np.zeros(m * nk, dtype=bool)
    if cfg.trend:
        disp1, phi1, inv1, beta1, conv1 = _fit_flexible_many(ysafe, tc, True, off, cfg)
        eta1 = off_now + beta1[:, 0] + beta1[:, 1] * t_now
        with np.errstate(over="ignore", invalid="ignore"):
            pred1 = np.exp(np.clip(eta1, -700, 700))
            se_b = np.sqrt(np.maximum(disp1 * inv1[:, 1, 1], EPS))
            pval = 2 * stats.t.sf(np.abs(beta1[:, 1] / se_b), df=len(rel) - 2)
        keep = conv1 & (cfg.b >= 3) & (pval < cfg.p_threshold_trend) & (pred1 <= ysafe.max(1))
        var1 = disp1 * (inv1[:, 0, 0] + 2 * inv1[:, 0, 1] * t_now + inv1[:, 1, 1] * t_now**2)
        mu0 = np.where(keep, pred1, mu0)
        var0 = np.where(keep, var1, var0)
        phi = np.where(keep, phi1, phi0)
    se_fit = mu0 * np.sqrt(np.maximum(var0, 0.0))
    obs = counts[:, ks].reshape(-1)
    upper, se, p = threshold(mu0, se_fit, phi, obs, cfg.alpha)
    csum = np.concatenate([np.zeros((m, 1)), np.cumsum(counts, axis=1)], axis=1)
    lo = np.maximum(ks - cfg.limit_period + 1, 0)
    enough = ((csum[:, ks + 1] - csum[:, lo]) >= cfg.limit_cases).reshape(-1)
    alarm = tested & enough & (obs > upper) & (obs != 0)
    nan = np.where(tested, 0.0, np.nan)
    pnb = predictive_pvalue(obs, mu0, se)

    def shape(a: np.ndarray) -> np.ndarray:
        return a.reshape(m, nk)

    return Result(*(shape(a) for a in (mu0 + nan, upper + nan, se + nan, p + nan, pnb + nan, phi + nan,
                                       keep & tested, enough, alarm, tested)))
