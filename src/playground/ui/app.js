// The playground's page: renders the emulated #incidents channel (Block Kit, mrkdwn, files, threads,
// ephemeral messages) and sends slash commands and button clicks through the playground server, which
// signs them like Slack. No framework, no build step; every element is built with the DOM API.

const $ = (id) => document.getElementById(id);
const state = { data: null, me: localStorage.getItem("memops.playground.user"), thread: null };

const EMOJI = {
  warning: "⚠️",
  white_check_mark: "✅",
  x: "❌",
  mag: "🔍",
  rotating_light: "🚨",
  hourglass_flowing_sand: "⏳",
  fire: "🔥",
  chart_with_upwards_trend: "📈",
  arrows_counterclockwise: "🔄",
  lock: "🔒",
  heavy_check_mark: "✔️",
  red_circle: "🔴",
  large_yellow_circle: "🟡",
  large_green_circle: "🟢",
  information_source: "ℹ️",
  memo: "📝",
  no_entry: "⛔",
  bell: "🔔",
  clipboard: "📋",
  wrench: "🔧",
  hourglass: "⌛",
  heavy_plus_sign: "➕",
  ok: "🆗",
  octagonal_sign: "🛑",
  stopwatch: "⏱️",
  bar_chart: "📊",
  scroll: "📜",
  pushpin: "📌",
  link: "🔗",
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false)
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const decode = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);

/** *bold*, _italic_, ~strike~ and `code` inside one line of Slack-escaped text. */
function inline(text) {
  const out = [];
  // emphasis markers count only at word edges, as in Slack: container_memory_working_set stays as it is
  const re =
    /`([^`\n]+)`|<([^>\n]+)>|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(emoji(decode(text.slice(last, m.index))));
    if (m[1] !== undefined) out.push(el("code", {}, decode(m[1])));
    else if (m[2] !== undefined) out.push(control(m[2]));
    else if (m[3] !== undefined) out.push(el("b", {}, inline(m[3])));
    else if (m[4] !== undefined) out.push(el("i", {}, inline(m[4])));
    else out.push(el("s", {}, inline(m[5])));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(emoji(decode(text.slice(last))));
  return out;
}

/** Slack's <…> sequences: mentions, group mentions, links. */
function control(body) {
  const [target, label] = body.split("|");
  const names = state.data?.names ?? {};
  if (target.startsWith("@")) return el("span", { class: "mention" }, `@${names[target.slice(1)] ?? target.slice(1)}`);
  if (target.startsWith("!date^")) {
    const seconds = Number(target.split("^")[1]);
    return Number.isFinite(seconds)
      ? new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" })
      : decode(label ?? "");
  }
  if (target.startsWith("!subteam^"))
    return el("span", { class: "mention" }, `@${state.data?.groups?.[target.slice(9)] ?? target.slice(9)}`);
  if (target.startsWith("!")) return el("span", { class: "mention" }, `@${target.slice(1)}`);
  if (/^https?:\/\//.test(target))
    return el("a", { href: target, target: "_blank", rel: "noreferrer noopener" }, decode(label ?? target));
  return decode(label ?? target);
}

/** mrkdwn → DOM: ``` blocks, > quotes, lines. */
function mrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = text.split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      frag.append(el("pre", {}, decode(part.replace(/^\n/, ""))));
      return;
    }
    const lines = part.split("\n");
    lines.forEach((line, j) => {
      if (line.startsWith("&gt; ")) frag.append(el("blockquote", {}, inline(line.slice(5))));
      else {
        frag.append(...inline(line));
        if (j < lines.length - 1) frag.append(el("br"));
      }
    });
  });
  return frag;
}

const textOf = (t) => (!t ? "" : t.type === "mrkdwn" ? mrkdwn(t.text) : emoji(t.text));
const fileUrl = (f) => (f && f.id ? `/files/${encodeURIComponent(f.id)}` : null);

function button(b, message, blockId) {
  const cls = b.style === "primary" ? "primary" : b.style === "danger" ? "danger" : undefined;
  const key = `${message.ts}/${blockId}/${b.action_id}`;
  return el(
    "button",
    {
      type: "button",
      class: cls,
      "data-focus": key,
      onclick: async (ev) => {
        const btn = ev.currentTarget; // only set while the event is dispatched: take it before awaiting
        if (b.confirm && !(await confirmDialog(b.confirm))) return;
        btn.disabled = true;
        await post("/api/click", {
          user: state.me,
          messageTs: message.ts,
          actionId: b.action_id,
          value: b.value ?? "",
          blockId,
        });
        btn.disabled = false;
      },
    },
    b.text?.text ?? "button",
  );
}

function block(b, message) {
  switch (b.type) {
    case "header":
      return el("div", { class: "block" }, el("h3", {}, emoji(b.text?.text ?? "")));
    case "section":
      return el(
        "div",
        { class: "block section" },
        b.text ? el("div", {}, textOf(b.text)) : null,
        b.fields
          ? el(
              "div",
              { class: "fields" },
              b.fields.map((f) => el("div", {}, textOf(f))),
            )
          : null,
        b.accessory?.type === "button"
          ? el("div", { class: "actions" }, button(b.accessory, message, b.block_id ?? "section"))
          : null,
      );
    case "context":
      return el(
        "div",
        { class: "block context" },
        (b.elements ?? []).map((e) =>
          e.type === "image" ? el("img", { src: e.image_url, alt: e.alt_text }) : el("span", {}, textOf(e)),
        ),
      );
    case "divider":
      return el("hr");
    case "actions":
      return el(
        "div",
        { class: "block actions", role: "group", "aria-label": "Actions" },
        (b.elements ?? []).filter((e) => e.type === "button").map((e) => button(e, message, b.block_id ?? "actions")),
      );
    case "image": {
      const src = b.slack_file ? fileUrl(b.slack_file) : b.image_url;
      return el(
        "figure",
        { class: "block image" },
        el("img", { src, alt: b.alt_text ?? "" }),
        b.title ? el("figcaption", {}, b.title.text) : null,
      );
    }
    default:
      return el("div", { class: "block" }, `[${b.type} block]`);
  }
}

const time = (ts) => new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function messageView(m, { inThread, ephemeral } = {}) {
  const replies = inThread ? [] : (state.data?.messages ?? []).filter((r) => r.threadTs === m.ts);
  const who = ephemeral ? "memops" : m.userName;
  const body = m.blocks?.length ? m.blocks.map((b) => block(b, m)) : [el("div", {}, mrkdwn(m.text ?? ""))];
  return el(
    "li",
    { class: `message${ephemeral ? " ephemeral" : ""}`, "data-ts": m.ts },
    el(
      "div",
      { class: `avatar${ephemeral || m.bot ? " bot" : ""}`, "aria-hidden": "true" },
      who.slice(0, 1).toUpperCase(),
    ),
    el(
      "article",
      { "aria-label": `${who} at ${time(m.ts)}` },
      el(
        "div",
        {},
        el("span", { class: "who" }, who),
        ephemeral || m.bot ? el("span", { class: "app-badge" }, "APP") : null,
        el("span", { class: "when" }, time(m.ts)),
        m.edited ? el("span", { class: "edited" }, "(edited)") : null,
      ),
      ephemeral ? el("div", { class: "ephemeral-note" }, "Only visible to you") : null,
      body,
      (m.files ?? []).map((f) =>
        el(
          "figure",
          { class: "file" },
          el("img", { src: f.url, alt: f.altText ?? f.title, "data-file": f.id }),
          el("figcaption", {}, f.title),
        ),
      ),
      replies.length
        ? el(
            "button",
            { type: "button", class: "reply-link", "data-focus": `replies/${m.ts}`, onclick: () => openThread(m.ts) },
            `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`,
          )
        : null,
    ),
  );
}

const atBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 40;

/** Replaces a list's messages; one that was showing its newest message keeps following. */
function fill(list, items, follow) {
  list.replaceChildren(...items);
  if (follow) list.scrollTop = list.scrollHeight;
}

function render() {
  const d = state.data;
  if (!d) return;
  const focused = document.activeElement?.getAttribute?.("data-focus");
  const byTs = (a, b) => Number(a.ts) - Number(b.ts);
  // where each list was, before opening or closing the thread changes the layout
  const follow = {
    channel: atBottom($("messages")),
    thread: $("thread").hidden || state.threadShown !== state.thread || atBottom($("thread-messages")),
  };
  state.threadShown = state.thread;
  $("thread").hidden = !state.thread;
  document.querySelector(".app").classList.toggle("thread-open", !!state.thread);
  const top = [
    ...d.messages.filter((m) => m.threadTs === null).map((m) => ({ m, ephemeral: false })),
    ...d.ephemerals.filter((e) => e.threadTs === null).map((m) => ({ m, ephemeral: true })),
  ].sort((a, b) => byTs(a.m, b.m));
  fill(
    $("messages"),
    top.map(({ m, ephemeral }) => messageView(m, { ephemeral })),
    follow.channel,
  );
  if (state.thread) {
    const parent = d.messages.find((m) => m.ts === state.thread);
    const replies = [
      ...d.messages.filter((m) => m.threadTs === state.thread).map((m) => ({ m, ephemeral: false })),
      ...d.ephemerals.filter((e) => e.threadTs === state.thread).map((m) => ({ m, ephemeral: true })),
    ].sort((a, b) => byTs(a.m, b.m));
    fill(
      $("thread-messages"),
      [
        parent ? messageView(parent, { inThread: true }) : null,
        ...replies.map(({ m, ephemeral }) => messageView(m, { inThread: true, ephemeral })),
      ].filter(Boolean),
      follow.thread,
    );
  }
  if (focused) document.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
}

function openThread(ts) {
  state.thread = ts;
  render();
  $("close-thread").focus();
}

async function refresh() {
  const r = await fetch(`/api/state?user=${encodeURIComponent(state.me ?? "")}`);
  state.data = await r.json();
  if (!state.me || !state.data.users.some((u) => u.id === state.me)) state.me = state.data.users[0].id;
  renderSidebar();
  render();
  renderModal();
}

let queued = false;
function soon() {
  if (queued) return;
  queued = true;
  setTimeout(() => {
    queued = false;
    refresh().catch(showError);
  }, 60);
}

function renderSidebar() {
  const d = state.data;
  const as = $("as");
  if (as.options.length !== d.users.length)
    as.replaceChildren(...d.users.map((u) => el("option", { value: u.id }, u.name)));
  as.value = state.me;
  $("as-role").textContent = d.users.find((u) => u.id === state.me)?.role ?? "";
  if ($("scenarios").children.length !== d.scenarios.length) {
    $("scenarios").replaceChildren(
      ...d.scenarios.map((s) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", onclick: () => send(`/mem diagnose deploy/${s.name} -n ${d.namespace}`) },
            `deploy/${s.name}`,
          ),
          el("span", { class: "story" }, `${s.story} (expect: ${s.expect})`),
        ),
      ),
    );
    $("tries").replaceChildren(
      ...["/mem help", "/mem runbooks", `/mem diagnose ns/${d.namespace}`, "/mem audit"].map((t) =>
        el("li", {}, el("button", { type: "button", onclick: () => send(t) }, t)),
      ),
    );
  }
}

function showError(e) {
  $("status").textContent = e instanceof Error ? e.message : String(e);
}

async function post(path, body) {
  $("status").textContent = "";
  const r = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!r.ok) {
    const why = await r.json().catch(() => ({}));
    showError(why.error ?? `memops answered HTTP ${why.status ?? r.status}`);
  }
  return r.ok;
}

async function send(text) {
  if (!text.trim()) return;
  await post("/api/command", { user: state.me, text });
}

/** A modal memops opened for this person (views.open): its sections and text inputs, submitted to memops. */
function renderModal() {
  const dialog = $("modal");
  const v = state.data?.views?.[0];
  if (!v) {
    if (dialog.open) dialog.close();
    state.modal = null;
    return;
  }
  if (state.modal === v.id) return;
  state.modal = v.id;
  $("modal-title").textContent = v.view.title?.text ?? "";
  $("modal-submit").textContent = v.view.submit?.text ?? "Submit";
  $("modal-close").textContent = v.view.close?.text ?? "Cancel";
  $("modal-body").replaceChildren(
    ...(v.view.blocks ?? []).map((b) => {
      if (b.type !== "input") return block(b, { ts: "", blocks: [] });
      const id = `modal-${b.block_id}`;
      return el(
        "div",
        { class: "modal-input" },
        el("label", { for: id }, b.label?.text ?? ""),
        el("textarea", {
          id,
          "data-block": b.block_id,
          "data-action": b.element.action_id,
          maxlength: String(b.element.max_length ?? 3000),
          placeholder: b.element.placeholder?.text ?? "",
          rows: "3",
        }),
        el("p", { class: "modal-error", id: `${id}-error` }),
      );
    }),
  );
  dialog.showModal();
  dialog.querySelector("textarea")?.focus();
}

$("modal-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const values = {};
  for (const t of $("modal-body").querySelectorAll("textarea"))
    values[t.dataset.block] = { [t.dataset.action]: t.value };
  const r = await fetch("/api/submit-view", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: state.me, viewId: state.modal, values }),
  });
  const answer = await r.json().catch(() => ({}));
  for (const [blockId, message] of Object.entries(answer.errors ?? {}))
    $(`modal-${blockId}-error`).textContent = message;
  if (!answer.errors) soon();
});

$("modal-close").addEventListener("click", async () => {
  await post("/api/close-view", { user: state.me, viewId: state.modal });
  soon();
});

function confirmDialog(c) {
  const dialog = $("confirm");
  $("confirm-title").textContent = c.title?.text ?? "Are you sure?";
  $("confirm-text").textContent = c.text?.text ?? "";
  $("confirm-ok").textContent = c.confirm?.text ?? "Yes";
  $("confirm-deny").textContent = c.deny?.text ?? "Cancel";
  dialog.showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }),
  );
}

$("composer-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const input = $("composer");
  const text = input.value;
  input.value = "";
  send(text).catch(showError);
});
$("as").addEventListener("change", (ev) => {
  state.me = ev.target.value;
  localStorage.setItem("memops.playground.user", state.me);
  refresh().catch(showError);
});
$("close-thread").addEventListener("click", () => {
  const ts = state.thread;
  state.thread = null;
  render();
  document.querySelector(`[data-focus="replies/${CSS.escape(ts ?? "")}"]`)?.focus();
});
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape" && state.thread && !$("confirm").open) $("close-thread").click();
});

new EventSource("/api/events").addEventListener("change", soon);
refresh().catch(showError);
