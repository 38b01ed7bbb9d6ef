//! Reading received email: one raw RFC 5322 message (MIME multipart, quoted-printable,
//! base64 and RFC 2047 headers decoded by `mail-parser`) into the fields Rapport keeps,
//! the reply without the quoted history mail clients append, and an mbox file split
//! into its messages.

use mail_parser::{MessageParser, MimeHeaders};
use time::OffsetDateTime;

/// The fields of a received message that Rapport keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEmail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// Message-IDs this answers (In-Reply-To), without angle brackets.
    pub in_reply_to: Vec<String>,
    /// The thread's earlier Message-IDs (References), without angle brackets.
    pub references: Vec<String>,
    /// Lower-cased.
    pub from_email: Option<String>,
    pub from_name: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub date: Option<OffsetDateTime>,
    /// The whole text (the plain-text part, or the HTML part as text).
    pub text: String,
    /// The text without the quoted earlier messages.
    pub reply: String,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// A Message-ID without its angle brackets and surrounding space.
pub fn bare_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_string()
}

fn id_list(v: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    if let Some(list) = v.as_text_list() {
        return list.iter().map(|s| bare_id(s)).filter(|s| !s.is_empty()).collect();
    }
    v.as_text().map(|t| t.split_whitespace().map(bare_id).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

/// Parses one message; `None` when the bytes are not an email at all.
pub fn parse(raw: &[u8]) -> Option<ParsedEmail> {
    let m = MessageParser::default().parse(raw)?;
    // Anything parses as "a message"; an email has at least one of these headers.
    if m.from().is_none() && m.message_id().is_none() && m.date().is_none() && m.subject().is_none() {
        return None;
    }
    let from = m.from().and_then(|a| a.first());
    let text = m.body_text(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default();
    let attachments = m
        .attachments()
        .map(|p| Attachment {
            name: p.attachment_name().unwrap_or("attachment").to_string(),
            content_type: p
                .content_type()
                .map(|c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s),
                    None => c.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into()),
            size: p.len(),
        })
        .collect();
    Some(ParsedEmail {
        message_id: m.message_id().map(bare_id).filter(|s| !s.is_empty()),
        in_reply_to: id_list(m.in_reply_to()),
        references: id_list(m.references()),
        from_email: from.and_then(|a| a.address()).map(|a| a.trim().to_lowercase()),
        from_name: from.and_then(|a| a.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        to: m
            .to()
            .map(|a| a.iter().filter_map(|x| x.address()).map(|x| x.to_lowercase()).collect())
            .unwrap_or_default(),
        subject: m.subject().unwrap_or("").trim().to_string(),
        date: m.date().and_then(|d| OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok()),
        reply: strip_quoted(&text),
        text,
        attachments,
    })
}

/// Whether a line opens the quoted history: "On … wrote:" (Gmail, Apple Mail; possibly
/// wrapped onto the next line), "Am … schrieb …:", Outlook's "-----Original Message-----"
/// or its rule followed by a From:/Von: header block.
fn opens_quote(lines: &[&str], i: usize) -> bool {
    let l = lines[i].trim();
    let next = lines.get(i + 1).map_or("", |n| n.trim());
    let wrote = |s: &str| s.ends_with("wrote:") || s.ends_with("schrieb:") || s.ends_with("geschrieben:");
    if (l.starts_with("On ") || l.starts_with("Am ")) && (wrote(l) || wrote(next)) {
        return true;
    }
    if l.starts_with("Am ") && l.contains(" schrieb ") && l.ends_with(':') {
        return true;
    }
    if l.starts_with("-----Original Message-----") || l.starts_with("-----Ursprüngliche Nachricht-----") {
        return true;
    }
    let header_block = |s: &str| s.starts_with("From:") || s.starts_with("Von:");
    if l.starts_with("________________________________") && header_block(next) {
        return true;
    }
    header_block(l)
        && lines.get(i + 1).is_some_and(|n| n.trim().starts_with("Sent:") || n.trim().starts_with("Gesendet:"))
}

/// The reply without the quoted earlier messages and trailing `>` lines.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len()).find(|&i| opens_quote(&lines, i)).unwrap_or(lines.len());
    let mut kept = &lines[..end];
    while let Some(last) = kept.last() {
        let t = last.trim();
        if t.is_empty() || t.starts_with('>') {
            kept = &kept[..kept.len() - 1];
        } else {
            break;
        }
    }
    kept.join("\n").trim().to_string()
}

/// Splits an mbox file (lines starting `From ` separate messages; `>From ` is unescaped).
pub fn split_mbox(raw: &[u8]) -> Vec<Vec<u8>> {
    mail_parser::mailbox::mbox::MessageIterator::new(raw).filter_map(Result::ok).map(|m| m.unwrap_contents()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_lose_their_brackets() {
        assert_eq!(bare_id(" <abc@x.example> "), "abc@x.example");
        assert_eq!(bare_id("abc@x.example"), "abc@x.example");
    }

    #[test]
    fn quoted_history_is_cut_at_each_clients_marker() {
        let cases = [
            ("Sounds good!\n\nOn Tue, 3 Mar 2026 at 10:12, Lena <lena@brand.example> wrote:\n> Hi", "Sounds good!"),
            ("Yes.\n\nOn Tue, Mar 3, 2026 at 10:12 AM Lena Fischer <\nlena@brand.example> wrote:\n> x", "Yes."),
            ("Gerne!\n\nAm 03.03.2026 um 10:12 schrieb Lena Fischer <lena@brand.example>:\n> x", "Gerne!"),
            ("Fine\n\n-----Original Message-----\nFrom: Lena\n", "Fine"),
            ("Ok\n\n________________________________\nFrom: Lena Fischer\nSent: Tuesday", "Ok"),
            ("Ok\r\nFrom: Lena Fischer <lena@brand.example>\nSent: Tuesday, March 3", "Ok"),
            ("Thanks\n> quoted\n> more\n", "Thanks"),
            ("No quote here\nFrom: the mountains, with love", "No quote here\nFrom: the mountains, with love"),
        ];
        for (text, want) in cases {
            assert_eq!(strip_quoted(text), want, "{text:?}");
        }
    }

    #[test]
    fn an_mbox_splits_into_its_messages() {
        let mbox = b"From a@x.example Tue Mar  3 10:00:00 2026\nSubject: one\n\nbody 1\n>From the start\n\nFrom b@x.example Tue Mar  3 11:00:00 2026\nSubject: two\n\nbody 2\n";
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(parse(&msgs[0]).unwrap().subject, "one");
        assert!(String::from_utf8_lossy(&msgs[0]).contains("\nFrom the start"));
        assert_eq!(parse(&msgs[1]).unwrap().subject, "two");
    }

    #[test]
    fn bytes_that_are_not_an_email_are_refused() {
        assert!(parse(b"").is_none());
        assert!(parse(b"nonsense").is_none());
        assert!(parse(b"name,followers\nana,1200\n").is_none());
    }

    fn fixture(name: &str) -> ParsedEmail {
        let path = format!("{}/tests/fixtures/email/{name}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read(&path).unwrap()).unwrap()
    }

    #[test]
    fn a_gmail_reply_is_threaded_decoded_and_stripped_of_the_quote() {
        let m = fixture("gmail_reply_with_attachment.eml");
        assert_eq!(m.message_id.as_deref(), Some("CAF3k=Q7x9vYqB1u0ZrZr8kq5mJ-9wYQ@mail.gmail.com"));
        assert_eq!(m.in_reply_to, ["01a2154816f071dea30724037d0804d7@brand.example"]);
        assert_eq!(m.references, ["01a2154816f071dea30724037d0804d7@brand.example"]);
        assert_eq!(m.from_email.as_deref(), Some("ana.lima@gmail.com"));
        assert_eq!(m.from_name.as_deref(), Some("Ana Lima"));
        assert_eq!(m.subject, "Re: Your trail-running reel");
        assert!(m.reply.starts_with("Hi Lena,"));
        assert!(m.reply.contains("autumn trail series \u{2014} three reels in October"), "{}", m.reply);
        assert!(m.reply.ends_with("Ana"), "{}", m.reply);
        assert!(!m.reply.contains("Madeira"));
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].name, "Ana Lima rate card 2026.pdf");
        assert_eq!(m.attachments[0].content_type, "application/pdf");
        assert_eq!(m.date.unwrap().unix_timestamp(), 1_772_533_852);
    }

    #[test]
    fn an_outlook_reply_decodes_encoded_words_and_base64() {
        let m = fixture("outlook_reply_encoded_headers.eml");
        assert_eq!(m.from_name.as_deref(), Some("Zo\u{eb} M\u{fc}ller"));
        assert_eq!(m.from_email.as_deref(), Some("zoe@studio-mueller.example"));
        assert_eq!(m.subject, "RE: Kooperation \u{2013} Herbstkampagne");
        assert_eq!(m.in_reply_to, ["01a2154900aa71dea30724037d0804d7@brand.example"]);
        assert!(m.message_id.unwrap().ends_with("@AM9PR07MB7218.eurprd07.prod.outlook.com"));
        assert!(m.reply.contains("danke f\u{fc}r die Anfrage"));
        assert!(m.reply.ends_with("Zo\u{eb}"), "{}", m.reply);
        assert!(!m.reply.contains("zusammenarbeiten"));
        assert!(m.attachments.is_empty());
    }

    #[test]
    fn an_apple_mail_reply_decodes_quoted_printable_and_latin1_subjects() {
        let m = fixture("apple_mail_reply.eml");
        assert_eq!(m.subject, "Re: Liefertermin f\u{fc}r den Entwurf");
        assert_eq!(m.from_name.as_deref(), Some("Ren\u{e9} Dupr\u{e9}"));
        assert_eq!(m.message_id.as_deref(), Some("5E0F2C1A-7B3D-4A8E-9C61-2F4D8B7A1E33@atelier.example"));
        assert!(m.reply.contains("I\u{2019}ll send the draft on Friday."));
        assert!(m.reply.ends_with("Ren\u{e9}"), "{}", m.reply);
        assert!(!m.reply.contains("deliver by the 14th"));
    }

    #[test]
    fn an_html_only_message_is_read_as_text_with_its_inline_image_listed() {
        let m = fixture("unknown_sender_html_only.eml");
        assert_eq!(m.from_name.as_deref(), Some("\u{4f50}\u{85e4} \u{82b1}\u{5b50}"));
        assert_eq!(m.subject, "\u{30b3}\u{30e9}\u{30dc}\u{306e}\u{3054}\u{76f8}\u{8ac7}");
        assert!(m.text.contains("\u{3053}\u{3093}\u{306b}\u{3061}\u{306f}"), "{}", m.text);
        assert!(m.in_reply_to.is_empty());
        assert_eq!(m.to, ["partnerships@brand.example"]);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].content_type, "image/png");
    }
}
