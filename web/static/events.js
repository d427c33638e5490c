// The live feed of an event page: each alert posted after the page was
// rendered is added at the top of the list, which is an ARIA live region
// (role "log"), so that screen readers announce it. EventSource
// reconnects by itself, sending the seq of the last alert it received
// (Last-Event-ID), and the server resumes after it: nothing is missed.
// Without this script the page still shows every alert on reload.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("alerts");
  const status = document.getElementById("feed-status");
  // The live region holds the list the alerts are added to.
  const items = list && list.querySelector("ol");
  if (!list || !list.dataset.feed || !window.EventSource) return;
  const text = (tag, content, cls) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  };
  const when = (s) => s.slice(0, 16).replace("T", " ");
  // The page's words for severities and handlings, in its language.
  const words = JSON.parse(list.dataset.words || "{}");
  const word = (k, fallback) => words[k] || fallback;
  const handling = (h) => {
    let parts = [h.distribution === "agencies" ? word("badge.agencies", "agencies: %s").replace("%s", (h.agencies || []).join(", ")) :
      h.distribution === "group" ? word("badge.group", "group: %s").replace("%s", h.group) : word("badge." + h.distribution, h.distribution)];
    if (h.frontline) parts.push(word("badge.frontline", "frontline"));
    if (h.hit_notice) parts.push(word("badge.hit.notice", "hit notice"));
    if (h.restriction && h.restriction !== "H0") parts.push(h.restriction + (h.restriction_text ? " (" + h.restriction_text + ")" : ""));
    return parts.join(" · ");
  };
  const render = (a) => {
    const li = document.createElement("li");
    li.id = "alert-" + a.id;
    li.className = "alert new sev-" + a.severity;
    li.dataset.seq = a.seq;
    const head = document.createElement("p");
    head.append(text("span", word("severity." + a.severity, a.severity), "badge"), " ", text("strong", a.title), " — " + a.location);
    li.append(head);
    li.append(text("p", list.dataset.valid + " " + when(a.valid_from) + " – " + when(a.valid_until) + " UTC · " +
      list.dataset.from + " " + a.originator + " (" + a.posted_by + ") · " + handling(a.handling), "hint"));
    if (a.details) li.append(text("p", a.details));
    const acks = text("p", "", "acks");
    if (a.acks && a.acks.length) acks.textContent = list.dataset.acked + " " + a.acks.map((k) => k.agency).join(" ");
    li.append(acks);
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/alerts/" + a.id + "/ack";
    form.className = "inline";
    const csrf = document.createElement("input");
    csrf.type = "hidden";
    csrf.name = "csrf";
    csrf.value = list.dataset.csrf;
    const button = text("button", list.dataset.ack, "ack-button");
    form.append(csrf, button);
    li.append(form);
    return li;
  };
  const feed = new EventSource(list.dataset.feed);
  feed.addEventListener("open", () => { if (status) status.textContent = status.dataset.live; });
  feed.addEventListener("error", () => { if (status) status.textContent = status.dataset.lost; });
  feed.addEventListener("alert", (ev) => {
    const a = JSON.parse(ev.data);
    if (document.getElementById("alert-" + a.id)) return;
    document.getElementById("no-alerts")?.remove();
    items.prepend(render(a));
  });
});
