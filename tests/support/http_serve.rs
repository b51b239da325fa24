//! The HTTP/1 serving loop the REST stand-ins share ([`super::eks_standin`],
//! [`super::cloudtrail_standin`]): a free loopback port, one task per connection answering with
//! `handle` over the shared state, everything stopped when the returned [`Serving`] is dropped.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A running server; it stops accepting and closes its connections when dropped.
pub struct Serving {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shutdown: watch::Sender<bool>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Serves `handle(state, request)` on a free port of 127.0.0.1.
pub async fn serve<S, F, Fut>(state: Arc<S>, handle: F) -> Serving
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let (shutdown, stop) = watch::channel(false);
    tokio::spawn(async move {
        let mut stop_accepting = stop.clone();
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => continue,
                },
                _ = stop_accepting.changed() => return,
            };
            let (state, mut stop) = (Arc::clone(&state), stop.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(Arc::clone(&state), req));
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = conn => {}
                    _ = stop.changed() => {}
                }
            });
        }
    });
    Serving { url, shutdown }
}
