//! Uploaded files: what a file is, decided from its bytes (never from the name or the
//! client's `Content-Type`), which kinds Rapport accepts and which a browser may show
//! inline, a safe stored name, and the `Content-Disposition` header for serving it.
//!
//! HTML, SVG and other XML are recognised and refused: they can run script in a browser.
//! Everything that is not an image, a video or audio is served as a download.

/// A kind of file, as sniffed from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Png,
    Jpeg,
    Gif,
    Webp,
    Heic,
    Pdf,
    Mp4,
    QuickTime,
    Webm,
    M4a,
    Mp3,
    Wav,
    Ogg,
    Zip,
    Docx,
    Xlsx,
    Pptx,
    Text,
    /// Refused: a page that would run script.
    Html,
    /// Refused: an SVG image may carry script.
    Svg,
    /// Refused: XML may be an SVG or an XHTML page in disguise.
    Xml,
    /// Refused: nothing Rapport recognises.
    Unknown,
}

use FileType::*;

const ALL: [FileType; 22] = [
    Png, Jpeg, Gif, Webp, Heic, Pdf, Mp4, QuickTime, Webm, M4a, Mp3, Wav, Ogg, Zip, Docx, Xlsx, Pptx, Text, Html, Svg,
    Xml, Unknown,
];

impl FileType {
    /// The media type stored and served for the file.
    pub fn mime(self) -> &'static str {
        match self {
            Png => "image/png",
            Jpeg => "image/jpeg",
            Gif => "image/gif",
            Webp => "image/webp",
            Heic => "image/heic",
            Pdf => "application/pdf",
            Mp4 => "video/mp4",
            QuickTime => "video/quicktime",
            Webm => "video/webm",
            M4a => "audio/mp4",
            Mp3 => "audio/mpeg",
            Wav => "audio/wav",
            Ogg => "audio/ogg",
            Zip => "application/zip",
            Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            Text => "text/plain; charset=utf-8",
            Html => "text/html",
            Svg => "image/svg+xml",
            Xml => "application/xml",
            Unknown => "application/octet-stream",
        }
    }

    /// The stored type of a media type string (as written by [`FileType::mime`]).
    pub fn from_mime(mime: &str) -> FileType {
        ALL.into_iter().find(|t| t.mime() == mime).unwrap_or(Unknown)
    }

    /// Whether Rapport stores files of this kind.
    pub fn accepted(self) -> bool {
        !matches!(self, Html | Svg | Xml | Unknown)
    }

    /// Whether a browser may show the file in the page rather than download it: raster
    /// images, video and audio, which browsers render without running anything. PDFs can
    /// carry scripts and forms, so they download like documents.
    pub fn inline(self) -> bool {
        matches!(self, Png | Jpeg | Gif | Webp | Mp4 | QuickTime | Webm | M4a | Mp3 | Wav | Ogg)
    }

    /// A short name for error messages.
    pub fn label(self) -> &'static str {
        match self {
            Html => "an HTML page",
            Svg => "an SVG image",
            Xml => "an XML document",
            Unknown => "of a type Rapport does not recognise",
            _ => "an accepted file",
        }
    }
}

/// What the bytes are. Markup (HTML, SVG, XML) is recognised even when it is also valid
/// text, so it can never pass as `text/plain`.
pub fn sniff(b: &[u8]) -> FileType {
    let at = |i: usize, sig: &[u8]| b.get(i..i + sig.len()) == Some(sig);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Png
    } else if at(0, b"\xFF\xD8\xFF") {
        Jpeg
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Webp
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Wav
    } else if at(0, b"%PDF-") {
        Pdf
    } else if at(4, b"ftyp") {
        iso_media(b.get(8..12).unwrap_or_default())
    } else if at(0, b"\x1A\x45\xDF\xA3") {
        Webm
    } else if at(0, b"OggS") {
        Ogg
    } else if at(0, b"ID3") || is_mp3_frame(b) {
        Mp3
    } else if at(0, b"PK\x03\x04") {
        zip_kind(b)
    } else if let Ok(text) = std::str::from_utf8(b) {
        text_kind(text)
    } else {
        Unknown
    }
}

/// An ISO base media file (`ftyp` box) by its major brand.
fn iso_media(brand: &[u8]) -> FileType {
    match brand {
        b"qt  " => QuickTime,
        b"M4A " | b"M4B " => M4a,
        b"heic" | b"heix" | b"mif1" | b"msf1" => Heic,
        _ => Mp4,
    }
}

/// An MPEG audio layer III frame header (sync bits, then layer bits `01`).
fn is_mp3_frame(b: &[u8]) -> bool {
    matches!(b, [0xFF, second, ..] if second & 0xE6 == 0xE2)
}

/// A ZIP archive, or an Office document (which is a ZIP naming its parts in plain text in
/// the local headers near the start and in the central directory at the end).
fn zip_kind(b: &[u8]) -> FileType {
    const WINDOW: usize = 64 * 1024;
    let head = &b[..b.len().min(WINDOW)];
    let tail = &b[b.len().saturating_sub(WINDOW)..];
    let names = |needle: &[u8]| contains(head, needle) || contains(tail, needle);
    if !names(b"[Content_Types].xml") {
        Zip
    } else if names(b"word/") {
        Docx
    } else if names(b"xl/") {
        Xlsx
    } else if names(b"ppt/") {
        Pptx
    } else {
        Zip
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 text: markup when it opens with a tag, plain text when it has no control
/// characters other than whitespace, unknown otherwise.
fn text_kind(text: &str) -> FileType {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = start.chars().take(1024).flat_map(char::to_lowercase).collect();
    if lower.starts_with('<') {
        return if lower.contains("<svg") {
            Svg
        } else if lower.starts_with("<?xml") && !lower.contains("<html") {
            Xml
        } else {
            Html
        };
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) { Unknown } else { Text }
}

/// The longest stored file name, in characters.
pub const MAX_NAME: usize = 200;

/// A file name safe to store and show: the last path segment, without control or
/// bidirectional-override characters or leading dots, at most [`MAX_NAME`] characters
/// (keeping the extension), and `file` when nothing is left.
pub fn sanitize_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control() && !is_bidi_control(*c)).collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        return "file".into();
    }
    if trimmed.chars().count() <= MAX_NAME {
        return trimmed.to_owned();
    }
    let ext = match trimmed.rsplit_once('.') {
        Some((_, e)) if !e.is_empty() && e.chars().count() <= 10 => format!(".{e}"),
        _ => String::new(),
    };
    let stem: String = trimmed.chars().take(MAX_NAME - ext.chars().count()).collect();
    format!("{}{ext}", stem.trim_end())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A `Content-Disposition` value (RFC 6266) naming the file: an ASCII fallback in
/// `filename` and the exact name in `filename*` (RFC 5987, UTF-8, percent-encoded).
pub fn content_disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = name
        .chars()
        .map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_documents_and_media_are_recognised_by_their_magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Png);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Jpeg);
        assert_eq!(sniff(b"GIF89a\x01\0"), Gif);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Webp);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Wav);
        assert_eq!(sniff(b"%PDF-1.7\n"), Pdf);
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\x02\0"), Mp4);
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), QuickTime);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic"), Heic);
        assert_eq!(sniff(b"\0\0\0\x18ftypM4A "), M4a);
        assert_eq!(sniff(b"\x1A\x45\xDF\xA3\x9f"), Webm);
        assert_eq!(sniff(b"OggS\0\x02"), Ogg);
        assert_eq!(sniff(b"ID3\x04\0"), Mp3);
        assert_eq!(sniff(b"\xFF\xFB\x90\x64"), Mp3);
    }

    #[test]
    fn office_documents_are_told_apart_from_plain_zips() {
        let doc = b"PK\x03\x04....[Content_Types].xml....PK\x03\x04word/document.xml";
        assert_eq!(sniff(doc), Docx);
        assert_eq!(sniff(b"PK\x03\x04[Content_Types].xml xl/workbook.xml"), Xlsx);
        assert_eq!(sniff(b"PK\x03\x04[Content_Types].xml ppt/presentation.xml"), Pptx);
        assert_eq!(sniff(b"PK\x03\x04photos/a.jpg"), Zip);
    }

    #[test]
    fn markup_is_recognised_even_when_it_is_valid_text() {
        assert_eq!(sniff(b"<!DOCTYPE html><p>hi"), Html);
        assert_eq!(sniff(b"\xEF\xBB\xBF  <script>alert(1)</script>"), Html);
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></svg>"), Svg);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<SVG onload=\"x\">"), Svg);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"), Html);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><feed/>"), Xml);
        for t in [Html, Svg, Xml] {
            assert!(!t.accepted() && !t.inline(), "{t:?}");
        }
    }

    #[test]
    fn text_is_utf8_without_control_characters_and_other_bytes_are_unknown() {
        assert_eq!(sniff("Caption: café ☕\r\n\t#ad".as_bytes()), Text);
        assert_eq!(sniff(b"plain\0with a NUL"), Unknown);
        assert_eq!(sniff(b"\xC3\x28 not utf-8"), Unknown);
        assert_eq!(sniff(b"MZ\x90\0 an executable"), Unknown);
        assert!(!Unknown.accepted());
        assert!(Text.accepted() && !Text.inline());
    }

    #[test]
    fn only_raster_images_and_media_are_shown_inline() {
        for t in [Png, Jpeg, Gif, Webp, Mp4, Webm, Mp3] {
            assert!(t.accepted() && t.inline(), "{t:?}");
        }
        for t in [Pdf, Zip, Docx, Heic, Text] {
            assert!(t.accepted() && !t.inline(), "{t:?}");
        }
    }

    #[test]
    fn a_stored_media_type_reads_back_as_its_kind() {
        for t in ALL {
            assert_eq!(FileType::from_mime(t.mime()), t);
        }
        assert_eq!(FileType::from_mime("text/html; charset=utf-8"), Unknown);
    }

    #[test]
    fn names_lose_paths_control_characters_and_leading_dots() {
        assert_eq!(sanitize_name("C:\\Users\\lena\\draft.mp4"), "draft.mp4");
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name(".htaccess"), "htaccess");
        assert_eq!(sanitize_name("evil\u{202e}gpj.exe"), "evilgpj.exe");
        assert_eq!(sanitize_name("a\r\nb\0.txt"), "ab.txt");
        assert_eq!(sanitize_name("  /  "), "file");
        assert_eq!(sanitize_name(""), "file");
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.jpeg", "é".repeat(300));
        let cut = sanitize_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME);
        assert!(cut.ends_with(".jpeg"));
    }

    #[test]
    fn the_disposition_carries_an_ascii_fallback_and_the_exact_utf8_name() {
        assert_eq!(
            content_disposition(false, "Brief \"v2\" – café.pdf"),
            "attachment; filename=\"Brief _v2_ _ caf_.pdf\"; \
             filename*=UTF-8''Brief%20%22v2%22%20%E2%80%93%20caf%C3%A9.pdf"
        );
        assert_eq!(content_disposition(true, "a;b.png"), "inline; filename=\"a;b.png\"; filename*=UTF-8''a%3Bb.png");
    }
}
