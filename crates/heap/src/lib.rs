//! Counts the bytes a front end holds on the heap (`kafkalab run --memory`, the app's developer
//! line): the engine has no notion of memory, so each binary wraps its allocator and reads the
//! count. Linking this crate installs the counting allocator (the system one, dlmalloc on wasm).
//!
//! On Linux, allocations of [`HUGE`] bytes or more are anonymous mappings without swap
//! reservation: a decoder that sizes a vector from a count read off the wire (the
//! `kafka-protocol` crate does, `Vec::with_capacity(n)`, before it finds the frame too short)
//! gets address space it never touches instead of an allocation failure, which would abort the
//! whole bridge process on one malformed frame.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// From this size on, a Linux allocation is a lazily backed mapping (see the crate's doc).
pub const HUGE: usize = 1 << 30;

#[cfg(target_os = "linux")]
fn is_huge(layout: Layout) -> bool {
    layout.size() >= HUGE && layout.align() <= 4096
}

#[cfg(not(target_os = "linux"))]
fn is_huge(_: Layout) -> bool {
    false
}

/// A private anonymous mapping without swap reservation (zeroed, page-aligned); null on failure.
#[cfg(target_os = "linux")]
unsafe fn map_huge(size: usize) -> *mut u8 {
    // SAFETY: a fresh anonymous mapping aliases nothing.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        ptr.cast()
    }
}

#[cfg(not(target_os = "linux"))]
unsafe fn map_huge(_: usize) -> *mut u8 {
    unreachable!("is_huge is false off Linux")
}

#[cfg(target_os = "linux")]
unsafe fn unmap_huge(ptr: *mut u8, size: usize) {
    // SAFETY: `ptr` came from `map_huge(size)` and is unmapped once.
    unsafe { libc::munmap(ptr.cast(), size) };
}

#[cfg(not(target_os = "linux"))]
unsafe fn unmap_huge(_: *mut u8, _: usize) {
    unreachable!("is_huge is false off Linux")
}

// SAFETY: every call is forwarded to the system allocator unchanged, except huge ones on Linux,
// which are mappings of their own, freed by their size class; a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        if is_huge(layout) {
            return unsafe { map_huge(layout.size()) };
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        if is_huge(layout) {
            return unsafe { unmap_huge(ptr, layout.size()) };
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `GlobalAlloc::realloc`'s contract: `new_size` with `layout`'s alignment is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if is_huge(layout) || is_huge(new_layout) {
            // Across the size classes: a new block, the bytes copied, the old block freed.
            let moved = unsafe { self.alloc(new_layout) };
            if !moved.is_null() {
                unsafe { std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size)) };
                unsafe { self.dealloc(ptr, layout) };
            }
            return moved;
        }
        let grown = unsafe { System.realloc(ptr, layout, new_size) };
        if !grown.is_null() {
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        grown
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated and not yet freed by the whole process.
pub fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// What a decoder does with a count read off a malformed frame: reserve room for billions of
    /// elements, read a few bytes, give up. The reservation must not abort the process.
    #[test]
    fn a_huge_reservation_is_address_space_not_an_abort() {
        let mut v: Vec<[u64; 8]> = Vec::with_capacity(1 << 31);
        v.push([7; 8]);
        assert_eq!(v[0][0], 7);
        assert!(v.capacity() >= 1 << 31);
        let before = super::live_bytes();
        drop(v);
        assert!(super::live_bytes() < before);
        let mut grown = vec![1u8; 16];
        grown.reserve(super::HUGE);
        assert_eq!(&grown[..], &[1u8; 16][..], "the bytes survive the move into a mapping");
    }
}
