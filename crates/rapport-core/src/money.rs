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
}
