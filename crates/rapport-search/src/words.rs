//! How text is cut into words: runs of letters and digits, as most scripts separate words with spaces and
//! punctuation — except Chinese, Japanese and Korean, written without spaces between words, whose runs are
//! cut into overlapping pairs of characters ("和食とお弁当" → 和食, 食と, とお, お弁, 弁当). A search for
//! a word of two or more such characters then finds it inside a longer run, as its pairs are all there
//! (the usual way to index these scripts without a dictionary); a single character stands alone only where
//! it is written alone.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Whether `c` belongs to a script written without spaces between words: Han ideographs, Hiragana,
/// Katakana (with the half-width forms) and Hangul.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x20000..=0x2A6DF // CJK extension B
    )
}

/// The byte ranges of the words of `text`.
fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |(offset, _)| *offset);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(_, c)) = chars.get(i) {
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let cjk = unspaced(c);
        while chars.get(i).is_some_and(|(_, c)| c.is_alphanumeric() && unspaced(*c) == cjk) {
            i += 1;
        }
        if cjk && i - start > 1 {
            out.extend((start..i - 1).map(|k| (end_of(k), end_of(k + 2))));
        } else {
            out.push((end_of(start), end_of(i)));
        }
    }
    out
}

/// The tokenizer of [`crate::schema::text_analyzer`]: words as [`word_ranges`] cuts them.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    words: std::vec::IntoIter<(usize, usize)>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream { text, words: word_ranges(text).into_iter(), token: &mut self.token }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((from, to)) = self.words.next() else { return false };
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.push_str(&self.text[from..to]);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::word_ranges;

    fn words(text: &str) -> Vec<&str> {
        word_ranges(text).into_iter().map(|(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn spaced_scripts_are_cut_at_anything_but_letters_and_digits() {
        assert_eq!(words("@Anna_Schäfer, 3x mum!"), ["Anna", "Schäfer", "3x", "mum"]);
        assert_eq!(words("Москва — кофе"), ["Москва", "кофе"]);
        assert_eq!(words(""), Vec::<&str>::new());
    }

    #[test]
    fn unspaced_scripts_are_cut_into_overlapping_pairs() {
        assert_eq!(words("和食とお弁当。"), ["和食", "食と", "とお", "お弁", "弁当"]);
        assert_eq!(words("東京 の"), ["東京", "の"], "a character written alone stands alone");
        assert_eq!(words("TikTokで料理"), ["TikTok", "で料", "料理"], "a change of script ends a word");
        assert_eq!(words("서울 맛집"), ["서울", "맛집"]);
    }
}
