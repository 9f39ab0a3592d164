// <customer-profile> and mount(): how a widget starts on a page. This file
// imports nothing, so that the component tests (web/tests/element.rs) load it
// as it ships; widget.js gives it the WASM's entry point.

/// Defines <customer-profile> (once per page) and returns mount().
/// ready: a Promise of the WASM; origin: the API's default origin;
/// styles(): the widget's stylesheet; mountWidget, releaseWidget: the WASM's
/// mount_widget and release_widget.
export function define({ ready, origin, styles, mountWidget, releaseWidget }) {
  // Starts both reads at once, before the WASM is ready (none for a mount
  // abandoned while the page looked for its token).
  async function preload(api, lang, getToken, signal) {
    try {
      const token = await getToken();
      if (!token || signal?.aborted) return {};
      // X-Profile-Source: the customer's history records the widget as the channel.
      const headers = { Authorization: `Bearer ${token}`, "Accept-Language": lang, "X-Profile-Source": "widget" };
      return {
        token,
        profile: fetch(`${api}/v1/customers/me`, { headers }),
        schema: fetch(`${api}/v1/customers/me/schema`, { headers }),
      };
    } catch {
      return {};
    }
  }

  /// Mounts the widget into `element` (in its shadow root); resolves to
  /// { unmount() }, which releases it and empties the shadow root.
  /// options: { getToken: () => Promise<string>, api?: string, lang?: string,
  /// signal?: AbortSignal (aborting unmounts; while it loads, rejects) }
  async function mount(element, options) {
    if (typeof options?.getToken !== "function") {
      throw new TypeError("mount(element, { getToken }) needs a getToken function returning a Promise of a token");
    }
    const { signal } = options;
    signal?.throwIfAborted();
    const api = (options.api || origin).replace(/\/+$/, "");
    const lang = options.lang || navigator.language || "en";
    const getToken = () => Promise.resolve(options.getToken());
    const [loading] = await Promise.all([preload(api, lang, getToken, signal), ready]);
    signal?.throwIfAborted();
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [styles()];
    const container = document.createElement("div");
    container.className = "cp-root";
    root.replaceChildren(container);
    let widget = mountWidget(element, container, api, lang, getToken, loading);
    const unmount = () => {
      signal?.removeEventListener("abort", unmount);
      if (widget === null) return;
      releaseWidget(widget);
      widget = null;
      container.remove();
    };
    signal?.addEventListener("abort", unmount);
    return { unmount };
  }

  class CustomerProfileElement extends HTMLElement {
    #token = null;
    // Aborts the widget this element mounted (or is mounting); null if none.
    #widget = null;

    set token(value) {
      this.#token = value;
      this.#mount();
    }

    get token() {
      return this.#token;
    }

    connectedCallback() {
      // A token the page set before this element was defined sits on the
      // instance itself, hiding the setter: hand it to the setter.
      if (Object.prototype.hasOwnProperty.call(this, "token")) {
        const token = this.token;
        delete this.token;
        this.token = token;
      }
      this.#mount();
    }

    disconnectedCallback() {
      // Moving the element (appendChild to another parent) disconnects and
      // connects it again at once: the widget is released only if it is still
      // out of the page once the script that removed it has run, so that a
      // move keeps the customer's unsaved edits. Added again later, it mounts
      // afresh.
      queueMicrotask(() => {
        if (this.isConnected) return;
        this.#widget?.abort();
        this.#widget = null;
      });
    }

    #provider() {
      const name = this.getAttribute("token-provider");
      return name && typeof globalThis[name] === "function" ? globalThis[name] : null;
    }

    #mount() {
      if (this.#widget || !this.isConnected || !(this.#token || this.#provider())) return;
      const widget = (this.#widget = new AbortController());
      mount(this, {
        api: this.getAttribute("api") || undefined,
        lang: this.getAttribute("lang") || undefined,
        // The token property wins; else the provider is asked (again after a 401).
        getToken: () => this.#token || this.#provider()?.() || null,
        signal: widget.signal,
      }).catch((error) => {
        if (widget.signal.aborted) return;
        this.dispatchEvent(
          new CustomEvent("profile-error", { detail: { code: "load", message: String(error) }, bubbles: true, composed: true }),
        );
      });
    }
  }

  if (!customElements.get("customer-profile")) customElements.define("customer-profile", CustomerProfileElement);
  return mount;
}
