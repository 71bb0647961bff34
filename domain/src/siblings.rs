//! Several children booked in one form and paid in one checkout: how many may be, and what
//! each child's place costs when a sibling discount applies (the first child full price, each
//! further one less by `SIBLING_DISCOUNT_PERCENT`).

/// The most children one form books at once.
pub const MAX_CHILDREN: usize = 4;

/// The price of each of `children` places at `price` minor units, the second and later
/// `percent` off (rounded to the nearest minor unit, halves up).
pub fn shares(price: i64, children: usize, percent: u8) -> Vec<i64> {
    let discount = (price * i64::from(percent.min(100)) + 50) / 100;
    (0..children)
        .map(|i| if i == 0 { price } else { price - discount })
        .collect()
}

/// What the form says of the discount: "10% off the second child and each after".
pub fn discount_text(percent: u8) -> Option<String> {
    (percent > 0).then(|| format!("{percent}% off the second child and each after"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_child_pays_in_full_and_siblings_less() {
        assert_eq!(shares(4500, 1, 10), [4500]);
        assert_eq!(shares(4500, 3, 10), [4500, 4050, 4050]);
        assert_eq!(shares(4500, 2, 0), [4500, 4500]);
        // 15% of 999 is 149.85: 150 off.
        assert_eq!(shares(999, 2, 15), [999, 849]);
        assert_eq!(shares(1000, 2, 100), [1000, 0]);
        assert_eq!(discount_text(0), None);
        assert_eq!(
            discount_text(10).as_deref(),
            Some("10% off the second child and each after")
        );
    }
}
