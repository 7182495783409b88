//! The record batch's compression codecs (attribute bits 0-2), framed as Kafka's clients write them
//! (`org.apache.kafka.common.compress`):
//!
//! - gzip (1): one gzip member as `java.util.zip.GZIPOutputStream` writes it (header
//!   `1f 8b 08 00 00000000 00 ff`, raw deflate at the default level 6, CRC-32 and size trailer).
//! - snappy (2): snappy-java's `SnappyOutputStream` (xerial) framing: the 16-byte header
//!   `82 'SNAPPY' 00`, version 1, compatible version 1, then per 32 KiB of input a big-endian
//!   length and a raw Snappy block.
//! - lz4 (3): `Lz4BlockOutputStream`'s LZ4 frame: magic `04 22 4d 18`, FLG `60` (version 1,
//!   independent blocks, no checksums, no content size), BD `40` (64 KiB blocks), header checksum
//!   `82`; each block a little-endian length (high bit: stored uncompressed) and an LZ4 block; end mark 0.
//! - zstd (4): one Zstandard frame without content checksum (zstd-jni's default).
//!
//! Compressed bytes are deterministic, but not the bytes Java's zlib, lz4-java or zstd-jni would
//! choose: every format allows many encodings of the same input. What is Kafka's is the framing, and
//! every reader (Kafka's, kafka-python's) decodes both (tests/golden/gen_compression.py).
//! Decoding accepts what other writers produce too: concatenated gzip members, gzip header
//! fields, LZ4 frames with checksums or a content size, several zstd frames.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Read;

/// A batch codec (`org.apache.kafka.common.record.CompressionType`), with its attribute id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CompressionType {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl CompressionType {
    /// Every codec, in attribute-id order.
    pub const ALL: [CompressionType; 5] = [
        CompressionType::None,
        CompressionType::Gzip,
        CompressionType::Snappy,
        CompressionType::Lz4,
        CompressionType::Zstd,
    ];

    /// The id in the batch's attributes (bits 0-2).
    pub fn id(self) -> u8 {
        self as u8
    }

    /// The codec of an attribute id; 5-7 are not codecs (`Unknown compression type id`).
    pub fn from_id(id: u8) -> Option<CompressionType> {
        Self::ALL.get(usize::from(id)).copied()
    }

    /// Kafka's name, as in `compression.type`.
    pub fn name(self) -> &'static str {
        match self {
            CompressionType::None => "none",
            CompressionType::Gzip => "gzip",
            CompressionType::Snappy => "snappy",
            CompressionType::Lz4 => "lz4",
            CompressionType::Zstd => "zstd",
        }
    }

    /// The producer's `compression.type` value (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    pub fn parse(name: &str) -> Option<CompressionType> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The records section as this codec writes it.
    pub fn compress(self, data: &[u8]) -> Vec<u8> {
        match self {
            CompressionType::None => data.to_vec(),
            CompressionType::Gzip => gzip_compress(data),
            CompressionType::Snappy => snappy_compress(data),
            CompressionType::Lz4 => lz4_compress(data),
            CompressionType::Zstd => {
                ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
            }
        }
    }

    /// The records section back from this codec's bytes. Never panics on bad input.
    pub fn decompress(self, data: &[u8]) -> Result<Vec<u8>, CodecError> {
        let err = |reason: String| CodecError { codec: self, reason };
        match self {
            CompressionType::None => Ok(data.to_vec()),
            CompressionType::Gzip => gzip_decompress(data).map_err(err),
            CompressionType::Snappy => snappy_decompress(data).map_err(err),
            CompressionType::Lz4 => lz4_decompress(data).map_err(err),
            CompressionType::Zstd => zstd_decompress(data).map_err(err),
        }
    }
}

impl fmt::Display for CompressionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Compressed bytes that do not decode (Kafka: `KafkaException` from the codec's input stream,
/// answered as CORRUPT_MESSAGE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub codec: CompressionType,
    pub reason: String,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} data does not decompress: {}", self.codec, self.reason)
    }
}

/// Java's `GZIPOutputStream` header: no flags, mtime 0, XFL 0, OS 255 (unknown; JDK 16 and later).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// `Deflater.DEFAULT_COMPRESSION` (-1), which zlib runs as level 6.
const GZIP_DEFAULT_LEVEL: u8 = 6;

fn gzip_compress(data: &[u8]) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, GZIP_DEFAULT_LEVEL);
    let mut out = Vec::with_capacity(GZIP_HEADER.len() + deflated.len() + 8);
    out.extend_from_slice(&GZIP_HEADER);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Reads gzip members until the input ends (`GZIPInputStream` reads concatenated members too).
fn gzip_decompress(mut data: &[u8]) -> Result<Vec<u8>, String> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let mut out = Vec::new();
    loop {
        let body = gzip_skip_header(data)?;
        let member_start = out.len();
        let mut state = DecompressorOxide::new();
        let mut in_pos = 0;
        let mut out_pos = member_start;
        out.resize(member_start + (body.len() * 4).max(256), 0);
        loop {
            let (status, read, written) = decompress(
                &mut state,
                &body[in_pos..],
                &mut out,
                out_pos,
                inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
            );
            in_pos += read;
            out_pos += written;
            match status {
                TINFLStatus::Done => break,
                TINFLStatus::HasMoreOutput => {
                    let grown = out.len() * 2;
                    out.resize(grown, 0);
                }
                other => return Err(format!("bad deflate stream ({other:?})")),
            }
        }
        out.truncate(out_pos);
        let trailer = body.get(in_pos..in_pos + 8).ok_or("the gzip trailer (CRC-32 and size) is missing")?;
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        let member = &out[member_start..];
        if crc != crc32fast::hash(member) {
            return Err("gzip CRC-32 mismatch".into());
        }
        if size != member.len() as u32 {
            return Err(format!("gzip size {size} but {} bytes inflated", member.len()));
        }
        data = &body[in_pos + 8..];
        if data.is_empty() {
            return Ok(out);
        }
    }
}

/// The deflate data after a gzip member's header (RFC 1952 §2.3: FEXTRA, FNAME, FCOMMENT, FHCRC).
fn gzip_skip_header(data: &[u8]) -> Result<&[u8], String> {
    if data.len() < 10 || data[0] != 0x1f || data[1] != 0x8b {
        return Err("not in gzip format (magic 1f 8b missing)".into());
    }
    if data[2] != 8 {
        return Err(format!("unsupported gzip method {}", data[2]));
    }
    let flags = data[3];
    let mut pos = 10;
    let short = || "the gzip header is truncated".to_string();
    if flags & 0x04 != 0 {
        let len = data.get(pos..pos + 2).ok_or_else(short)?;
        pos += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            let end = data.get(pos..).ok_or_else(short)?.iter().position(|&b| b == 0).ok_or_else(short)?;
            pos += end + 1;
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    data.get(pos..).ok_or_else(short)
}

/// snappy-java's `SnappyCodec.MAGIC_HEADER`, then `DEFAULT_VERSION` and `MINIMUM_COMPATIBLE_VERSION`.
const XERIAL_HEADER: [u8; 16] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1];
/// `SnappyOutputStream.DEFAULT_BLOCK_SIZE`: uncompressed bytes per block.
const XERIAL_BLOCK_SIZE: usize = 32 * 1024;

fn snappy_compress(data: &[u8]) -> Vec<u8> {
    let mut encoder = snap::raw::Encoder::new();
    let mut out = XERIAL_HEADER.to_vec();
    for chunk in data.chunks(XERIAL_BLOCK_SIZE) {
        let block = encoder.compress_vec(chunk).expect("a 32 KiB block is within Snappy's limits");
        out.extend_from_slice(&(block.len() as u32).to_be_bytes());
        out.extend_from_slice(&block);
    }
    out
}

/// Xerial framing, or (as snappy-java's `SnappyInputStream` allows) one raw Snappy block.
fn snappy_decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut decoder = snap::raw::Decoder::new();
    if !data.starts_with(&XERIAL_HEADER[..8]) {
        return decoder.decompress_vec(data).map_err(|e| e.to_string());
    }
    let mut pos = XERIAL_HEADER.len();
    if data.len() < pos {
        return Err("the xerial header is truncated".into());
    }
    let mut out = Vec::new();
    while pos < data.len() {
        let len = data.get(pos..pos + 4).ok_or("a xerial block length is truncated")?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        pos += 4;
        let block = data.get(pos..pos.saturating_add(len)).ok_or("a xerial block is truncated")?;
        out.extend_from_slice(&decoder.decompress_vec(block).map_err(|e| e.to_string())?);
        pos += len;
    }
    Ok(out)
}

/// `Lz4BlockOutputStream.MAGIC`, little-endian.
const LZ4_MAGIC: [u8; 4] = [0x04, 0x22, 0x4d, 0x18];
/// FLG 0x60 (version 1, independent blocks), BD 0x40 (64 KiB), and their checksum
/// `(XXH32(FLG BD, 0) >> 8) & 0xff` = 0x82.
const LZ4_DESCRIPTOR: [u8; 3] = [0x60, 0x40, 0x82];
/// `BLOCKSIZE_64KB`.
const LZ4_BLOCK_SIZE: usize = 64 * 1024;
/// `LZ4_FRAME_INCOMPRESSIBLE_MASK`: the block is stored as is.
const LZ4_INCOMPRESSIBLE: u32 = 0x8000_0000;

fn lz4_compress(data: &[u8]) -> Vec<u8> {
    let mut out = LZ4_MAGIC.to_vec();
    out.extend_from_slice(&LZ4_DESCRIPTOR);
    for chunk in data.chunks(LZ4_BLOCK_SIZE) {
        let block = lz4_flex::block::compress(chunk);
        // As writeBlock: a block that does not shrink is stored uncompressed.
        if block.len() >= chunk.len() {
            out.extend_from_slice(&(chunk.len() as u32 | LZ4_INCOMPRESSIBLE).to_le_bytes());
            out.extend_from_slice(chunk);
        } else {
            out.extend_from_slice(&(block.len() as u32).to_le_bytes());
            out.extend_from_slice(&block);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// An LZ4 frame as `Lz4BlockInputStream` reads it: independent blocks, optional block checksums,
/// content size and content checksum; the header checksum is verified.
fn lz4_decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    use twox_hash::XxHash32;
    if !data.starts_with(&LZ4_MAGIC) {
        return Err("not an LZ4 frame (magic 04 22 4d 18 missing)".into());
    }
    let (&flg, &bd) =
        (data.get(4).ok_or("truncated frame descriptor")?, data.get(5).ok_or("truncated frame descriptor")?);
    if flg >> 6 != 1 {
        return Err(format!("LZ4 frame version {} is unsupported", flg >> 6));
    }
    if flg & 0x20 == 0 {
        return Err("dependent block stream is unsupported".into());
    }
    if flg & 0x01 != 0 {
        return Err("LZ4 dictionaries are unsupported".into());
    }
    let block_checksum = flg & 0x10 != 0;
    let content_size = flg & 0x08 != 0;
    let content_checksum = flg & 0x04 != 0;
    let max_block = 1usize << (2 * usize::from((bd >> 4) & 7) + 8);
    let descriptor_end = 6 + if content_size { 8 } else { 0 };
    let descriptor = data.get(4..descriptor_end).ok_or("truncated frame descriptor")?;
    let hc = *data.get(descriptor_end).ok_or("truncated frame descriptor")?;
    if (XxHash32::oneshot(0, descriptor) >> 8) as u8 != hc {
        return Err("LZ4 frame descriptor checksum mismatch".into());
    }
    let mut pos = descriptor_end + 1;
    let mut out = Vec::new();
    loop {
        let word = data.get(pos..pos + 4).ok_or("truncated block length")?;
        let word = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
        pos += 4;
        if word == 0 {
            break;
        }
        let len = (word & !LZ4_INCOMPRESSIBLE) as usize;
        let block = data.get(pos..pos.saturating_add(len)).ok_or("truncated block")?;
        pos += len;
        if block_checksum {
            let sum = data.get(pos..pos + 4).ok_or("truncated block checksum")?;
            if XxHash32::oneshot(0, block) != u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]) {
                return Err("LZ4 block checksum mismatch".into());
            }
            pos += 4;
        }
        if word & LZ4_INCOMPRESSIBLE != 0 {
            out.extend_from_slice(block);
        } else {
            let start = out.len();
            out.resize(start + max_block, 0);
            let n = lz4_flex::block::decompress_into(block, &mut out[start..]).map_err(|e| e.to_string())?;
            out.truncate(start + n);
        }
    }
    if content_checksum {
        let sum = data.get(pos..pos + 4).ok_or("truncated content checksum")?;
        if XxHash32::oneshot(0, &out) != u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]) {
            return Err("LZ4 content checksum mismatch".into());
        }
        pos += 4;
    }
    if pos != data.len() {
        return Err(format!("{} bytes after the LZ4 end mark", data.len() - pos));
    }
    Ok(out)
}

/// Every frame of the input, one after the other (as zstd-jni's `ZstdInputStream`).
fn zstd_decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut input = data;
    let mut out = Vec::new();
    while !input.is_empty() {
        let mut decoder = ruzstd::decoding::StreamingDecoder::new(&mut input).map_err(|e| e.to_string())?;
        decoder.read_to_end(&mut out).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        (0..100_000u32).flat_map(|i| format!("order-{} status=paid;", i % 97).into_bytes()).collect()
    }

    #[test]
    fn every_codec_round_trips_small_empty_and_multi_block_inputs() {
        for codec in CompressionType::ALL {
            for data in [Vec::new(), b"k".to_vec(), sample()] {
                let packed = codec.compress(&data);
                assert_eq!(codec.decompress(&packed).unwrap(), data, "{codec}");
            }
        }
    }

    #[test]
    fn framing_starts_as_kafka_writes_it() {
        let data = sample();
        assert_eq!(CompressionType::Gzip.compress(&data)[..10], GZIP_HEADER);
        assert_eq!(CompressionType::Snappy.compress(&data)[..16], XERIAL_HEADER);
        assert_eq!(CompressionType::Lz4.compress(&data)[..7], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
        assert_eq!(CompressionType::Zstd.compress(&data)[..4], [0x28, 0xb5, 0x2f, 0xfd]);
        // The descriptor checksum constant is XXH32's, as the reader verifies.
        assert_eq!((twox_hash::XxHash32::oneshot(0, &[0x60, 0x40]) >> 8) as u8, 0x82);
        // Repetitive records shrink, and the LZ4 frame ends with the 0 end mark.
        for codec in &CompressionType::ALL[1..] {
            assert!(codec.compress(&data).len() * 5 < data.len(), "{codec}");
        }
        assert!(CompressionType::Lz4.compress(&data).ends_with(&[0, 0, 0, 0]));
    }

    #[test]
    fn incompressible_lz4_blocks_are_stored() {
        let mut x = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        let packed = CompressionType::Lz4.compress(&noise);
        let word = u32::from_le_bytes([packed[7], packed[8], packed[9], packed[10]]);
        assert_eq!(word, 5000 | LZ4_INCOMPRESSIBLE);
        assert_eq!(CompressionType::Lz4.decompress(&packed).unwrap(), noise);
    }

    #[test]
    fn damaged_input_is_an_error_not_a_panic() {
        let data = sample();
        for codec in &CompressionType::ALL[1..] {
            let good = codec.compress(&data);
            for cut in [0, 1, 5, 12, good.len() / 2, good.len() - 1] {
                assert!(
                    codec.decompress(&good[..cut]).is_err() || cut == 0 && *codec == CompressionType::Zstd,
                    "{codec} cut {cut}"
                );
            }
            let mut flipped = good.clone();
            let mid = flipped.len() / 2;
            flipped[mid] ^= 0x5a;
            // Either an error or (for formats without a checksum) different bytes, never a panic.
            let _ = codec.decompress(&flipped);
        }
        let err = CompressionType::Gzip.decompress(b"plain text").unwrap_err();
        assert_eq!(err.to_string(), "gzip data does not decompress: not in gzip format (magic 1f 8b missing)");
    }

    #[test]
    fn names_and_ids_are_kafkas() {
        let names: Vec<_> = CompressionType::ALL.iter().map(|c| (c.id(), c.name())).collect();
        assert_eq!(names, [(0, "none"), (1, "gzip"), (2, "snappy"), (3, "lz4"), (4, "zstd")]);
        assert_eq!(CompressionType::parse("lz4"), Some(CompressionType::Lz4));
        assert_eq!(CompressionType::parse("LZ4"), None);
        assert_eq!(CompressionType::from_id(5), None);
    }
}
