//! Kafka's framing: a 4-byte big-endian size, then the request (header and body).

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Kafka's default `socket.request.max.bytes` (100 MiB): a larger size is refused.
pub const MAX_FRAME: i32 = 104_857_600;

/// Why a connection's byte stream ended.
#[derive(Debug)]
pub enum FrameError {
    /// The client closed the connection between frames.
    Closed,
    /// Not a Kafka frame: the connection is closed with this reason.
    Malformed(String),
}

/// Reads one frame's bytes (without the size).
pub async fn read_frame(reader: &mut (impl AsyncRead + Unpin)) -> Result<Bytes, FrameError> {
    let mut size = [0u8; 4];
    match reader.read_exact(&mut size).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(FrameError::Malformed(format!("read failed: {e}"))),
    }
    let size = i32::from_be_bytes(size);
    if !(0..=MAX_FRAME).contains(&size) {
        return Err(FrameError::Malformed(format!(
            "frame size {size} is outside [0, {MAX_FRAME}] (socket.request.max.bytes)"
        )));
    }
    let mut body = BytesMut::zeroed(size as usize);
    reader
        .read_exact(&mut body)
        .await
        .map_err(|e| FrameError::Malformed(format!("the frame ended after fewer than its {size} bytes: {e}")))?;
    Ok(body.freeze())
}
