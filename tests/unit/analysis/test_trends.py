"""The daily-series detectors (design D8.2-D8.4) on hand-built series: steps, ramps, spikes, weekends."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.analysis.trends import (
    Window,
    base_window,
    find_anomalies,
    find_level_shifts,
    mean_over,
    replaced,
    run_rate_window,
)

MONDAY = dt.date(2026, 9, 7)


def weekly(days: int, weekday: float, weekend: float) -> list[float]:
    """A flat series with a weekend level, day 0 a Monday."""
    return [weekend if (MONDAY + dt.timedelta(days=i)).weekday() >= 5 else weekday for i in range(days)]


def with_noise(values: list[float], size: float = 0.5) -> list[float]:
    """Deterministic small wiggle so the robust sigma is not zero."""
    return [v + size * ((i * 7) % 5 - 2) / 2 for i, v in enumerate(values)]


def test_step_up_found_on_its_day_with_before_after_and_sharpness() -> None:
    values = with_noise([100.0] * 50 + [130.0] * 40)
    shifts = find_level_shifts(values)
    assert [s.index for s in shifts] == [50]
    step = shifts[0]
    assert step.before == pytest.approx(100.0, abs=0.5)
    assert step.after == pytest.approx(130.0, abs=0.5)
    assert step.after_days == 14
    assert step.sharpness == pytest.approx(1.0, abs=0.1)
    assert abs(step.delta) >= step.threshold


def test_step_down_found_as_a_negative_shift() -> None:
    values = with_noise([200.0] * 45 + [150.0] * 45)
    shifts = find_level_shifts(values)
    assert [s.index for s in shifts] == [45]
    assert shifts[0].delta == pytest.approx(-50.0, abs=1.0)


def test_step_with_only_a_week_after_uses_seven_days_after() -> None:
    values = with_noise([100.0] * 60 + [140.0] * 8)
    shifts = find_level_shifts(values)
    assert [(s.index, s.after_days) for s in shifts] == [(60, 7)]


def test_step_in_the_last_five_days_is_not_a_shift() -> None:
    """Only days with 7 after them can host a shift; a step 5 days from the end is left to new costs (D8.6)."""
    values = with_noise([100.0] * 85 + [160.0] * 5)
    assert find_level_shifts(values) == []


def test_linear_ramp_is_not_a_shift_however_steep() -> None:
    values = [100.0 + 3.0 * i for i in range(90)]
    assert find_level_shifts(values) == []


def test_steady_one_percent_daily_growth_is_not_a_shift() -> None:
    values = [100.0 * 1.01 ** i for i in range(90)]
    assert find_level_shifts(values) == []


def test_step_smaller_than_five_percent_is_not_a_shift() -> None:
    values = with_noise([1000.0] * 45 + [1040.0] * 45, size=0.1)
    assert find_level_shifts(values) == []


def _noisy(days: int, amplitude: float) -> list[float]:
    """100 plus deterministic pseudo-random noise in [-amplitude, amplitude] (a linear congruential sequence)."""
    out, state = [], 12345
    for _ in range(days):
        state = (1103515245 * state + 12345) % 2**31
        out.append(100.0 + amplitude * (2 * state / 2**31 - 1))
    return out


def test_step_inside_the_noise_is_not_a_shift_and_found_when_the_noise_is_small() -> None:
    noisy = [v + (12.0 if i >= 45 else 0.0) for i, v in enumerate(_noisy(90, 15.0))]
    assert not any(40 <= s.index <= 50 for s in find_level_shifts(noisy))
    quiet = [v + (12.0 if i >= 45 else 0.0) for i, v in enumerate(_noisy(90, 1.0))]
    assert [s.index for s in find_level_shifts(quiet)] == [45]


def test_weekly_rhythm_is_no_shift_and_no_anomaly() -> None:
    values = weekly(90, 100.0, 40.0)
    assert find_level_shifts(values) == []
    assert find_anomalies(values) == []


def test_step_on_a_weekday_rhythm_found_with_whole_weeks_cancelling_weekends() -> None:
    values = [v + (50.0 if i >= 49 else 0.0) for i, v in enumerate(weekly(90, 100.0, 60.0))]
    shifts = find_level_shifts(values)
    assert [s.index for s in shifts] == [49]
    assert shifts[0].delta == pytest.approx(50.0)


def test_one_day_spike_is_an_anomaly_and_not_a_shift_once_replaced() -> None:
    values = with_noise([300.0] * 90)
    values[70] += 600.0
    anomalies = find_anomalies(values)
    assert [a.index for a in anomalies] == [70]
    clean = replaced(values, [70])
    assert clean[70] == values[63]
    assert find_level_shifts(clean) == []


def test_spike_left_in_place_would_pass_the_shift_test() -> None:
    """Why replacement comes first: a large enough one-day spike alone moves a 14-day mean past the threshold."""
    values = with_noise([300.0] * 90)
    values[70] += 2000.0
    assert find_level_shifts(values) != []


def test_two_day_spike_is_two_anomalies_and_a_long_run_is_none() -> None:
    values = with_noise([300.0] * 90)
    values[60] += 500.0
    values[61] += 500.0
    assert [a.index for a in find_anomalies(values)] == [60, 61]
    stepped = with_noise([300.0] * 50 + [500.0] * 40)
    assert find_anomalies(stepped) == []  # 7 days outside the band in a row: a level change, left to D8.3


def test_weekend_dip_below_the_band_is_not_an_anomaly() -> None:
    values = weekly(90, 100.0, 30.0)
    assert find_anomalies(values) == []


def test_anomaly_replaced_by_a_replaced_day_when_two_weeks_running() -> None:
    values = [10.0] * 90
    values[50] = 90.0
    values[57] = 95.0
    assert replaced(values, [50, 57])[57] == 10.0


def test_run_rate_window_is_the_last_28_days_or_since_a_recent_shift() -> None:
    values = with_noise([100.0] * 70 + [150.0] * 20)
    shifts = find_level_shifts(values)
    assert [s.index for s in shifts] == [70]
    window = run_rate_window(90, shifts)
    assert window == Window(70, 20)
    assert mean_over(values, window) == pytest.approx(150.0, abs=0.5)
    old = find_level_shifts(with_noise([100.0] * 40 + [150.0] * 50))
    assert run_rate_window(90, old) == Window(62, 28)


def test_base_window_is_the_first_28_days_and_none_when_too_short() -> None:
    assert base_window(Window(62, 28)) == Window(0, 28)
    assert base_window(Window(10, 28)) == Window(0, 10)
    assert base_window(Window(3, 28)) is None
