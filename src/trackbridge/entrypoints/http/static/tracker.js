/*
 * trackbridge tracker: records what a visitor does on a shop and sends it to trackbridge's POST /t.
 * Served by GET /tracker.js?token=...; the server fills in the configuration on the last line.
 * API: window.trackbridge (alias window.metrilo). Calls made before load: window.trackbridgeQueue.
 * Documentation: docs/tracker.md. Add #tb_debug to a page's URL to see every call in the console.
 */
(function (window, document, config) {
  'use strict';

  if (window.trackbridge && window.trackbridge.version) {
    return; // loaded twice on one page: keep the first instance and its queue
  }

  var BATCH_SIZE = 10;
  var FLUSH_DELAY_MS = 1000;
  var VISITOR_COOKIE = '_tb_vid';
  var VISITOR_COOKIE_SECONDS = 13 * 31 * 24 * 3600; // 13 months
  var VISIT_KEY = '_tb_visit';
  var LINK_KEY = '_tb_link';
  var HEX16 = /^[0-9a-f]{16}$/;
  var UTM_FIELDS = {
    utm_id: 'id', utm_source: 'source', utm_medium: 'medium',
    utm_campaign: 'name', utm_term: 'term', utm_content: 'content'
  };

  var script = document.currentScript;
  var endpoint = trackerBase() + '/t';
  var pending = [];
  var flushTimer = null;
  var visitorId = null;
  var visit = rememberLanding();

  // ---- small tools -------------------------------------------------------------------------------------------------

  function debugging() {
    return String(window.location.hash).indexOf('tb_debug') !== -1;
  }

  function log() {
    if (debugging() && window.console && window.console.log) {
      window.console.log.apply(window.console, ['[trackbridge]'].concat(Array.prototype.slice.call(arguments)));
    }
  }

  function trackerBase() {
    // The address the browser loaded this script from is the one it can reach; the server's own idea is the fallback.
    var src = script && script.src;
    var match = src && /^(https?:\/\/[^?#]*)\/tracker\.js(?:[?#].*)?$/.exec(src);
    return match ? match[1] : String(config.base).replace(/\/+$/, '');
  }

  function randomHex(length) {
    var out = '';
    var cryptoApi = window.crypto;
    if (cryptoApi && cryptoApi.getRandomValues) {
      var bytes = cryptoApi.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
      for (var i = 0; i < bytes.length; i++) {
        out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
      }
    } else {
      while (out.length < length) {
        out += Math.floor(Math.random() * 16).toString(16);
      }
    }
    return out.slice(0, length);
  }

  function newEventId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') {
      return window.crypto.randomUUID();
    }
    return randomHex(32);
  }

  function readSession(key) {
    try {
      var raw = window.sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (ignored) {
      return null; // storage blocked or corrupt: behave as on a first page
    }
  }

  function writeSession(key, value) {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch (ignored) {
      // storage blocked: the visit data lives for this page only
    }
  }

  function hostOf(url) {
    var match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url || '');
    return match ? match[1].toLowerCase() : '';
  }

  // ---- visitor id: first-party cookie, shared with Matomo's _pk_id when present ---------------------------------------

  function cookies() {
    var found = {};
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].replace(/^\s+/, '');
      var eq = part.indexOf('=');
      if (eq > 0) {
        found[part.slice(0, eq)] = part.slice(eq + 1);
      }
    }
    return found;
  }

  function matomoVisitorId(jar) {
    // Matomo's cookie is _pk_id.<site id>.<domain hash> = <16 hex visitor id>.<first visit timestamp>...
    var preferred = '_pk_id.' + config.siteId + '.';
    var fallback = null;
    for (var name in jar) {
      if (name.indexOf('_pk_id.') === 0) {
        var id = String(jar[name]).slice(0, 16).toLowerCase();
        if (HEX16.test(id)) {
          if (name.indexOf(preferred) === 0) {
            return id;
          }
          fallback = fallback || id;
        }
      }
    }
    return fallback;
  }

  function currentVisitorId() {
    var jar = cookies();
    var own = jar[VISITOR_COOKIE] && HEX16.test(jar[VISITOR_COOKIE]) ? jar[VISITOR_COOKIE] : null;
    var id = matomoVisitorId(jar) || own || visitorId || randomHex(16);
    if (id !== own || visitorId === null) { // new, changed, or the first use on this page (renews the 13 months)
      var secure = window.location.protocol === 'https:' ? '; Secure' : '';
      document.cookie = VISITOR_COOKIE + '=' + id + '; Max-Age=' + VISITOR_COOKIE_SECONDS +
        '; Path=/; SameSite=Lax' + secure;
    }
    visitorId = id;
    return id;
  }

  // ---- the visit: campaign and referrer taken on landing ------------------------------------------------------------

  function rememberLanding() {
    var params = new URLSearchParams(window.location.search);
    var campaign = {};
    var tagged = false;
    for (var key in UTM_FIELDS) {
      var value = params.get(key);
      if (value) {
        campaign[UTM_FIELDS[key]] = value;
        tagged = true;
      }
    }
    var referrer = document.referrer || '';
    var external = referrer !== '' && hostOf(referrer) !== window.location.host.toLowerCase();
    var stored = readSession(VISIT_KEY);
    if (tagged || external || !stored) {
      stored = { campaign: campaign, referrer: referrer, landing: window.location.href };
      writeSession(VISIT_KEY, stored);
    }
    return stored;
  }

  // ---- events, batches, sending -------------------------------------------------------------------------------------

  function record(type, properties, url) {
    pending.push({
      id: newEventId(),
      type: type,
      time: Date.now(),
      url: url || window.location.href,
      referrer: visit.referrer,
      title: document.title,
      properties: properties || {},
      campaign: visit.campaign
    });
    if (pending.length >= BATCH_SIZE) {
      flush();
    } else if (flushTimer === null) {
      flushTimer = window.setTimeout(flush, FLUSH_DELAY_MS);
    }
  }

  function send(events) {
    var body = JSON.stringify({ token: config.token, visitorId: currentVisitorId(), events: events });
    log('send', events.length + ' event(s) to ' + endpoint, JSON.parse(body));
    var queued = false;
    if (navigator.sendBeacon) {
      try {
        queued = navigator.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }));
      } catch (ignored) {
        queued = false;
      }
    }
    if (!queued && window.fetch) {
      window.fetch(endpoint, {
        method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' }, body: body
      }).catch(function (error) {
        log('send failed', error);
      });
    }
  }

  function flush() {
    if (flushTimer !== null) {
      window.clearTimeout(flushTimer);
      flushTimer = null;
    }
    while (pending.length > 0) {
      send(pending.splice(0, BATCH_SIZE));
    }
  }

  // ---- forms --------------------------------------------------------------------------------------------------------

  function fieldValue(form, name) {
    if (!name) {
      return undefined;
    }
    var field = form.elements.namedItem(name);
    if (!field) {
      return undefined;
    }
    if (field.type === 'checkbox') {
      return field.checked;
    }
    if (typeof field.length === 'number' && !field.tagName) { // several inputs share the name (checkboxes, radios)
      for (var i = 0; i < field.length; i++) {
        if (field[i].checked) {
          return field[i].type === 'checkbox' ? true : field[i].value;
        }
      }
      return field[0] && field[0].type === 'checkbox' ? false : undefined;
    }
    return String(field.value).trim();
  }

  function onFormSubmit(form, options) {
    var fields = {};
    var names = ['email', 'firstName', 'lastName', 'phoneNumber', 'subscribed'];
    for (var i = 0; i < names.length; i++) {
      var value = fieldValue(form, options[names[i]]);
      if (value !== undefined && value !== '') {
        fields[names[i]] = value;
      }
    }
    log('form submitted', options.formSelector, fields);
    if (fields.email) {
      api.identify(fields.email);
      var details = {};
      for (var key in fields) {
        details[key] = fields[key];
      }
      api.customerDetails(details);
    }
    if (options.tags && options.tags.length) {
      api.applyTags(options.tags);
    }
    if (options.customEvent) {
      api.customEvent(options.customEvent);
    }
    var submitted = { form: options.formSelector };
    for (var field in fields) {
      submitted[field] = fields[field];
    }
    record('form_submit', submitted);
    flush(); // the page usually navigates away now: sendBeacon outlives it
  }

  function bindForms(options) {
    var forms = document.querySelectorAll(options.formSelector);
    if (forms.length === 0) {
      log('integrateForm: no form matches', options.formSelector);
    }
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].getAttribute('data-tb-bound') === options.formSelector) {
        continue;
      }
      forms[i].setAttribute('data-tb-bound', options.formSelector);
      forms[i].addEventListener('submit', (function (form) {
        return function () {
          try {
            onFormSubmit(form, options);
          } catch (error) {
            log('form tracking failed', error);
          }
        };
      })(forms[i]), true);
    }
  }

  // ---- the public API -----------------------------------------------------------------------------------------------

  function copy(source, keys) {
    var out = {};
    for (var i = 0; i < keys.length; i++) {
      if (source && source[keys[i]] !== undefined && source[keys[i]] !== null) {
        out[keys[i]] = source[keys[i]];
      }
    }
    return out;
  }

  function quantity(value) {
    var number = Number(value === undefined ? 1 : value);
    return isFinite(number) ? number : 1;
  }

  var calls = {
    identify: function (email) {
      record('identify', { email: String(email).trim() });
    },
    customerDetails: function (details) {
      var properties = {};
      for (var key in details || {}) {
        properties[key] = details[key];
      }
      record('customer_details', properties);
    },
    viewPage: function (url, params) {
      record('page_view', copy(params, ['name']), url);
    },
    viewArticle: function (articleId, params) {
      var properties = copy(params, ['name', 'url']);
      properties.articleId = String(articleId);
      record('article_view', properties);
    },
    viewCategory: function (categoryId) {
      record('category_view', { categoryId: String(categoryId) });
    },
    viewProduct: function (productId) {
      record('product_view', { productId: String(productId) });
    },
    search: function (query, url) {
      record('search', { query: String(query) }, url);
    },
    addToCart: function (productId, count) {
      record('add_to_cart', { productId: String(productId), quantity: quantity(count) });
    },
    removeFromCart: function (productId, count) {
      record('remove_from_cart', { productId: String(productId), quantity: quantity(count) });
    },
    setCart: function (cart) {
      var properties = copy(cart, ['cartId', 'total', 'size', 'currency', 'url']);
      properties.items = [];
      var items = (cart && cart.items) || [];
      for (var i = 0; i < items.length; i++) {
        properties.items.push(copy(items[i], ['productId', 'quantity', 'price', 'sku', 'name']));
      }
      record('set_cart', properties);
    },
    checkout: function (params) {
      record('checkout', copy(params, ['cartId', 'total', 'currency']));
    },
    applyTags: function (tags) {
      record('apply_tags', { tags: [].concat(tags || []).map(String) });
    },
    customEvent: function (name, properties) {
      var out = {};
      for (var key in properties || {}) {
        out[key] = properties[key];
      }
      out.name = String(name);
      record('custom_event', out);
    },
    integrateForm: function (options) {
      if (!options || !options.formSelector) {
        log('integrateForm needs a formSelector');
        return;
      }
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', function () { bindForms(options); });
      } else {
        bindForms(options);
      }
    }
  };

  var api = { version: '1' };
  Object.keys(calls).forEach(function (name) {
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      log(name, args);
      try {
        calls[name].apply(null, args);
      } catch (error) {
        log(name + ' failed', error); // a tracking mistake never breaks the shop's page
      }
    };
  });
  api.getVisitorId = function () {
    return currentVisitorId(); // read afresh: Matomo's tracker may have set its cookie since this script loaded
  };
  api.flush = flush;

  function run(item) {
    try {
      if (typeof item === 'function') {
        item();
      } else if (item && typeof api[item[0]] === 'function') {
        api[item[0]].apply(null, Array.prototype.slice.call(item, 1));
      } else {
        log('queue: unknown call', item);
      }
    } catch (error) {
      log('queued call failed', error);
    }
  }

  function drain(name) {
    var queue = window[name];
    var items = queue && typeof queue.length === 'number' ? Array.prototype.slice.call(queue) : [];
    window[name] = { push: function () { for (var i = 0; i < arguments.length; i++) { run(arguments[i]); } } };
    for (var i = 0; i < items.length; i++) {
      run(items[i]);
    }
  }

  // ---- start --------------------------------------------------------------------------------------------------------

  window.trackbridge = api;
  if (typeof window.metrilo === 'undefined') {
    window.metrilo = api;
  }
  currentVisitorId();
  log('loaded; visitor', visitorId, 'sending to', endpoint);

  if (!script || script.getAttribute('data-auto-page-view') !== 'false') {
    record('page_view', {});
  }
  var linkToken = new URLSearchParams(window.location.search).get('tb_r');
  if (linkToken && readSession(LINK_KEY) !== linkToken) {
    writeSession(LINK_KEY, linkToken); // a reload of the landing page does not send it twice
    record('email_link', { token: linkToken });
  }
  drain('trackbridgeQueue');
  drain('metriloQueue');

  window.addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      flush();
    }
  });
})(window, document, __TRACKBRIDGE_CONFIG__);
