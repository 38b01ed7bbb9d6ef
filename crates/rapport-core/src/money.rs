//! Money: integer minor units plus an ISO 4217 currency. Never floats; amounts in
//! different currencies never add up silently.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code, three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        let c = code.trim().to_ascii_uppercase();
        let bytes = c.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err("must be a three-letter ISO 4217 currency code such as EUR or USD".into())
        }
    }

    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point for display (JPY and KRW have none).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in minor units (cents) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// Adding or comparing amounts in two currencies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount overflow")]
    Overflow,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if digits == 0 {
            return write!(f, "{sign}{abs} {}", self.currency);
        }
        let unit = 10u64.pow(digits);
        write!(f, "{sign}{}.{:0width$} {}", abs / unit, abs % unit, self.currency, width = digits as usize)
    }
}

/// An amount in major units as people type it ("25 000", "1250.5", "99,90") → minor units
/// of `currency`. Spaces and `_` group digits; the last `.` or `,` is the decimal mark
/// when followed by at most the currency's minor digits (otherwise it groups thousands).
pub fn parse_amount(text: &str, currency: Currency) -> Result<i64, String> {
    let bad = || format!("must be an amount such as 1250 or 1250.50 ({currency})");
    let t: String =
        text.trim().chars().filter(|c| !matches!(c, ' ' | '_' | '\u{2009}' | '\u{202f}' | '\u{a0}')).collect();
    if t.is_empty() || t.starts_with('-') {
        return Err(bad());
    }
    let digits = currency.minor_digits() as usize;
    let (int, frac) = match t.rfind(['.', ',']) {
        Some(i) if t.len() - i - 1 <= digits && t.len() - i - 1 > 0 => (&t[..i], &t[i + 1..]),
        _ => (t.as_str(), ""),
    };
    let int: String = int.chars().filter(|c| !matches!(c, '.' | ',')).collect();
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let unit = 10i64.pow(digits as u32);
    let whole: i64 = int.parse().map_err(|_| bad())?;
    let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<digits$}").parse().map_err(|_| bad())? };
    whole.checked_mul(unit).and_then(|w| w.checked_add(frac_value)).ok_or_else(bad)
}

/// Minor units as a plain amount in major units for a form field ("1250.50", "1200").
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let shown = Money::new(minor, currency).to_string();
    shown.trim_end_matches(currency.as_str()).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }

    #[test]
    fn amounts_in_one_currency_add_up() {
        let a = Money::new(1050, eur());
        assert_eq!(a.checked_add(Money::new(25, eur())).unwrap().minor, 1075);
        assert_eq!(a.to_string(), "10.50 EUR");
    }

    #[test]
    fn mixed_currencies_never_add_up_silently() {
        let usd = Currency::parse("USD").unwrap();
        assert!(matches!(Money::new(1, eur()).checked_add(Money::new(1, usd)), Err(MoneyError::CurrencyMismatch(..))));
    }

    #[test]
    fn currency_codes_must_be_three_letters() {
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("E1R").is_err());
    }

    #[test]
    fn zero_decimal_currencies_print_without_a_fraction() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(-1200, jpy).to_string(), "-1200 JPY");
    }

    #[test]
    fn typed_amounts_become_minor_units_without_floats() {
        assert_eq!(parse_amount("25 000", eur()), Ok(2_500_000));
        assert_eq!(parse_amount("1250.5", eur()), Ok(125_050));
        assert_eq!(parse_amount("99,90", eur()), Ok(9_990));
        assert_eq!(parse_amount("1,250.00", eur()), Ok(125_000));
        assert_eq!(parse_amount("1.250", eur()), Ok(125_000), "three digits after the mark group thousands");
        assert_eq!(parse_amount("1200", Currency::parse("JPY").unwrap()), Ok(1_200));
        assert!(parse_amount("-5", eur()).is_err());
        assert!(parse_amount("12abc", eur()).is_err());
        assert!(parse_amount("99999999999999999999", eur()).is_err());
        assert_eq!(format_amount(125_050, eur()), "1250.50");
    }
}
