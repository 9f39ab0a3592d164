//! A loyalty site on another origin than the Worker (another port), as a
//! real embedding is: it serves its own pages, with the headers it chooses
//! (a Content-Security-Policy, say), and the widget comes from the Worker.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One file of the site.
pub struct Page {
    pub path: String,
    pub content_type: &'static str,
    pub body: String,
}

type Site = Arc<Mutex<(Vec<Page>, Vec<(String, String)>)>>;

/// A running site; it stops when dropped.
pub struct HostSite {
    /// E.g. `http://127.0.0.1:41234`.
    pub origin: String,
    content: Site,
    task: tokio::task::JoinHandle<()>,
}

impl HostSite {
    /// Listens on a free port; it serves nothing until [`HostSite::serve`].
    pub async fn start() -> HostSite {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let origin = format!("http://{}", listener.local_addr().expect("its address"));
        let content: Site = Arc::default();
        let shared = content.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let content = shared.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&request);
                    let path = head.split_whitespace().nth(1).unwrap_or("/");
                    let path = path.split('?').next().unwrap_or(path);
                    let response = {
                        let content = content.lock().expect("the site's pages");
                        let (pages, headers) = &*content;
                        match pages.iter().find(|p| p.path == path) {
                        Some(page) => {
                            let extra: String = headers
                                .iter()
                                .map(|(name, value)| format!("{name}: {value}\r\n"))
                                .collect();
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n{extra}\r\n{}",
                                page.content_type,
                                page.body.len(),
                                page.body
                            )
                        }
                        None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
                    }
                    };
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        HostSite {
            origin,
            content,
            task,
        }
    }

    /// Serves `pages`, each with `headers`; anything else is a 404.
    pub fn serve(&self, pages: Vec<Page>, headers: Vec<(String, String)>) {
        *self.content.lock().expect("the site's pages") = (pages, headers);
    }
}

impl Drop for HostSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}
