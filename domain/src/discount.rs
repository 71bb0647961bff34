//! A promotion code's discount on a Checkout Session (`PROMOTION_CODES`): what the session says
//! it took off and which code did it, how a family's payment is shared among its bookings once
//! discounted, and how the admin is told of it. The money rule that accepts a discounted
//! payment is `payment_check::check`.

use crate::money::Money;
use crate::stripe_event::EventObject;
use serde::{Deserialize, Serialize};

/// What a Checkout Session's discount took off, and the promotion code it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// Minor units (`total_details.amount_discount`), more than zero.
    pub amount: i64,
    /// The code the parent typed (`SPRING10`), when the event carries the expanded object.
    pub promotion_code: Option<String>,
    /// The promotion code's id (`promo_...`).
    pub promotion_code_id: Option<String>,
}

impl Discount {
    /// The discount an event's object carries, if it carries one of more than zero.
    pub fn of(object: &EventObject) -> Option<Self> {
        object
            .amount_discount
            .filter(|amount| *amount > 0)
            .map(|amount| Self {
                amount,
                promotion_code: object.promotion_code.clone(),
                promotion_code_id: object.promotion_code_id.clone(),
            })
    }
}

/// Shares `paid` among bookings costing `amounts`, each in proportion to its price (a family's
/// children, a term's sessions paid in one discounted checkout): the shares sum to `paid`, and
/// none is more than its booking's price while `paid` is not more than their sum. The cents
/// the division leaves go one each to the largest remainders, the earliest booking first.
pub fn shares(paid: i64, amounts: &[i64]) -> Vec<i64> {
    let total: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
    if total <= 0 || amounts.iter().any(|a| *a < 0) {
        // Nothing to weigh by: the first booking holds the payment.
        return amounts
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { paid } else { 0 })
            .collect();
    }
    let paid_wide = i128::from(paid);
    let exact: Vec<(i128, i128)> = amounts
        .iter()
        .map(|a| {
            let product = i128::from(*a) * paid_wide;
            (product.div_euclid(total), product.rem_euclid(total))
        })
        .collect();
    let mut left = paid_wide - exact.iter().map(|(share, _)| share).sum::<i128>();
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    // Largest remainder first; `sort_by` is stable, so equal remainders keep their order.
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1));
    let mut result: Vec<i128> = exact.iter().map(|(share, _)| *share).collect();
    for i in order {
        if left <= 0 {
            break;
        }
        result[i] += 1;
        left -= 1;
    }
    result
        .into_iter()
        .map(|share| i64::try_from(share).unwrap_or(i64::MAX))
        .collect()
}

/// What the admin's booking page says of a booking's discount: "$10.00 (code SPRING10)", or
/// the promotion code's id when its text is not known. `None` without a discount.
pub fn describe(
    amount: i64,
    currency: &str,
    promotion_code: Option<&str>,
    promotion_code_id: Option<&str>,
) -> Option<String> {
    if amount <= 0 {
        return None;
    }
    let money = Money::new(amount, currency);
    Some(match (promotion_code, promotion_code_id) {
        (Some(code), _) => format!("{money} (code {code})"),
        (None, Some(id)) => format!("{money} (promotion code {id})"),
        (None, None) => money.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe_event::StripeEvent;

    #[test]
    fn shares_sum_to_what_was_paid_and_follow_the_prices() {
        assert_eq!(shares(3500, &[4500]), [3500]);
        assert_eq!(shares(7550, &[4500, 4050]), [3974, 3576]);
        assert_eq!(shares(8000, &[4500, 4500]), [4000, 4000]);
        // 100 over three equal prices: the first booking takes the odd cent.
        assert_eq!(shares(100, &[10, 10, 10]), [34, 33, 33]);
        assert_eq!(shares(0, &[4500, 4050]), [0, 0]);
        assert_eq!(shares(5, &[0, 0]), [5, 0]);
        for (paid, amounts) in [
            (7549_i64, vec![4500_i64, 4050, 4050]),
            (1, vec![999, 1, 1000]),
            (12_345, vec![4500, 4500, 4500, 2]),
            (9_000, vec![4500, 4500]),
        ] {
            let got = shares(paid, &amounts);
            assert_eq!(got.iter().sum::<i64>(), paid, "{paid} over {amounts:?}");
            assert!(
                got.iter().zip(&amounts).all(|(s, a)| (0..=*a).contains(s)),
                "{got:?} of {amounts:?}"
            );
        }
    }

    #[test]
    fn the_admin_reads_the_code_or_its_id() {
        assert_eq!(
            describe(1000, "USD", Some("SPRING10"), Some("promo_1")).as_deref(),
            Some("$10.00 (code SPRING10)")
        );
        assert_eq!(
            describe(1000, "usd", None, Some("promo_1")).as_deref(),
            Some("$10.00 (promotion code promo_1)")
        );
        assert_eq!(describe(250, "EUR", None, None).as_deref(), Some("€2.50"));
        assert_eq!(describe(0, "USD", Some("X"), None), None);
    }

    #[test]
    fn a_discount_is_read_from_the_event_only_when_it_takes_something_off() {
        let event = |details: &str| {
            StripeEvent::parse(
                format!(
                    r#"{{"id":"e","type":"checkout.session.completed","data":{{"object":{{
                    "object":"checkout.session","amount_total":3500,{details}}}}}}}"#
                )
                .as_bytes(),
            )
            .unwrap()
        };
        let taken = event(
            r#""total_details":{"amount_discount":1000,"amount_tax":0},
               "discounts":[{"coupon":"co_1","promotion_code":"promo_1"}]"#,
        );
        assert_eq!(
            Discount::of(&taken.object),
            Some(Discount {
                amount: 1000,
                promotion_code: None,
                promotion_code_id: Some("promo_1".into()),
            })
        );
        let none = event(r#""total_details":{"amount_discount":0,"amount_tax":0}"#);
        assert_eq!(Discount::of(&none.object), None);
    }
}
