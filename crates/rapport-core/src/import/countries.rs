//! Country names as exports write them ("Germany", "USA", "Deutschland"), to ISO 3166
//! alpha-2 codes.

/// `CODE Name|Other name|…` per line.
const NAMES: &str = "\
AE United Arab Emirates|UAE|Emirates
AR Argentina
AT Austria|Österreich
AU Australia
BE Belgium|Belgique|België
BG Bulgaria
BR Brazil|Brasil
CA Canada
CH Switzerland|Schweiz|Suisse|Svizzera
CL Chile
CN China|People's Republic of China|中国
CO Colombia
CY Cyprus
CZ Czech Republic|Czechia|Česko
DE Germany|Deutschland
DK Denmark|Danmark
EE Estonia
EG Egypt
ES Spain|España
FI Finland|Suomi
FR France
GB United Kingdom|UK|Great Britain|Britain|England|Scotland|Wales|Northern Ireland
GR Greece
HK Hong Kong
HR Croatia|Hrvatska
HU Hungary|Magyarország
ID Indonesia
IE Ireland
IL Israel
IN India
IS Iceland
IT Italy|Italia
JP Japan|日本
KE Kenya
KR South Korea|Korea|Republic of Korea|대한민국
KZ Kazakhstan
LT Lithuania
LU Luxembourg
LV Latvia
MA Morocco
MX Mexico|México
MY Malaysia
NG Nigeria
NL Netherlands|The Netherlands|Holland|Nederland
NO Norway|Norge
NZ New Zealand
PE Peru|Perú
PH Philippines
PK Pakistan
PL Poland|Polska
PT Portugal
RO Romania|România
RS Serbia
RU Russia|Russian Federation|Россия
SA Saudi Arabia
SE Sweden|Sverige
SG Singapore
SI Slovenia
SK Slovakia
TH Thailand
TR Turkey|Türkiye
TW Taiwan
UA Ukraine|Україна
US United States|United States of America|USA|U.S.|U.S.A.|America
VN Vietnam|Viet Nam
ZA South Africa";

/// The ISO code for a country name, or `None` when the name is not known.
pub fn code_for(name: &str) -> Option<&'static str> {
    let wanted = name.trim().to_lowercase();
    NAMES.lines().find_map(|line| {
        let (code, names) = line.split_once(' ')?;
        names.split('|').any(|n| n.to_lowercase() == wanted).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_and_native_spellings_map_to_codes() {
        assert_eq!(code_for("Germany"), Some("DE"));
        assert_eq!(code_for(" deutschland "), Some("DE"));
        assert_eq!(code_for("USA"), Some("US"));
        assert_eq!(code_for("United Kingdom"), Some("GB"));
        assert_eq!(code_for("中国"), Some("CN"));
        assert_eq!(code_for("Narnia"), None);
        for line in NAMES.lines() {
            assert!(crate::creators::is_country_code(&line[..2]), "{line}");
        }
    }
}
