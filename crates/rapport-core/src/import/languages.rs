//! Language names as exports write them ("German", "Deutsch", "Español"), to ISO 639-1
//! codes. A code itself ("de", "eng") is kept as it is.

use std::collections::HashMap;
use std::sync::LazyLock;

/// `code Name|Other name|…` per line: the languages creators most often work in.
const NAMES: &str = "\
ar Arabic|العربية
bg Bulgarian|Български
bn Bengali|Bangla|বাংলা
ca Catalan|Català
cs Czech|Čeština
da Danish|Dansk
de German|Deutsch
el Greek|Ελληνικά
en English
es Spanish|Español|Castellano
et Estonian|Eesti
fa Persian|Farsi|فارسی
fi Finnish|Suomi
fil Filipino|Tagalog
fr French|Français
he Hebrew|עברית
hi Hindi|हिन्दी
hr Croatian|Hrvatski
hu Hungarian|Magyar
id Indonesian|Bahasa Indonesia
it Italian|Italiano
ja Japanese|日本語
ko Korean|한국어
lt Lithuanian|Lietuvių
lv Latvian|Latviešu
ms Malay|Bahasa Melayu
nl Dutch|Nederlands|Flemish|Vlaams
no Norwegian|Norsk
pl Polish|Polski
pt Portuguese|Português|Brazilian Portuguese
ro Romanian|Română
ru Russian|Русский
sk Slovak|Slovenčina
sl Slovenian|Slovenščina
sr Serbian|Srpski|Српски
sv Swedish|Svenska
sw Swahili|Kiswahili
th Thai|ไทย
tr Turkish|Türkçe
uk Ukrainian|Українська
ur Urdu|اردو
vi Vietnamese|Tiếng Việt
zh Chinese|Mandarin|Cantonese|中文|普通话";

/// Every name (lower case) to its code; built on first use.
static BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for line in NAMES.lines() {
        if let Some((code, names)) = line.split_once(' ') {
            for name in names.split('|') {
                map.insert(name.to_lowercase(), code);
            }
        }
    }
    map
});

/// The ISO 639 code for a language as written: a code (two or three letters) as it is,
/// a known name as its code, anything else `None`.
pub fn code_for(written: &str) -> Option<String> {
    let w = written.trim();
    if (2..=3).contains(&w.len()) && w.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(w.to_ascii_lowercase());
    }
    BY_NAME.get(&w.to_lowercase()).map(|c| (*c).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_english_and_their_own_language_map_to_codes() {
        for (written, code) in
            [("German", "de"), ("deutsch", "de"), ("Español", "es"), ("日本語", "ja"), ("EN", "en"), ("eng", "eng")]
        {
            assert_eq!(code_for(written).as_deref(), Some(code), "{written}");
        }
        assert_eq!(code_for("Klingon"), None);
    }
}
