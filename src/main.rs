fn main() {
    // A panic aborts the wasm (a trap the page's crash notice catches, see index.html); first it
    // leaves its message on <html data-panic> for that notice. Yew's own hook would replace a
    // plain std hook, so it is given through Yew.
    yew::set_custom_panic_hook(Box::new(|info| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-panic", &info.to_string());
        }
    }));
    // `?live`: the page opened from `kafkalab broker --live` draws the bridge's cluster instead.
    if kafkalab::live::requested() {
        yew::Renderer::<kafkalab::live::LiveApp>::new().render();
    } else {
        yew::Renderer::<kafkalab::App>::new().render();
    }
}
