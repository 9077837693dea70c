"""ARR projected twelve months ahead, with an interval, and how far the same method missed on
the months already known (a backtest).

The model is statsmodels' ETS (exponential smoothing state space) with a damped additive trend
on the logarithm of the whole company's ARR: growth that compounds and slowly fades, which is
how a marketplace's run-rate tends to move, with prediction intervals from the fitted model. A
projection is a guess, and the pages say so; founders and ops see it, investors do not (a model
fitted on months an investor may not see could carry them).
"""

import math
import warnings
from datetime import date

import numpy as np
import pandas as pd

from expertnet.metrics import kpis
from expertnet.metrics.filters import Filters, add_months
from expertnet.metrics.queries import run

HORIZON_MONTHS = 12
INTERVAL = 0.80                # the band drawn: 80% of outcomes fall inside, by the model
MIN_HISTORY_MONTHS = 12        # fewer, and there is no trend to speak of


def _fit_and_project(history: pd.Series, months: int) -> pd.DataFrame:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    with warnings.catch_warnings():        # convergence chatter on short, smooth series
        warnings.simplefilter("ignore")
        months_index = pd.DatetimeIndex(pd.to_datetime(history.index), freq="MS")
        log_arr = pd.Series(np.log(history.to_numpy(dtype="float64")), index=months_index)
        fitted = ETSModel(log_arr, error="add", trend="add", damped_trend=True).fit(disp=False)
        frame = fitted.get_prediction(start=len(history), end=len(history) + months - 1).summary_frame(
            alpha=1 - INTERVAL)
    return pd.DataFrame({"arr_usd": np.exp(frame["mean"].to_numpy()), "low_usd": np.exp(frame["pi_lower"].to_numpy()),
                         "high_usd": np.exp(frame["pi_upper"].to_numpy())})


def arr_projection(con, last: date) -> pd.DataFrame:
    """month, kind ('actual', 'projection', 'backtest'), arr_usd, low_usd, high_usd: the whole
    company's ARR up to `last` (its recent stretch of months with billings), its projection over
    the next HORIZON_MONTHS, and the projection the same method would have made twelve months
    before `last` for the months since (to compare with what happened). Empty when that stretch
    is shorter than MIN_HISTORY_MONTHS."""
    start = run(con, "first_signup_month").iloc[0, 0]
    if start is None or pd.isna(start):
        return pd.DataFrame(columns=["month", "kind", "arr_usd", "low_usd", "high_usd"])
    series = kpis.company_series(con, pd.Timestamp(start).date(), last, Filters())
    history = series.set_index("month")["arr_usd"].astype("float64")
    # the recent stretch of months with billings: a log needs ARR above 0
    gaps = np.flatnonzero(~(history > 0).to_numpy())
    history = history.iloc[gaps[-1] + 1:] if len(gaps) else history
    if len(history) < MIN_HISTORY_MONTHS:
        return pd.DataFrame(columns=["month", "kind", "arr_usd", "low_usd", "high_usd"])
    actual = pd.DataFrame({"month": history.index, "kind": "actual", "arr_usd": history.to_numpy()})
    ahead = _fit_and_project(history, HORIZON_MONTHS)
    ahead.insert(0, "kind", "projection")
    ahead.insert(0, "month", [f"{add_months(last, n):%Y-%m}" for n in range(1, HORIZON_MONTHS + 1)])
    frames = [actual, ahead]
    if len(history) >= MIN_HISTORY_MONTHS + HORIZON_MONTHS:
        back = _fit_and_project(history.iloc[:-HORIZON_MONTHS], HORIZON_MONTHS)
        back.insert(0, "kind", "backtest")
        back.insert(0, "month", list(history.index[-HORIZON_MONTHS:]))
        frames.append(back)
    return pd.concat(frames, ignore_index=True)


def backtest_error(projection: pd.DataFrame) -> float | None:
    """Mean absolute percentage error of the backtest on the months it covers, or None."""
    back = projection[projection["kind"] == "backtest"].set_index("month")["arr_usd"]
    if back.empty:
        return None
    actual = projection[projection["kind"] == "actual"].set_index("month")["arr_usd"].reindex(back.index)
    errors = ((back - actual).abs() / actual).dropna()
    return float(errors.mean()) if len(errors) and math.isfinite(errors.mean()) else None
