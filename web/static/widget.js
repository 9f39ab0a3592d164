// <customer-profile>: loads the widget's WASM and mounts it in a Shadow DOM.
// Embed: <script type="module" src="https://PROFILE-HOST/widget/widget.js"></script>
//        <customer-profile token-provider="getProfileToken"></customer-profile>
import init, { mount_widget } from "./profile_web.js";

// Start fetching and compiling the WASM as soon as the script runs.
const ready = init({ module_or_path: new URL("./profile_web_bg.wasm", import.meta.url) });
const scriptOrigin = new URL(import.meta.url).origin;

/// Mounts the widget into `element` for sites that bundle it.
/// options: { api?: string, getToken: () => Promise<string> }
export async function mount(element, options) {
  if (typeof options?.getToken !== "function") {
    throw new TypeError("mount(element, { getToken }) needs a getToken function returning a Promise of a token");
  }
  await ready;
  const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("./widget.css", import.meta.url).href;
  const container = document.createElement("div");
  container.className = "cp-root";
  root.replaceChildren(style, container);
  mount_widget(container, options.api || scriptOrigin, () => Promise.resolve(options.getToken()));
}

class CustomerProfileElement extends HTMLElement {
  #token = null;
  #mounted = false;

  set token(value) {
    this.#token = value;
    this.#mountOnce();
  }

  get token() {
    return this.#token;
  }

  connectedCallback() {
    this.#mountOnce();
  }

  #tokenSource() {
    if (this.#token) return () => this.#token;
    const provider = this.getAttribute("token-provider");
    if (provider && typeof globalThis[provider] === "function") return () => globalThis[provider]();
    return null;
  }

  #mountOnce() {
    const source = this.#tokenSource();
    if (this.#mounted || !this.isConnected || !source) return;
    this.#mounted = true;
    mount(this, {
      api: this.getAttribute("api") || undefined,
      getToken: () => (this.#token ? this.#token : source()),
    }).catch((error) => {
      this.dispatchEvent(new CustomEvent("profile-error", { detail: { message: String(error) }, bubbles: true, composed: true }));
    });
  }
}

customElements.define("customer-profile", CustomerProfileElement);
