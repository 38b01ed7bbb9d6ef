//! Reading a caption: its characters (positions count characters, never bytes), the
//! hashtags and mentions in it, where each disclosure term occurs on word boundaries, the
//! first line and the block of hashtags at its end.

use super::terms::{Kind, TERMS, Term};

/// A letter or digit of any script, or `_`: what hashtags, handles and words are made of.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `c` compares equal to the lower-case ASCII `t` ignoring case.
fn same(c: char, t: char) -> bool {
    let mut low = c.to_lowercase();
    low.next() == Some(t) && low.next().is_none()
}

/// One occurrence of a disclosure term in a caption.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    pub term: &'static Term,
    /// Index of its first character (the `#` of a hashtag).
    pub start: usize,
    pub end: usize,
    /// As written in the caption.
    pub text: String,
}

/// A caption, ready to search.
pub(super) struct Caption {
    chars: Vec<char>,
}

impl Caption {
    pub fn new(s: &str) -> Caption {
        Caption { chars: s.chars().collect() }
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    /// Every hashtag, lower-cased without its `#`, with the index of its `#`. `#ad#spon`
    /// holds two; `e#mail` and `#` followed by an emoji hold none.
    pub fn hashtags(&self) -> Vec<(usize, String)> {
        let c = &self.chars;
        let mut out = Vec::new();
        let mut i = 0;
        let mut after_tag = false;
        while i < c.len() {
            let starts = c[i] == '#' && (i == 0 || after_tag || !is_word(c[i - 1]));
            if starts && c.get(i + 1).is_some_and(|&n| is_word(n)) {
                let end = (i + 1..c.len()).find(|&j| !is_word(c[j])).unwrap_or(c.len());
                out.push((i, self.text(i + 1, end).to_lowercase()));
                i = end;
                after_tag = true;
                continue;
            }
            after_tag = false;
            i += 1;
        }
        out
    }

    /// Every mention, lower-cased without its `@` (letters, digits, `_` and `.`, less a
    /// sentence's final dot). An email address is not a mention.
    pub fn mentions(&self) -> Vec<String> {
        let c = &self.chars;
        let handle = |ch: char| is_word(ch) || ch == '.';
        let mut out = Vec::new();
        for i in 0..c.len() {
            if c[i] != '@' || (i > 0 && (is_word(c[i - 1]) || c[i - 1] == '.')) {
                continue;
            }
            let end = (i + 1..c.len()).find(|&j| !handle(c[j])).unwrap_or(c.len());
            let name = self.text(i + 1, end).trim_end_matches('.').to_lowercase();
            if !name.is_empty() {
                out.push(name);
            }
        }
        out
    }

    /// Where the phrase `t` (lower-case ASCII; a space stands for any run of whitespace)
    /// matches from `i`: the index after it.
    fn phrase_at(&self, i: usize, t: &str) -> Option<usize> {
        let c = &self.chars;
        let mut j = i;
        for tc in t.chars() {
            if tc == ' ' {
                let k = (j..c.len()).find(|&k| !c[k].is_whitespace()).unwrap_or(c.len());
                if k == j {
                    return None;
                }
                j = k;
            } else if c.get(j).is_some_and(|&ch| same(ch, tc)) {
                j += 1;
            } else {
                return None;
            }
        }
        Some(j)
    }

    /// Only punctuation, symbols or spaces come before `i` on its line.
    fn leads_line(&self, i: usize) -> bool {
        self.chars[..i].iter().rev().take_while(|&&ch| ch != '\n').all(|&ch| !ch.is_alphanumeric())
    }

    /// A label's punctuation follows `j`: `Ad:`, `AD |`, `(ad)`, `[Ad]`, `Ad – …` (a dash only
    /// after a space, so "ad-free" is no label).
    fn label_punct_after(&self, j: usize) -> bool {
        let c = &self.chars;
        let k = (j..c.len()).find(|&k| c[k] != ' ').unwrap_or(c.len());
        match c.get(k) {
            Some(':' | '|' | ')' | ']') => true,
            Some('-' | '–' | '—') => k > j,
            _ => false,
        }
    }

    /// The next non-space character after `j` is `@`.
    fn mention_after(&self, j: usize) -> bool {
        let c = &self.chars;
        (j..c.len()).find(|&k| !c[k].is_whitespace()).is_some_and(|k| c[k] == '@')
    }

    /// Where a word-kind term matches at `i`, on word boundaries; not inside a hashtag or
    /// a mention.
    fn word_at(&self, i: usize, t: &str) -> Option<usize> {
        let c = &self.chars;
        if i > 0 && (is_word(c[i - 1]) || matches!(c[i - 1], '#' | '@')) {
            return None;
        }
        let end = self.phrase_at(i, t)?;
        let last_is_word = t.chars().last().is_some_and(is_word);
        if last_is_word && c.get(end).is_some_and(|&n| is_word(n)) {
            return None;
        }
        Some(end)
    }

    /// Every occurrence of every term. An occurrence inside a longer one ("Werbung" in
    /// "unbezahlte Werbung", "sponsored" in "not sponsored") is left out.
    pub fn hits(&self) -> Vec<Hit> {
        let tags = self.hashtags();
        let mut hits: Vec<Hit> = Vec::new();
        for term in TERMS {
            match term.kind {
                Kind::Tag => {
                    for (start, tag) in &tags {
                        if tag == term.text {
                            let end = start + 1 + tag.chars().count();
                            hits.push(Hit { term, start: *start, end, text: self.text(*start, end) });
                        }
                    }
                }
                Kind::Words | Kind::Label | Kind::Thanks => {
                    for i in 0..self.chars.len() {
                        let Some(end) = self.word_at(i, term.text) else { continue };
                        let ok = match term.kind {
                            Kind::Label => self.leads_line(i) || self.label_punct_after(end),
                            Kind::Thanks => self.mention_after(end),
                            _ => true,
                        };
                        if ok {
                            hits.push(Hit { term, start: i, end, text: self.text(i, end) });
                        }
                    }
                }
            }
        }
        let inner = |h: &Hit| {
            hits.iter().any(|o| o.start <= h.start && h.end <= o.end && (o.end - o.start) > (h.end - h.start))
        };
        let mut kept: Vec<Hit> = hits.iter().filter(|h| !inner(h)).cloned().collect();
        kept.sort_by_key(|h| h.start);
        kept
    }

    /// The index just past the first line with text on it (the whole caption when it has
    /// one line).
    pub fn first_line_end(&self) -> usize {
        let c = &self.chars;
        let text = (0..c.len()).find(|&i| !c[i].is_whitespace()).unwrap_or(c.len());
        (text..c.len()).find(|&i| c[i] == '\n').unwrap_or(c.len())
    }

    /// The index of the first character that is not whitespace.
    pub fn first_text(&self) -> usize {
        self.chars.iter().position(|c| !c.is_whitespace()).unwrap_or(0)
    }

    /// The block of hashtags the caption ends with: the index of its first `#` and how many
    /// hashtags it holds, when it holds at least `min`. Emoji, dots and mentions between the
    /// hashtags belong to the block; any other word ends it.
    pub fn trailing_block(&self, min: usize) -> Option<(usize, usize)> {
        let mut start = None;
        let mut count = 0;
        for (at, token) in self.tokens().into_iter().rev() {
            match token_tags(&token) {
                Some(n) if n > 0 => {
                    start = Some(at);
                    count += n;
                }
                Some(_) => {}
                None => break,
            }
        }
        start.filter(|_| count >= min).map(|s| (s, count))
    }

    /// The whitespace-separated tokens with the index of their first character.
    fn tokens(&self) -> Vec<(usize, Vec<char>)> {
        let mut out: Vec<(usize, Vec<char>)> = Vec::new();
        let mut cur: Option<(usize, Vec<char>)> = None;
        for (i, &ch) in self.chars.iter().enumerate() {
            if ch.is_whitespace() {
                out.extend(cur.take());
            } else {
                cur.get_or_insert_with(|| (i, Vec::new())).1.push(ch);
            }
        }
        out.extend(cur);
        out
    }
}

/// How many hashtags a token of a trailing block holds (`#ad#spon,` holds two; an emoji, a
/// dot or a mention none); `None` for a token that is ordinary text.
fn token_tags(t: &[char]) -> Option<usize> {
    if !t.iter().any(|c| c.is_alphanumeric()) {
        return Some(0);
    }
    let body: Vec<char> = {
        let end = t.iter().rposition(|&c| is_word(c)).map_or(0, |p| p + 1);
        t[..end].to_vec()
    };
    if body.first() == Some(&'@') && body[1..].iter().all(|&c| is_word(c) || c == '.') {
        return Some(0);
    }
    let mut n = 0;
    let mut i = 0;
    while i < body.len() {
        if body[i] != '#' || !body.get(i + 1).is_some_and(|&c| is_word(c)) {
            return None;
        }
        i += 1;
        while i < body.len() && is_word(body[i]) {
            i += 1;
        }
        n += 1;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        Caption::new(s).hits().into_iter().map(|h| h.text).collect()
    }

    #[test]
    fn hashtags_are_found_on_their_boundaries_and_lower_cased() {
        let c = Caption::new("Hi #Ad#Spon e#mail #👟 (#Sommer) #straße_2 #");
        let tags: Vec<String> = c.hashtags().into_iter().map(|(_, t)| t).collect();
        assert_eq!(tags, ["ad", "spon", "sommer", "straße_2"]);
    }

    #[test]
    fn mentions_skip_emails_and_a_final_dot() {
        let c = Caption::new("Thanks @Glow.Co. and @über_brand! mail me: me@example.com");
        assert_eq!(c.mentions(), ["glow.co", "über_brand"]);
    }

    #[test]
    fn words_match_on_boundaries_and_ignore_case() {
        assert_eq!(texts("*WERBUNG* für dich"), ["WERBUNG"]);
        assert!(texts("Meine Werbungskosten").is_empty());
        assert!(texts("Ich liebe #Werbungskosten").is_empty());
        assert!(texts("#adventure #advertisingagency").is_empty());
    }

    #[test]
    fn a_term_inside_a_longer_one_is_left_out() {
        assert_eq!(texts("Unbezahlte\nWerbung"), ["Unbezahlte\nWerbung"]);
        assert_eq!(texts("This is not sponsored"), ["not sponsored"]);
    }

    #[test]
    fn ad_is_a_label_only_up_front_or_with_a_labels_punctuation() {
        assert_eq!(texts("Ad: new drop"), ["Ad"]);
        assert_eq!(texts("✨ AD | new drop"), ["AD"]);
        assert_eq!(texts("new drop (ad)"), ["ad"]);
        assert!(texts("this app is ad-free and I saw an ad for it").is_empty());
        assert_eq!(texts("new drop\nAd"), ["Ad"]);
    }

    #[test]
    fn thanks_counts_only_before_a_mention() {
        assert_eq!(texts("thanks @glowco for the gift"), ["thanks"]);
        assert!(texts("thanks everyone").is_empty());
        assert_eq!(texts("Danke an @glowco"), ["Danke an"]);
    }

    #[test]
    fn the_trailing_block_takes_hashtags_emoji_and_mentions_at_the_end() {
        let c = Caption::new("Sun! ☀️\n.\n#a #b ✨ @x #c#d");
        assert_eq!(c.trailing_block(3), Some((10, 4)));
        assert_eq!(Caption::new("Sun #a #b").trailing_block(3), None);
        assert_eq!(Caption::new("#a #b #c").trailing_block(3), Some((0, 3)));
        assert_eq!(Caption::new("#a #b #c then words").trailing_block(3), None);
    }

    #[test]
    fn the_first_line_skips_leading_blank_lines() {
        let c = Caption::new("\n\nhello\nworld");
        assert_eq!((c.first_text(), c.first_line_end()), (2, 7));
        assert_eq!(Caption::new("one line").first_line_end(), 8);
    }
}
