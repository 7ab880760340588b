/* 网上预审: sign in, upload, show the findings, download the results.
 * ES5 only (XMLHttpRequest, FormData, Blob), for the older engines WPS ships with. Every text
 * that comes from a workbook is put into the page with createTextNode, never as HTML. */
(function () {
  "use strict";

  var token = null;
  var maxBytes = 0;
  var chosen = [];
  var TOKEN_FORM = /^[!-~]{8,}$/;

  function $(id) { return document.getElementById(id); }

  function show(el, yes) {
    var names = (el.className || "").replace(/(^|\s)hidden(\s|$)/g, " ").replace(/^\s+|\s+$/g, "");
    el.className = yes ? names : (names ? names + " " : "") + "hidden";
  }

  function clear(el) {
    while (el.firstChild) { el.removeChild(el.firstChild); }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.appendChild(document.createTextNode(String(text))); }
    return node;
  }

  function say(node, text, isError) {
    clear(node);
    node.appendChild(document.createTextNode(text));
    node.className = "message" + (isError ? " error" : "");
    show(node, true);
  }

  function errorOf(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error) { return String(body.error); }
    } catch (e) { /* not JSON */ }
    if (xhr.status === 0) { return "无法连接服务器，请检查网络后重试"; }
    return "服务器答复出错（HTTP " + xhr.status + "）";
  }

  function post(url, body, onDone, onProgress) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url, true);
    xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.onreadystatechange = function () {
      if (xhr.readyState === 4) { onDone(xhr); }
    };
    if (onProgress && xhr.upload) {
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { onProgress(Math.round(e.loaded * 100 / e.total)); }
      };
    }
    xhr.send(body);
  }

  /* sign in */

  function signIn(e) {
    if (e && e.preventDefault) { e.preventDefault(); }
    var given = $("token").value.replace(/^\s+|\s+$/g, "");
    var msg = $("signin-msg");
    if (!TOKEN_FORM.test(given)) {
      say(msg, "令牌至少 8 个字符，只能由英文字母、数字和符号组成（不能有空格或中文）", true);
      return false;
    }
    token = given;
    $("signin-btn").disabled = true;
    say(msg, "正在登录……", false);
    post("/web/signin", null, function (xhr) {
      $("signin-btn").disabled = false;
      if (xhr.status === 200) {
        var info = JSON.parse(xhr.responseText);
        maxBytes = info.max_mb * 1024 * 1024;
        show(msg, false);
        show($("signin-panel"), false);
        show($("upload-panel"), true);
        show($("signout"), true);
        clear($("limit"));
        $("limit").appendChild(document.createTextNode("，一次合计不超过 " + info.max_mb + " MB"));
        $("token").value = "";
      } else {
        token = null;
        say(msg, errorOf(xhr), true);
      }
    });
    return false;
  }

  function signOut(e) {
    if (e && e.preventDefault) { e.preventDefault(); }
    token = null;
    chosen = [];
    renderChosen();
    clear($("results"));
    show($("results"), false);
    show($("upload-panel"), false);
    show($("signout"), false);
    show($("signin-panel"), true);
    show($("signin-msg"), false);
    return false;
  }

  /* choosing files */

  function addFiles(list) {
    for (var i = 0; i < list.length; i++) { chosen.push(list[i]); }
    renderChosen();
  }

  function renderChosen() {
    var ul = $("chosen");
    clear(ul);
    var total = 0;
    for (var i = 0; i < chosen.length; i++) {
      total += chosen[i].size;
      ul.appendChild(el("li", null, chosen[i].name + "（" + sizeText(chosen[i].size) + "）"));
    }
    $("upload-btn").disabled = chosen.length === 0;
    $("status").className = "status";
    clear($("status"));
    if (chosen.length) {
      $("status").appendChild(document.createTextNode("已选择 " + chosen.length + " 个文件，共 " + sizeText(total)));
    }
  }

  function sizeText(n) {
    if (n < 1024) { return n + " 字节"; }
    if (n < 1024 * 1024) { return (n / 1024).toFixed(1) + " KB"; }
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  /* upload and results */

  function upload() {
    if (!chosen.length || !token) { return; }
    var form = new FormData();
    var total = 0;
    for (var i = 0; i < chosen.length; i++) {
      form.append("files", chosen[i], chosen[i].name);
      total += chosen[i].size;
    }
    var status = $("status");
    if (maxBytes && total > maxBytes) {
      say(status, "所选文件共 " + sizeText(total) + "，超过 " + (maxBytes / 1024 / 1024) +
        " MB 的上限，请分批上传或压缩成 .zip 后上传", true);
      return;
    }
    $("upload-btn").disabled = true;
    clear($("results"));
    show($("results"), false);
    say(status, "正在上传……", false);
    post("/web/check", form, function (xhr) {
      $("upload-btn").disabled = false;
      if (xhr.status === 200) {
        var answer = JSON.parse(xhr.responseText);
        show(status, false);
        chosen = [];
        renderChosen();
        render(answer);
      } else if (xhr.status === 401) {
        signOut();
        say($("signin-msg"), errorOf(xhr), true);
      } else {
        say(status, errorOf(xhr), true);
      }
    }, function (percent) {
      say(status, percent < 100 ? "正在上传…… " + percent + "%" : "上传完成，正在检查……", false);
    });
  }

  function countText(errors, warnings) {
    return "问题 " + (errors + warnings) + " 条：错误 " + errors + "，警告 " + warnings;
  }

  function render(answer) {
    var box = $("results");
    clear(box);
    var files = answer.files || [];
    var read = 0;
    for (var i = 0; i < files.length; i++) { if (!files[i].error) { read++; } }
    var panel = el("div", "panel");
    panel.appendChild(el("h2", null, "检查结果"));
    var summary = el("p", "summary",
      "共 " + files.length + " 个文件（已检查 " + read + " 个），" + countText(answer.errors, answer.warnings));
    summary.id = "summary";
    summary.setAttribute("data-findings", String(answer.errors + answer.warnings));
    panel.appendChild(summary);
    var downloads = el("div", "downloads");
    if (answer.review) {
      var rb = el("button", "download-review", "下载审核结果工作簿（" + answer.review.name + "）");
      rb.type = "button";
      rb.onclick = downloader(answer.review);
      downloads.appendChild(rb);
    }
    if (answer.review_bundle) {
      var zb = el("button", "secondary download-bundle",
        "下载审核结果及全部标记后的工作簿（" + answer.review_bundle.name + "）");
      zb.type = "button";
      zb.onclick = downloader(answer.review_bundle);
      downloads.appendChild(zb);
    }
    panel.appendChild(downloads);
    if (files.length > 1) { panel.appendChild(overview(files)); }
    var notes = answer.notes || [];
    for (var n = 0; n < notes.length; n++) { panel.appendChild(el("p", "message note", notes[n])); }
    box.appendChild(panel);
    for (var j = 0; j < files.length; j++) { box.appendChild(renderFile(files[j])); }
    show(box, true);
  }

  function overview(files) {
    var table = el("table", "overview");
    var head = el("tr");
    var names = ["文件", "错误", "警告", "说明"];
    for (var h = 0; h < names.length; h++) { head.appendChild(el("th", null, names[h])); }
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var tr = el("tr", f.error ? "unreadable" : null);
      tr.appendChild(el("td", "text", f.name));
      tr.appendChild(el("td", "num", f.error ? "—" : f.errors));
      tr.appendChild(el("td", "num", f.error ? "—" : f.warnings));
      tr.appendChild(el("td", "text", f.error ? "无法检查" : (f.flagged ? "可下载标记后的工作簿" : "")));
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    return table;
  }

  function renderFile(file) {
    var div = el("div", "file");
    div.appendChild(el("h3", "file-name", file.name));
    if (file.error) {
      div.className = "file unreadable";
      div.appendChild(el("p", "message error file-error", "无法检查：" + file.error));
      return div;
    }
    div.appendChild(el("p", "counts", countText(file.errors, file.warnings)));
    if (file.flagged) {
      var b = el("button", "download-flagged", "下载标记后的工作簿（" + file.flagged.name + "）");
      b.type = "button";
      b.onclick = downloader(file.flagged);
      div.appendChild(b);
    }
    if (file.note) { div.appendChild(el("p", "message note", file.note)); }
    var forms = file.forms || [];
    for (var i = 0; i < forms.length; i++) { div.appendChild(renderForm(forms[i])); }
    return div;
  }

  function renderForm(form) {
    var div = el("div", "form");
    var title = "工作表“" + form.sheet + "”" + (form.title && form.title !== form.sheet ? "：" + form.title : "");
    var findings = form.findings || [];
    div.appendChild(el("h4", null, title + (findings.length ? "（" + findings.length + " 条）" : "")));
    if (!findings.length) {
      div.appendChild(el("p", "ok", "未发现问题"));
      return div;
    }
    var table = el("table");
    var head = el("tr");
    var names = ["单元格", "代码", "级别", "说明"];
    for (var h = 0; h < names.length; h++) { head.appendChild(el("th", null, names[h])); }
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    for (var i = 0; i < findings.length; i++) {
      var f = findings[i];
      var tr = el("tr", "finding " + (f.severity === "error" ? "error" : "warning"));
      tr.appendChild(el("td", "cell", f.cell));
      tr.appendChild(el("td", "code", f.code));
      tr.appendChild(el("td", "level", f.level));
      tr.appendChild(el("td", "text", f.message));
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    div.appendChild(table);
    return div;
  }

  /* downloads: the answer carries each file (base64); nothing is kept on the server */

  function downloader(file) {
    return function () { save(file.name, file.data); };
  }

  var TYPES = {
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    xlsm: "application/vnd.ms-excel.sheet.macroEnabled.12",
    zip: "application/zip"
  };

  function save(name, data) {
    var bytes = atob(data);
    var buf = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { buf[i] = bytes.charCodeAt(i); }
    var ext = name.replace(/^.*\./, "").toLowerCase();
    var blob = new Blob([buf], { type: TYPES.hasOwnProperty(ext) ? TYPES[ext] : "application/octet-stream" });
    if (window.navigator && window.navigator.msSaveOrOpenBlob) {
      window.navigator.msSaveOrOpenBlob(blob, name);
      return;
    }
    var url = (window.URL || window.webkitURL).createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      document.body.removeChild(a);
      (window.URL || window.webkitURL).revokeObjectURL(url);
    }, 1000);
  }

  /* wiring */

  function init() {
    $("signin-form").onsubmit = signIn;
    $("signout").onclick = signOut;
    $("files").onchange = function () { addFiles(this.files); this.value = ""; };
    $("upload-btn").onclick = upload;
    var drop = $("drop");
    drop.ondragover = function (e) { e.preventDefault(); drop.className = "drop over"; return false; };
    drop.ondragleave = function () { drop.className = "drop"; };
    drop.ondrop = function (e) {
      e.preventDefault();
      drop.className = "drop";
      if (e.dataTransfer && e.dataTransfer.files) { addFiles(e.dataTransfer.files); }
      return false;
    };
    $("token").focus();
  }

  init();
}());
