// <customer-profile>: the custom element, and mount() for sites that bundle it.
// `cargo xtask build` bundles this file with element.js, the WASM's glue and
// the CSS into one module under /widget/<version>/widget.js; WASM_INTEGRITY is
// the hash of the module it loads, so that one integrity attribute covers every file.
import init, { mount_widget, release_widget } from "./profile_web.js";
import css from "./widget.css";
import { define } from "./element.js";

let sheet = null;

export const mount = define({
  // Compile the WASM while the page asks for its token, the schema and the profile.
  ready: init({
    module_or_path: fetch(new URL("./profile_web_bg.wasm", import.meta.url), {
      integrity: WASM_INTEGRITY,
      credentials: "omit",
    }),
  }),
  origin: new URL(import.meta.url).origin,
  styles() {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    return sheet;
  },
  mountWidget: mount_widget,
  releaseWidget: release_widget,
});
