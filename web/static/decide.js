// Deciding by keyboard: on a focused hit or referral, c confirms, f marks
// a false positive and e escalates. A decision needs a reason: with none
// typed yet, the key moves to the reason field and Enter there decides
// as the key asked. Without this script the buttons do the same.
"use strict";
document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
  const t = ev.target;
  if (!(t instanceof Element)) return;
  const item = t.closest("[data-decide]");
  if (!item) return;
  const field = item.querySelector("input[name=reason]");
  if (t === field && ev.key === "Enter") {
    const pending = field.dataset.pending && item.querySelector(`button[data-key="${field.dataset.pending}"]`);
    if (pending) {
      ev.preventDefault();
      pending.form.requestSubmit(pending);
    }
    return;
  }
  if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName)) return;
  // The key's place, not its letter, so that c is c on an Arabic or a
  // Russian keyboard too.
  const key = ev.code && ev.code.startsWith("Key") ? ev.code.slice(3).toLowerCase() : ev.key.toLowerCase();
  const button = item.querySelector(`button[data-key="${key}"]`);
  if (!button) return;
  ev.preventDefault();
  if (field && field.value.trim() === "") {
    field.dataset.pending = key;
    field.focus();
    field.reportValidity();
    return;
  }
  button.form.requestSubmit(button);
});
