//! Crafted JPEG, PNG and WebP files carrying a GPS position, a camera serial and an author in
//! every place each format has for them: the scrub removes each, keeps the compressed pixels
//! byte for byte, and survives hostile files.

use sealdrop_scrub::{format_of, scrub_image, Format};

const SECRETS: [&[u8]; 3] = [
    b"GPS 48.8584N 2.2945E",
    b"SERIAL-CAM-0042",
    b"AUTHOR-Ada-Lovelace",
];

fn has(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(body);
    s
}

/// The compressed scan: what must arrive unchanged.
const SCAN: &[u8] = &[0x12, 0x34, 0xFF, 0x00, 0x56, 0x78, 0x9A];

fn jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(segment(
        0xE1,
        &[b"Exif\0\0II*\0".as_slice(), SECRETS[0], SECRETS[1]].concat(),
    ));
    j.extend(segment(
        0xE1,
        &[
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>".as_slice(),
            SECRETS[2],
            b"</x:xmpmeta>",
        ]
        .concat(),
    ));
    j.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01colour"));
    j.extend(segment(
        0xED,
        &[b"Photoshop 3.0\08BIM".as_slice(), SECRETS[2]].concat(),
    ));
    j.extend(segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"));
    j.extend(segment(
        0xFE,
        &[b"edited by ".as_slice(), SECRETS[2]].concat(),
    ));
    j.extend(segment(0xDB, &[0u8; 65]));
    j.extend(segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    j.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    j.extend_from_slice(SCAN);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

fn chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = (body.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(body);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(body);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

const IDAT: &[u8] = b"\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01";

fn png() -> Vec<u8> {
    let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
    p.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    p.extend(chunk(b"eXIf", &[b"MM\0*".as_slice(), SECRETS[0]].concat()));
    p.extend(chunk(
        b"tEXt",
        &[b"Author\0".as_slice(), SECRETS[2]].concat(),
    ));
    p.extend(chunk(
        b"iTXt",
        &[b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), SECRETS[1]].concat(),
    ));
    p.extend(chunk(b"zTXt", b"Comment\0\0x"));
    p.extend(chunk(b"tIME", &[7, 234, 11, 24, 9, 0, 0]));
    p.extend(chunk(b"iCCP", b"sRGB\0\0colour"));
    p.extend(chunk(b"IDAT", IDAT));
    p.extend(chunk(b"IEND", b""));
    p
}

fn riff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = kind.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

const VP8: &[u8] = b"\x50\x5a\x00\x9d\x01\x2a\x01\x00\x01\x00pixels";

fn webp() -> Vec<u8> {
    // VP8X with the EXIF (0x08) and XMP (0x04) flags, a 1x1 canvas.
    let mut body = b"WEBP".to_vec();
    body.extend(riff(b"VP8X", &[0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    body.extend(riff(b"VP8 ", VP8));
    body.extend(riff(
        b"EXIF",
        &[b"II*\0".as_slice(), SECRETS[0], SECRETS[1]].concat(),
    ));
    body.extend(riff(
        b"XMP ",
        &[b"<x:xmpmeta>".as_slice(), SECRETS[2]].concat(),
    ));
    riff(b"RIFF", &body)
}

fn assert_clean(out: &[u8]) {
    for s in SECRETS {
        assert!(!has(out, s), "{} left in", String::from_utf8_lossy(s));
    }
}

#[test]
fn jpeg_loses_exif_xmp_iptc_and_comments_and_keeps_its_scan_and_colour() {
    let original = jpeg();
    assert_eq!(format_of(&original), Some(Format::Jpeg));
    let out = scrub_image(&original).expect("metadata found");
    assert_clean(&out);
    // The scan (and everything from the quantization tables on) is byte for byte the same.
    let tail = |b: &[u8]| b[b.windows(2).position(|w| w == [0xFF, 0xDB]).expect("DQT")..].to_vec();
    assert_eq!(tail(&out), tail(&original));
    assert!(has(&out, b"JFIF") && has(&out, b"ICC_PROFILE") && has(&out, b"Adobe"));
    // Clean already: nothing to do.
    assert_eq!(scrub_image(&out), None);
}

#[test]
fn png_loses_exif_text_and_time_and_keeps_its_pixels_and_profile() {
    let original = png();
    let out = scrub_image(&original).expect("metadata found");
    assert_clean(&out);
    assert!(!has(&out, b"tIME") && !has(&out, b"zTXt"));
    assert!(has(&out, &chunk(b"IDAT", IDAT)) && has(&out, &chunk(b"iCCP", b"sRGB\0\0colour")));
    assert!(
        out.starts_with(&png()[..8 + 25]),
        "signature and IHDR first, unchanged"
    );
    assert_eq!(scrub_image(&out), None);
}

#[test]
fn webp_loses_exif_and_xmp_with_their_flags_and_keeps_its_bitstream() {
    let original = webp();
    assert_eq!(format_of(&original), Some(Format::WebP));
    let out = scrub_image(&original).expect("metadata found");
    assert_clean(&out);
    assert!(
        has(&out, &riff(b"VP8 ", VP8)),
        "the VP8 bitstream, byte for byte"
    );
    // The RIFF size matches the file, and no header still announces EXIF or XMP.
    assert_eq!(
        u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
        out.len() - 8
    );
    if let Some(i) = out.windows(4).position(|w| w == b"VP8X") {
        assert_eq!(out[i + 8] & 0x0C, 0, "VP8X flags still announce metadata");
    }
    assert_eq!(scrub_image(&out), None);
}

#[test]
fn other_files_and_hostile_images_are_left_alone_without_panicking() {
    assert_eq!(scrub_image(b"%PDF-1.7 not an image"), None);
    assert_eq!(scrub_image(b""), None);
    // Declared lengths past the end, truncations at every byte, and flipped bytes.
    for good in [jpeg(), png(), webp()] {
        for cut in 0..good.len() {
            let _ = scrub_image(&good[..cut]);
        }
        for i in 0..good.len() {
            for x in [0x00, 0xFF, 0x7F] {
                let mut bad = good.clone();
                bad[i] = x;
                if let Some(out) = scrub_image(&bad) {
                    // Whatever it made of a damaged file, it removed what it recognised.
                    assert!(!out.is_empty());
                }
            }
        }
    }
    let mut huge = vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF];
    huge.extend_from_slice(b"Exif\0\0");
    assert_eq!(
        scrub_image(&huge),
        None,
        "a segment longer than the file is refused"
    );
}
