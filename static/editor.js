/* Clientside callbacks of the graph editor (admin/editor), in the namespace "sodo".
   They live in this file, not in inline strings, because the Content-Security-Policy
   forbids inline scripts. Only view work happens here (centre, fit, search, keyboard,
   reading positions from Cytoscape); every change goes to the server. */
(function () {
  "use strict";
  var NO = function () { return window.dash_clientside.no_update; };

  function cy() { return window.cy || null; }

  function setProps(id, props) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, props);
    }
  }

  /* Lower case without diacritics, as the server's search does: "Thẩm định" -> "tham dinh". */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  }

  /* The view. Labels must read at least READABLE_PX CSS pixels (zoom x font size) when
     the page frames the diagram; "Fit" may shrink them, as the user asked. */
  var READABLE_PX = 13;
  var MOST_ZOOM = 1.5;
  var PADDING = 30;

  function steps(graph) { return graph.nodes("[key]"); }

  /* The zoom at which the smallest label on the canvas is READABLE_PX pixels high. */
  function readableZoom(graph) {
    var smallest = Infinity;
    graph.elements().forEach(function (ele) {
      if (ele.data("label")) { smallest = Math.min(smallest, ele.numericStyle("font-size")); }
    });
    return isFinite(smallest) && smallest > 0 ? READABLE_PX / smallest : 1;
  }

  /* Frame the whole diagram if it fits at a readable zoom; otherwise zoom to readable and
     show its start (top left), the rest being a pan away. */
  function readableView(graph) {
    var eles = graph.elements();
    if (eles.empty()) { return; }
    var box = eles.boundingBox();
    var width = graph.width(), height = graph.height();
    var fitting = Math.min((width - 2 * PADDING) / Math.max(box.w, 1),
      (height - 2 * PADDING) / Math.max(box.h, 1));
    var zoom = Math.min(Math.max(fitting, readableZoom(graph)), MOST_ZOOM);
    zoom = Math.min(Math.max(zoom, graph.minZoom()), graph.maxZoom());
    var spare = function (room, size, from) {
      return size * zoom <= room - 2 * PADDING ? (room - size * zoom) / 2 - from * zoom
        : PADDING - from * zoom;
    };
    graph.viewport({ zoom: zoom, pan: { x: spare(width, box.w, box.x1), y: spare(height, box.h, box.y1) } });
  }

  /* Pan as little as needed for `eles` to be in view, away from the edges. */
  function bringIntoView(graph, eles) {
    if (eles.empty()) { return; }
    var box = eles.renderedBoundingBox({ includeLabels: true });
    var width = graph.width(), height = graph.height();
    var shift = function (low, high, room) {
      if (high - low > room - 2 * PADDING || low < PADDING) { return PADDING - low; }
      if (high > room - PADDING) { return room - PADDING - high; }
      return 0;
    };
    graph.panBy({ x: shift(box.x1, box.x2, width), y: shift(box.y1, box.y2, height) });
  }

  function focusOn(eles) {
    var graph = cy();
    if (!graph || !eles || eles.empty()) { return; }
    graph.elements().unselect();
    eles.select();
    graph.animate({ center: { eles: eles }, zoom: Math.max(graph.zoom(), readableZoom(graph)) },
      { duration: 250 });
  }

  function stepPositions(nodes) {
    var positions = {};
    nodes.forEach(function (node) {
      if (!node.data("key")) { return; }  /* a lane's box or its name */
      var p = node.position();
      positions[node.data("key")] = [Math.round(p.x), Math.round(p.y)];
    });
    return positions;
  }

  /* Drags end in "dragfree", once per moved node: gather them and send one move. */
  var dragged = null;
  function onDragFree(event) {
    var node = event.target;
    if (!node.data("key")) { return; }
    if (dragged === null) {
      dragged = node.cy().collection();
      window.setTimeout(function () {
        /* Where the steps were dropped, read now: an answer that comes before the drop is
           sent (a save of the inspector's form) puts them back where the server has them. */
        var positions = stepPositions(dragged);
        dragged = null;
        var send = function () {
          setProps("drag-end", { data: { positions: positions, at: Date.now() } });
        };
        if (!afterSaves(send)) { send(); }
      }, 0);
    }
    dragged = dragged.union(node);
  }

  /* Put every step where the server's elements say, but the one being dragged. After a
     refused move (someone else changed the version) the answer repeats the position the
     step had before; dash-cytoscape only moves nodes whose position differs from its
     previous elements, which may already hold the dragged position: the step would stay
     where it was dropped, though nothing was saved. */
  function followPositions(graph, elements) {
    (elements || []).forEach(function (element) {
      var data = element.data || {};
      var to = element.position;
      if (!to || !data.key || data.source || data.lane_box) { return; }
      var node = graph.getElementById(data.id);
      if (node.empty() || node.grabbed()) { return; }
      var at = node.position();
      if (at.x !== to.x || at.y !== to.y) { node.position({ x: to.x, y: to.y }); }
    });
  }

  function typing(event) {
    var tag = event.target && event.target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
      (event.target && event.target.isContentEditable);
  }

  function click(selector) {
    var button = document.querySelector(selector);
    if (button && !button.disabled) { button.click(); }
  }

  /* Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y), Delete, Escape; text fields keep their own undo. */
  function onKey(event) {
    if (typing(event)) { return; }
    var ctrl = event.ctrlKey || event.metaKey;
    var key = (event.key || "").toLowerCase();
    if (ctrl && key === "z" && !event.shiftKey) {
      event.preventDefault(); click("[data-sodo-tool='undo']");
    } else if (ctrl && ((key === "z" && event.shiftKey) || key === "y")) {
      event.preventDefault(); click("[data-sodo-tool='redo']");
    } else if (key === "delete" && !ctrl) {
      click("[data-sodo-tool='delete']");
    } else if (key === "escape") {
      /* Leave connect mode, or forget the source chosen with the right-click menu. */
      setProps("connect-mode", { data: false });
      setProps("connect-source", { data: null });
      if (document.querySelector("#message .alert-info")) {
        setProps("message", { children: [] });
      }
    }
  }
  document.addEventListener("keydown", onKey);

  /* The inspector's form saves itself. A change (a text field left or Enter pressed, a
     choice made, the description after a pause in typing) queues the whole form, named
     by the element it was drawn for; one save is sent at a time, the next once the last
     was answered ("save-done"), so that each carries the lock the one before left. */
  var SAVE_PAUSE = 800;       /* ms without typing before the description is saved */
  var SAVE_PATIENCE = 15000;  /* ms after which an unanswered save stops holding the queue */
  var BLUR_GRACE = 500;      /* ms a field just left may take to queue its change */
  var saver = {
    queue: [], sent: null, sentAt: 0, seq: 0, timer: null, last: {},
    waiting: [], polling: false, blurredAt: 0, seenAt: 0
  };

  function sameValue(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  }

  function sendSave() {
    if (saver.timer) { window.clearTimeout(saver.timer); saver.timer = null; }
    if (saver.sent !== null && Date.now() - saver.sentAt < SAVE_PATIENCE) { return; }
    var next = saver.queue.shift();
    if (!next) { saver.sent = null; return; }
    saver.seq += 1;
    saver.sent = saver.seq;
    saver.sentAt = Date.now();
    setProps("save-request", { data: { form: next.form, fields: next.fields, seq: saver.seq } });
  }

  /* Queue `fields` of `form` if they differ from what was last queued (or drawn). */
  function queueForm(form, fields) {
    var before = saver.last[form.token] || form.drawn || {};
    var changed = Object.keys(fields).some(function (name) {
      return !sameValue(fields[name], before[name]);
    });
    if (!changed) { return false; }
    saver.last[form.token] = fields;
    var item = { token: form.token, form: { kind: form.kind, key: form.key }, fields: fields };
    for (var i = 0; i < saver.queue.length; i += 1) {
      if (saver.queue[i].token === form.token) { saver.queue[i] = item; return true; }
    }
    saver.queue.push(item);
    return true;
  }

  /* Whether a change of the form may not be saved yet: queued, typed, sent and not yet
     answered, or in a field just left whose change Dash has not handed over yet. */
  function unsaved() {
    var now = Date.now();
    return saver.queue.length > 0 || saver.timer !== null ||
      (saver.sent !== null && now - saver.sentAt < SAVE_PATIENCE) ||
      (saver.blurredAt > saver.seenAt && now - saver.blurredAt < BLUR_GRACE);
  }

  /* Gestures held back while the form was being saved go once it is, with the new lock. */
  function releaseWhenSaved() {
    if (unsaved()) { window.setTimeout(releaseWhenSaved, 50); return; }
    saver.polling = false;
    var waiting = saver.waiting;
    saver.waiting = [];
    waiting.forEach(function (gesture) { window.setTimeout(gesture, 0); });
  }

  /* Every change carries the lock the page holds: a tool clicked or a step dropped while
     the form is being saved would carry the lock that save is about to replace, and be
     refused as a conflict. Such a gesture waits until the saves are answered. */
  function afterSaves(gesture) {
    if (!unsaved()) { return false; }
    saver.waiting.push(gesture);
    if (saver.sent === null) { sendSave(); }
    if (!saver.polling) { saver.polling = true; releaseWhenSaved(); }
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-sodo-tool]");
    if (!button || !button.closest("#toolbar")) { return; }
    if (afterSaves(function () { button.click(); })) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  /* A text field commits its value when it loses the focus: a tap on the canvas takes it
     away first, so a change is queued before another element is selected. */
  function leaveInspector() {
    var active = document.activeElement;
    if (active && active.closest && active.closest("#inspector")) { active.blur(); }
  }

  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest("#inspector")) { return; }
    saver.blurredAt = Date.now();
    if (target.tagName === "TEXTAREA") { window.setTimeout(sendSave, 0); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) { event.preventDefault(); event.returnValue = ""; }
  });

  /* After new elements: frame them on opening and after a re-layout, and bring a step
     that just appeared (from the palette, the menu, an undo) into view. Cytoscape draws
     the elements a moment after this callback: wait until every step is there. */
  var relayoutAt = 0;
  document.addEventListener("click", function (event) {
    var tool = event.target && event.target.closest && event.target.closest("[data-sodo-tool]");
    if (tool && tool.getAttribute("data-sodo-tool") === "lanes-layout") { relayoutAt = Date.now(); }
  }, true);

  function frameAfterwards(graph, elements) {
    var ids = elements.filter(function (element) {
      var data = element.data || {};
      return data.key && !data.source;
    }).map(function (element) { return element.data.id; });
    var seen = graph.scratch("_sodoSteps");
    graph.scratch("_sodoSteps", ids);
    var opening = !graph.scratch("_sodoFramed") && elements.length > 0;
    var relaid = relayoutAt && Date.now() - relayoutAt < 20000;
    var added = seen ? ids.filter(function (id) { return seen.indexOf(id) < 0; }) : [];
    if (!opening && !relaid && !added.length) { return; }
    var tries = 0;
    var frame = function () {
      var drawn = ids.every(function (id) { return !graph.getElementById(id).empty(); });
      if (!drawn && tries < 80) { tries += 1; window.setTimeout(frame, 25); return; }
      if (opening || relaid) {
        graph.scratch("_sodoFramed", true);
        relayoutAt = 0;
        readableView(graph);
      } else {
        var eles = graph.collection();
        added.forEach(function (id) { eles = eles.union(graph.getElementById(id)); });
        bringIntoView(graph, eles);
      }
    };
    window.setTimeout(frame, 0);
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.sodo = {
    /* Bind the drag listener once per Cytoscape instance (a remount makes a new one), and
       keep the steps where the elements say. */
    bindCanvas: function (elements) {
      var graph = cy();
      if (graph && !graph.scratch("_sodoBound")) {
        graph.scratch("_sodoBound", true);
        graph.on("dragfree", "node", onDragFree);
        graph.on("tapstart", leaveInspector);
      }
      if (graph) {
        followPositions(graph, elements);
        frameAfterwards(graph, elements || []);
      }
      return NO();
    },

    /* A finding clicked: select and centre the steps and transitions it names. */
    focusFinding: function (clicks, targets) {
      var context = window.dash_clientside.callback_context;
      var triggered = context.triggered_id;
      var graph = cy();
      /* New finding buttons "fire" with zero clicks when a list is drawn: not a click. */
      var clicked = context.triggered.length && context.triggered[0].value;
      if (!graph || !triggered || !targets || !clicked) { return NO(); }
      var ids = targets[triggered.finding] || [];
      var eles = graph.collection();
      ids.forEach(function (id) { eles = eles.union(graph.getElementById(id)); });
      focusOn(eles);
      return ids;
    },

    /* The search box: the first step whose name contains the words, without diacritics. */
    findStep: function (text) {
      var graph = cy();
      var wanted = fold(text).trim();
      if (!graph || !wanted) { return NO(); }
      var found = graph.nodes().filter(function (node) {
        return !node.data("lane_box") && fold(node.data("name")).indexOf(wanted) >= 0;
      });
      focusOn(found.first());
      return found.empty() ? "form-control form-control-sm sodo-search sodo-search-none"
        : "form-control form-control-sm sodo-search";
    },

    fit: function (clicks) {
      var graph = cy();
      if (graph && clicks) { graph.fit(undefined, 30); }
      return NO();
    },

    /* Auto layout: dagre, left to right, then send the positions to be saved. */
    runDagre: function (clicks) {
      var graph = cy();
      if (!graph || !clicks) { return NO(); }
      /* The lanes' names are placed by the server after the steps: dagre leaves them. */
      var layout = graph.elements().not("[?lane_title]").layout({
        name: "dagre", rankDir: "LR", nodeSep: 40, rankSep: 80, animate: false, fit: false
      });
      layout.run();
      readableView(graph);
      return { positions: stepPositions(graph.nodes()), at: Date.now() };
    },

    /* The Connect button looks pressed while connect mode is on. */
    showConnectMode: function (active) {
      return "btn btn-sm " + (active ? "btn-primary active" : "btn-outline-secondary");
    },

    /* The connect banner: shown in connect mode or once a source is chosen (the
       right-click menu), prompting for the source, then for the target. */
    showConnectBanner: function (active, source) {
      var base = "sodo-connect-banner ";
      if (!active && !source) { return base + "sodo-connect-off"; }
      return base + "sodo-connect-on " + (source ? "sodo-connect-target" : "sodo-connect-source");
    },

    /* The inspector's title follows the step's name once it is committed (a blank name
       is refused by the save: the title keeps the name it had). */
    showStepName: function (name) {
      var titles = window.dash_clientside.callback_context.outputs_list || [];
      var shown = typeof name === "string" && name.trim() ? name : NO();
      return titles.map(function () { return shown; });
    },

    /* A field of the inspector changed, or a save was answered: queue, then send. */
    queueSave: function (values, done, ids, forms) {
      var context = window.dash_clientside.callback_context;
      var triggered = (context.triggered || []).map(function (t) { return t.prop_id || ""; });
      saver.seenAt = Date.now();
      if (triggered.some(function (id) { return id.indexOf("save-done.") === 0; })) {
        saver.sent = null;
      }
      var form = (forms || [])[0];
      if (form && form.token && values && ids && values.length === ids.length) {
        var fields = {};
        ids.forEach(function (id, index) { fields[id.field] = values[index]; });
        var typing = triggered.some(function (id) { return id.indexOf('"description"') >= 0; });
        if (queueForm(form, fields) && typing) {
          if (saver.timer) { window.clearTimeout(saver.timer); }
          saver.timer = window.setTimeout(sendSave, SAVE_PAUSE);
          return NO();
        }
      }
      if (!saver.timer) { sendSave(); }
      return NO();
    }
  };
})();
