//! Exact points: integer hundredths, so that 89.25 stays 89.25 through sums and means.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use serde::{Deserialize, Serialize};

/// A number of points in hundredths of a point (`Points::hundredths(8925)` is 89.25).
/// Arithmetic saturates instead of overflowing: no configuration can make it panic.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn hundredths(hundredths: i64) -> Points {
        Points(hundredths)
    }

    pub const fn whole(points: i64) -> Points {
        Points(points.saturating_mul(100))
    }

    pub const fn as_hundredths(self) -> i64 {
        self.0
    }

    /// `self` taken `n` times.
    pub fn times(self, n: u64) -> Points {
        clamp(i128::from(self.0) * i128::from(n))
    }

    /// `self × numerator / denominator`, rounded half away from zero to a hundredth; zero when
    /// the denominator is zero (callers say what an empty month scores before asking).
    pub fn ratio(self, numerator: u64, denominator: u64) -> Points {
        if denominator == 0 {
            return Points::ZERO;
        }
        let product = i128::from(self.0) * i128::from(numerator);
        let den = i128::from(denominator);
        let magnitude = (2 * product.abs() + den) / (2 * den);
        clamp(if product < 0 { -magnitude } else { magnitude })
    }

    /// The mean of `values`, rounded half away from zero to a hundredth; `None` when empty.
    pub fn mean(values: &[Points]) -> Option<Points> {
        let total: i128 = values.iter().map(|p| i128::from(p.0)).sum();
        let n = i128::try_from(values.len()).ok().filter(|n| *n > 0)?;
        let magnitude = (2 * total.abs() + n) / (2 * n);
        Some(clamp(if total < 0 { -magnitude } else { magnitude }))
    }
}

fn clamp(value: i128) -> Points {
    Points(i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX }))
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", magnitude / 100, magnitude % 100)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, other: Points) {
        *self = *self + other;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, other: Points) -> Points {
        Points(self.0.saturating_sub(other.0))
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(self.0.saturating_neg())
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

/// `numerator / denominator` as a percentage with two decimals, rounded down so that a share
/// shown as 10.00 % has really reached 10 % (a bonus threshold must never look met when it
/// is not).
pub(super) fn percent_floor(numerator: u64, denominator: u64) -> String {
    if denominator == 0 {
        return "0.00%".to_owned();
    }
    let basis_points = u128::from(numerator) * 10_000 / u128::from(denominator);
    format!("{}.{:02}%", basis_points / 100, basis_points % 100)
}
