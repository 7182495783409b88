fn main() {
    // A panic aborts the wasm (a trap the page's crash notice catches, see index.html); first it
    // leaves its message on <html data-panic> for that notice.
    std::panic::set_hook(Box::new(|info| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-panic", &info.to_string());
        }
    }));
    yew::Renderer::<kafkalab::App>::new().render();
}
