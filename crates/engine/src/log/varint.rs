//! Kafka's variable-length integers (`ByteUtils.writeVarint` / `writeVarlong`): zigzag, then unsigned
//! LEB128 (7 bits per byte, low group first, high bit = "more bytes follow").
//!
//! Readers are strict: besides truncation and over-long values (Kafka's own checks), they also reject
//! non-canonical encodings (padding bytes, or bits beyond 32/64), which Kafka's Java reader would tolerate.
//! That keeps one invariant for every batch the decoder accepts: it re-encodes to the very same bytes.

use std::fmt;

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended before the last byte of the varint.
    Truncated,
    /// More than 5 (varint) or 10 (varlong) bytes, or bits that do not fit the integer.
    TooLong,
    /// A valid value written with needless padding bytes (`0x80 0x00` for 0).
    NonCanonical,
}

impl fmt::Display for VarintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarintError::Truncated => write!(f, "input ends in the middle of a varint"),
            VarintError::TooLong => write!(f, "varint is too long for its integer type"),
            VarintError::NonCanonical => write!(f, "varint has needless padding bytes"),
        }
    }
}

/// Zigzag-encodes a 32-bit integer so small negative numbers stay short: `(n << 1) ^ (n >> 31)`.
pub fn zigzag32(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

/// Inverse of [`zigzag32`].
pub fn unzigzag32(n: u32) -> i32 {
    ((n >> 1) as i32) ^ -((n & 1) as i32)
}

/// Zigzag-encodes a 64-bit integer: `(n << 1) ^ (n >> 63)`.
pub fn zigzag64(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// Inverse of [`zigzag64`].
pub fn unzigzag64(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn write_unsigned(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn unsigned_size(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Appends a zigzag varint (Kafka `varint`, used for lengths, offset deltas and counts).
pub fn write_varint(out: &mut Vec<u8>, v: i32) {
    write_unsigned(out, u64::from(zigzag32(v)));
}

/// Appends a zigzag varlong (Kafka `varlong`, used for timestamp deltas).
pub fn write_varlong(out: &mut Vec<u8>, v: i64) {
    write_unsigned(out, zigzag64(v));
}

/// Encoded size of a varint, so batch sizes can be computed without encoding.
pub fn varint_size(v: i32) -> usize {
    unsigned_size(u64::from(zigzag32(v)))
}

/// Encoded size of a varlong.
pub fn varlong_size(v: i64) -> usize {
    unsigned_size(zigzag64(v))
}

fn read_unsigned(buf: &[u8], pos: &mut usize, max_bytes: usize, bits: u32) -> Result<u64, VarintError> {
    let mut value: u64 = 0;
    for i in 0..max_bytes {
        let byte = *buf.get(*pos + i).ok_or(VarintError::Truncated)?;
        let shift = 7 * i as u32;
        let group = u64::from(byte & 0x7f);
        if shift + 7 > bits && (group >> (bits - shift)) != 0 {
            return Err(VarintError::TooLong);
        }
        value |= group << shift;
        if byte & 0x80 == 0 {
            if i > 0 && byte == 0 {
                return Err(VarintError::NonCanonical);
            }
            *pos += i + 1;
            return Ok(value);
        }
    }
    Err(VarintError::TooLong)
}

/// Reads a varint at `*pos` and advances `pos` past it.
pub fn read_varint(buf: &[u8], pos: &mut usize) -> Result<i32, VarintError> {
    read_unsigned(buf, pos, 5, 32).map(|v| unzigzag32(v as u32))
}

/// Reads a varlong at `*pos` and advances `pos` past it.
pub fn read_varlong(buf: &[u8], pos: &mut usize) -> Result<i64, VarintError> {
    read_unsigned(buf, pos, 10, 64).map(unzigzag64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc32(v: i32) -> Vec<u8> {
        let mut out = Vec::new();
        write_varint(&mut out, v);
        out
    }

    #[test]
    fn known_encodings_match_kafka() {
        // Values from Kafka's ByteUtilsTest.
        assert_eq!(enc32(0), [0x00]);
        assert_eq!(enc32(-1), [0x01]);
        assert_eq!(enc32(1), [0x02]);
        assert_eq!(enc32(63), [0x7e]);
        assert_eq!(enc32(-64), [0x7f]);
        assert_eq!(enc32(64), [0x80, 0x01]);
        assert_eq!(enc32(i32::MAX), [0xfe, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(enc32(i32::MIN), [0xff, 0xff, 0xff, 0xff, 0x0f]);
        let mut out = Vec::new();
        write_varlong(&mut out, i64::MIN);
        assert_eq!(out, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    }

    #[test]
    fn rejects_bad_varints() {
        let mut pos = 0;
        assert_eq!(read_varint(&[0x80], &mut pos), Err(VarintError::Truncated));
        assert_eq!(read_varint(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], &mut pos), Err(VarintError::TooLong));
        assert_eq!(read_varint(&[0xff, 0xff, 0xff, 0xff, 0x1f], &mut pos), Err(VarintError::TooLong));
        assert_eq!(read_varint(&[0x80, 0x00], &mut pos), Err(VarintError::NonCanonical));
        assert_eq!(read_varlong(&[0xff; 10], &mut pos), Err(VarintError::TooLong));
        assert_eq!(
            read_varlong(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03], &mut pos),
            Err(VarintError::TooLong)
        );
        assert_eq!(pos, 0, "a failed read does not move the cursor");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn varint_round_trip(v in any::<i32>()) {
            let bytes = enc32(v);
            prop_assert_eq!(bytes.len(), varint_size(v));
            let mut pos = 0;
            prop_assert_eq!(read_varint(&bytes, &mut pos), Ok(v));
            prop_assert_eq!(pos, bytes.len());
        }

        #[test]
        fn varlong_round_trip(v in any::<i64>()) {
            let mut bytes = Vec::new();
            write_varlong(&mut bytes, v);
            prop_assert_eq!(bytes.len(), varlong_size(v));
            let mut pos = 0;
            prop_assert_eq!(read_varlong(&bytes, &mut pos), Ok(v));
            prop_assert_eq!(pos, bytes.len());
        }
    }
}
