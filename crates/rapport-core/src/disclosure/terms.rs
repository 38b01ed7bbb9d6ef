//! The disclosure vocabulary: every term the checker recognises, the class it belongs to,
//! and how each jurisdiction profile judges each class for paid and for gifted content.

use crate::campaigns::DisclosureProfile;

/// How a term is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A hashtag, exactly (`#ad`, never `#adventure`).
    Tag,
    /// Words anywhere, on word boundaries, not inside a hashtag or mention.
    Words,
    /// A label word that counts only at the start of a line or followed by a label's
    /// punctuation (`Ad:`, `AD |`, `(ad)`), so "I saw an ad" is no disclosure.
    Label,
    /// Thanks followed by a mention (`thanks @brand`).
    Thanks,
}

/// What a term says about the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// `#ad`, `Ad:`, `Advert`, `Advertisement`.
    AdLabel,
    /// `Paid partnership`, `Bezahlte Partnerschaft` (the platforms' wording).
    PaidPartnership,
    /// `#sponsored`, `sponsored by`, `gesponsert`.
    Sponsored,
    /// `#sp`, `#spon`.
    SponsoredAbbrev,
    /// `#collab`, `#partner`, `#ambassador`, `in partnership with`, `#kooperation`, …
    Collab,
    /// `thanks @brand`, `danke @brand`.
    Thanks,
    /// `#gifted`, `gifted by`, `PR sample`.
    Gifted,
    /// `Werbung`, `Anzeige`, `#werbung`, `#anzeige`.
    Werbung,
    /// `unbezahlte Werbung`, `#unbezahltewerbung`: advertising for a gift.
    UnpaidWerbung,
    /// `not sponsored`, `keine Werbung`: says the opposite.
    Negation,
}

#[derive(Debug)]
pub(super) struct Term {
    /// Lower-case; a hashtag without its `#`; a space matches any run of whitespace.
    pub text: &'static str,
    pub kind: Kind,
    pub class: Class,
}

const fn t(text: &'static str, kind: Kind, class: Class) -> Term {
    Term { text, kind, class }
}

use Class::*;
use Kind::{Label, Tag, Words};

pub(super) const TERMS: &[Term] = &[
    t("ad", Tag, AdLabel),
    t("advert", Tag, AdLabel),
    t("advertisement", Tag, AdLabel),
    t("advertising", Tag, AdLabel),
    t("paidad", Tag, AdLabel),
    t("ad", Label, AdLabel),
    t("advert", Label, AdLabel),
    t("advertisement", Label, AdLabel),
    t("advertising", Label, AdLabel),
    t("paid ad", Words, AdLabel),
    t("paid partnership", Words, PaidPartnership),
    t("paidpartnership", Tag, PaidPartnership),
    t("bezahlte partnerschaft", Words, PaidPartnership),
    t("sponsored", Tag, Sponsored),
    t("sponsoredpost", Tag, Sponsored),
    t("sponsored", Words, Sponsored),
    t("gesponsert", Tag, Sponsored),
    t("gesponsert", Words, Sponsored),
    t("sp", Tag, SponsoredAbbrev),
    t("spon", Tag, SponsoredAbbrev),
    t("collab", Tag, Collab),
    t("collaboration", Tag, Collab),
    t("partner", Tag, Collab),
    t("partnership", Tag, Collab),
    t("ambassador", Tag, Collab),
    t("brandambassador", Tag, Collab),
    t("in partnership with", Words, Collab),
    t("in collaboration with", Words, Collab),
    t("kooperation", Tag, Collab),
    t("zusammenarbeit", Tag, Collab),
    t("in zusammenarbeit mit", Words, Collab),
    t("in kooperation mit", Words, Collab),
    t("thanks", Kind::Thanks, Class::Thanks),
    t("thanks to", Kind::Thanks, Class::Thanks),
    t("thank you", Kind::Thanks, Class::Thanks),
    t("thx", Kind::Thanks, Class::Thanks),
    t("danke", Kind::Thanks, Class::Thanks),
    t("danke an", Kind::Thanks, Class::Thanks),
    t("vielen dank", Kind::Thanks, Class::Thanks),
    t("vielen dank an", Kind::Thanks, Class::Thanks),
    t("gifted", Tag, Gifted),
    t("gifted", Words, Gifted),
    t("prsample", Tag, Gifted),
    t("pr sample", Words, Gifted),
    t("werbung", Tag, Werbung),
    t("werbung", Words, Werbung),
    t("anzeige", Tag, Werbung),
    t("anzeige", Words, Werbung),
    t("bezahltewerbung", Tag, Werbung),
    t("unbezahltewerbung", Tag, UnpaidWerbung),
    t("unbezahlte werbung", Words, UnpaidWerbung),
    t("unbeauftragtewerbung", Tag, UnpaidWerbung),
    t("unbeauftragte werbung", Words, UnpaidWerbung),
    t("werbung (unbezahlt)", Words, UnpaidWerbung),
    t("notsponsored", Tag, Negation),
    t("notanad", Tag, Negation),
    t("keinewerbung", Tag, Negation),
    t("unsponsored", Tag, Negation),
    t("not sponsored", Words, Negation),
    t("not an ad", Words, Negation),
    t("unsponsored", Words, Negation),
    t("keine werbung", Words, Negation),
    t("nicht gesponsert", Words, Negation),
];

/// How far a term goes under a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strength {
    /// Tells followers plainly that the post is advertising.
    Clear,
    /// Might: a person should look (needs review).
    Ambiguous,
    /// The regulator has said it is not enough on its own (fails).
    Insufficient,
    /// Says the opposite of the facts (fails even next to a clear disclosure).
    Contradicts,
}

/// The judgement of a class under a profile for paid (`paid`) or gifted content, with why.
pub(super) fn judge(profile: DisclosureProfile, paid: bool, class: Class) -> (Strength, &'static str) {
    use DisclosureProfile::{EuDe, Uk, Us};
    use Strength::*;
    match (profile, class) {
        (_, Negation) => (Contradicts, "says the post is not advertising, which contradicts the brand relationship"),
        (Us | Uk, UnpaidWerbung) if paid => (Contradicts, "says “unpaid”, but the content is paid"),
        (EuDe, UnpaidWerbung) if paid => (Contradicts, "says “unbezahlt”, but the content is paid"),
        (EuDe, UnpaidWerbung) => (Clear, "marks gifted content as advertising (UWG §5a)"),
        (EuDe, Werbung) => (Clear, "labels the post as advertising (UWG §5a, MStV)"),
        (EuDe, AdLabel) => (Ambiguous, "is English; a German audience may not understand it (UWG §5a)"),
        (EuDe, Gifted) => (Ambiguous, "says the product was a gift, not that the post is advertising (UWG §5a)"),
        (EuDe, _) => (Ambiguous, "does not plainly say Werbung or Anzeige (UWG §5a, MStV)"),
        (Us | Uk, Werbung | UnpaidWerbung) => (Ambiguous, "is German; this audience may not understand it"),
        (Us, AdLabel | PaidPartnership | Sponsored) => (Clear, "tells followers the post is an ad (FTC)"),
        (Us, Gifted) if !paid => (Clear, "tells followers the product was free (FTC)"),
        (Us, Gifted) => (Ambiguous, "says the product was a gift, not that the post is paid (FTC)"),
        (Us, SponsoredAbbrev) => (Ambiguous, "is an abbreviation most followers will not understand (FTC)"),
        (Us, Collab) => (Ambiguous, "names a relationship without saying the post is an ad (FTC)"),
        (Us, Thanks) => (Ambiguous, "is a thank-you, which does not say the post is paid or gifted (FTC)"),
        (Uk, AdLabel) => (Clear, "labels the post as an ad (ASA, CMA)"),
        (Uk, Gifted) if !paid => (Clear, "tells followers the product was a gift (CMA)"),
        (Uk, PaidPartnership) => (Ambiguous, "is the platform's wording, which the ASA does not count on its own"),
        (Uk, Gifted) => (Insufficient, "is not enough for paid content in the UK (ASA)"),
        (Uk, Sponsored | SponsoredAbbrev | Collab | Thanks) => (Insufficient, "is not enough in the UK (ASA)"),
    }
}

/// What to add when nothing discloses the post.
pub(super) fn suggestion(profile: DisclosureProfile, paid: bool) -> &'static str {
    match (profile, paid) {
        (DisclosureProfile::Us, true) => "add #ad or “Paid partnership” at the start (FTC)",
        (DisclosureProfile::Us, false) => "add #ad or #gifted at the start (FTC)",
        (DisclosureProfile::Uk, true) => "add “Ad” or #ad at the start (ASA, CMA)",
        (DisclosureProfile::Uk, false) => "add #ad or #gifted at the start (CMA)",
        (DisclosureProfile::EuDe, true) => "add “Werbung” or “Anzeige” at the start (UWG §5a, MStV)",
        (DisclosureProfile::EuDe, false) => "add “Werbung” or “unbezahlte Werbung” at the start (UWG §5a)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_lower_case_and_hashtags_have_no_hash() {
        for term in TERMS {
            assert_eq!(term.text, term.text.to_lowercase(), "{}", term.text);
            assert!(!term.text.starts_with('#') && !term.text.starts_with(' '), "{}", term.text);
            if term.kind == Kind::Tag {
                assert!(term.text.chars().all(super::super::scan::is_word), "{}", term.text);
            }
        }
    }

    #[test]
    fn each_profile_has_a_clear_disclosure_for_paid_and_for_gifted_content() {
        for profile in DisclosureProfile::ALL {
            for paid in [true, false] {
                let clear = TERMS.iter().any(|t| judge(profile, paid, t.class).0 == Strength::Clear);
                assert!(clear, "{profile:?} paid={paid}");
            }
        }
    }
}
