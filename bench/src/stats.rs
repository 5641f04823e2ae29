//! The bench's statistics: medians, quantiles, the figures of one metric over the rounds
//! (with how many rounds were attempted), and the per-call statistic of the bridge and DOM
//! sections (the first call, and the median of the last K calls after the same warm-up).

use serde_json::Value;

/// The median (the mean of the middle two for an even count); NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 0 => (sorted[middle - 1] + sorted[middle]) / 2.0,
        _ => sorted[middle],
    }
}

/// The `q` quantile of `values` (0 to 1; nearest rank), NaN when empty.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// The smallest and the largest of `values` (infinities when empty).
pub fn range(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

/// The geometric mean of positive `values`; NaN when empty.
pub fn geometric_mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()
}

/// One metric of one contender over the rounds: the figure of each round that succeeded,
/// and how many rounds were attempted (the others failed or timed out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// One figure per successful round, in round order.
    pub values: Vec<f64>,
    /// The rounds attempted: `values.len()` of them succeeded.
    pub attempts: usize,
}

impl Figures {
    /// Figures where every round attempted succeeded.
    pub fn all(values: Vec<f64>) -> Self {
        let attempts = values.len();
        Self { values, attempts }
    }

    /// The number under `key` of each result (a result without one is a failed round) of
    /// `attempts` rounds.
    pub fn of(results: &[Value], key: &str, attempts: usize) -> Self {
        Self::pick(results, attempts, |result| result[key].as_f64())
    }

    /// What `pick` finds in each result, of `attempts` rounds.
    pub fn pick(results: &[Value], attempts: usize, pick: impl Fn(&Value) -> Option<f64>) -> Self {
        Self {
            values: results.iter().filter_map(pick).collect(),
            attempts,
        }
    }

    /// These figures with each value mapped (e.g. bytes to megabytes).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Self {
            values: self.values.into_iter().map(f).collect(),
            attempts: self.attempts,
        }
    }

    /// The median over the successful rounds (NaN when none).
    pub fn median(&self) -> f64 {
        median(&self.values)
    }
}

/// The per-call statistic of the bridge and DOM sections, from one round's list of calls
/// (warm-up calls first, then the timed ones; every contender makes the same calls): the
/// first call, and the median of the last `timed`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallStats {
    /// The first call of the round (a cold call: nothing compiled yet for it).
    pub first: f64,
    /// The median of the last `timed` calls.
    pub last: f64,
}

impl CallStats {
    /// The statistic of `calls`, which must hold `expected` finite values (the warm-up and
    /// the timed calls): anything else is an error naming what was found, never a figure.
    pub fn of(calls: &[f64], expected: usize, timed: usize) -> Result<Self, String> {
        if calls.len() != expected || timed == 0 || timed > expected {
            return Err(format!(
                "{} calls where {expected} were due ({timed} timed)",
                calls.len()
            ));
        }
        if let Some(bad) = calls.iter().find(|value| !value.is_finite()) {
            return Err(format!("a call measured {bad}"));
        }
        Ok(Self {
            first: calls[0],
            last: median(&calls[calls.len() - timed..]),
        })
    }

    /// The statistic of the list of numbers under `value` (a page's `calls.<case>`).
    pub fn of_json(value: &Value, expected: usize, timed: usize) -> Result<Self, String> {
        let list = value.as_array().ok_or("no list of calls")?;
        let calls: Vec<f64> = list.iter().filter_map(Value::as_f64).collect();
        if calls.len() != list.len() {
            return Err("a call's figure is not a number".to_string());
        }
        Self::of(&calls, expected, timed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn percentile_is_the_nearest_rank() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.95), 19.0);
        assert_eq!(percentile(&values, 0.0), 1.0);
        assert_eq!(percentile(&values, 1.0), 20.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn range_across_rounds() {
        assert_eq!(range(&[5.0, 2.0, 9.0]), (2.0, 9.0));
        assert_eq!(range(&[]), (f64::INFINITY, f64::NEG_INFINITY));
    }

    #[test]
    fn geometric_mean_of_ratios() {
        assert!((geometric_mean(&[2.0, 8.0]) - 4.0).abs() < 1e-12);
        assert!(geometric_mean(&[]).is_nan());
    }

    #[test]
    fn figures_count_failed_rounds() {
        let results = [
            json!({"x": 1.0}),
            json!({"error": "boom"}),
            json!({"x": 3.0}),
        ];
        let figures = Figures::of(&results, "x", 4);
        assert_eq!(figures.values, vec![1.0, 3.0]);
        assert_eq!(figures.attempts - figures.values.len(), 2);
        assert_eq!(figures.median(), 2.0);
        assert_eq!(Figures::all(vec![1.0]).attempts, 1);
    }

    #[test]
    fn call_stats_take_the_first_and_the_median_of_the_last_k() {
        // Five warm-up calls, then five timed: the slow first call is reported apart and
        // does not move the median, nor does one slow call among the timed ones.
        let calls = [90.0, 40.0, 30.0, 20.0, 12.0, 11.0, 10.0, 30.0, 9.0, 10.0];
        let stats = CallStats::of(&calls, 10, 5).expect("ten calls");
        assert_eq!(stats.first, 90.0);
        assert_eq!(stats.last, 10.0);
    }

    #[test]
    fn call_stats_refuse_a_short_or_broken_list() {
        assert!(CallStats::of(&[1.0, 2.0], 10, 5).is_err());
        assert!(CallStats::of(&[1.0, f64::NAN], 2, 1).is_err());
        assert!(CallStats::of(&[1.0], 1, 0).is_err());
        assert!(CallStats::of_json(&json!([1, "x"]), 2, 1).is_err());
        let stats = CallStats::of_json(&json!([4, 2, 6]), 3, 2).expect("three numbers");
        assert_eq!((stats.first, stats.last), (4.0, 4.0));
    }
}
