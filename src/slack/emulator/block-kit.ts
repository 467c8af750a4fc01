/**
 * Block Kit validation as Slack applies it to chat.postMessage / chat.update: a message that breaks a
 * documented limit is rejected with invalid_blocks and one "[ERROR] … [json-pointer:…]" line per problem.
 */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(pointer: string, message: string) {
    this.list.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }
}

function text(p: Problems, at: string, v: unknown, max: number, only?: "plain_text") {
  if (!isObj(v)) return p.add(at, "must be a text object");
  if (v["type"] !== "plain_text" && v["type"] !== "mrkdwn") return p.add(`${at}/type`, "must be plain_text or mrkdwn");
  if (only && v["type"] !== only) p.add(`${at}/type`, `must be ${only}`);
  const t = v["text"];
  if (typeof t !== "string" || t.length === 0) p.add(`${at}/text`, "must be a non-empty string");
  else if (t.length > max) p.add(`${at}/text`, `must be less than ${max + 1} characters`);
  if ("emoji" in v && v["type"] !== "plain_text") p.add(`${at}/emoji`, "emoji is only allowed on plain_text");
  if ("verbatim" in v && v["type"] !== "mrkdwn") p.add(`${at}/verbatim`, "verbatim is only allowed on mrkdwn");
}

function confirm(p: Problems, at: string, v: unknown) {
  if (!isObj(v)) return p.add(at, "must be a confirmation dialog object");
  text(p, `${at}/title`, v["title"], 100, "plain_text");
  text(p, `${at}/text`, v["text"], 300);
  text(p, `${at}/confirm`, v["confirm"], 30, "plain_text");
  text(p, `${at}/deny`, v["deny"], 30, "plain_text");
  if ("style" in v && v["style"] !== "primary" && v["style"] !== "danger")
    p.add(`${at}/style`, "must be primary or danger");
}

function element(p: Problems, at: string, v: unknown, ids: Set<string>) {
  if (!isObj(v)) return p.add(at, "must be an element object");
  if (v["type"] === "image") {
    if (typeof v["alt_text"] !== "string" || v["alt_text"].length === 0) p.add(`${at}/alt_text`, "is required");
    if (typeof v["image_url"] !== "string" && !isObj(v["slack_file"]))
      p.add(at, "must provide image_url or slack_file");
    return;
  }
  if (v["type"] !== "button") return p.add(`${at}/type`, `unsupported element type ${String(v["type"])}`);
  text(p, `${at}/text`, v["text"], 75, "plain_text");
  const id = v["action_id"];
  if (id !== undefined) {
    if (typeof id !== "string" || id.length === 0 || id.length > 255)
      p.add(`${at}/action_id`, "must be 1-255 characters");
    else if (ids.has(id)) p.add(`${at}/action_id`, "must be unique within the block");
    else ids.add(id);
  }
  if (v["value"] !== undefined && (typeof v["value"] !== "string" || v["value"].length > 2000))
    p.add(`${at}/value`, "must be a string of at most 2000 characters");
  if (v["url"] !== undefined && (typeof v["url"] !== "string" || v["url"].length > 3000))
    p.add(`${at}/url`, "must be a string of at most 3000 characters");
  if (v["style"] !== undefined && v["style"] !== "primary" && v["style"] !== "danger")
    p.add(`${at}/style`, "must be primary or danger");
  if (v["confirm"] !== undefined) confirm(p, `${at}/confirm`, v["confirm"]);
}

function block(p: Problems, at: string, b: unknown, blockIds: Set<string>) {
  if (!isObj(b)) return p.add(at, "must be a block object");
  const id = b["block_id"];
  if (id !== undefined) {
    if (typeof id !== "string" || id.length === 0 || id.length > 255)
      p.add(`${at}/block_id`, "must be 1-255 characters");
    else if (blockIds.has(id)) p.add(`${at}/block_id`, "must be unique within the message");
    else blockIds.add(id);
  }
  switch (b["type"]) {
    case "section": {
      if (b["text"] === undefined && b["fields"] === undefined) p.add(at, "must provide text or fields");
      if (b["text"] !== undefined) text(p, `${at}/text`, b["text"], 3000);
      if (b["fields"] !== undefined) {
        const f = b["fields"];
        if (!Array.isArray(f) || f.length === 0) p.add(`${at}/fields`, "must be a non-empty array");
        else {
          if (f.length > 10) p.add(`${at}/fields`, "must be less than 11 items");
          f.forEach((x, i) => text(p, `${at}/fields/${i}`, x, 2000));
        }
      }
      if (b["accessory"] !== undefined) element(p, `${at}/accessory`, b["accessory"], new Set());
      return;
    }
    case "header":
      return text(p, `${at}/text`, b["text"], 150, "plain_text");
    case "divider":
      return;
    case "context": {
      const els = b["elements"];
      if (!Array.isArray(els) || els.length === 0) return p.add(`${at}/elements`, "must be a non-empty array");
      if (els.length > 10) p.add(`${at}/elements`, "must be less than 11 items");
      els.forEach((e, i) =>
        isObj(e) && e["type"] === "image"
          ? element(p, `${at}/elements/${i}`, e, new Set())
          : text(p, `${at}/elements/${i}`, e, 3000),
      );
      return;
    }
    case "actions": {
      const els = b["elements"];
      if (!Array.isArray(els) || els.length === 0) return p.add(`${at}/elements`, "must be a non-empty array");
      if (els.length > 25) p.add(`${at}/elements`, "must be less than 26 items");
      const ids = new Set<string>();
      els.forEach((e, i) => element(p, `${at}/elements/${i}`, e, ids));
      return;
    }
    case "image": {
      if (typeof b["alt_text"] !== "string" || b["alt_text"].length === 0) p.add(`${at}/alt_text`, "is required");
      else if (b["alt_text"].length > 2000) p.add(`${at}/alt_text`, "must be less than 2001 characters");
      const sources = [typeof b["image_url"] === "string", isObj(b["slack_file"])].filter(Boolean).length;
      if (sources !== 1) p.add(at, "must provide exactly one of image_url or slack_file");
      if (b["title"] !== undefined) text(p, `${at}/title`, b["title"], 2000, "plain_text");
      return;
    }
    case "input": {
      text(p, `${at}/label`, b["label"], 2000, "plain_text");
      if (b["hint"] !== undefined) text(p, `${at}/hint`, b["hint"], 2000, "plain_text");
      return textInput(p, `${at}/element`, b["element"]);
    }
    default:
      p.add(`${at}/type`, `unsupported block type ${String(b["type"])}`);
  }
}

/** The one input element memops uses in a modal. */
function textInput(p: Problems, at: string, v: unknown) {
  if (!isObj(v) || v["type"] !== "plain_text_input")
    return p.add(`${at}/type`, "unsupported element type (the emulator knows plain_text_input)");
  const id = v["action_id"];
  if (typeof id !== "string" || id.length === 0 || id.length > 255)
    p.add(`${at}/action_id`, "must be 1-255 characters");
  for (const k of ["min_length", "max_length"] as const)
    if (v[k] !== undefined && (typeof v[k] !== "number" || v[k] < 0 || v[k] > 3000))
      p.add(`${at}/${k}`, "must be a number from 0 to 3000");
  if (v["placeholder"] !== undefined) text(p, `${at}/placeholder`, v["placeholder"], 150, "plain_text");
}

/**
 * views.open's checks on a modal: its type, title, submit and close (24 characters), callback_id,
 * private_metadata (3,000), at most 100 blocks, and a submit button when it has inputs.
 */
export function validateView(view: unknown): string[] {
  const p = new Problems();
  if (!isObj(view)) return ["[ERROR] must be a view object [json-pointer:/view]"];
  if (view["type"] !== "modal") p.add("/view/type", "must be modal");
  text(p, "/view/title", view["title"], 24, "plain_text");
  for (const k of ["submit", "close"] as const)
    if (view[k] !== undefined) text(p, `/view/${k}`, view[k], 24, "plain_text");
  if (
    view["callback_id"] !== undefined &&
    (typeof view["callback_id"] !== "string" || view["callback_id"].length > 255)
  )
    p.add("/view/callback_id", "must be a string of at most 255 characters");
  if (
    view["private_metadata"] !== undefined &&
    (typeof view["private_metadata"] !== "string" || view["private_metadata"].length > 3000)
  )
    p.add("/view/private_metadata", "must be a string of at most 3000 characters");
  const blocks = view["blocks"];
  if (!Array.isArray(blocks)) return [...p.list, "[ERROR] must be an array [json-pointer:/view/blocks]"];
  if (blocks.length > 100) p.add("/view/blocks", "must be less than 101 items");
  const ids = new Set<string>();
  blocks.forEach((b, i) => block(p, `/view/blocks/${i}`, b, ids));
  if (blocks.some((b) => isObj(b) && b["type"] === "input") && view["submit"] === undefined)
    p.add("/view/submit", "is required when the view has input blocks");
  return p.list;
}

export const MAX_BLOCKS_CHARS = 12_000;

/** null when the blocks are acceptable; otherwise Slack's error code and its messages. */
export function validateBlocks(
  blocks: unknown,
): { error: "invalid_blocks" | "invalid_blocks_format" | "msg_blocks_too_long"; messages: string[] } | null {
  if (!Array.isArray(blocks))
    return { error: "invalid_blocks_format", messages: ["[ERROR] must be an array [json-pointer:/blocks]"] };
  const p = new Problems();
  if (blocks.length > 50) p.add("/blocks", "must be less than 51 items");
  const ids = new Set<string>();
  blocks.forEach((b, i) => block(p, `/blocks/${i}`, b, ids));
  if (p.list.length > 0) return { error: "invalid_blocks", messages: p.list };
  if (JSON.stringify(blocks).length > MAX_BLOCKS_CHARS) return { error: "msg_blocks_too_long", messages: [] };
  return null;
}
