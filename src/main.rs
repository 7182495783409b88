fn main() {
    yew::Renderer::<kafkalab::App>::new().render();
}
