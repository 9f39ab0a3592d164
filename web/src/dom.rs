//! Building the form's elements with web-sys, kept up to date by Leptos
//! effects. The form is drawn from a schema at run time, so its controls do
//! not need `view!`'s typed render trees; and each `view!` is compiled into
//! its own build, update and drop code. Measured on this form: its controls
//! drawn with `view!` cost about 40 KB gzip (when the widget's budget was 150 KB).
//! Here every closure is boxed, so each helper is compiled once.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event};

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .unwrap_or_else(|| wasm_bindgen::throw_str("the widget needs a page"))
}

/// Runs `task` on the page's microtasks for as long as `alive()` holds: once
/// the widget is released, the task ends at its next step, so a token or an
/// answer that comes later touches nothing of it.
pub fn spawn_while(alive: Box<dyn Fn() -> bool>, task: Pin<Box<dyn Future<Output = ()>>>) {
    leptos::task::spawn_local(While(alive, task));
}

struct While(Box<dyn Fn() -> bool>, Pin<Box<dyn Future<Output = ()>>>);

impl Future for While {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if (this.0)() {
            this.1.as_mut().poll(cx)
        } else {
            Poll::Ready(())
        }
    }
}

/// An element being built.
#[derive(Clone)]
pub struct El(pub Element);

/// Runs `update` now and again whenever a signal it reads changes, for as
/// long as the current owner lives.
pub fn effect(update: Box<dyn Fn()>) {
    let update = SendWrapper::new(update);
    Effect::new(move |_| update());
}

impl El {
    pub fn new(tag: &str) -> El {
        // No `expect`: its Debug formatting of the error would cost the budget.
        El(document()
            .create_element(tag)
            .unwrap_or_else(|_| wasm_bindgen::throw_str("an element the page cannot make")))
    }

    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }

    /// Sets the attribute when `value` is given.
    pub fn maybe(self, name: &str, value: Option<&str>) -> El {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    pub fn text(self, text: &str) -> El {
        let _ = self.0.append_with_str_1(text);
        self
    }

    pub fn child(self, child: El) -> El {
        let _ = self.0.append_child(&child.0);
        self
    }

    pub fn children(self, children: Vec<El>) -> El {
        for child in children {
            let _ = self.0.append_child(&child.0);
        }
        self
    }

    /// Calls `handler` on every `event`, until the current owner is cleaned up.
    pub fn on(self, event: &str, handler: impl FnMut(Event) + 'static) -> El {
        self.listen(event, Box::new(handler));
        self
    }

    fn listen(&self, event: &str, handler: Box<dyn FnMut(Event)>) {
        let closure = Closure::wrap(handler);
        let _ = self
            .0
            .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        // The listener comes off before its closure goes: an event on an
        // element a page still holds then reaches nothing.
        let held = SendWrapper::new((self.0.clone(), event.to_owned(), closure));
        on_cleanup(move || {
            let (el, event, closure) = held.take();
            let _ =
                el.remove_event_listener_with_callback(&event, closure.as_ref().unchecked_ref());
        });
    }

    /// Keeps an attribute equal to `value()`; `None` removes it.
    pub fn bind_attr(self, name: &'static str, value: impl Fn() -> Option<String> + 'static) -> El {
        self.watch(Box::new(move |el: &Element| match value() {
            Some(v) if el.get_attribute(name).as_deref() != Some(v.as_str()) => {
                let _ = el.set_attribute(name, &v);
            }
            Some(_) => {}
            None => {
                let _ = el.remove_attribute(name);
            }
        }))
    }

    /// Keeps the element's text equal to `value()`.
    pub fn bind_text(self, value: impl Fn() -> String + 'static) -> El {
        self.watch(Box::new(move |el: &Element| {
            let text = value();
            if el.text_content().as_deref() != Some(text.as_str()) {
                el.set_text_content(Some(&text));
            }
        }))
    }

    /// Keeps a DOM property (`value`, `checked`, `selected`) equal to
    /// `value()`, without touching it while it already is (the caret stays).
    pub fn bind_prop(
        self,
        name: &'static str,
        value: impl Fn() -> wasm_bindgen::JsValue + 'static,
    ) -> El {
        self.watch(Box::new(move |el: &Element| {
            let value = value();
            let key = wasm_bindgen::JsValue::from_str(name);
            if js_sys::Reflect::get(el, &key).ok().as_ref() != Some(&value) {
                let _ = js_sys::Reflect::set(el, &key, &value);
            }
        }))
    }

    /// Shows the element only while `shown()` holds.
    pub fn bind_shown(self, shown: impl Fn() -> bool + 'static) -> El {
        self.watch(Box::new(move |el: &Element| {
            let _ = el.toggle_attribute_with_force("hidden", !shown());
        }))
    }

    fn watch(self, update: Box<dyn Fn(&Element)>) -> El {
        let el = self.0.clone();
        effect(Box::new(move || update(&el)));
        self
    }

    /// Replaces the children with what `draw` makes whenever the value of
    /// `key()` changes (not merely a signal it reads: a list keyed by its
    /// length is not drawn again while the customer types in it); the
    /// effects of the old children end with them. `draw` itself is not
    /// tracked: its controls keep themselves up to date.
    pub fn bind_children(
        self,
        key: impl Fn() -> String + 'static,
        draw: impl Fn() -> Vec<El> + 'static,
    ) -> El {
        let el = self.0.clone();
        let key: Box<dyn Fn() -> String> = Box::new(key);
        let draw: Box<dyn Fn() -> Vec<El>> = Box::new(draw);
        let previous = std::cell::RefCell::new(None::<Owner>);
        let drawn_for = std::cell::RefCell::new(None::<String>);
        // The children's owner hangs from where the element is made, not from
        // the effect: an effect cleans up what it owns each time it runs, and
        // a run that draws nothing must leave the children's listeners alone.
        let parent = Owner::current();
        effect(Box::new(move || {
            let now = key();
            if drawn_for.borrow().as_ref() == Some(&now) {
                return;
            }
            *drawn_for.borrow_mut() = Some(now);
            if let Some(owner) = previous.borrow_mut().take() {
                owner.cleanup();
            }
            let owner = match &parent {
                Some(parent) => parent.with(Owner::new),
                None => Owner::new(),
            };
            let children = untrack(|| owner.with(&draw));
            el.set_text_content(None);
            for child in children {
                let _ = el.append_child(&child.0);
            }
            *previous.borrow_mut() = Some(owner);
        }));
        self
    }

    pub fn into_html(self) -> web_sys::HtmlElement {
        self.0.unchecked_into()
    }
}
