"""A tiny shop, served from its own origin, whose pages load trackbridge's tracker.js the way a real shop would.

Pages: ``/`` (home), ``/category/{id}`` (calls queued before the script loads), ``/product/{id}`` (an add-to-cart
button), ``/search?q=`` (the search result page), ``/newsletter`` (a form bound with integrateForm through seed 004's
metriloQueue pattern; submitting it navigates to ``/thanks``, a page without the tracker), ``/queue-only`` (no automatic
page view, only queued calls).
"""

from __future__ import annotations

import html
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route


def _page(title: str, body: str, *, head: str = "") -> HTMLResponse:
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>{head}</head>
<body><h1>{html.escape(title)}</h1>
<nav><a href="/">Home</a> · <a href="/category/1">Clothing</a> · <a href="/product/2">T-shirt</a>
· <a href="/newsletter">Newsletter</a></nav>
{body}
</body></html>"""
    return HTMLResponse(document)


def build_shop(tracker_src: str) -> Starlette:
    """The shop app; ``tracker_src`` is the full tracker.js address with ``?token=``."""
    script = f'<script src="{html.escape(tracker_src)}"></script>'

    async def home(_request: Request) -> HTMLResponse:
        return _page("Awesome shop", "<p>Welcome.</p>", head=script)

    async def category(request: Request) -> HTMLResponse:
        category_id = request.path_params["category_id"]
        queued = f"""<script>
window.trackbridgeQueue = window.trackbridgeQueue || [];
window.trackbridgeQueue.push(['viewCategory', {json.dumps(category_id)}]);
</script>"""
        return _page("Awesome clothing", "<p>Products of the category.</p>", head=queued + script)

    async def product(request: Request) -> HTMLResponse:
        product_id = request.path_params["product_id"]
        body = f"""<p>Awesome T-Shirt, 10.42</p>
<button id="add-to-cart" onclick="window.trackbridge.addToCart({html.escape(json.dumps(product_id))}, 1)">Add to cart</button>
<form id="search" action="/search"><input name="q" aria-label="Search"><button>Search</button></form>
<script>window.trackbridge.viewProduct({json.dumps(product_id)});</script>"""
        return _page("Awesome T-Shirt", body, head=script)

    async def search(request: Request) -> HTMLResponse:
        query = request.query_params.get("q", "")
        literal = json.dumps(query).replace("<", "\\u003c")
        body = f"<p>Results for {html.escape(query)}</p><script>window.trackbridge.search({literal}, location.href);</script>"
        return _page("Search", body, head=script)

    async def newsletter(_request: Request) -> HTMLResponse:
        body = """<form id="newsletter-form" action="/thanks" method="get">
  <label>First name <input name="newsletter[fields][0][first]"></label>
  <label>E-mail <input name="newsletter[fields][1]" type="email"></label>
  <label><input name="newsletter[fields][2][]" type="checkbox" value="yes"> Send me news</label>
  <button id="subscribe" type="submit">Subscribe</button>
</form>
<script>
(function () {
  var bind = function () {
    window.metrilo.integrateForm({
      formSelector: '#newsletter-form',
      email: 'newsletter[fields][1]',
      firstName: 'newsletter[fields][0][first]',
      subscribed: 'newsletter[fields][2][]',
      tags: ['newsletter-subscriber'],
      customEvent: 'newsletter-subscribed'
    });
  };
  if (typeof window.metrilo !== 'undefined' && typeof window.metrilo.integrateForm !== 'undefined') {
    bind();
  } else {
    window.metriloQueue = window.metriloQueue || [];
    window.metriloQueue.push(bind);
  }
})();
</script>"""
        # The binding runs before the script loads, so it goes through the queue; the script is at the end of the body.
        return _page("Newsletter", body + script)

    async def thanks(_request: Request) -> HTMLResponse:
        return _page("Thank you", "<p>You are subscribed.</p>")

    async def queue_only(_request: Request) -> HTMLResponse:
        queued = """<script>
window.trackbridgeQueue = window.trackbridgeQueue || [];
window.trackbridgeQueue.push(['viewProduct', '7']);
window.trackbridgeQueue.push(function () { window.trackbridge.addToCart('7', 3); });
window.metriloQueue = window.metriloQueue || [];
window.metriloQueue.push(function () { window.metrilo.customEvent('queued-through-metrilo'); });
</script>"""
        tag = script.replace("<script ", '<script data-auto-page-view="false" ')
        late = "<script>window.trackbridgeQueue.push(['viewCategory', '9']);</script>"
        return _page("Queue", late, head=queued + tag)

    return Starlette(
        routes=[
            Route("/", home),
            Route("/category/{category_id}", category),
            Route("/product/{product_id}", product),
            Route("/search", search),
            Route("/newsletter", newsletter),
            Route("/thanks", thanks),
            Route("/queue-only", queue_only),
        ]
    )
