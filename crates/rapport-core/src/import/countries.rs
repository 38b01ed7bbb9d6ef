//! Country names as exports write them ("Germany", "USA", "DEU", "UK", "Deutschland"), to
//! ISO 3166-1 alpha-2 codes: every country's code, its alpha-3 code, its English name and
//! the other names people use.

use std::collections::HashMap;
use std::sync::LazyLock;

/// `CODE ALPHA3 Name|Other name|…` per line, one line per ISO 3166-1 country.
const NAMES: &str = "\
AD AND Andorra
AE ARE United Arab Emirates|UAE|Emirates
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania|Shqipëria
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria|Österreich
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands|Aland Islands
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina|Bosnia
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium|Belgique|België
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy|St. Barthélemy
BM BMU Bermuda
BN BRN Brunei|Brunei Darussalam
BO BOL Bolivia|Bolivia (Plurinational State of)
BQ BES Caribbean Netherlands|Bonaire, Sint Eustatius and Saba|Bonaire
BR BRA Brazil|Brasil
BS BHS Bahamas|The Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands|Cocos Islands
CD COD Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa|Congo, The Democratic Republic of the
CF CAF Central African Republic
CG COG Republic of the Congo|Congo|Congo-Brazzaville
CH CHE Switzerland|Schweiz|Suisse|Svizzera
CI CIV Côte d'Ivoire|Cote d'Ivoire|Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China|People's Republic of China|PRC|中国
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cape Verde|Cabo Verde
CW CUW Curaçao|Curacao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czech Republic|Czechia|Česko
DE DEU Germany|Deutschland
DJ DJI Djibouti
DK DNK Denmark|Danmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia|Eesti
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain|España
ET ETH Ethiopia
FI FIN Finland|Suomi
FJ FJI Fiji
FK FLK Falkland Islands
FM FSM Micronesia|Federated States of Micronesia
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom|UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|United Kingdom of Great Britain and Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia|The Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece|Hellas|Ελλάδα
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong|Hong Kong SAR|Hong Kong SAR China
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia|Hrvatska
HT HTI Haiti
HU HUN Hungary|Magyarország
ID IDN Indonesia
IE IRL Ireland|Republic of Ireland|Éire
IL ISR Israel
IM IMN Isle of Man
IN IND India|Bharat
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran|Iran, Islamic Republic of
IS ISL Iceland|Ísland
IT ITA Italy|Italia
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan|日本
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis|St. Kitts and Nevis
KP PRK North Korea|Korea, Democratic People's Republic of
KR KOR South Korea|Korea|Republic of Korea|Korea, Republic of|대한민국
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Laos|Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia|St. Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania|Lietuva
LU LUX Luxembourg
LV LVA Latvia|Latvija
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova|Moldova, Republic of
ME MNE Montenegro
MF MAF Saint Martin|St. Martin
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia|Macedonia
ML MLI Mali
MM MMR Myanmar|Burma
MN MNG Mongolia
MO MAC Macao|Macau|Macao SAR|Macau SAR China
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico|México
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands|The Netherlands|Holland|Nederland
NO NOR Norway|Norge
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand|Aotearoa
OM OMN Oman
PA PAN Panama
PE PER Peru|Perú
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland|Polska
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn Islands|Pitcairn
PR PRI Puerto Rico
PS PSE Palestine|State of Palestine|Palestine, State of|Palestinian Territories
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion|Reunion
RO ROU Romania|România
RS SRB Serbia|Srbija
RU RUS Russia|Russian Federation|Россия
RW RWA Rwanda
SA SAU Saudi Arabia|KSA
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden|Sverige
SG SGP Singapore
SH SHN Saint Helena|St. Helena
SI SVN Slovenia|Slovenija
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia|Slovensko
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP São Tomé and Príncipe|Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten
SY SYR Syria|Syrian Arab Republic
SZ SWZ Eswatini|Swaziland
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste|East Timor
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Turkey|Türkiye
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan|台灣|台湾
TZ TZA Tanzania|Tanzania, United Republic of
UA UKR Ukraine|Україна
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States|United States of America|U.S.|U.S.A.|America
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Vatican City|Holy See|Vatican
VC VCT Saint Vincent and the Grenadines|St. Vincent and the Grenadines
VE VEN Venezuela|Venezuela (Bolivarian Republic of)
VG VGB British Virgin Islands|Virgin Islands, British
VI VIR U.S. Virgin Islands|US Virgin Islands|Virgin Islands, U.S.
VN VNM Vietnam|Viet Nam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe";

/// Lower-case letters and digits only: "U.S.A." and "usa", "Côte d'Ivoire" and
/// "côte divoire" read alike.
fn key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Every way of writing each country (as [`key`]s), to its code; built on first use.
static BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for line in NAMES.lines() {
        let (code, rest) = line.split_at(2);
        let (alpha3, names) = rest.trim_start().split_at(3);
        for name in [code, alpha3].into_iter().chain(names.split('|')) {
            map.insert(key(name), code);
        }
    }
    map
});

/// The ISO alpha-2 code for a country as written — its code (any case), its alpha-3
/// code, or a name — or `None` when it is not known.
pub fn code_for(name: &str) -> Option<&'static str> {
    BY_NAME.get(&key(name)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_and_native_spellings_map_to_codes() {
        assert_eq!(code_for("Germany"), Some("DE"));
        assert_eq!(code_for(" deutschland "), Some("DE"));
        assert_eq!(code_for("USA"), Some("US"));
        assert_eq!(code_for("U.S.A."), Some("US"));
        assert_eq!(code_for("United Kingdom"), Some("GB"));
        assert_eq!(code_for("中国"), Some("CN"));
        assert_eq!(code_for("Narnia"), None);
        assert_eq!(code_for(""), None);
    }

    #[test]
    fn codes_in_any_case_alpha3_codes_and_every_country_are_known() {
        for (written, code) in [
            ("UK", "GB"),
            ("uk", "GB"),
            ("de", "DE"),
            ("DEU", "DE"),
            ("GBR", "GB"),
            ("Hong Kong SAR", "HK"),
            ("Qatar", "QA"),
            ("Sri Lanka", "LK"),
            ("Cote d'Ivoire", "CI"),
            ("Korea, Republic of", "KR"),
        ] {
            assert_eq!(code_for(written), Some(code), "{written}");
        }
        let mut seen = std::collections::HashMap::new();
        for line in NAMES.lines() {
            let code = &line[..2];
            assert!(crate::creators::is_country_code(code), "{line}");
            assert_eq!(code_for(code), Some(code), "{line}");
            for name in line[7..].split('|').chain([&line[3..6]]) {
                assert_eq!(seen.insert(key(name), code).unwrap_or(code), code, "{name} names two countries");
            }
        }
        assert_eq!(NAMES.lines().count(), 249, "every ISO 3166-1 country");
    }
}
