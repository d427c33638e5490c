// Screening a file: send it with a progress bar, then show the results
// page or save the CSV. Without this script the form still works, only
// without the bar.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  const bar = document.getElementById("upload-progress");
  if (!form || !bar) return;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "blob";
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    });
    xhr.addEventListener("load", () => {
      const type = xhr.getResponseHeader("Content-Type") || "";
      if (type.startsWith("text/csv")) {
        const a = document.createElement("a");
        a.href = URL.createObjectURL(xhr.response);
        a.download = "screening-results.csv";
        document.body.appendChild(a);
        a.click();
        bar.hidden = true;
        return;
      }
      xhr.response.text().then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelector("main").replaceWith(doc.querySelector("main"));
      });
    });
    bar.removeAttribute("value"); // indeterminate while the node screens
    xhr.send(new FormData(form));
  });
});
