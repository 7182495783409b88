//! The trace hash: a running FNV-1a digest of every processed event and every fact, fed with
//! explicit little-endian bytes so that native and wasm builds compute the same value.
//! (The `fnv` crate's hasher is not `Clone`, and a checkpoint must clone the running digest.)

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Debug, Clone)]
pub struct TraceHasher {
    state: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher { state: FNV_OFFSET_BASIS }
    }
}

/// Lets any `Hash` value (a fact, say) be fed in without serialising it first.
impl std::hash::Hasher for TraceHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.state ^= u64::from(*b);
            self.state = self.state.wrapping_mul(FNV_PRIME);
        }
    }

    /// `usize` is 4 bytes on wasm32 and 8 natively: always hash it as 8, so traces match.
    fn write_usize(&mut self, i: usize) {
        self.u64(i as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

impl TraceHasher {
    pub fn u64(&mut self, v: u64) {
        std::hash::Hasher::write(self, &v.to_le_bytes());
    }

    /// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        std::hash::Hasher::write(self, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_fnv1a_reference_value() {
        use std::hash::Hasher;
        let mut h = TraceHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
    }
}
