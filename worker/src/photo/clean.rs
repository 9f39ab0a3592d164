//! A photo checked from its bytes and stripped of its metadata without
//! being decoded or encoded again. Stripping keeps what the picture needs to
//! look right (its colour profile) and drops what tells about the person: a
//! phone writes where and when a picture was taken into EXIF and XMP.

use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::riff::RiffContent;
use img_parts::webp::{CHUNK_VP8X, CHUNK_XMP, WebP};
use img_parts::{Bytes, ImageEXIF};
use profile::FieldError;
use profile::photo::check_bytes;

/// The bit of a WebP's extended header that says it has XMP.
const WEBP_XMP_FLAG: u8 = 0b0000_0100;

/// PNG chunks of text and EXIF: comments, authors, places, times.
const PNG_METADATA: [[u8; 4]; 4] = [*b"eXIf", *b"tEXt", *b"iTXt", *b"zTXt"];

/// The picture as it is stored: `bytes` sent as `media_type`, checked and
/// without metadata. Its pixel size is read from its headers first, before
/// anything else reads it. What is kept is cleaned once more and must come
/// out the same: a malformed file whose parts read differently once its
/// neighbours are gone (the fuzz target found a JPEG whose frame header sat
/// after its first scan, in a piece the second cleaning dropped) is refused,
/// so that every stored photo would be accepted again as it is.
pub fn clean(media_type: &str, bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let kept = clean_once(media_type, bytes)?;
    match clean_once(media_type, &kept) {
        Ok(again) if again == kept => Ok(kept),
        _ => Err(FieldError::new(
            profile::photo::POINTER,
            profile::Code::ImageType,
        )),
    }
}

fn clean_once(media_type: &str, bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let pixels = imagesize::blob_size(bytes)
        .ok()
        .map(|size| (size.width as u64, size.height as u64));
    if let Some(error) = check_bytes(media_type, bytes, pixels) {
        return Err(error);
    }
    let unreadable = || FieldError::new(profile::photo::POINTER, profile::Code::ImageType);
    let original = bytes;
    let bytes = Bytes::copy_from_slice(bytes);
    let cleaned = match media_type {
        "image/jpeg" => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(|_| unreadable())?;
            let segments = jpeg.segments_mut();
            segments.retain(|segment| kept_in_jpeg(segment.marker(), segment.contents()));
            // img-parts keeps all that follows the first scan's header as one
            // piece (the rest of the file): later scans, and whatever a camera
            // appended after the picture (a second image, with its own EXIF).
            // That piece is walked here.
            if let Some(last) = segments.pop_if(|last| last.has_entropy()) {
                let rest = last.len_with_entropy() - last.len();
                let tail = jpeg_tail(&original[original.len() - rest..]);
                segments.push(JpegSegment::new_with_entropy(
                    last.marker(),
                    last.contents().clone(),
                    Bytes::from(tail),
                ));
            }
            jpeg.encoder().bytes()
        }
        "image/png" => Bytes::from(png_without_metadata(original).ok_or_else(unreadable)?),
        _ => {
            let mut webp = WebP::from_bytes(bytes).map_err(|_| unreadable())?;
            webp.remove_chunks_by_id(CHUNK_XMP);
            // Also clears the header's EXIF flag (not its XMP flag: below).
            webp.set_exif(None);
            for chunk in webp.chunks_mut() {
                if chunk.id() == CHUNK_VP8X
                    && let RiffContent::Data(data) = chunk.content_mut()
                    && !data.is_empty()
                {
                    let mut header = data.to_vec();
                    header[0] &= !WEBP_XMP_FLAG;
                    *data = Bytes::from(header);
                }
            }
            webp.encoder().bytes()
        }
    };
    // What is kept must pass the same checks: a picture whose parts the two
    // readers see differently (a frame header hidden in a segment that goes)
    // is refused, not stored with a size nobody checked.
    let cleaned = cleaned.to_vec();
    let pixels = imagesize::blob_size(&cleaned)
        .ok()
        .map(|size| (size.width as u64, size.height as u64));
    match check_bytes(media_type, &cleaned, pixels) {
        Some(error) => Err(error),
        None => Ok(cleaned),
    }
}

/// Whether `bytes` still hold a metadata container that [`clean`] removes,
/// as the container's own reader sees them: what the fuzz target checks of
/// every picture it keeps. (A malformed file can hide bytes inside parts
/// that are kept; it is the uploader's own picture, so that hides nothing
/// of anyone else's. What a camera writes, in the places it writes it, goes.)
#[cfg(any(test, feature = "fuzzing"))]
pub fn has_metadata(media_type: &str, bytes: &[u8]) -> bool {
    let bytes = Bytes::copy_from_slice(bytes);
    match media_type {
        "image/jpeg" => Jpeg::from_bytes(bytes).is_ok_and(|jpeg| {
            jpeg.segments()
                .iter()
                .any(|s| !kept_in_jpeg(s.marker(), s.contents()))
        }),
        "image/png" => img_parts::png::Png::from_bytes(bytes).is_ok_and(|png| {
            png.chunks()
                .iter()
                .any(|c| PNG_METADATA.contains(&c.kind()))
        }),
        _ => WebP::from_bytes(bytes).is_ok_and(|webp| {
            webp.has_chunk(img_parts::webp::CHUNK_EXIF) || webp.has_chunk(CHUNK_XMP)
        }),
    }
}

/// A PNG without its text and EXIF chunks: every other chunk copied as it
/// is, up to and with `IEND`; `None` when the chunks do not add up. By hand,
/// not with img-parts' PNG reader: that one checks each chunk's CRC with
/// crc32fast, whose 16 KiB of tables cost the Worker's upload about 15 KiB
/// gzip, and dropping chunks needs only their lengths.
fn png_without_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: usize = 8;
    let mut kept = bytes.get(..SIGNATURE)?.to_vec();
    let mut at = SIGNATURE;
    loop {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes.get(at + 4..at + 8)?.try_into().ok()?;
        // Length, type, data and CRC.
        let end = at.checked_add(12)?.checked_add(length)?;
        let chunk = bytes.get(at..end)?;
        if !PNG_METADATA.contains(&kind) {
            kept.extend_from_slice(chunk);
        }
        if &kind == b"IEND" {
            return Some(kept);
        }
        at = end;
    }
}

/// Whether a JPEG segment before the first scan is kept: the picture's own
/// (tables, frame, restart interval), JFIF's and Adobe's headers (which tell
/// how to read the colours), and the colour profile. Every other
/// application segment (EXIF, XMP, IPTC, makers' notes) and comments go.
fn kept_in_jpeg(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 | markers::APP14 => true,
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP1..=markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// What follows the first scan's header, up to and with the end-of-image
/// marker: entropy-coded data and the segments between progressive scans,
/// without application segments and comments; nothing after the end.
pub(super) fn jpeg_tail(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut at = 0;
    while at < data.len() {
        let byte = data[at];
        if byte != 0xFF || at + 1 >= data.len() {
            out.push(byte);
            at += 1;
            continue;
        }
        let marker = data[at + 1];
        match marker {
            // A stuffed 0xFF, a restart, or a fill byte: part of the data.
            0x00 | 0x01 | markers::RST0..=markers::RST7 => {
                out.extend_from_slice(&data[at..at + 2]);
                at += 2;
            }
            0xFF => {
                out.push(0xFF);
                at += 1;
            }
            markers::EOI => {
                out.extend_from_slice(&data[at..at + 2]);
                return out;
            }
            _ => {
                let Some(length) = data
                    .get(at + 2..at + 4)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
                else {
                    return out;
                };
                let end = at + 2 + length;
                if length < 2 || end > data.len() {
                    return out;
                }
                if kept_in_jpeg(marker, &data[at + 4..end]) {
                    out.extend_from_slice(&data[at..end]);
                }
                at = end;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
