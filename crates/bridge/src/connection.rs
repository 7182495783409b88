//! One client connection to one simulated broker: frames in, one request at a time (Kafka mutes
//! a connection while it serves a request, so answers keep the requests' order), answers out.

use crate::frame::{read_frame, FrameError};
use crate::Bridge;
use bytes::Bytes;
use kafkalab_engine::cluster::ExternalEvent;
use kafkalab_engine::protocol::Message;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Why a connection is closed by the bridge.
#[derive(Debug)]
pub enum Close {
    /// The client went away, or the broker behind the connection died.
    Quietly,
    /// The client sent something that is not a Kafka request: logged.
    Malformed(String),
}

/// A connection's state while it serves requests.
pub struct Connection {
    pub bridge: Rc<Bridge>,
    pub broker: i32,
    /// The external client node of the world this connection is.
    pub client: u32,
    events: mpsc::UnboundedReceiver<ExternalEvent>,
    frames: mpsc::Receiver<Result<Bytes, FrameError>>,
    /// Frames that arrived while a request was being served.
    pending: VecDeque<Result<Bytes, FrameError>>,
    /// The engine's correlation ids for produce and commit requests.
    next_correlation: u64,
}

pub async fn serve(bridge: Rc<Bridge>, broker: i32, stream: TcpStream, peer: SocketAddr) {
    let client = match bridge.world.borrow_mut().connect_external_client(broker) {
        Ok(client) => client,
        // Nobody listens on a dead broker's port: the connection is dropped at once.
        Err(_) => return,
    };
    bridge.world.borrow_mut().set_external_peer(client, &peer.to_string());
    let events = bridge.register(client);
    let _ = stream.set_nodelay(true);
    let (mut read, mut write) = stream.into_split();
    let (frame_tx, frames) = mpsc::channel(16);
    // Reading in a task of its own lets a request wait for the engine while frames keep coming.
    let reader = tokio::task::spawn_local(async move {
        loop {
            let frame = read_frame(&mut read).await;
            let end = frame.is_err();
            if frame_tx.send(frame).await.is_err() || end {
                return;
            }
        }
    });
    let mut conn = Connection {
        bridge: bridge.clone(),
        broker,
        client,
        events,
        frames,
        pending: VecDeque::new(),
        next_correlation: 0,
    };
    let outcome = loop {
        let frame = match conn.next_frame().await {
            Ok(frame) => frame,
            Err(close) => break close,
        };
        if let Some((api, client_id)) = request_head(&frame) {
            bridge.world.borrow_mut().note_external_request(client, &client_id, &api);
        }
        match crate::api::handle(&mut conn, frame).await {
            Ok(Some(response)) => {
                if write.write_all(&response).await.is_err() {
                    break Close::Quietly;
                }
            }
            Ok(None) => {}
            Err(close) => break close,
        }
    };
    if let Close::Malformed(reason) = outcome {
        eprintln!("kafkalab broker: broker {broker}: closing the connection from {peer}: {reason}");
    }
    reader.abort();
    bridge.unregister(client);
}

/// The API's name and the `client.id` of a request frame, read from its header (v1 and v2 start
/// alike: key, version, correlation id, then `client.id` as a nullable string) for the live view;
/// `None` for a frame too short or an unknown key (the API handler says why).
fn request_head(frame: &[u8]) -> Option<(String, String)> {
    let key = kafka_protocol::messages::ApiKey::try_from(i16::from_be_bytes([*frame.first()?, *frame.get(1)?])).ok()?;
    let len = i16::from_be_bytes([*frame.get(8)?, *frame.get(9)?]);
    let client_id = match usize::try_from(len) {
        Ok(len) => String::from_utf8_lossy(frame.get(10..10 + len)?).into_owned(),
        Err(_) => String::new(),
    };
    Some((format!("{key:?}"), client_id))
}

impl Connection {
    /// The next request frame; a broken connection or a dead broker ends the connection.
    async fn next_frame(&mut self) -> Result<Bytes, Close> {
        let frame = match self.pending.pop_front() {
            Some(frame) => frame,
            None => loop {
                tokio::select! {
                    frame = self.frames.recv() => break frame.unwrap_or(Err(FrameError::Closed)),
                    event = self.events.recv() => match event {
                        Some(ExternalEvent::Disconnected { .. }) | None => return Err(Close::Quietly),
                        // A late answer to nothing this connection waits for.
                        Some(ExternalEvent::Message { .. }) => {}
                    },
                }
            },
        };
        frame.map_err(|e| match e {
            FrameError::Closed => Close::Quietly,
            FrameError::Malformed(reason) => Close::Malformed(reason),
        })
    }

    pub fn correlation_id(&mut self) -> u64 {
        self.next_correlation += 1;
        self.next_correlation
    }

    /// Sends `message` to the connection's broker over the simulated network and waits for the
    /// answer whose kind is `answer` (e.g. `ProduceResponse`). A dead broker, or the client
    /// closing the connection, ends the wait.
    pub async fn ask(&mut self, message: impl Into<Message>, answer: &str) -> Result<Message, Close> {
        if !self.bridge.world.borrow_mut().send_external(self.client, message.into()) {
            return Err(Close::Quietly);
        }
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(ExternalEvent::Message { message, .. }) if message.kind() == answer => return Ok(message),
                    Some(ExternalEvent::Message { .. }) => {}
                    Some(ExternalEvent::Disconnected { .. }) | None => return Err(Close::Quietly),
                },
                frame = self.frames.recv() => match frame {
                    Some(Err(FrameError::Closed)) | None => return Err(Close::Quietly),
                    Some(frame) => self.pending.push_back(frame),
                },
            }
        }
    }

    /// Sends `message` without waiting (acks=0 produce).
    pub fn tell(&mut self, message: impl Into<Message>) -> Result<(), Close> {
        if self.bridge.world.borrow_mut().send_external(self.client, message.into()) {
            Ok(())
        } else {
            Err(Close::Quietly)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::request_head;

    #[test]
    fn a_request_header_names_its_api_and_client_id() {
        // Produce v9, correlation id 7, client.id "billing".
        let mut frame = vec![0, 0, 0, 9, 0, 0, 0, 7, 0, 7];
        frame.extend(b"billing");
        assert_eq!(request_head(&frame), Some(("Produce".into(), "billing".into())));
        // A null client.id, CreateTopics.
        assert_eq!(request_head(&[0, 19, 0, 7, 0, 0, 0, 1, 0xff, 0xff]), Some(("CreateTopics".into(), String::new())));
        // Cut short, or an unknown key: nothing to note.
        assert_eq!(request_head(&[0, 0, 0, 9, 0, 0, 0, 7, 0, 9, b'x']), None);
        assert_eq!(request_head(&[0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(request_head(&[0, 0]), None);
    }
}
